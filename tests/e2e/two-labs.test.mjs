// End-to-end test of two labs on one page (tests/e2e/pages/two-labs.html, headless
// Chromium): each runs its own scenario, answers only its own keyboard shortcuts, and
// keeps its errors to itself; when one crashes the other plays on. Saves a screenshot of
// the page with one lab crashed under test-artifacts/. Run: node --test tests/e2e/
//
// This is about the frame loops themselves, so the labs play in real time; every wait is
// for something to happen (no fixed sleeps), and nothing depends on how fast it happens.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchLab } from './helpers.mjs';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const A = 0; // backup-band, in #lab-a
const B = 1; // failover, in #lab-b

describe('Two labs on one page', () => {
  let page;
  let close;
  const problems = [];

  const root = (i) => page.locator('.lab').nth(i);
  const tid = (i, id) => root(i).locator(`[data-testid="${id}"]`);
  const now = (i) => page.evaluate((n) => window.__replicaLabs[n].lab.now(), i);
  const events = (i) => page.evaluate((n) => window.__replicaLabs[n].lab.eventsProcessed(), i);
  const running = (i) => page.evaluate((n) => window.__replicaLabs[n].isRunning(), i);
  /** Waits until lab `i`'s simulated time has passed `t` (µs). */
  const advancesPast = (i, t) => page.waitForFunction(([n, at]) => window.__replicaLabs[n].lab.now() > at, [i, t]);
  /** Gives lab `i` the focus the way a person does: a click on an empty corner of its stage. */
  const focus = async (i) => {
    await tid(i, 'cluster-canvas').click({ position: { x: 3, y: 3 } });
    assert.equal(await page.evaluate((n) => document.activeElement === document.querySelectorAll('.lab')[n], i), true);
  };

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ page, close } = await launchLab('e2e/two-labs.html', problems, { width: 1280, height: 900 }, 2));
  });

  after(async () => {
    await close?.();
  });

  it('each mounts its own scenario, and both play', async () => {
    assert.equal(await tid(A, 'scenario-name').textContent(), 'Backup band');
    assert.equal(await tid(B, 'scenario-name').textContent(), 'The lead singer loses their voice');
    assert.deepEqual(await page.evaluate(() => window.__replicaLabs.map((l) => l.snapshot().nodes.length)), [4, 5]);
    const [a, b] = [await now(A), await now(B)];
    await advancesPast(A, a);
    await advancesPast(B, b);
    assert.equal(await running(A), true);
    assert.equal(await running(B), true);
    assert.equal(await tid(A, 'error-banner').isVisible(), false);
    assert.equal(await tid(B, 'error-banner').isVisible(), false);
  });

  it('each answers only its own keyboard shortcuts, and only while it has the focus', async () => {
    await focus(A);
    await page.keyboard.press('Space');
    assert.equal(await running(A), false, 'Space paused A');
    assert.equal(await running(B), true, 'and left B playing');
    const a = await events(A);
    await page.keyboard.press('ArrowRight');
    assert.equal(await events(A), a + 1, '→ ran one event of A');

    await focus(B);
    await page.keyboard.press('Space');
    assert.equal(await running(B), false, 'Space paused B');
    const b = await events(B);
    await page.keyboard.press('ArrowRight');
    assert.equal(await events(B), b + 1, '→ ran one event of B');
    assert.equal(await events(A), a + 1, 'and none of A');
    assert.equal(await running(A), false);

    // With the focus outside both, the keys belong to the page.
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    assert.equal(await running(A), false);
    assert.equal(await running(B), false);
    assert.equal(await events(A), a + 1);
    assert.equal(await events(B), b + 1);

    for (const i of [A, B]) {
      await focus(i);
      await page.keyboard.press('Space');
    }
    assert.equal(await running(A), true);
    assert.equal(await running(B), true);
  });

  it('a refused action lands only in its own lab’s banner', async () => {
    await page.evaluate((n) => window.__replicaLabs[n].act((l) => l.removeReplica(0)), A);
    assert.match(await tid(A, 'error-text').textContent(), /n0 is the primary/);
    assert.equal(await tid(A, 'error-banner').isVisible(), true);
    assert.equal(await tid(B, 'error-banner').isVisible(), false);
    assert.equal(await running(A), true, 'a refusal stops nothing');
    await tid(A, 'error-dismiss').click();
  });

  it('when one crashes, the other plays on: its time advances, its page updates, its keys still work', async () => {
    const bShown = await tid(B, 'sim-time').textContent();
    // A's world traps in A's frame loop.
    await page.evaluate((n) => {
      window.__replicaLabs[n].lab.advanceTo = () => { throw new WebAssembly.RuntimeError('unreachable executed'); };
    }, A);
    await tid(A, 'error-banner').waitFor({ state: 'visible' });
    assert.equal(await tid(A, 'error-text').textContent(), 'The simulation crashed: unreachable executed. Reset to continue.');
    assert.equal(await tid(A, 'run-state').textContent(), 'crashed');
    assert.equal(await running(A), false);
    const aStopped = await now(A);

    // B knows nothing of it.
    assert.equal(await tid(B, 'error-banner').isVisible(), false);
    assert.equal(await running(B), true);
    await advancesPast(B, (await now(B)) + 500_000);
    await page.waitForFunction(([n, before]) => document.querySelectorAll('.lab')[n]
      .querySelector('[data-testid="sim-time"]').textContent !== before, [B, bShown]);
    assert.equal(await tid(B, 'run-state').textContent(), 'running');
    assert.equal(await now(A), aStopped, 'A stays stopped');
    await page.screenshot({ path: `${ARTIFACTS}two-labs-one-crashed.png`, fullPage: true });

    // B's keys still work, and A's do nothing while it is crashed.
    await focus(B);
    await page.keyboard.press('Space');
    assert.equal(await running(B), false);
    await focus(A);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    assert.equal(await running(A), false);
    assert.equal(await now(A), aStopped);
    assert.equal(await running(B), false, 'B is still paused');

    // A reset brings A back (playing, as it was), and leaves B as it is.
    await tid(A, 'reset').click();
    assert.equal(await tid(A, 'error-banner').isVisible(), false);
    assert.equal(await running(A), true);
    await advancesPast(A, 0);
    assert.equal(await running(B), false);
    assert.equal(await tid(B, 'error-banner').isVisible(), false);
  });

  it('logged no console or page errors (each lab caught its own)', () => {
    assert.deepEqual(problems, []);
  });
});
