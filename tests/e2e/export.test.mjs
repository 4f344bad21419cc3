// End-to-end test of the exports: the Export box's three buttons download the history
// (Jepsen JSON that the history checker, the same code as `cargo run --example check`,
// reads and judges), the trace (with the run's seed, actions and trace hash) and the stage
// as a PNG image of the canvas's size.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { openLab } from './helpers.mjs';
import { CHROMIUM, startServer } from './server.mjs';

describe('Exports', () => {
  let server;
  let browser;
  let page;
  const problems = [];
  const tid = (id) => page.locator(`[data-testid="${id}"]`);
  const download = async (testid) => {
    const [d] = await Promise.all([page.waitForEvent('download'), tid(testid).click()]);
    return { name: d.suggestedFilename(), bytes: await fs.readFile(await d.path()) };
  };

  before(async () => {
    server = await startServer();
    browser = await chromium.launch(CHROMIUM);
    page = await openLab(browser, server, '?paused=1&scenario=failover', problems);
    await page.evaluate(() => window.__replicaLabs[0].advance(12_000)); // past the crash and the failover
    await tid('export').click();
    assert.equal(await tid('export-box').isVisible(), true);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the history downloads as Jepsen JSON that the checker judges', async () => {
    const { name, bytes } = await download('export-history');
    assert.match(name, /^the-lead-singer-loses-their-voice-seed11-t12s-history\.json$/);
    const events = JSON.parse(bytes.toString('utf8'));
    const ops = await page.evaluate(() => window.__replicaLabs[0].lab.summary().anomalies.operations);
    assert.equal(events.filter((e) => e.type === 'invoke').length, ops);
    assert.ok(events.every((e) => ['invoke', 'ok', 'fail', 'info'].includes(e.type)));
    // The same checker as `cargo run --example check` (docs/history-format.md).
    // It reads the file without a complaint and judges every operation (eventual reads
    // from replicas may well be stale, so any of its verdicts will do).
    const report = await page.evaluate(async (text) => {
      const pkg = await import('/pkg/replica_lab.js');
      return pkg.checkHistory(text, { maxSteps: 1_000_000, timeoutMs: 5000 });
    }, bytes.toString('utf8'));
    assert.ok(['linearizable', 'not-linearizable', 'unknown'].includes(report.verdict), JSON.stringify(report).slice(0, 300));
    assert.equal(report.operations, ops);
    assert.match(await tid('export-note').textContent(), /^Saved .*-history\.json$/);
  });

  it('the trace downloads with the run\'s seed, actions and trace hash', async () => {
    const { name, bytes } = await download('export-trace');
    assert.match(name, /-trace\.json$/);
    const trace = JSON.parse(bytes.toString('utf8'));
    const lab = await page.evaluate(() => {
      const l = window.__replicaLabs[0].lab;
      return { hash: l.traceHash(), seed: l.seed(), events: l.eventsProcessed() };
    });
    assert.equal(trace.traceHash, lab.hash);
    assert.equal(trace.seed, lab.seed);
    assert.equal(trace.eventsProcessed, lab.events);
    assert.ok(trace.events.length > 100 && trace.events.length === trace.kept);
  });

  it('the stage downloads as a PNG of the canvas', async () => {
    const { name, bytes } = await download('export-png');
    assert.match(name, /-stage\.png$/);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = bytes.readUInt32BE(16);
    const canvasWidth = await page.evaluate(() => document.querySelector('[data-testid="cluster-canvas"]').width);
    assert.equal(width, canvasWidth);
    assert.ok(bytes.length > 5000, `${bytes.length} bytes`);
  });

  it('reports no console or page error', () => {
    assert.deepEqual(problems, []);
  });
});
