// The lab's ARIA live region (polite): says what matters as it happens, for people who
// cannot watch the stage: elections, a lost primary, split brain, lost writes, a lesson's
// narration. Stale reads are many in some runs, so they are counted and said at most every
// few seconds of wall time; everything said within one update is joined into one message.

import { setText } from './dom.js';

const QUIET_KINDS = new Set(['staleRead']);
const QUIET_MS = 5000;

export class LiveRegion {
  /** @param {HTMLElement} el @param {import('./lab-bus.js').LabBus} bus */
  constructor(el, bus) {
    this.el = el;
    this.pending = [];
    this.lastQuiet = -Infinity;
    this.timer = 0;
    this.guard = bus.guard.bind(bus);
    bus.on('happening', (h) => {
      if (QUIET_KINDS.has(h.kind)) {
        const now = performance.now();
        if (now - this.lastQuiet < QUIET_MS) return;
        this.lastQuiet = now;
      }
      this.say(h.text);
    });
    bus.on('announce', (text) => this.say(text));
    bus.onClose(() => clearTimeout(this.timer));
  }

  /** Queues `text` to be said (joined with whatever else comes in the same moment). */
  say(text) {
    this.pending.push(text);
    if (this.timer) return;
    this.timer = setTimeout(this.guard(() => {
      this.timer = 0;
      setText(this.el, `${this.pending.join('. ')}.`);
      this.pending = [];
    }), 50);
  }
}
