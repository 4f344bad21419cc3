// Runs the WASM throughput harness (www/bench.html) in headless Chromium and prints its
// result as JSON. Usage: node scripts/bench-wasm.mjs [memory|pbs]   (after scripts/build.sh);
// `memory` runs only the wasm memory figure (100 simulated hours, a few minutes), `pbs` only
// the PBS staleness curve's trials per second.
import { chromium } from 'playwright-core';
import { startServer, CHROMIUM } from '../tests/e2e/server.mjs';

const server = await startServer();
const browser = await chromium.launch(CHROMIUM);
try {
  const page = await browser.newPage();
  const only = process.argv[2] ? `?only=${process.argv[2]}` : '';
  await page.goto(`${server.url}bench.html${only}`);
  await page.waitForFunction(() => window.__benchResult, null, { timeout: 1_800_000 });
  const result = await page.evaluate(() => window.__benchResult);
  console.log(JSON.stringify(result, null, 2));
  if (result.error) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
}
