// The browser half of the throughput benchmark: the same scenario and event count as
// benches/throughput.rs, timed with performance.now(). Results go to the page and to
// window.__benchResult for scripts/bench-wasm.mjs. `bench.html?only=memory` runs the memory
// figure alone (js/bench-memory.js), `?only=pbs` the PBS staleness curve's (js/bench-pbs.js).
import init, { Lab } from '../pkg/replica_lab.js';
import { checkerBench } from './bench-checker.js';
import { seekBench } from './bench-seek.js';
import { memoryBench } from './bench-memory.js';
import { pbsBench } from './bench-pbs.js';

const EVENTS = 200_000;
const RUNS = 10;

async function main() {
  const wasm = await init();
  if (new URLSearchParams(location.search).get('only') === 'memory') {
    const result = { memory: memoryBench(wasm.memory), userAgent: navigator.userAgent };
    document.getElementById('result').textContent = JSON.stringify(result, null, 2);
    window.__benchResult = result;
    return;
  }
  if (new URLSearchParams(location.search).get('only') === 'pbs') {
    const result = { pbs: await pbsBench(), userAgent: navigator.userAgent };
    document.getElementById('result').textContent = JSON.stringify(result, null, 2);
    window.__benchResult = result;
    return;
  }
  const scenario = await (await fetch('scenarios/bench-heavy-writes.json')).text();
  const rates = [];
  let hash = '';
  for (let run = 0; run <= RUNS; run++) {
    const lab = new Lab(scenario, 1);
    const start = performance.now();
    let done = 0;
    while (done < EVENTS) done += lab.step(Math.min(50_000, EVENTS - done));
    const seconds = (performance.now() - start) / 1000;
    hash = lab.traceHash();
    lab.free();
    if (run > 0) rates.push(EVENTS / seconds); // run 0 warms up the JIT
  }
  rates.sort((a, b) => a - b);
  const result = {
    events: EVENTS,
    runs: RUNS,
    medianEventsPerSecond: Math.round(rates[Math.floor(rates.length / 2)]),
    bestEventsPerSecond: Math.round(rates[rates.length - 1]),
    worstEventsPerSecond: Math.round(rates[0]),
    traceHash: hash,
    userAgent: navigator.userAgent,
  };
  result.checker = checkerBench(); // after the throughput runs, so the two never compete
  result.seek = seekBench();
  result.pbs = await pbsBench();
  document.getElementById('result').textContent = JSON.stringify(result, null, 2);
  window.__benchResult = result;
}

main().catch((e) => {
  document.getElementById('result').textContent = `failed: ${e.message ?? e}`;
  window.__benchResult = { error: String(e.message ?? e) };
});
