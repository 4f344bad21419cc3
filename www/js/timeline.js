// The timeline under the toolbar: a scrubber over the run so far (0 to the Lab's horizon),
// with markers for the scenario's scripted faults, the actions taken on the page,
// elections, split brain and lost writes; dragging (or the arrow keys) seeks there. Step
// back (one event earlier) sits beside the toolbar's Step; the line under the scrubber says
// which event a step ran. Markers are rebuilt only when the set of them changes; while
// playing, only the scrubber's value and the markers' places follow the horizon.

import { setText } from './dom.js';
import { fmtClock } from './format.js';
import { stepWords } from './trace-words.js';

const KIND_WORDS = { fault: 'scripted fault', action: 'your action', election: 'election', anomaly: 'anomaly' };

export class Timeline {
  /**
   * @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus
   * @param {{seekTo: (us: number) => void, stepBack: () => void}} actions
   */
  constructor(refs, bus, actions) {
    this.r = refs;
    this.bus = bus;
    this.faults = [];
    this.marksSig = '';
    this.marks = []; // {el, at}
    this.horizon = 1;
    this.dragging = false;
    const r = refs;
    bus.listen(r.scrub, 'input', () => actions.seekTo(Number(r.scrub.value) * 1000));
    bus.listen(r.scrub, 'pointerdown', () => { this.dragging = true; });
    bus.listen(r.scrub, 'pointerup', () => { this.dragging = false; });
    bus.listen(r.stepBack, 'click', () => actions.stepBack());
    bus.listen(r.marks, 'click', (e) => {
      const m = e.target.closest('button[data-at]');
      if (m) actions.seekTo(Number(m.dataset.at));
    });
    bus.on('reset', ({ scenario }) => {
      this.faults = (scenario.faults ?? []).map((f) => ({ at: parseAt(f.at), kind: 'fault', text: `${f.action}${f.node != null ? ` n${f.node}` : ''}` }));
      this.marksSig = '';
      setText(r.stepInfo, '');
    });
    bus.on('stepped', ({ records, prev }) => setText(r.stepInfo, `Step ran: ${stepWords(records, prev)}`));
    bus.on('jump', (snap) => setText(r.stepInfo, `Went to ${fmtClock(snap.now)} (event ${snap.events.toLocaleString('en-US')}).`));
    bus.on('ui', (snap) => this.update(snap));
  }

  update(snap) {
    const horizon = Math.max(1, this.bus.read((lab) => lab.horizon()) ?? snap.now);
    this.horizon = horizon;
    const r = this.r;
    const maxMs = Math.ceil(horizon / 1000);
    if (r.scrub.max !== String(maxMs)) r.scrub.max = String(maxMs);
    if (!this.dragging) r.scrub.value = String(Math.round(snap.now / 1000));
    r.scrub.setAttribute('aria-valuetext', `${fmtClock(snap.now)} of ${fmtClock(horizon)}`);
    setText(r.scrubNow, `${fmtClock(snap.now)} / ${fmtClock(horizon)}`);
    this._marks(snap);
  }

  _marks(snap) {
    const list = [...this.faults];
    for (const f of snap.failovers) list.push({ at: f.at, kind: 'election', text: `n${f.to} leads term ${f.term}` });
    for (const b of snap.splitBrains) list.push({ at: b.at, kind: 'anomaly', text: 'split brain' });
    const lost = snap.lostWrites;
    if (lost.length) list.push({ at: Math.min(...lost.map((l) => l.at)), kind: 'anomaly', text: `${lost.length} acknowledged write${lost.length === 1 ? '' : 's'} lost` });
    const acts = this.bus.read((lab) => lab.actions());
    if (acts && acts.length > 2) {
      for (const a of JSON.parse(acts)) list.push({ at: a.at, kind: 'action', text: actionWords(a.action) });
    }
    const sig = list.map((m) => `${m.kind}${m.at}${m.text}`).join('|');
    if (sig !== this.marksSig) {
      this.marksSig = sig;
      this.marks = list.filter((m) => m.at <= this.horizon).map((m) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'rl-mark';
        b.dataset.kind = m.kind;
        b.dataset.at = String(m.at);
        b.dataset.testid = `mark-${m.kind}`;
        b.setAttribute('data-testid', `mark-${m.kind}`);
        b.title = `${fmtClock(m.at)}: ${m.text} (${KIND_WORDS[m.kind]}); click to go there`;
        b.setAttribute('aria-label', b.title);
        return { el: b, at: m.at };
      });
      this.r.marks.replaceChildren(...this.marks.map((m) => m.el));
    }
    for (const m of this.marks) {
      const left = `${((100 * m.at) / this.horizon).toFixed(2)}%`;
      if (m.el.style.left !== left) m.el.style.left = left;
    }
  }
}

function parseAt(at) {
  if (typeof at === 'number') return at;
  const m = /^([0-9.]+)\s*(us|ms|s|min)?$/.exec(String(at).trim());
  if (!m) return 0;
  return Number(m[1]) * ({ us: 1, ms: 1e3, s: 1e6, min: 60e6 }[m[2] ?? 'ms']);
}

/** An action of the log in a few words ({"crash": {"node": 1}} → "crash n1"). */
export function actionWords(action) {
  if (typeof action === 'string') return action.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const [kind, f] = Object.entries(action ?? {})[0] ?? ['action', {}];
  const name = kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (f && typeof f === 'object' && f.node != null) return `${name} n${f.node}`;
  if (f && typeof f === 'object' && f.key != null) return `${name} ${f.key}${f.value != null ? `=${f.value}` : ''}`;
  return name;
}
