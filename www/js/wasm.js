// Loads the WebAssembly package once per page, when this module is first imported; every
// lab instance shares the module (it holds no simulation state: each instance owns its
// own `Lab` handle). A page whose load failed shows it in every lab; reloading retries.

import init, { Lab } from '../pkg/replica_lab.js';

const ready = init().then(() => Lab);
ready.catch(() => { /* each lab reports it when it awaits loadWasm() */ });

/** Resolves to the `Lab` class once the wasm module is instantiated. */
export function loadWasm() {
  return ready;
}
