// Share links: the whole state of a run (where it came from, the seed, the action log, the
// moment, the view) as text for a URL fragment, `#lab=...`. The state is JSON, compressed
// (deflate) and base64url-encoded, with a checksum, so a link that was cut short or edited
// by hand is recognised as such instead of opening something else. Opening one replays the
// log (`Lab.replay`) and seeks to the moment: the same run, exactly.

/** The version of the link format; a link of another version is refused with a message. */
export const SHARE_VERSION = 1;
const PREFIX = 'lab=';
/** Longest fragment accepted (a link past this is not one we made). */
const MAX_CHARS = 200_000;

/** FNV-1a over the string's UTF-16 code units, as 8 hex digits. */
export function checksum(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('it holds characters a share link never has');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * The fragment (without '#') for a state:
 * {source: {scenario} | {lesson} | {text}, seed, actions: [...], at, after, view: {...}}.
 */
export async function encodeShare(state) {
  const json = JSON.stringify({ v: SHARE_VERSION, ...state });
  const bytes = new TextEncoder().encode(`${json}\n${checksum(json)}`);
  return PREFIX + toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')));
}

/** Whether a fragment (with or without '#') is a share link at all. */
export function isShare(fragment) {
  return String(fragment ?? '').replace(/^#/, '').startsWith(PREFIX);
}

/**
 * The state in a fragment. Throws an Error saying what is wrong with the link (cut short,
 * edited, another version, a field out of range); never returns a half-checked state.
 */
export async function decodeShare(fragment) {
  const text = String(fragment ?? '').replace(/^#/, '');
  if (!text.startsWith(PREFIX)) throw new Error('it is not a Replica Lab share link');
  if (text.length > MAX_CHARS) throw new Error('it is too long to be a share link');
  let plain;
  try {
    plain = new TextDecoder('utf-8', { fatal: true }).decode(await pipe(fromBase64Url(text.slice(PREFIX.length)), new DecompressionStream('deflate-raw')));
  } catch {
    throw new Error('it is damaged (cut short or changed) and cannot be read');
  }
  const cut = plain.lastIndexOf('\n');
  const json = plain.slice(0, cut);
  if (cut < 0 || plain.slice(cut + 1) !== checksum(json)) throw new Error('it was changed after it was made (its checksum does not match)');
  let state;
  try {
    state = JSON.parse(json);
  } catch {
    throw new Error('its contents are not valid');
  }
  return checkState(state);
}

function checkState(s) {
  const fail = (what) => { throw new Error(`its ${what}`); };
  if (!s || typeof s !== 'object') fail('contents are not valid');
  if (s.v !== SHARE_VERSION) fail(`format version ${JSON.stringify(s.v)} is not the one this page reads (${SHARE_VERSION})`);
  const src = s.source;
  const name = /^[a-z0-9-]{1,64}$/;
  if (!src || typeof src !== 'object') fail('source is missing');
  if (src.scenario != null && !name.test(src.scenario)) fail('scenario name is not valid');
  if (src.lesson != null && !name.test(src.lesson)) fail('lesson name is not valid');
  if (src.text != null && typeof src.text !== 'string') fail('scenario is not valid');
  if (src.scenario == null && src.lesson == null && src.text == null) fail('source is missing');
  if (!Number.isSafeInteger(s.seed) || s.seed < 0) fail('seed is not a whole number');
  if (!Array.isArray(s.actions)) fail('action log is missing');
  if (!Number.isSafeInteger(s.at) || s.at < 0) fail('time is not valid');
  if (!Number.isSafeInteger(s.after) || s.after < 0) fail('event count is not valid');
  if (s.view != null && typeof s.view !== 'object') fail('view options are not valid');
  return s;
}
