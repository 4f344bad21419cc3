// End-to-end test of a leaderless scenario on the page (headless Chromium): the page loads
// www/scenarios/quorum.json, runs it for ten simulated seconds, and neither the ring's
// snapshots nor the single-leader panels drawing them raise an error; the Reads tab draws
// the PBS staleness curve and redraws it when a level changes. Run: node --test tests/e2e/

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchLab } from './helpers.mjs';

describe('A leaderless scenario on the page', () => {
  let page;
  let close;
  const problems = [];

  before(async () => {
    ({ page, close } = await launchLab('?scenario=quorum&paused=1', problems));
  });
  after(async () => close?.());

  it('loads, runs and draws without errors', async () => {
    const snap = await page.evaluate(() => {
      const lab = window.__replicaLabs[0];
      lab.advance(10_000);
      return lab.snapshot();
    });
    assert.equal(snap.model, 'leaderless');
    assert.equal(snap.riak, 'n_val=3 r=2 w=2');
    assert.equal(snap.ring.length, 5 * 8, 'eight virtual nodes on each of five nodes');
    assert.ok(snap.counters.writesOk > 50, `writes: ${JSON.stringify(snap.counters)}`);
    assert.ok(snap.nodes.every((n) => n.role === 'peer'));
    // Open a node's inspector and the panels: still no error.
    await page.locator('[data-testid="cluster-canvas"]').click({ position: { x: 3, y: 3 } });
    await page.evaluate(() => window.__replicaLabs[0].advance(1_000));
    assert.deepEqual(problems, []);
  });

  it('draws the PBS staleness curve and redraws it when a level changes', async () => {
    const tid = (id) => page.locator(`[data-testid="${id}"]`);
    await tid('tab-reads').click();
    assert.ok(await tid('pbs-card').isVisible(), 'the card shows for a ring');
    const status = async () => (await tid('pbs-status').textContent()) ?? '';
    assert.match(await status(), /R \+ W = 4 > N = 3/);
    await tid('pbs-write').selectOption('ONE');
    await tid('pbs-read').selectOption('ONE');
    await tid('pbs-coordinator').selectOption('random');
    const said = await status();
    assert.match(said, /R \+ W = 2 ≤ N = 3: a read right after the commit returns the write with probability 0\.\d+/);
    assert.match(said, /100,000 trials in \d+ ms/);
    const ms = Number(said.match(/trials in (\d+) ms/)[1]);
    assert.ok(ms < 1000, `100,000 trials in under a second: ${ms} ms`);
    assert.deepEqual(problems, []);
  });
});
