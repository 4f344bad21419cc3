// End-to-end test of the page in headless Chromium: loads www/ from a local static server
// and drives it the way a student would (play, pause, step, write, read, resize the
// cluster, change latencies), checking the page through its test hook
// (window.__replicaLabs) and the DOM. Run: node --test tests/e2e/
//
// The steps share one page and run in order. It opens paused; the steps about the frame
// loop itself (play, pause, the keys, a crash in a frame) let it run in real time, and
// check only what holds however fast the machine is; every other step runs simulated time
// through the test hook (advance, advanceUntil).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { frames, launchLab, paintedShare } from './helpers.mjs';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('Replica Lab page', () => {
  let page;
  let close;
  const problems = []; // console errors and page errors

  const lab = (fn, arg) => page.evaluate(fn, arg);
  const snap = () => lab(() => {
    const s = window.__replicaLabs[0].snapshot();
    return { now: s.now, events: s.events, nodes: s.nodes, messages: s.messages.length, primary: s.primary, ops: s.ops };
  });
  const running = () => lab(() => window.__replicaLabs[0].isRunning());
  const tid = (id) => page.locator(`[data-testid="${id}"]`);

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ page, close } = await launchLab('?speed=1&paused=1', problems));
  });

  after(async () => {
    await close?.();
  });

  it('loads without console or page errors', async () => {
    assert.equal(await tid('error-banner').isVisible(), false);
    assert.equal(await tid('scenario-name').textContent(), 'Backup band');
    assert.deepEqual(problems, []);
  });

  it('draws four nodes on the canvas', async () => {
    const s = await snap();
    assert.equal(s.nodes.length, 4);
    assert.equal(s.primary, 0);
    assert.deepEqual(s.nodes.map((n) => n.role), ['primary', 'replica', 'replica', 'replica']);
    // The canvas is not just background: count pixels that differ from its fill colour.
    const painted = await paintedShare(page, 'cluster-canvas');
    assert.ok(painted > 0.05, `only ${(painted * 100).toFixed(1)}% of the canvas is drawn`);
    // Every node has a card where the page says it is, and hovering it explains it.
    const box = await tid('cluster-canvas').boundingBox();
    const r = await lab(() => window.__replicaLabs[0].nodeRect(3));
    await page.mouse.move(box.x + r.x, box.y + r.y - r.h / 2 + 10);
    await assert.doesNotReject(tid('tooltip').waitFor({ state: 'visible', timeout: 2000 }));
    assert.match(await tid('tooltip').textContent(), /^n3 · replica/);
    await page.mouse.move(box.x + 2, box.y + 2);
  });

  it('plays: simulated time advances, never faster than the speed, and messages fly', async () => {
    assert.equal(await running(), false, 'it opened paused');
    await tid('play-pause').click();
    assert.equal(await tid('run-state').textContent(), 'running');
    // Real time: however many frames the machine manages, each advances the simulation by
    // at most its wall-clock delta (capped at 100 ms) times the speed (1×).
    const { sim, wall } = await lab(async () => {
      const app = window.__replicaLabs[0];
      const t0 = app.lab.now();
      const w0 = performance.now();
      await new Promise((resolve) => {
        const check = () => (app.lab.now() >= t0 + 300_000 ? resolve() : requestAnimationFrame(check));
        check();
      });
      return { sim: app.lab.now() - t0, wall: performance.now() - w0 };
    });
    assert.ok(sim >= 300_000 && sim <= (wall + 120) * 1000, `${sim} µs of simulated time in ${wall} ms at 1×`);
    await page.waitForFunction(() => window.__replicaLabs[0].snapshot().messages.length > 0);
    assert.equal(await running(), true);
  });

  it('pause stops time; step runs exactly one event; play resumes', async () => {
    await tid('play-pause').click();
    assert.equal(await running(), false);
    assert.equal(await tid('run-state').textContent(), 'paused');
    const a = await snap();
    await frames(page, 10); // ten frames in which a running loop would have moved
    const b = await snap();
    assert.equal(b.now, a.now);
    assert.equal(b.events, a.events);

    await tid('step').click();
    const c = await snap();
    assert.equal(c.events, a.events + 1);
    assert.ok(c.now >= a.now);
    await page.keyboard.press('ArrowRight'); // the keyboard shortcut does the same
    assert.equal((await snap()).events, a.events + 2);
    assert.equal(await running(), false);

    await page.keyboard.press('Space'); // and Space plays
    assert.equal(await running(), true);
    await page.waitForFunction((t) => window.__replicaLabs[0].lab.now() > t, c.now);
  });

  it('a manual write is acknowledged, then reaches every replica', async () => {
    await lab(() => window.__replicaLabs[0].pause());
    await tid('write-key').fill('e2e');
    await tid('write-value').fill('hello-e2e');
    await tid('write-submit').click();
    await lab(() => window.__replicaLabs[0].advanceUntil(
      (s) => s.ops.some((o) => o.manual && o.key === 'e2e' && o.outcome !== 'pending')));
    assert.equal(await tid('manual-result').getAttribute('data-state'), 'ok');
    assert.match(await tid('manual-result').textContent(), /write e2e=hello-e2e: acknowledged in \d+ ms at lsn \d+/);
    const lsn = Number(/lsn (\d+)/.exec(await tid('manual-result').textContent())[1]);
    const s = await snap();
    const primary = s.nodes.find((n) => n.id === s.primary);
    assert.ok(primary.tail.some((e) => e.lsn === lsn && e.key === 'e2e' && e.value === 'hello-e2e'), 'in the primary log');
    // The ops list shows it as ours, with its LSN.
    const row = page.locator('[data-testid="op-row"].rl-op-manual', { hasText: 'write e2e=hello-e2e' });
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), new RegExp(`lsn ${lsn}`));
    // Replicas catch up asynchronously (n3 is on a slow link).
    await lab((l) => window.__replicaLabs[0].advanceUntil((s) => s.nodes.every(
      (n) => n.positions.applied >= l && n.tail.some((e) => e.lsn === l && e.key === 'e2e' && e.value === 'hello-e2e'),
    ), 8000), lsn);
  });

  it('adds and removes replicas through the log (learners, then voters; buttons disabled at the limits)', async () => {
    // A removal takes effect once the configuration without the node commits.
    const nodesBecome = (n) => lab((want) => window.__replicaLabs[0].advanceUntil((s) => s.nodes.length === want, 10_000), n);
    await tid('tab-cluster').click();
    await tid('add-replica').click();
    assert.equal((await snap()).nodes.length, 5);
    assert.equal(await tid('node-count').textContent(), '5');
    // The newcomer catches up as a learner, then the primary makes it a voter.
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.membership.voters.length === 5, 10_000));
    await tid('remove-replica').click();
    await nodesBecome(4);
    assert.equal(await tid('node-count').textContent(), '4');
    for (let i = 0; i < 5; i++) await tid('add-replica').click();
    assert.equal((await snap()).nodes.length, 9);
    assert.equal(await tid('add-replica').isDisabled(), true);
    // Five quick clicks: each picks a replica that is not already leaving; the changes
    // queue and commit one at a time.
    for (let i = 0; i < 5; i++) await tid('remove-replica').click();
    await nodesBecome(4);
    assert.equal((await snap()).nodes.filter((n) => n.membership !== 'voter').length, 0);
    assert.equal(await tid('add-replica').isDisabled(), false);
  });

  it('bad input shows the error banner and the page keeps running', async () => {
    await lab(() => window.__replicaLabs[0].play());
    await tid('all-min').fill('abc');
    await tid('all-apply').click();
    await tid('error-banner').waitFor({ state: 'visible' });
    assert.match(await tid('error-text').textContent(), /latency.*"abc"/);
    await tid('error-dismiss').click();
    assert.equal(await tid('error-banner').isVisible(), false);

    await tid('all-min').fill('90');
    await tid('all-max').fill('10');
    await tid('all-apply').click();
    assert.match(await tid('error-text').textContent(), /min <= max/);

    // A refused action (the primary cannot be removed) lands there too.
    await lab(() => window.__replicaLabs[0].act((l) => l.removeReplica(0)));
    assert.match(await tid('error-text').textContent(), /n0 is the primary/);

    // None of them stopped the loop.
    assert.equal(await running(), true, 'still running after the errors');
    assert.equal(await tid('run-state').textContent(), 'running');
    const t0 = (await snap()).now;
    await page.waitForFunction((t) => window.__replicaLabs[0].lab.now() > t, t0);
    assert.equal((await snap()).nodes.length, 4);
    await tid('error-dismiss').click();

    // A good value works after the bad ones.
    await tid('all-min').fill('40');
    await tid('all-max').fill('80');
    await tid('all-apply').click();
    assert.equal(await tid('error-banner').isVisible(), false);
  });

  it('marks a stale read from a lagging replica', async () => {
    await tid('play-pause').click(); // pause
    assert.equal(await running(), false);
    // Make n3's link very slow: the write will be acknowledged long before n3 hears of it.
    await tid('link-from').selectOption('0');
    await tid('link-to').selectOption('3');
    await tid('link-min').fill('2000');
    await tid('link-max').fill('2000');
    await tid('link-apply').click();
    assert.match(await tid('link-current').textContent(), /n0 → n3: 2000 ms/);

    await tid('tab-ops').click();
    await tid('write-key').fill('stale-k');
    await tid('write-value').fill('fresh');
    await tid('write-submit').click();
    // Run event by event until the write is acknowledged, then 100 ms more.
    const steps = await lab(() => {
      const btn = document.querySelector('[data-testid="step"]');
      const out = document.querySelector('[data-testid="manual-result"]');
      const app = window.__replicaLabs[0];
      let ackedAt = -1;
      for (let i = 1; i <= 5000; i++) {
        btn.click();
        if (ackedAt < 0 && out.dataset.state === 'ok') ackedAt = app.snapshot().now;
        if (ackedAt >= 0 && app.snapshot().now >= ackedAt + 100_000) return i;
      }
      return -1;
    });
    assert.ok(steps > 0, 'the write was acknowledged');
    const n3 = (await snap()).nodes.find((n) => n.id === 3);
    assert.ok(!n3.tail.some((e) => e.key === 'stale-k'), 'n3 has not heard of the write yet');

    await tid('read-key').fill('stale-k');
    await tid('read-node').selectOption('3');
    await tid('read-submit').click();
    await lab(() => window.__replicaLabs[0].advanceUntil(
      (s) => s.ops.some((o) => o.manual && o.kind === 'read' && o.key === 'stale-k' && o.outcome !== 'pending'), 5000));
    assert.equal(await tid('manual-result').getAttribute('data-state'), 'stale');
    assert.match(await tid('manual-result').textContent(), /read stale-k @ n3 returned nothing .* STALE: it missed a write acknowledged \d+ ms before you asked/);
    const row = page.locator('[data-testid="op-row"][data-stale="true"]', { hasText: 'read stale-k @ n3' });
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('.rl-tag').textContent(), 'STALE');
    assert.match(await row.textContent(), /missed a write acked \d+ ms earlier/);
    assert.ok(Number(await tid('count-stale').textContent()) >= 1);
    await lab(() => window.__replicaLabs[0].advance(100)); // the slow append on its way
    await page.screenshot({ path: `${ARTIFACTS}page-1280x720.png` });
  });

  it('clicking a node opens the inspector, which can read from it', async () => {
    const box = await tid('cluster-canvas').boundingBox();
    const r = await lab(() => window.__replicaLabs[0].nodeRect(1));
    await page.mouse.click(box.x + r.x, box.y + r.y + r.h / 2 - 6); // the card's footer, not a cell
    assert.equal(await tid('tab-node').getAttribute('aria-selected'), 'true');
    assert.match(await tid('inspector').textContent(), /n1.*replica.*Applied/s);
    await tid('inspector-read').click();
    await lab(() => window.__replicaLabs[0].advanceUntil(
      (s) => s.ops.some((o) => o.manual && o.kind === 'read' && o.asked === 1 && o.outcome !== 'pending'), 5000));
    assert.equal(await tid('inspector-result').getAttribute('data-state'), 'ok');
    assert.match(await tid('inspector-result').textContent(), /read stale-k @ n1 returned fresh \(lsn \d+\)/);
    // The primary shows its replicas' positions. (Which node leads may have changed: the
    // 2 s link to n3 above is longer than the election timeout, so n3 stands for election.)
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.primary !== null, 10_000));
    const primary = (await snap()).primary;
    const r0 = await lab((id) => window.__replicaLabs[0].nodeRect(id), primary);
    await page.mouse.click(box.x + r0.x, box.y + r0.y + r0.h / 2 - 6);
    assert.equal(await tid('replication-table').locator('tbody tr').count(), 3);
    await tid('tab-ops').click();
  });

  it('lays out on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await frames(page); // the resize observers run before the next paint
    const box = await tid('cluster-canvas').boundingBox();
    assert.ok(box.width >= 340 && box.width <= 390, `canvas is ${box.width} px wide`);
    const overflow = await lab(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}page-390x844.png` });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('logged no console or page errors along the way', () => {
    assert.deepEqual(problems, []);
  });

  it('reset re-creates the world from a seed; a bad seed is refused', async () => {
    await tid('seed-input').fill('seven');
    await tid('reset').click();
    assert.match(await tid('error-text').textContent(), /seed must be a whole number/);
    assert.equal((await lab(() => window.__replicaLabs[0].snapshot().seed)), 42);
    await tid('error-dismiss').click();

    await tid('seed-input').fill('7');
    await tid('reset').click();
    const s = await snap();
    assert.equal(await lab(() => window.__replicaLabs[0].snapshot().seed), 7);
    assert.equal(s.nodes.length, 4);
    assert.equal(s.now, 0, 'time starts over');
    assert.equal(await tid('seed-shown').textContent(), '7');
    assert.equal(await tid('ops-list').locator('[data-testid="op-row"]', { hasText: 'stale-k' }).count(), 0);
  });

  // These two raise errors on purpose, so they come after the no-errors check.
  it('a crash of the simulation stops the loop until a reset', async () => {
    await lab(() => {
      const app = window.__replicaLabs[0];
      app.play();
      app.lab.advanceTo = () => { throw new WebAssembly.RuntimeError('unreachable executed'); };
    });
    await tid('error-banner').waitFor({ state: 'visible' });
    assert.equal(await tid('error-text').textContent(), 'The simulation crashed: unreachable executed. Reset to continue.');
    assert.equal(await running(), false);
    assert.equal(await tid('run-state').textContent(), 'crashed');
    assert.equal(await tid('play-pause').isDisabled(), true);
    await tid('reset').click();
    assert.equal(await tid('error-banner').isVisible(), false);
    assert.equal(await running(), true, 'plays again after the reset');
    const t0 = (await snap()).now;
    await page.waitForFunction((t) => window.__replicaLabs[0].lab.now() > t, t0);
  });

  it('a trap in one of the lab\'s own handlers is reported the same way; one elsewhere is not its', async () => {
    // Thrown by page code outside the lab: not the lab's to report, and it keeps running.
    await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('not ours'); }));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve))); // after that timer
    assert.equal(await tid('error-banner').isVisible(), false);
    assert.equal(await running(), true);
    // A bug in one of its handlers (not a trap): reported in its banner; it keeps running.
    await lab(() => { window.__replicaLabs[0].panels.faults.partition = () => { throw new TypeError('a bug in a handler'); }; });
    await tid('tab-faults').click();
    await tid('partition-cut').click();
    assert.equal(await tid('error-text').textContent(), 'a bug in a handler');
    assert.equal(await running(), true);
    await tid('error-dismiss').click();
    // A trap of the Lab under one of its buttons.
    await lab(() => { window.__replicaLabs[0].lab.heal = () => { throw new WebAssembly.RuntimeError('boom'); }; });
    await tid('partition-heal').click();
    await tid('error-banner').waitFor({ state: 'visible' });
    assert.equal(await tid('error-text').textContent(), 'The simulation crashed: boom. Reset to continue.');
    assert.equal(await running(), false);
    await tid('reset').click();
    assert.equal(await running(), true);
  });
});
