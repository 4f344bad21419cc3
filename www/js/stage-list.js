// The stage described for screen readers and keyboards: a list of the cluster's nodes, one
// button each ("n2, replica, term 3, lag 4 entries (215 ms)"; a ring's "n2, peer, 5 keys"), beside the canvas. A button
// selects its node (as a click on its card does) and takes the focus to the Node tab's
// actions (crash, pause, isolate, promote...); ↑ ↓ move between nodes. The list is out of
// sight until it has the focus, then shows over the stage. It is rebuilt only when the
// set of nodes changes; otherwise each button's words are updated in place, on the
// throttled `ui` snapshots, never every frame.

import { fmtDur } from './format.js';

/** One node in words. */
export function describeNode(snap, n) {
  const parts = [n.name];
  if (n.status !== 'up') parts.push(n.status);
  if (snap.model === 'leaderless') {
    // A peer of a ring: no role, term or lag; what it stores and the hints it keeps.
    let hints = 0;
    for (const [, c] of n.hints ?? []) hints += c;
    parts.push('peer', `${n.keys} key${n.keys === 1 ? '' : 's'}`);
    if (hints) parts.push(`${hints} hint${hints === 1 ? '' : 's'} waiting`);
    if (snap.cuts?.some(([from, to]) => from === n.id || to === n.id)) parts.push('links cut');
    if (n.region) parts.push(n.region);
    return parts.join(', ');
  }
  // A second node that believes it leads (split brain, a deposed primary) says so.
  const role = n.role === 'primary' && snap.primary !== n.id ? 'also acting as primary' : n.role;
  parts.push(n.membership === 'learner' ? `${role}, learner` : role, `term ${n.term}`);
  if (snap.cuts?.some(([from, to]) => from === n.id || to === n.id)) parts.push('links cut');
  if (n.role === 'primary') parts.push(`log at ${n.lastLsn}`);
  else if (n.status === 'up') parts.push(n.lagEntries > 0 ? `lag ${n.lagEntries} entr${n.lagEntries === 1 ? 'y' : 'ies'} (${fmtDur(n.lagMicros)})` : 'in sync');
  if (n.region) parts.push(n.region);
  return parts.join(', ');
}

export class StageList {
  /**
   * @param {HTMLElement} list the `<ul>` to fill
   * @param {import('./lab-bus.js').LabBus} bus
   * @param {{select: (id: number) => void, selected: () => (number|null|undefined)}} host
   */
  constructor(list, bus, host) {
    this.list = list;
    this.host = host;
    this.key = '';
    this.buttons = new Map(); // node id -> button
    bus.on('ui', (snap) => this.update(snap));
    bus.on('reset', ({ snap }) => this.update(snap));
    bus.on('jump', (snap) => this.update(snap));
    bus.listen(list, 'click', (e) => {
      const b = e.target.closest('button[data-node]');
      if (b) host.select(Number(b.dataset.node));
    });
    bus.listen(list, 'keydown', (e) => {
      const b = e.target.closest('button[data-node]');
      if (!b || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      e.preventDefault();
      const all = [...this.buttons.values()];
      const i = all.indexOf(b) + (e.key === 'ArrowDown' ? 1 : -1);
      all[(i + all.length) % all.length]?.focus();
    });
  }

  update(snap) {
    if (!snap) return;
    const key = snap.nodes.map((n) => n.id).join(',');
    if (key !== this.key) {
      this.key = key;
      this.buttons.clear();
      this.list.replaceChildren(...snap.nodes.map((n) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rl-stage-node';
        b.dataset.node = String(n.id);
        b.dataset.testid = `stage-node-${n.id}`;
        li.append(b);
        this.buttons.set(n.id, b);
        return li;
      }));
    }
    const selected = this.host.selected();
    for (const n of snap.nodes) {
      const b = this.buttons.get(n.id);
      const text = describeNode(snap, n);
      if (b.textContent !== text) b.textContent = text;
      const pressed = String(selected === n.id);
      if (b.getAttribute('aria-pressed') !== pressed) b.setAttribute('aria-pressed', pressed);
    }
  }
}
