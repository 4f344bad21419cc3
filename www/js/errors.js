// The dismissable banner every failure of one lab ends up in: bad input, a refused action,
// or a crash of the simulation itself (a Rust panic surfaces in JavaScript as a WebAssembly
// trap). It shows what its own lab's bus reports, nothing else.

import { isCrash } from './lab-controller.js';

export function errorMessage(err) {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try { return JSON.stringify(err); } catch { return String(err); }
}

export class ErrorBanner {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.el = refs.banner;
    this.text = refs.bannerText;
    bus.listen(refs.bannerClose, 'click', () => this.hide());
    bus.on('error', (err) => this.show(err));
    bus.on('error-cleared', () => this.hide());
  }

  /** Shows `err` (an Error or text). */
  show(err, { kind = 'error' } = {}) {
    let text = errorMessage(err);
    if (isCrash(err)) {
      kind = 'crash';
      text = `The simulation crashed: ${text}. Reset to continue.`;
    }
    this.text.textContent = text;
    this.el.dataset.kind = kind;
    this.el.hidden = false;
  }

  hide() {
    this.el.hidden = true;
  }
}
