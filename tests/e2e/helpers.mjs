// Helpers shared by the page tests: open the lab in headless Chromium, and measure how much
// of a canvas is drawn.

import { chromium } from 'playwright-core';
import { CHROMIUM, startServer } from './server.mjs';

/**
 * Opens the page in a new tab of `browser` at `query` (e.g. '?speed=4'), collecting console
 * errors and page errors into `problems`, and waits until the lab is up.
 */
export async function openLab(browser, server, query, problems, viewport = { width: 1280, height: 720 }) {
  const page = await browser.newPage({ viewport });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(`${server.url}${query}`);
  await page.waitForFunction(() => window.__replicaLabs?.length === 1, null, { timeout: 15_000 });
  return page;
}

/**
 * Starts a server and a browser and opens the page at `query`; resolves to
 * { page, close() } (close shuts the browser and the server).
 */
export async function launchLab(query, problems, viewport) {
  const server = await startServer();
  const browser = await chromium.launch(CHROMIUM);
  const page = await openLab(browser, server, query, problems, viewport);
  return {
    page,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
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
