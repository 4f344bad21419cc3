// A lesson's expected outcomes judged in the page, exactly as the headless runner judges
// them (src/lessons.rs, `run --lesson FILE`): a dotted path into the run's summary
// (`lab.summary()`), a list counted by the items whose `at` is in [from, to), `per`
// dividing by another path, or availability: the share of a window's slots (1 s unless
// `every` says) in which a write begun there succeeded, of the slots in which writes began.

import { parseDur } from './format.js';

/** The number at a dotted path (`a.b.length`; a list counts its items, in a window if given); 0 if absent. */
export function valueAt(value, path, window) {
  let v = value;
  for (const part of path.split('.')) {
    if (Array.isArray(v) && part === 'length') return v.length;
    if (v == null || typeof v !== 'object') return 0;
    v = Array.isArray(v) ? v[Number(part)] : v[part];
    if (v === undefined) return 0;
  }
  if (Array.isArray(v)) return window ? v.filter((x) => typeof x?.at === 'number' && x.at >= window[0] && x.at < window[1]).length : v.length;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

const us = (d) => (d == null ? null : parseDur(d));

/** The operations that finished, {at, ok, read}, from the Lab's history. */
export function finishedWrites(lab) {
  const out = [];
  for (let id = 1; ; id++) { // ids count from 1
    const op = lab.op(id);
    if (!op) break;
    if (op.outcome !== 'pending') out.push({ at: op.invokedAt, ok: op.outcome === 'ok', read: op.kind === 'read' });
  }
  return out;
}

/** The share of the slots of `every` µs from `from` to `to` in which a write (or a read) begun there succeeded (1 if none began). */
export function availability(ops, from, to, every = 1e6, reads = false) {
  const slots = new Map();
  for (const w of ops) {
    if (w.read === reads && w.at >= from && w.at < to) {
      const k = Math.floor((w.at - from) / every);
      slots.set(k, (slots.get(k) ?? false) || w.ok);
    }
  }
  if (slots.size === 0) return 1;
  let up = 0;
  for (const v of slots.values()) if (v) up++;
  return up / slots.size;
}

/** Every expectation of `lesson` judged: [{what, value, met, wanted}]. */
export function judge(lesson, summary, writes) {
  return (lesson.expect ?? []).map((e) => {
    let value;
    if (e.availability) value = availability(writes, us(e.availability.from) ?? 0, us(e.availability.to) ?? Infinity, Math.max(1, us(e.availability.every) ?? 1e6), e.availability.reads === true);
    else {
      const window = e.from != null || e.to != null ? [us(e.from) ?? 0, us(e.to) ?? Infinity] : null;
      value = valueAt(summary, e.path, window);
    }
    if (e.per) {
      const d = valueAt(summary, e.per);
      value = d === 0 ? 0 : value / d;
    }
    let met = true;
    const wanted = [];
    if (e.atLeast != null) { met &&= value >= e.atLeast; wanted.push(`at least ${e.atLeast}`); }
    if (e.atMost != null) { met &&= value <= e.atMost; wanted.push(`at most ${e.atMost}`); }
    if (e.equals != null) { met &&= Math.abs(value - e.equals) < 1e-9; wanted.push(`exactly ${e.equals}`); }
    return { what: e.what, value, met, wanted: wanted.join(' and ') };
  });
}
