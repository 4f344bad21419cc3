// Loads the WebAssembly package once per page; every lab instance shares the module (the
// module holds no simulation state: each instance owns its own `Lab` handle).

import init, { Lab } from '../pkg/replica_lab.js';

let ready = null;

/** Resolves to the `Lab` class once the wasm module is instantiated. */
export function loadWasm() {
  if (!ready) {
    ready = init().then(() => Lab);
    ready.catch(() => { ready = null; });
  }
  return ready;
}
