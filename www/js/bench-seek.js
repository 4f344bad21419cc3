// The browser half of the seek benchmark (benches/seek.rs): a 10-minute run at the
// default workload, then seeks to just before each checkpoint (the longest replays) and
// to moments spread over the run, timed with performance.now().
import { Lab } from '../pkg/replica_lab.js';

const TEN_MINUTES = 600_000_000;

function spreadOf(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { medianMs: +at(0.5).toFixed(2), p95Ms: +at(0.95).toFixed(2), maxMs: +sorted[sorted.length - 1].toFixed(2) };
}

export function seekBench() {
  const lab = new Lab('{}', 1);
  const built = performance.now();
  while (lab.now() < TEN_MINUTES) lab.advanceTo(TEN_MINUTES, 1_000_000);
  const buildMs = performance.now() - built;
  const marks = lab.checkpoints();
  const worst = [];
  for (let i = 1; i < marks.length; i++) {
    const start = performance.now();
    lab.seek(marks[i] - 1, 0xffffffff);
    worst.push(performance.now() - start);
  }
  const anywhere = [];
  for (let k = 0; k < 64; k++) {
    const t = ((k * 37) % 64) * (TEN_MINUTES / 64) + 12_345;
    const start = performance.now();
    lab.seek(t, 0xffffffff);
    anywhere.push(performance.now() - start);
  }
  lab.free();
  return {
    run: '10 simulated minutes, default scenario, seed 1',
    buildMs: Math.round(buildMs),
    checkpoints: marks.length,
    worstCase: spreadOf(worst),
    anywhere: spreadOf(anywhere),
  };
}
