// Runs the WASM throughput harness (www/bench.html) in headless Chromium and prints its
// result as JSON. Usage: node scripts/bench-wasm.mjs   (after scripts/build.sh)
import { chromium } from 'playwright-core';
import { startServer, CHROMIUM } from '../tests/e2e/server.mjs';

const server = await startServer();
const browser = await chromium.launch(CHROMIUM);
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html`);
  await page.waitForFunction(() => window.__benchResult, null, { timeout: 300_000 });
  const result = await page.evaluate(() => window.__benchResult);
  console.log(JSON.stringify(result, null, 2));
  if (result.error) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
