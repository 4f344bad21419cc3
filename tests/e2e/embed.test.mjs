// End-to-end test of embedding: two <replica-lab> elements on one page (independent, each
// with its own attributes, methods and events, each keeping inside its height); embed.html
// in <iframe sandbox="allow-scripts"> driven by postMessage (every command, the events,
// results and errors), a parent that is not on the frame's allow-list ignored and told
// nothing; and no Content-Security-Policy violation under the strict policy of a course
// platform (no inline scripts or styles) on the standalone page, embed.html and the
// element page.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM, startServer } from './server.mjs';

describe('Embedding: the element and the iframe', () => {
  let server;
  let browser;
  const problems = [];
  const open = async (path, viewport = { width: 1500, height: 800 }) => {
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(path.startsWith('http') ? path : `${server.url}${path}`);
    return page;
  };

  before(async () => {
    server = await startServer();
    browser = await chromium.launch(CHROMIUM);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('two elements on one page: their own attributes, methods and events', async () => {
    const page = await open('e2e/element.html?csp=1');
    await page.waitForFunction(() => window.__replicaLabs?.length === 2, null, { timeout: 20_000 });
    const info = await page.evaluate(() => window.__replicaLabs.map((app) => ({
      name: app.controller.scenario.name, seed: app.lab.seed(), theme: app.root.dataset.theme,
      controls: app.root.dataset.controls, running: app.isRunning(),
      side: getComputedStyle(app.root.querySelector('.rl-side')).display,
      fits: app.root.scrollHeight <= app.root.clientHeight && app.root.clientHeight === 560,
    })));
    assert.deepEqual(info.map((i) => [i.name, i.seed, i.theme, i.controls, i.running]), [
      ['Backup band', 7, 'light', 'minimal', false],
      ['The lead singer loses their voice', 11, 'dark', 'full', false],
    ]);
    assert.equal(info[0].side, 'none', 'controls="minimal" hides the side panel');
    assert.ok(info.every((i) => i.fits), 'each keeps inside its 560 px');
    assert.deepEqual(await page.evaluate(() => window.__events.filter((e) => e[1] === 'ready').map((e) => e[0])).then((x) => x.sort()), ['a', 'b']);

    // Methods act on their own element only.
    await page.evaluate(async () => {
      const b = document.getElementById('b');
      await b.fault({ crash: { node: 2 } });
      await b.play();
    });
    await page.waitForFunction(() => window.__events.some((e) => e[0] === 'b' && e[1] === 'state' && e[2].running));
    const running = await page.evaluate(() => window.__replicaLabs.map((l) => l.isRunning()));
    assert.deepEqual(running, [false, true]);
    await page.evaluate(() => document.getElementById('b').pause());
    const crashed = await page.evaluate(() => window.__replicaLabs.map((l) => l.snapshot().nodes.find((n) => n.id === 2)?.status));
    assert.deepEqual(crashed, ['up', 'crashed']);
    await assert.rejects(page.evaluate(() => document.getElementById('a').fault({ crash: { node: 99 } })), /node|99/);
    const seekT = await page.evaluate(async () => {
      const b = document.getElementById('b');
      await b.seek(100);
      return b.lab.lab.now();
    });
    assert.equal(seekT, 100_000);

    // anomaly: a stale read in the backup band; finished: the failover scenario's 30 s.
    await page.evaluate(() => window.__replicaLabs[0].advanceUntil((s) => s.counters.staleReads > 0, 60_000, 50));
    await page.evaluate(() => window.__replicaLabs[0].advance(100));
    assert.ok(await page.evaluate(() => window.__events.some((e) => e[0] === 'a' && e[1] === 'anomaly' && e[2].kind === 'staleRead')));
    await page.evaluate(() => window.__replicaLabs[1].advance(31_000));
    assert.ok(await page.evaluate(() => window.__events.some((e) => e[0] === 'b' && e[1] === 'finished')));
    assert.ok(!(await page.evaluate(() => window.__events.some((e) => e[0] === 'a' && e[1] === 'finished'))));
    // Attributes change it live.
    await page.evaluate(() => document.getElementById('a').setAttribute('theme', 'dark'));
    await page.waitForFunction(() => window.__replicaLabs[0].root.dataset.theme === 'dark');
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await page.close();
  });

  it('embed.html in a sandboxed iframe answers every postMessage command', async () => {
    const page = await open('e2e/iframe-host.html');
    const next = (pred) => page.waitForFunction((src) => {
      const f = new Function('m', `return ${src}`);
      return window.__messages.find((m) => f(m.data))?.data ?? false;
    }, pred.toString().replace(/^\(?m\)? => /, ''), { timeout: 20_000 }).then((h) => h.jsonValue());
    const ready = await next((m) => m.event === 'ready');
    assert.equal(ready.scenario, 'Backup band');
    assert.equal(ready.replicaLab, 1);
    assert.equal((await page.evaluate(() => window.__messages[0].origin)), 'null', 'the frame is sandboxed: an opaque origin');

    await page.evaluate(() => window.__send({ command: 'play', id: 1 }));
    assert.equal((await next((m) => m.event === 'state' && m.running === true)).running, true);
    await page.evaluate(() => window.__send({ command: 'pause', id: 2 }));
    await next((m) => m.event === 'result' && m.id === 2);
    await page.evaluate(() => window.__send({ command: 'seek', t: 250, id: 3 }));
    assert.equal((await next((m) => m.event === 'result' && m.id === 3)).result.t, 250);
    await page.evaluate(() => window.__send({ command: 'fault', action: { crash: { node: 1 } }, id: 4 }));
    await next((m) => m.event === 'result' && m.id === 4);
    await page.evaluate(() => window.__send({ command: 'fault', action: { crash: { node: 42 } }, id: 5 }));
    assert.match((await next((m) => m.event === 'error' && m.id === 5)).message, /42/);
    await page.evaluate(() => window.__send({ command: 'set', speed: 2, theme: 'light', id: 6 }));
    await next((m) => m.event === 'result' && m.id === 6);
    await page.evaluate(() => window.__send({ command: 'state', id: 7 }));
    const st = await next((m) => m.event === 'result' && m.id === 7);
    assert.equal(st.result.speed, 2);
    assert.equal(st.result.running, false);
    await page.evaluate(() => window.__send({ command: 'load', scenario: 'failover', seed: 3, id: 8 }));
    const loaded = await next((m) => m.event === 'ready' && m.scenario !== 'Backup band');
    assert.deepEqual([loaded.scenario, loaded.seed], ['The lead singer loses their voice', 3]);
    await page.evaluate(() => window.__send({ command: 'explode', id: 9 }));
    assert.match((await next((m) => m.event === 'error' && m.id === 9)).message, /unknown command/);
    await page.close();
  });

  it('a parent not on the allow-list is ignored and told nothing', async () => {
    // The frame (same origin, not sandboxed, so the test can look inside) allows only
    // another origin: localhost, not 127.0.0.1.
    const port = new URL(server.url).port;
    const page = await open(`e2e/iframe-host.html?sandbox=0&allow=${encodeURIComponent(`http://localhost:${port}`)}`);
    const frame = page.frameLocator('iframe');
    await page.waitForFunction(() => document.querySelector('iframe').contentWindow.__replicaLabs?.length === 1, null, { timeout: 20_000 });
    await page.evaluate(() => new Promise((resolve) => {
      const w = document.querySelector('iframe').contentWindow;
      // Heard after embed.js's own listener (added first): by then it has decided.
      w.addEventListener('message', () => resolve(), { once: true });
      window.__send({ command: 'play', id: 1 });
    }));
    assert.equal(await page.evaluate(() => document.querySelector('iframe').contentWindow.__replicaLabs[0].isRunning()), false);
    assert.deepEqual(await page.evaluate(() => window.__messages), [], 'not even ready was sent here');
    assert.equal(await frame.locator('[data-testid="error-banner"]').isVisible(), false);
    await page.close();
  });

  it('no CSP violation on the standalone page and embed.html under a strict policy', async () => {
    for (const path of ['?csp=1&paused=1', 'embed.html?csp=1&paused=1']) {
      const page = await open(path, { width: 1280, height: 720 });
      await page.waitForFunction(() => window.__replicaLabs?.length === 1, null, { timeout: 20_000 });
      await page.evaluate(() => {
        const app = window.__replicaLabs[0];
        app.advance(3000);
        document.querySelector('[data-testid="tab-faults"]').click();
        document.querySelector('[data-testid="share"]').click();
      });
      await page.locator('[data-testid="share-box"]').waitFor({ state: 'visible' });
      assert.deepEqual(await page.evaluate(() => window.__violations), [], path);
      await page.close();
    }
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
