// End-to-end test of share links and the timeline: a link made after a few actions opens
// the same run at the same moment (same time, events, trace hash and action log); a link
// that was changed, a bad ?seed= and an unknown ?scenario= open the default with a
// message; the scrubber seeks, Step back undoes exactly one event (the trace hash is the
// one before the step) and Step says which event it ran.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { openLab } from './helpers.mjs';
import { CHROMIUM, startServer } from './server.mjs';

describe('Share links and the timeline', () => {
  let server;
  let browser;
  let page;
  const problems = [];
  const state = (p) => p.evaluate(() => {
    const app = window.__replicaLabs[0];
    return { now: app.lab.now(), events: app.lab.eventsProcessed(), hash: app.lab.traceHash(), actions: app.lab.actions(), seed: app.lab.seed(), name: app.controller.scenario.name };
  });
  const tid = (p, id) => p.locator(`[data-testid="${id}"]`);

  before(async () => {
    server = await startServer();
    browser = await chromium.launch(CHROMIUM);
    page = await openLab(browser, server, '?paused=1&seed=5', problems);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  let link;
  let made;
  it('a share link reopens the same run at the same moment', async () => {
    await page.evaluate(() => {
      const app = window.__replicaLabs[0];
      app.advance(2500);
      app.act((l) => l.crash(1));
      app.act((l) => l.write('shared', 'yes'));
      app.advance(1700);
      app.act((l) => l.restart(1));
      app.advance(900);
    });
    await page.evaluate(() => document.querySelector('[data-testid="step"]').click()); // between two events of one moment, perhaps
    await tid(page, 'share').click();
    await tid(page, 'share-box').waitFor({ state: 'visible' });
    link = await tid(page, 'share-url').inputValue();
    made = await state(page);
    assert.match(link, /#lab=[A-Za-z0-9_-]+$/);
    assert.equal(JSON.parse(made.actions).length, 3);

    const other = await openLab(browser, server, link.slice(server.url.length), problems);
    const got = await state(other);
    assert.deepEqual(got, made);
    assert.equal(await tid(other, 'error-banner').isVisible(), false);
    assert.equal(await other.evaluate(() => window.__replicaLabs[0].isRunning()), false, 'a shared moment opens paused');
    // And it goes on as the original would: the same future.
    const [a, b] = await Promise.all([page, other].map((p) => p.evaluate(() => {
      window.__replicaLabs[0].advance(3000);
      return window.__replicaLabs[0].lab.traceHash();
    })));
    assert.equal(a, b);
    await other.close();
  });

  it('a changed link opens the default with a message', async () => {
    assert.equal(link.split('#')[0], server.url, 'a link names the page, not its query');
    const hash = link.split('#')[1];
    const i = Math.floor(hash.length / 2);
    const tampered = `?paused=1#${hash.slice(0, i)}${hash[i] === 'A' ? 'B' : 'A'}${hash.slice(i + 1)}`;
    for (const path of [tampered, '?paused=1#lab=not-a-link', `?paused=1#lab=${hash.slice(0, 40)}`]) {
      const p = await openLab(browser, server, path, problems);
      assert.match(await tid(p, 'error-text').textContent(), /share link could not be (opened|replayed): it (is damaged|was changed|holds)/);
      const s = await state(p);
      assert.equal(s.name, 'Backup band');
      assert.equal(s.now, 0);
      assert.equal(s.seed, 42);
      await p.close();
    }
  });

  it('a bad ?seed= or ?scenario= opens the default with a message', async () => {
    let p = await openLab(browser, server, '?paused=1&seed=abc', problems);
    assert.match(await tid(p, 'error-text').textContent(), /The seed "abc" is not a whole number .* the scenario's own seed \(42\) is used/);
    assert.equal((await state(p)).seed, 42);
    assert.ok(await p.evaluate(() => window.__replicaLabs[0].snapshot().nodes.length) === 4, 'the stage is not empty');
    await p.close();
    p = await openLab(browser, server, '?paused=1&scenario=%3Cimg%20src%3Dx%3E', problems);
    assert.match(await tid(p, 'error-text').textContent(), /There is no scenario called "<img src=x>"; the default opened instead/);
    assert.equal(await p.locator('[data-testid="error-text"] img').count(), 0, 'shown as text, not HTML');
    await p.close();
  });

  it('the scrubber seeks back and forward, with markers for what happened', async () => {
    const end = await state(page);
    assert.ok(await tid(page, 'mark-action').count() >= 3, 'a marker for each action');
    await page.evaluate(() => {
      const s = document.querySelector('[data-testid="scrubber"]');
      s.value = '1000';
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const back = await state(page);
    assert.equal(back.now, 1_000_000);
    assert.ok(back.events < end.events);
    assert.equal(back.actions, end.actions, 'the actions still lie ahead');
    await page.evaluate((t) => {
      const s = document.querySelector('[data-testid="scrubber"]');
      s.value = String(Math.floor(t / 100_000) * 100);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    }, end.now);
    const fwd = await state(page);
    assert.equal(fwd.now, Math.floor(end.now / 100_000) * 100_000);
  });

  it('Step says which event it ran; Step back undoes exactly that one', async () => {
    await page.evaluate(() => window.__replicaLabs[0].advance(137));
    const before = await state(page);
    await tid(page, 'step').click();
    const stepped = await state(page);
    assert.equal(stepped.events, before.events + 1);
    assert.match(await tid(page, 'step-info').textContent(), /^Step ran: At \d+\.\d{3} s: .+/);
    await tid(page, 'step-back').click();
    const back = await state(page);
    assert.equal(back.events, before.events);
    assert.equal(back.hash, before.hash, 'the same trace as before the step');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await state(page)).events, before.events - 1);
    await page.keyboard.press('ArrowRight');
    assert.equal((await state(page)).events, before.events);
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
