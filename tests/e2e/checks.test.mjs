// End-to-end tests of the Checks panel (headless Chromium): an isolated primary that
// acknowledges writes alone, then a failover, shows "lost write" as allowed by async acks,
// and its "show" button selects the lost operations above the list; a page set to majority
// writes and linearizable reads finds nothing. Run: node --test tests/e2e/
//
// The page stays paused: simulated time runs through the test hook (advance, advanceUntil).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchLab } from './helpers.mjs';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('Replica Lab checks', () => {
  let page;
  let close;
  const problems = [];

  const lab = (fn, arg) => page.evaluate(fn, arg);
  const tid = (id) => page.locator(`[data-testid="${id}"]`);

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ page, close } = await launchLab('?speed=4&paused=1', problems));
  });

  after(async () => {
    await close?.();
  });

  it('names a lost write, says the settings allowed it, and selects its operations', async () => {
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('async');
    // The primary is cut off while the page writes through it, then dies; a replica takes over.
    await lab(() => {
      const app = window.__replicaLabs[0];
      app.act((l) => l.isolate(0, true));
      for (let i = 0; i < 3; i++) app.act((l) => l.write('doomed', `v${i}`));
    });
    await lab(() => window.__replicaLabs[0].advanceUntil(
      (s) => s.ops.filter((o) => o.key === 'doomed' && o.outcome === 'ok').length === 3, 20_000));
    await lab(() => window.__replicaLabs[0].act((l) => l.crash(0)));
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.primary != null && s.primary !== 0, 20_000));
    await lab(() => window.__replicaLabs[0].act((l) => { l.isolate(0, false); l.restart(0); }));
    await tid('tab-ops').click();
    // The page's three writes at least (workload clients may have written there too).
    const doomed = await lab(() => window.__replicaLabs[0].snapshot().ops.filter((o) => o.key === 'doomed').map((o) => o.id));
    // The checkers name them, and the cluster has marked them lost (once n0 rolled back).
    await lab((ids) => window.__replicaLabs[0].advanceUntil(() => {
      const l = window.__replicaLabs[0].lab;
      const f = l.anomalies().found.lostAcknowledgedWrite;
      return f && ids.every((id) => (f.examples.some((e) => e.ops.includes(id)) || f.count > f.examples.length) && l.op(id).lost);
    }, 20_000, 100), doomed);
    const lost = page.locator('[data-testid="anomaly"][data-kind="lostAcknowledgedWrite"]');
    assert.equal(await lost.count(), 1);
    assert.match(await lost.textContent(), /lost write.*× \d+.*ALLOWED/s);
    assert.equal(await lost.getAttribute('data-promised'), 'false');
    assert.match(await tid('anomaly-summary').textContent(), /allowed by these settings/);
    await lost.locator('.rl-anomaly-head').click();
    const show = lost.locator('[data-testid="anomaly-show"]', { hasText: `#${doomed[0]}` });
    await show.click();
    await tid('ops-selected').waitFor({ state: 'visible' });
    const selected = tid('op-selected');
    assert.equal(await selected.count(), 1);
    assert.match(await selected.first().textContent(), /write doomed=v0.*LOST/s);
    await page.screenshot({ path: `${ARTIFACTS}checks-lost-write.png` });
    await tid('ops-selected-clear').click();
    assert.equal(await tid('ops-selected').isVisible(), false);
  });

  it('finds nothing with majority writes and linearizable reads at the primary', async () => {
    // Paused from the reset on, so every operation runs under the new settings.
    assert.equal(await lab(() => window.__replicaLabs[0].isRunning()), false);
    await lab(() => window.__replicaLabs[0].reset('7'));
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('majority');
    await tid('tab-reads').click();
    await tid('read-from').selectOption('primary');
    await tid('read-level').selectOption('linearizable');
    await tid('tab-ops').click();
    await lab(() => window.__replicaLabs[0].advance(16_000));
    const report = await lab(() => window.__replicaLabs[0].lab.anomalies());
    assert.deepEqual(Object.keys(report.found), []);
    assert.equal(report.linearizability, 'linearizable');
    assert.ok(report.operations > 20, `only ${report.operations} operations were judged`);
    assert.match(await tid('anomaly-summary').textContent(), /Nothing found/);
    assert.match(await tid('anomalies').textContent(), /Linearizability \(writes and linearizable reads\): linearizable/);
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
