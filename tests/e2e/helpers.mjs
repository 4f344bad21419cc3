// Helpers shared by the page tests: open a page in headless Chromium and wait for its labs,
// wait for animation frames, and measure how much of a canvas is drawn.
//
// Simulated time is driven through the test hook, never the wall clock:
// `window.__replicaLabs[i].advance(ms)` pauses that lab's frame loop and runs `ms` of
// simulated time at once; `advanceUntil(test, withinMs)` runs it 10 ms at a time until
// `test(snapshot)` holds. Both refresh every panel once when they return.

import { chromium } from 'playwright-core';
import { CHROMIUM, startServer } from './server.mjs';

/**
 * Opens `path` (e.g. '?paused=1', 'e2e/two-labs.html') in a new tab of `browser`,
 * collecting console errors and page errors into `problems`, and waits until its `labs`
 * labs are up.
 */
export async function openLab(browser, server, path, problems, viewport = { width: 1280, height: 720 }, labs = 1) {
  const page = await browser.newPage({ viewport });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction((n) => window.__replicaLabs?.length === n, labs, { timeout: 15_000 });
  return page;
}

/**
 * Starts a server and a browser and opens `path`; resolves to { page, close() } (close
 * shuts the browser and the server).
 */
export async function launchLab(path, problems, viewport, labs) {
  const server = await startServer();
  const browser = await chromium.launch(CHROMIUM);
  const page = await openLab(browser, server, path, problems, viewport, labs);
  return {
    page,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Resolves after `n` animation frames of the page (layout, resize observers and paint have run). */
export function frames(page, n = 2) {
  return page.evaluate((count) => new Promise((resolve) => {
    const next = (left) => (left ? requestAnimationFrame(() => next(left - 1)) : resolve());
    next(count);
  }), n);
}

/** Share (0 to 1) of a canvas's pixels that differ from its top-left pixel. */
export function paintedShare(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const [r0, g0, b0] = data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 24) n++;
    }
    return n / (data.length / 4);
  }, testid);
}
