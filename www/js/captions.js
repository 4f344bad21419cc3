// A caption of what is happening now, from the live state, never from what a scenario said
// at the start (for a leaderless ring: its levels, whether R + W > N, hints): who leads, how writes are acknowledged now (the policy in force, or its
// fallback), how far the replicas trail, what went wrong so far. One sentence, for the
// lesson bar and the described stage.

import { fmtDur, nodeName } from './format.js';
import { levelCount } from './ring-panel.js';

/** How the current acknowledgement policy reads in words. */
export function ackWords(snap) {
  const label = snap.config?.ackLabel ?? 'async';
  const primary = snap.nodes.find((n) => n.id === snap.primary);
  if (primary?.semiSyncOff) return `writes fell back to asynchronous (too few replicas confirmed in time)`;
  if (label === 'off') return 'writes are acknowledged before even the primary flushes them';
  if (label === 'async') return 'writes are acknowledged asynchronously, once the primary has flushed them';
  return `writes wait for ${label}`;
}

/** One sentence about a leaderless ring now: its levels, R + W against N, what is down, hints, stale reads. */
function ringCaption(snap) {
  const spec = snap.config.leaderless ?? {};
  const n = snap.replicationFactor ?? 0;
  const w = levelCount(spec.writeConsistency, n), r = levelCount(spec.readConsistency, n);
  const parts = [`a ring of ${snap.nodes.length} peers; writes at ${spec.writeConsistency} (W ${w}), reads at ${spec.readConsistency} (R ${r}), N ${n}: ${r + w > n ? 'R + W > N, every read meets the last acknowledged write' : 'R + W ≤ N, a read may miss the last write'}`];
  const down = snap.nodes.filter((x) => x.status !== 'up');
  if (down.length) parts.push(`${down.map((x) => `${x.name} ${x.status}`).join(', ')}`);
  let hints = 0;
  for (const x of snap.nodes) for (const [, c] of x.hints ?? []) hints += c;
  if (hints) parts.push(`${hints} hint${hints === 1 ? '' : 's'} waiting`);
  if (snap.cuts?.length) parts.push('the network is cut');
  const stale = snap.counters.staleReads;
  if (stale) parts.push(`${stale} stale read${stale === 1 ? '' : 's'} so far`);
  return `${parts.join('; ')}.`;
}

/** One sentence about the cluster now. */
export function caption(snap) {
  if (snap.model === 'leaderless') return ringCaption(snap);
  const parts = [];
  const primaries = snap.nodes.filter((n) => n.role === 'primary' && n.status === 'up');
  if (primaries.length > 1) parts.push(`split brain: ${primaries.map((n) => n.name).join(' and ')} both act as primary`);
  else if (primaries.length === 1) parts.push(`${primaries[0].name} leads term ${primaries[0].term}`);
  else {
    const c = snap.nodes.filter((n) => n.role === 'candidate');
    parts.push(c.length ? `no primary: ${c.map((n) => n.name).join(', ')} standing for election` : 'no primary: writes wait');
  }
  parts.push(ackWords(snap));
  const down = snap.nodes.filter((n) => n.status !== 'up');
  if (down.length) parts.push(`${down.map((n) => `${n.name} ${n.status}`).join(', ')}`);
  let worst = null;
  for (const n of snap.nodes) if (n.role !== 'primary' && n.status === 'up' && n.lagEntries > 0 && (!worst || n.lagMicros > worst.lagMicros)) worst = n;
  if (worst) parts.push(`${worst.name} trails by ${worst.lagEntries} entr${worst.lagEntries === 1 ? 'y' : 'ies'} (${fmtDur(worst.lagMicros)})`);
  else if (snap.nodes.length > 1) parts.push('every replica is in sync');
  if (snap.cuts?.length) parts.push('the network is cut');
  const stale = snap.counters.staleReads;
  if (stale) parts.push(`${stale} stale read${stale === 1 ? '' : 's'} so far`);
  const lost = snap.lostWrites.length;
  if (lost) parts.push(`${lost} acknowledged write${lost === 1 ? '' : 's'} lost`);
  // Not capitalised: it may begin with a node's name (n0), which is lower case.
  return `${parts.join('; ')}.`;
}

/** A lesson text with its placeholders filled: {primary}, {event}, {term}. Plain text. */
export function fill(text, snap, happening) {
  return String(text ?? '').replace(/\{(primary|event|term)\}/g, (_, k) => {
    if (k === 'primary') return snap && snap.primary != null ? nodeName(snap, snap.primary) : 'the primary';
    if (k === 'event') return happening?.text ?? '';
    return happening?.term != null ? String(happening.term) : '';
  });
}
