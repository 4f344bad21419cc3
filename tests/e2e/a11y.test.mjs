// End-to-end accessibility tests: an axe-core scan (WCAG 2 A/AA rules) of the page finds
// no serious or critical issue, in both themes, with a lesson open and with each panel
// shown; zoom is not blocked.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { openLab, frames } from './helpers.mjs';
import { CHROMIUM, startServer } from './server.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical violations on `page` now: [{id, impact, help, targets}]. */
async function scan(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1] ?? ''}`) }));
}

describe('Accessibility', () => {
  let server;
  let browser;
  const problems = [];

  before(async () => {
    server = await startServer();
    browser = await chromium.launch(CHROMIUM);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  // Every tab in the dark theme; in the light one (the same markup, other colours) the
  // tabs with the most kinds of text.
  for (const [theme, tabs] of [['dark', ['ops', 'writes', 'reads', 'load', 'node', 'cluster', 'faults']], ['light', ['ops', 'reads', 'node']]]) {
    it(`axe finds no serious or critical issue (${theme} theme, a lesson open, tabs ${tabs.join(', ')})`, async () => {
      const page = await openLab(browser, server, `?paused=1&theme=${theme}&lesson=failover`, problems);
      await page.evaluate(() => window.__replicaLabs[0].advance(3600)); // a prediction on show
      await page.evaluate(() => window.__replicaLabs[0].bus.emit('select', { node: 0 })); // the inspector filled
      const found = [];
      for (const tab of tabs) {
        await page.click(`[data-testid="tab-${tab}"]`);
        await frames(page);
        for (const v of await scan(page)) found.push({ tab, ...v });
      }
      await page.close();
      assert.deepEqual(found, []);
    });
  }

  it('zoom is not blocked', async () => {
    const page = await openLab(browser, server, '?paused=1', problems);
    const content = await page.evaluate(() => document.querySelector('meta[name="viewport"]')?.content ?? '');
    assert.doesNotMatch(content, /user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0)?\b/);
    await page.close();
  });

  it('every action on a node is reachable by keyboard: select, crash, restart, pause, isolate, promote', async () => {
    const page = await openLab(browser, server, '?paused=1&seed=3', problems);
    const app = 'window.__replicaLabs[0]';
    const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
    const tabTo = async (testid, max = 60) => {
      for (let i = 0; i < max; i++) {
        if ((await focused()) === testid) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${testid} (at ${await focused()})`);
    };
    await page.evaluate(`${app}.advance(1500)`);
    // The stage in words: one button per node, with its role, term and lag.
    await tabTo('stage-node-0');
    assert.equal(await page.locator('[data-testid="stage-list"]').isVisible(), true, 'the list shows once focused');
    assert.match(await page.locator('[data-testid="stage-node-0"]').textContent(), /^n0, primary, term 1, log at \d+/);
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'stage-node-1');
    assert.match(await page.locator('[data-testid="stage-node-1"]').textContent(), /^n1, replica, term 1, (in sync|lag \d+ entr)/);
    // Enter selects it and takes the focus to its actions in the Node tab.
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('[data-testid="tab-node"]').getAttribute('aria-selected'), 'true');
    assert.equal(await focused(), 'inspector-crash');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(`${app}.lab.snapshot(0, 0).nodes[1].status`), 'crashed');
    assert.equal(await focused(), 'inspector-restart', 'the focus stays among the actions');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(`${app}.lab.snapshot(0, 0).nodes[1].status`), 'up');
    for (const [action, check] of [['pause', `${app}.lab.snapshot(0, 0).nodes[1].status === 'paused'`], ['resume', `${app}.lab.snapshot(0, 0).nodes[1].status === 'up'`], ['isolate', `${app}.lab.snapshot(0, 0).cuts.length > 0`], ['reconnect', `${app}.lab.snapshot(0, 0).cuts.length === 0`], ['promote', `${app}.lab.snapshot(0, 0).primary === 1`]]) {
      await tabTo(`inspector-${action}`);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(check), true, action);
    }
    // The stage list follows: n1 now leads.
    await page.evaluate(`${app}.advance(300)`);
    assert.match(await page.locator('[data-testid="stage-node-1"]').textContent(), /^n1, primary, term 2/);
    await page.close();
  });

  it('the list says when a second node acts as primary (split brain)', async () => {
    const page = await openLab(browser, server, '?paused=1', problems);
    const words = await page.evaluate(async () => {
      const { describeNode } = await import('/js/stage-list.js');
      const node = (id, role, term) => ({ id, name: `n${id}`, role, term, status: 'up', lastLsn: 9, lagEntries: 0, lagMicros: 0, membership: 'voter' });
      const snap = { primary: 1, cuts: [[0, 1], [1, 0]], nodes: [node(0, 'primary', 1), node(1, 'primary', 2)] };
      return snap.nodes.map((n) => describeNode(snap, n));
    });
    assert.deepEqual(words, ['n0, also acting as primary, term 1, links cut, log at 9', 'n1, primary, term 2, links cut, log at 9']);
    await page.close();
  });

  it('the tabs follow the ARIA tabs pattern: one in the Tab order, arrow keys, Home and End', async () => {
    const page = await openLab(browser, server, '?paused=1', problems);
    const tabs = page.locator('[role="tab"]');
    const state = () => page.evaluate(() => [...document.querySelectorAll('[role="tab"]')].map((t) => [t.dataset.tab, t.tabIndex, t.getAttribute('aria-selected'), document.getElementById(t.getAttribute('aria-controls'))?.getAttribute('aria-labelledby') === t.id]));
    let s = await state();
    assert.deepEqual(s.map(([, ti]) => ti), [0, -1, -1, -1, -1, -1, -1]);
    assert.ok(s.every(([, , , linked]) => linked), 'each tab controls its panel, labelled by it');
    await tabs.first().focus();
    await page.keyboard.press('ArrowRight');
    s = await state();
    assert.equal(s[1][2], 'true');
    assert.equal(s[1][1], 0);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'writes');
    assert.equal(await page.locator('.rl-panel[data-panel="writes"]').isVisible(), true);
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'faults');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'ops', 'wraps around');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Home');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'ops');
    assert.equal(await page.evaluate(() => window.__replicaLabs[0].lab.eventsProcessed()), 0, 'arrows on the tabs do not step the run');
    await page.close();
  });

  it('reports no console or page error', () => {
    assert.deepEqual(problems, []);
  });
});
