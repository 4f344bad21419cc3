// What just happened, in words: compares each throttled snapshot (`ui`) with the one before
// and announces the moments that matter on the lab's bus (`happening`, {kind, text, at}):
// an election won, the primary lost or back, a node crashed or restarted, a partition cut
// or healed, split brain, an acknowledged write lost, a stale read. The live region, the
// host page's events and the lessons all hear the same words. A jump in time (a reset, a
// seek) sets a new starting point and announces nothing.

import { nodeName } from './format.js';

export class Happenings {
  /** @param {import('./lab-bus.js').LabBus} bus */
  constructor(bus) {
    this.bus = bus;
    this.prev = null;
    bus.on('reset', ({ snap }) => { this.prev = snap; });
    bus.on('jump', (snap) => { this.prev = snap; });
    bus.on('ui', (snap) => this.update(snap));
  }

  update(snap) {
    const prev = this.prev;
    this.prev = snap;
    if (!prev || snap.now < prev.now || snap.traceLen < prev.traceLen) return;
    const out = [];
    const say = (kind, text, extra) => out.push({ kind, text, at: snap.now, ...extra });
    const name = (id) => nodeName(snap, id);
    for (const f of snap.failovers.slice(prev.failovers.length)) {
      say('election', f.from === f.to
        ? `${name(f.to)} was elected again, for term ${f.term}`
        : `${name(f.to)} won the election for term ${f.term}${f.from != null ? ` and took over from ${name(f.from)}` : ''}`, { node: f.to, term: f.term });
    }
    for (const n of snap.nodes) {
      const was = prev.nodes.find((p) => p.id === n.id);
      if (!was || was.status === n.status) continue;
      if (n.status === 'crashed') say(was.role === 'primary' ? 'primaryDown' : 'crash', `${n.name}${was.role === 'primary' ? ', the primary,' : ''} crashed`, { node: n.id });
      else if (n.status === 'paused') say('pause', `${n.name} is paused`, { node: n.id });
      else if (was.status === 'crashed') say('restart', `${n.name} restarted`, { node: n.id });
      else say('resume', `${n.name} resumed`, { node: n.id });
    }
    if (prev.primary != null && snap.primary == null && !out.some((h) => h.kind === 'primaryDown')) say('noPrimary', 'There is no primary: writes wait');
    if ((snap.cuts?.length ?? 0) > 0 && !(prev.cuts?.length)) say('partition', 'The network is cut');
    if (!(snap.cuts?.length) && (prev.cuts?.length ?? 0) > 0) say('heal', 'The network healed');
    if (snap.splitBrains.length > prev.splitBrains.length) {
      const b = snap.splitBrains[snap.splitBrains.length - 1];
      say('splitBrain', `Split brain: ${b.nodes.map(name).join(' and ')} both act as primary`);
    }
    const lost = snap.lostWrites.slice(prev.lostWrites.length);
    if (lost.length) {
      const keys = lost.map((l) => snap.ops.find((o) => o.id === l.op)?.key).filter(Boolean);
      say('lostWrite', `${lost.length === 1 ? 'An acknowledged write was' : `${lost.length} acknowledged writes were`} lost${keys.length ? ` (${[...new Set(keys)].join(', ')})` : ''}`, { count: snap.lostWrites.length });
    }
    const stale = snap.counters.staleReads - prev.counters.staleReads;
    if (stale > 0) say('staleRead', stale === 1 ? 'A read was stale' : `${stale} reads were stale`, { count: snap.counters.staleReads });
    for (const h of out) this.bus.emit('happening', h);
  }
}
