// The browser half of the memory figure (examples/memory.rs natively): the page's default
// scenario run as the page runs it (a Lab with its timeline and checkpoints) for 100
// simulated hours, what an hour of wall time at 100x plays, reading the size of the wasm
// linear memory every 10 simulated hours. WebAssembly memory only grows, so a flat line
// here means the run's peak stopped rising.
import { Lab } from '../pkg/replica_lab.js';

const HOUR = 3_600_000_000;
const HOURS = 100;

export function memoryBench(memory) {
  const lab = new Lab('{}', 1);
  const mib = () => +(memory.buffer.byteLength / 1048576).toFixed(1);
  const samples = [{ simulatedHours: 0, wasmMiB: mib() }];
  const start = performance.now();
  for (let h = 10; h <= HOURS; h += 10) {
    const until = h * HOUR;
    while (lab.now() < until) lab.advanceTo(until, 5_000_000);
    samples.push({ simulatedHours: h, wasmMiB: mib(), events: lab.eventsProcessed() });
  }
  const seconds = (performance.now() - start) / 1000;
  lab.free();
  return { run: `${HOURS} simulated hours, default scenario, seed 1`, wallSeconds: Math.round(seconds), samples };
}
