// End-to-end tests of failover on the page (headless Chromium): the partition builder cuts
// and heals links and the majority side elects a primary; a paused primary is replaced and
// steps down when it wakes; the split-brain lesson shows two primaries and then the writes
// it cost; the failover mode reaches the simulation; the legend explains votes. Saves
// screenshots of the split brain under test-artifacts/. Run: node --test tests/e2e/
//
// The page stays paused: simulated time runs through the test hook (advanceUntil).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchLab } from './helpers.mjs';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('Replica Lab failover', () => {
  let page;
  let close;
  const problems = [];

  const lab = (fn, arg) => page.evaluate(fn, arg);
  const tid = (id) => page.locator(`[data-testid="${id}"]`);
  const snap = () => lab(() => {
    const s = window.__replicaLabs[0].snapshot();
    return { now: s.now, primary: s.primary, cuts: s.cuts, nodes: s.nodes.map((n) => ({ id: n.id, role: n.role, status: n.status, term: n.term })), failovers: s.failovers, splitBrains: s.splitBrains, lostWrites: s.lostWrites, config: s.config };
  });
  const clickNode = async (id) => {
    const box = await tid('cluster-canvas').boundingBox();
    const r = await lab((n) => window.__replicaLabs[0].nodeRect(n), id);
    await page.mouse.click(box.x + r.x, box.y + r.y);
  };

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ page, close } = await launchLab('?speed=4&paused=1', problems));
  });

  after(async () => {
    await close?.();
  });

  it('the legend explains vote messages and the countdown', async () => {
    assert.match(await tid('legend').textContent(), /vote request.*vote.*election countdown.*cut link/s);
  });

  it('the partition builder cuts the primary off; the majority elects; heal restores', async () => {
    await tid('tab-faults').click();
    await tid('side-0').click(); // n0, the primary, alone on side B
    assert.equal(await tid('side-0').getAttribute('data-side'), 'b');
    await tid('partition-cut').click();
    let s = await snap();
    assert.equal(s.cuts.length, 6, JSON.stringify(s.cuts));
    // The majority elects a primary, and the cut-off one stops acting as one.
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.primary !== null && s.primary !== 0
      && s.nodes.filter((n) => n.role === 'primary' && n.status === 'up').length === 1
      && s.failovers.some((f) => f.from === 0), 20_000));
    assert.match(await tid('fail-headline').textContent(), /leads term/);
    assert.match(await tid('failover-log').textContent(), /n0 → n\d, term \d+, took \d+ ms/);
    await tid('partition-heal').click();
    s = await snap();
    assert.deepEqual(s.cuts, []);
    // The old primary hears the newer term and follows.
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.nodes[0].role === 'replica', 20_000));
  });

  it('the link form cuts one direction of a link and restores it', async () => {
    await tid('tab-cluster').click();
    await tid('link-from').selectOption('1');
    await tid('link-to').selectOption('2');
    await tid('link-oneway').check();
    await tid('link-cut').click();
    assert.deepEqual((await snap()).cuts, [[1, 2]]);
    await tid('link-oneway').uncheck();
    await tid('link-restore').click();
    assert.deepEqual((await snap()).cuts, []);
  });

  it('a paused primary is replaced, and steps down when it wakes', async () => {
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.primary !== null, 20_000));
    const p = (await snap()).primary;
    await clickNode(p);
    await tid('inspector-pause').click();
    assert.equal((await snap()).nodes.find((n) => n.id === p).status, 'paused');
    await lab((old) => window.__replicaLabs[0].advanceUntil((s) => s.primary !== null && s.primary !== old, 20_000), p);
    await tid('inspector-resume').click();
    await lab((old) => window.__replicaLabs[0].advanceUntil((s) => s.nodes.find((n) => n.id === old).role === 'replica', 20_000), p);
  });

  it('the inspector skews a node clock', async () => {
    await clickNode(2);
    await tid('inspector-clock-input').fill('-250');
    await tid('inspector-clock').click();
    assert.equal((await lab(() => window.__replicaLabs[0].snapshot().nodes.find((n) => n.id === 2).clockOffset)), -250000);
    await tid('inspector-clock-input').fill('soon');
    await tid('inspector-clock').click();
    await tid('error-banner').waitFor({ state: 'visible' });
    assert.match(await tid('error-text').textContent(), /clock offset is a number of milliseconds/);
    await tid('error-dismiss').click();
  });

  it('the failover mode set on the page reaches the simulation', async () => {
    await tid('tab-faults').click();
    await tid('failover-mode').selectOption('naive');
    assert.equal((await snap()).config.failover.mode, 'naive');
    await tid('failover-timeout').fill('50');
    await tid('failover-apply').click();
    await tid('error-banner').waitFor({ state: 'visible' });
    assert.match(await tid('error-text').textContent(), /electionTimeout: must be at least 3 times replication.heartbeat/);
    await tid('error-dismiss').click();
    assert.equal((await snap()).config.failover.mode, 'naive', 'the refused change changed nothing');
  });

  it('the split-brain lesson shows two primaries, then the writes they cost', async () => {
    await tid('scenario-pick').selectOption('scenario:split-brain');
    // Loading a scenario fetches its file: the one wait on the page itself.
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario-name"]').textContent === 'Split brain');
    assert.match(await tid('narration').textContent(), /naive failover manager/);
    await tid('tab-faults').click();
    // Once the cluster has seen two primaries at once, and while both still act as one,
    // the Faults tab says so.
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.splitBrains.length > 0
      && s.nodes.filter((n) => n.role === 'primary' && n.status === 'up').length > 1, 30_000));
    assert.match(await tid('fail-headline').textContent(), /Split brain/);
    await page.screenshot({ path: `${ARTIFACTS}failover-split-brain.png` });
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.lostWrites.length > 0, 30_000));
    // The ops panel flags writes that were acknowledged, then lost.
    await tid('tab-ops').click();
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.ops.some((o) => o.lost), 30_000));
    assert.ok(await page.locator('[data-testid="ops-list"] .rl-tag', { hasText: /^LOST$/ }).count() > 0);
    await tid('tab-faults').click();
    assert.match(await tid('fail-detail').textContent(), /acknowledged writes? lost/);
    await page.screenshot({ path: `${ARTIFACTS}failover-after-heal.png` });
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
