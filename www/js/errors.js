// The dismissable banner every failure ends up in: bad input, a refused action, or a crash
// of the simulation itself (a Rust panic surfaces in JavaScript as a WebAssembly trap).

import { isCrash } from './lab-controller.js';

export function errorMessage(err) {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try { return JSON.stringify(err); } catch { return String(err); }
}

export class ErrorBanner {
  constructor(refs) {
    this.el = refs.banner;
    this.text = refs.bannerText;
    refs.bannerClose.addEventListener('click', () => this.hide());
  }

  /** Shows `err` (an Error or text). Returns the text shown. */
  show(err, { kind = 'error' } = {}) {
    let text = errorMessage(err);
    if (isCrash(err)) {
      kind = 'crash';
      text = `The simulation crashed: ${text}. Reset to continue.`;
    }
    this.text.textContent = text;
    this.el.dataset.kind = kind;
    this.el.hidden = false;
    return text;
  }

  hide() {
    this.el.hidden = true;
  }
}
