// The browser half of the PBS benchmark (benches/pbs.rs): Monte Carlo trials per second of
// the staleness curve (`Lab.pbs`) on the quorum lesson's ring at ONE / ONE with random
// coordinators (the aim: 100,000 trials in under a second), timed with
// performance.now(). The first estimate warms up the JIT and is not counted.
import { Lab } from '../pkg/replica_lab.js';

const TRIALS = 100_000;
const RUNS = 10;

export async function pbsBench() {
  const text = await (await fetch('scenarios/quorum.json')).text();
  const lab = new Lab(text, 11);
  const options = JSON.stringify({
    writeConsistency: 'ONE', readConsistency: 'ONE', coordinator: 'random', trials: TRIALS,
  });
  const times = [];
  let curve = null;
  for (let run = 0; run <= RUNS; run++) {
    const start = performance.now();
    curve = lab.pbs(options);
    if (run > 0) times.push(performance.now() - start);
  }
  lab.free();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return {
    scenario: 'quorum.json, N=3 of 5, ONE/ONE, random coordinators (overridden), seed 11',
    trials: TRIALS,
    runs: RUNS,
    medianMs: +median.toFixed(1),
    bestMs: +times[0].toFixed(1),
    worstMs: +times[times.length - 1].toFixed(1),
    trialsPerSecond: Math.round(TRIALS / (median / 1000)),
    visibleAtZero: curve.points[0].p,
    consistentAfter: curve.consistentAfter,
  };
}
