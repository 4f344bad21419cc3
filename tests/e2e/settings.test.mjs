// End-to-end tests of the replication settings on the page (headless Chromium): the ack
// policy controls change the measured write latency, the regions preset places and draws
// regions, the service model shows load, the read-scaling experiment plots four points, and
// the charts draw. Run: node --test tests/e2e/
//
// The steps share one page (its own, so the order of page.test.mjs does not matter). It
// stays paused: simulated time runs through the test hook (advance, advanceUntil).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchLab, paintedShare } from './helpers.mjs';

describe('Replica Lab settings', () => {
  let page;
  let close;
  const problems = [];

  const lab = (fn, arg) => page.evaluate(fn, arg);
  const tid = (id) => page.locator(`[data-testid="${id}"]`);
  const snap = () => lab(() => {
    const s = window.__replicaLabs[0].snapshot();
    return { now: s.now, nodes: s.nodes, config: s.config, clients: s.clients, ops: s.ops };
  });

  const painted = (testid) => paintedShare(page, testid);

  /** Writes through the page's form and returns the operation's latency in ms. */
  const manualWriteLatency = async (key) => {
    await tid('tab-ops').click();
    await tid('write-key').fill(key);
    await tid('write-value').fill('v');
    await tid('write-submit').click();
    return lab((k) => {
      const app = window.__replicaLabs[0];
      const done = (s) => s.ops.find((o) => o.manual && o.kind === 'write' && o.key === k && o.outcome === 'ok');
      app.advanceUntil(done, 20_000);
      const op = done(app.snapshot());
      return (op.completedAt - op.invokedAt) / 1000;
    }, key);
  };

  before(async () => {
    ({ page, close } = await launchLab('?speed=4&paused=1', problems));
  });

  after(async () => {
    await close?.();
  });

  it('switching the ack policy changes the measured write latency', async () => {
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('async');
    const asyncMs = await manualWriteLatency('policy-a');
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('all');
    await tid('ack-point').selectOption('applied');
    assert.equal((await snap()).config.ackLabel, 'all applied');
    const allMs = await manualWriteLatency('policy-b');
    // Backup band: client 30 ms each way, fsync 20 ms; all replicas includes n3, 250-400 ms
    // away each way, which must also flush and apply.
    assert.ok(asyncMs >= 80 && asyncMs < 120, `async write took ${asyncMs} ms`);
    assert.ok(allMs > asyncMs + 500, `all-applied write took ${allMs} ms vs async ${asyncMs} ms`);
    // The workload's writes are measured per policy too.
    await lab(() => window.__replicaLabs[0].advanceUntil(
      () => window.__replicaLabs[0].lab.metrics(0).writeLatency.some((p) => p.policy === 'all applied' && p.count > 0), 20_000, 50));
    const lat = await lab(() => window.__replicaLabs[0].lab.metrics(0).writeLatency);
    const by = (name) => lat.find((p) => p.policy === name);
    assert.ok(by('all applied').p50 > by('async').p50, JSON.stringify(lat));
    // `off` answers before even the primary's fsync (20 ms in the backup band).
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('off');
    assert.equal((await snap()).config.ackLabel, 'off');
    const offMs = await manualWriteLatency('policy-c');
    assert.ok(offMs < asyncMs - 15, `off write took ${offMs} ms vs async ${asyncMs} ms`);
    await tid('tab-writes').click();
    await tid('ack-mode').selectOption('async');
  });

  it('the regions preset places nodes and clients and draws the regions', async () => {
    const before = await painted('cluster-canvas');
    await tid('tab-cluster').click();
    await tid('geo-preset').selectOption('three');
    assert.equal((await snap()).config.regions, 3);
    const s = await snap();
    assert.deepEqual(s.nodes.map((n) => n.region), ['us-east', 'eu-west', 'ap-south', 'us-east']);
    assert.ok(s.clients.every((c) => c.region), JSON.stringify(s.clients));
    assert.equal(await tid('geo-table').locator('tbody tr').count(), 3);
    assert.notEqual(await painted('cluster-canvas'), before, 'the regions are drawn');
    await tid('geo-preset').selectOption('none');
    assert.equal((await snap()).config.regions, 0);
  });

  it('the service model shows per-node load', async () => {
    await tid('tab-load').click();
    await tid('service-on').check();
    assert.notEqual((await snap()).config.service, null);
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.nodes.some((n) => n.opsPerSec > 0), 20_000));
    const svc = (await snap()).config.service;
    assert.equal(svc.workers, Number(await tid('service-workers').inputValue()));
  });

  it('the read-scaling experiment plots four points, reads rising', async () => {
    await tid('tab-load').click();
    await tid('scaling-run').click();
    // Not simulated time: four separate worlds measured one per timer tick, as fast as the machine goes.
    await page.waitForFunction(
      () => /Reads\/s ×/.test(document.querySelector('[data-testid="scaling-status"]').textContent),
      null,
      { timeout: 60_000 },
    );
    const text = await tid('scaling-status').textContent();
    const gain = Number(/×([\d.]+)/.exec(text)[1]);
    assert.ok(gain >= 3, text);
    assert.ok(await painted('chart-scaling') > 0.01, 'the scaling chart is drawn');
  });

  it('the charts draw from live metrics', async () => {
    // Shown whatever height the stage has (they show by themselves only under a tall one).
    await lab(() => window.__replicaLabs[0].panels.metrics.setVisible(true));
    await lab(() => window.__replicaLabs[0].advance(6000));
    for (const chart of ['chart-lag', 'chart-latency', 'chart-stale', 'chart-throughput']) {
      assert.ok(await painted(chart) > 0.01, `${chart} is empty`);
    }
  });

  it('crashing the primary on the page elects a new one, drawn as primary', async () => {
    const box = await tid('cluster-canvas').boundingBox();
    const r = await lab(() => window.__replicaLabs[0].nodeRect(0));
    await page.mouse.click(box.x + r.x, box.y + r.y);
    await tid('inspector-crash').click();
    await lab(() => window.__replicaLabs[0].advanceUntil((s) => s.primary !== null && s.primary !== 0, 20_000));
    const s = await lab(() => {
      const snap = window.__replicaLabs[0].snapshot();
      return { primary: snap.primary, failovers: snap.failovers, n0: snap.nodes[0].status };
    });
    assert.equal(s.n0, 'crashed');
    assert.equal(s.failovers.at(-1).to, s.primary);
    // The canvas draws the new primary as such: its card's tooltip says so.
    const nr = await lab((id) => window.__replicaLabs[0].nodeRect(id), s.primary);
    await page.mouse.move(box.x + nr.x, box.y + nr.y - nr.h / 2 + 10);
    await tid('tooltip').waitFor({ state: 'visible', timeout: 2000 });
    assert.match(await tid('tooltip').textContent(), new RegExp(`^n${s.primary} · primary`));
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
