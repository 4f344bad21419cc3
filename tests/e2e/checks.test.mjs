// End-to-end tests of the Checks panel (headless Chromium): an isolated primary that
// acknowledges writes alone, then a failover, shows "lost write" as allowed by async acks,
// and its "show" button selects the lost operations above the list; a page set to majority
// writes and linearizable reads finds nothing. Run: node --test tests/e2e/

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
  const until = (fn, arg, timeout = 20_000) => page.waitForFunction(fn, arg, { timeout });

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ page, close } = await launchLab('?speed=4', problems));
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
    await until(() => window.__replicaLabs[0].snapshot().ops.filter((o) => o.key === 'doomed' && o.outcome === 'ok').length === 3);
    await lab(() => window.__replicaLabs[0].act((l) => l.crash(0)));
    await until(() => { const s = window.__replicaLabs[0].snapshot(); return s.primary != null && s.primary !== 0; });
    await lab(() => window.__replicaLabs[0].act((l) => { l.isolate(0, false); l.restart(0); }));
    await tid('tab-ops').click();
    const lost = page.locator('[data-testid="anomaly"][data-kind="lostAcknowledgedWrite"]');
    await lost.waitFor({ timeout: 20_000 });
    // The page's three writes at least (workload clients may have written there too).
    const doomed = await lab(() => window.__replicaLabs[0].snapshot().ops.filter((o) => o.key === 'doomed').map((o) => o.id));
    await until((ids) => {
      const f = window.__replicaLabs[0].lab.anomalies().found.lostAcknowledgedWrite;
      return f && ids.every((id) => f.examples.some((e) => e.ops.includes(id)) || f.count > f.examples.length);
    }, doomed);
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
    await tid('play-pause').click();
    await until(() => !window.__replicaLabs[0].isRunning());
    await lab(() => window.__replicaLabs[0].reset('7'));
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('majority');
    await tid('tab-reads').click();
    await tid('read-from').selectOption('primary');
    await tid('read-level').selectOption('linearizable');
    await tid('tab-ops').click();
    await tid('play-pause').click();
    await page.waitForTimeout(4000);
    const report = await lab(() => window.__replicaLabs[0].lab.anomalies());
    assert.deepEqual(Object.keys(report.found), []);
    assert.equal(report.linearizability, 'linearizable');
    await until(() => /Nothing found/.test(document.querySelector('[data-testid="anomaly-summary"]').textContent));
    assert.match(await tid('anomalies').textContent(), /Linearizability \(writes and linearizable reads\): linearizable/);
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
