// Frame-time check (a script, not a test): opens the page on the crowded scenario, grows the
// cluster to 9 nodes, waits until at least 300 messages are in flight, then records five
// seconds of requestAnimationFrame timestamps in the page and prints JSON:
//   {p50, p95, max, frames, messages, nodes, work: {p50, p95, max}}
// where p50/p95/max are frame intervals in ms and `work` is the time the lab's own frame
// took (advance the simulation + snapshot + draw + throttled panel updates).
//
// Run: node tests/e2e/frame-time.mjs [--seconds 5] [--width 1280 --height 720]

import { chromium } from 'playwright-core';
import { CHROMIUM, startServer } from './server.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 5);
const width = arg('width', 1280);
const height = arg('height', 720);

const server = await startServer();
const browser = await chromium.launch(CHROMIUM);
try {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}?scenario=crowd&speed=1&paused=1`);
  await page.waitForFunction(() => window.__replicaLabs?.length === 1, null, { timeout: 15_000 });
  await page.click('[data-testid="tab-cluster"]');
  for (let i = 0; i < 5; i++) await page.click('[data-testid="add-replica"]');
  await page.click('[data-testid="play-pause"]');
  await page.waitForFunction(() => window.__replicaLabs[0].snapshot().messages.length >= 300, null, { timeout: 20_000, polling: 100 });

  const result = await page.evaluate((ms) => new Promise((resolve) => {
    const app = window.__replicaLabs[0];
    app.controller.profile = [];
    const stamps = [];
    let counts = [];
    const start = performance.now();
    const frame = (ts) => {
      stamps.push(ts);
      if (stamps.length % 30 === 0) counts.push(app.controller.last.messages.length);
      if (ts - start < ms) requestAnimationFrame(frame);
      else {
        const work = app.controller.profile;
        app.controller.profile = null;
        const last = app.controller.last;
        counts.push(last.messages.length);
        resolve({ stamps, work, counts, nodes: last.nodes.length });
      }
    };
    requestAnimationFrame(frame);
  }), seconds * 1000);

  const deltas = [];
  for (let i = 1; i < result.stamps.length; i++) deltas.push(result.stamps[i] - result.stamps[i - 1]);
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100 : null;
  };
  const max = (xs) => Math.round(Math.max(...xs) * 100) / 100;
  console.log(JSON.stringify({
    p50: pct(deltas, 50),
    p95: pct(deltas, 95),
    max: max(deltas),
    frames: result.stamps.length,
    messages: Math.min(...result.counts),
    messagesMax: Math.max(...result.counts),
    nodes: result.nodes,
    work: { p50: pct(result.work, 50), p95: pct(result.work, 95), max: max(result.work) },
    viewport: `${width}x${height}`,
    errors,
  }));
} finally {
  await browser.close();
  await server.close();
}
