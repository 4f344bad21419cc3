// Screenshots of the page for a human to look at (a script, not a test): the stage with
// the charts at 1280×720 and on a phone (390×844), each side-panel tab, and the regions
// preset. Saves PNGs under test-artifacts/. Run: node tests/e2e/screenshots.mjs
//
// It drives the page through its controls (and, where the API allows, its test hook) to a
// state worth looking at: sync acks with writes pending, service time on, three regions.
// The page stays paused and simulated time runs through the test hook, so the same code
// gives the same pictures.

import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { frames } from './helpers.mjs';
import { CHROMIUM, startServer } from './server.mjs';

const OUT = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
await fs.mkdir(OUT, { recursive: true });
const server = await startServer();
const browser = await chromium.launch(CHROMIUM);
const errors = [];
try {
  for (const [w, h, tag] of [[1280, 720, 'desktop'], [390, 844, 'phone']]) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.url}?speed=1&paused=1`);
    await page.waitForFunction(() => window.__replicaLabs?.length === 1, null, { timeout: 15_000 });
    const tid = (id) => page.locator(`[data-testid="${id}"]`);
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('any');
    await tid('ack-point').selectOption('applied');
    await tid('tab-load').click();
    await tid('service-on').check();
    await tid('tab-cluster').click();
    await tid('geo-preset').selectOption('three');
    await page.evaluate(() => window.__replicaLabs[0].advance(4000));
    await page.evaluate(() => window.scrollTo(0, 0));
    await frames(page);
    await page.screenshot({ path: `${OUT}${tag}-stage.png` });
    await tid('charts').screenshot({ path: `${OUT}${tag}-charts.png` });
    for (const tab of ['ops', 'writes', 'reads', 'load', 'cluster']) {
      await tid(`tab-${tab}`).click();
      if (tab === 'load') {
        await tid('scaling-run').click();
        await page.waitForFunction(() => !document.querySelector('[data-testid="scaling-run"]').disabled, null, { timeout: 60_000 }).catch(() => {});
      }
      await frames(page);
      if (tag === 'phone') {
        const panel = page.locator(`.rl-panel[data-panel="${tab}"]`);
        await panel.screenshot({ path: `${OUT}${tag}-tab-${tab}.png` });
      } else {
        await page.screenshot({ path: `${OUT}${tag}-tab-${tab}.png` });
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(errors.length ? `errors:\n${errors.join('\n')}` : 'no errors');
