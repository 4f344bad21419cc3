// End-to-end test of the lessons: every lesson of www/lessons/index.json opens from the
// picker, runs to its end through the test hook (simulated time, never the wall clock) and
// reaches every outcome it expects, judged in the page as `run --lesson FILE` judges it;
// a pause point asks its question and shows the answer; a first visit greets with three
// things to try; the caption follows the live state (switching to synchronous is said);
// and a lesson whose title and narration hold HTML shows them as text.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { openLab } from './helpers.mjs';
import { CHROMIUM, startServer, WWW } from './server.mjs';

const INDEX = JSON.parse(await fs.readFile(new URL('lessons/index.json', `file://${WWW}`), 'utf8'));
const lessonFile = async (id) => JSON.parse(await fs.readFile(new URL(`lessons/${id}.json`, `file://${WWW}`), 'utf8'));
const us = (d) => {
  const m = /^([\d.]+)(ms|s)$/.exec(d);
  return Number(m[1]) * (m[2] === 's' ? 1e6 : 1e3);
};

describe('Lessons', () => {
  let server;
  let browser;
  let page;
  const problems = [];
  const tid = (id, p = page) => p.locator(`[data-testid="${id}"]`);

  before(async () => {
    server = await startServer();
    browser = await chromium.launch(CHROMIUM);
    page = await openLab(browser, server, '?paused=1', problems);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the picker lists every lesson of the index', async () => {
    const values = await tid('scenario-pick').evaluate((s) => [...s.querySelectorAll('option')].map((o) => o.value));
    for (const l of INDEX) assert.ok(values.includes(`lesson:${l.id}`), `${l.id} in the picker`);
  });

  for (const { id } of INDEX) {
    it(`${id}: loads from the picker and reaches its expected outcomes`, async () => {
      const lesson = await lessonFile(id);
      await tid('scenario-pick').selectOption(`lesson:${id}`);
      await page.waitForFunction((want) => document.querySelector('.rl').dataset.lesson === want, id);
      assert.equal(await tid('lesson-title').textContent(), lesson.title);
      const seed = await page.evaluate(() => window.__replicaLabs[0].lab.seed());
      assert.equal(seed, lesson.seed);
      // Half a second at a time, as frames would go (steps tied to events show as they
      // happen), answering each pause point with Continue as a student would; the end
      // judges the outcomes.
      const shown = await page.evaluate((t) => {
        const app = window.__replicaLabs[0];
        const q = (id) => document.querySelector(`[data-testid="${id}"]`);
        const seen = [];
        app.bus.on('lesson-step', (e) => seen.push(typeof e.step === 'number' ? `step ${e.step + 1} of ${e.of}` : e.step));
        while (app.lab.now() < t) {
          app.advance(Math.min(500, (t - app.lab.now()) / 1000));
          for (let i = 0; i < 4 && q('lesson-continue').textContent === 'Continue' && q('lesson-progress').textContent !== 'the end'; i++) {
            q('lesson-continue').click();
          }
        }
        return [...new Set(seen)];
      }, us(lesson.until));
      for (let k = 1; k <= lesson.steps.length; k++) {
        assert.ok(shown.includes(`step ${k} of ${lesson.steps.length}`), `step ${k} showed: ${shown}`);
      }
      const got = await page.evaluate(() => ({
        met: document.querySelector('.rl').dataset.lessonMet,
        items: [...document.querySelectorAll('[data-testid="lesson-outcomes"] li')].map((li) => ({ met: li.dataset.met, text: li.textContent })),
      }));
      assert.equal(got.items.length, lesson.expect.length, JSON.stringify(got));
      assert.equal(got.met, 'true', `outcomes: ${JSON.stringify(got.items, null, 1)}`);
      assert.equal(await tid('lesson-progress').textContent(), 'the end');
    });
  }

  it('a pause point asks its question and shows the answer on Continue', async () => {
    await tid('scenario-pick').selectOption('lesson:failover');
    await page.waitForFunction(() => document.querySelector('.rl').dataset.lesson === 'failover');
    await page.evaluate(() => window.__replicaLabs[0].advance(3600));
    assert.equal(await tid('lesson-predict').isVisible(), true);
    assert.match(await tid('lesson-question').textContent(), /What do the replicas do\?/);
    assert.equal(await tid('lesson-answer').isVisible(), false);
    await tid('lesson-continue').click(); // without a guess: the answer first
    assert.equal(await tid('lesson-answer').isVisible(), true);
    assert.match(await tid('lesson-answer').textContent(), /the answer is "One stands for election and takes over"/);
    await tid('lesson-continue').click(); // then on
    assert.equal(await page.evaluate(() => window.__replicaLabs[0].isRunning()), true);
    await page.evaluate(() => window.__replicaLabs[0].pause());
  });

  it('a lesson runs at its own speed', async () => {
    const lesson = await lessonFile('failover');
    const speed = await page.evaluate(() => window.__replicaLabs[0].controller.speed);
    assert.equal(speed, lesson.speed);
  });

  it('the caption follows the live state: switching to synchronous is said', async () => {
    await tid('scenario-pick').selectOption('lesson:backup-band');
    await page.waitForFunction(() => document.querySelector('.rl').dataset.lesson === 'backup-band');
    await page.evaluate(() => window.__replicaLabs[0].advance(500));
    assert.match(await tid('caption').textContent(), /asynchronously/);
    await page.evaluate(() => window.__replicaLabs[0].act((lab) => lab.setAckPolicy('"all"')));
    await page.evaluate(() => window.__replicaLabs[0].advance(200));
    const text = await tid('caption').textContent();
    assert.doesNotMatch(text, /asynchronously/);
    assert.match(text, /wait for/);
  });

  it('a first visit says what you see and offers three things to try', async () => {
    const first = await openLab(browser, server, '', problems);
    await first.evaluate(() => window.__replicaLabs[0].pause());
    assert.equal(await tid('first-run', first).isVisible(), true);
    assert.equal(await tid('first-run', first).locator('button').count(), 3);
    assert.match(await tid('lesson-text', first).textContent(), /replicated database/);
    await tid('try-lesson', first).click();
    await first.waitForFunction(() => document.querySelector('.rl').dataset.lesson === 'backup-band');
    assert.equal(await tid('first-run', first).isVisible(), false);
    await first.close();
  });

  it('a lesson whose title and narration hold HTML shows them as text', async () => {
    const evil = await openLab(browser, server, 'e2e/evil-lesson.html', problems);
    const root = evil.locator('replica-lab');
    await evil.waitForFunction(() => document.querySelector('replica-lab').shadowRoot?.querySelector('.rl')?.dataset.lesson);
    const title = await root.locator('[data-testid="lesson-title"]').textContent();
    assert.equal(title, '<img src=x onerror="window.__pwned=1"> Evil');
    await evil.evaluate(() => window.__replicaLabs[0].advance(1200));
    assert.match(await root.locator('[data-testid="lesson-text"]').textContent(), /<b>bold<\/b>/);
    assert.match(await root.locator('[data-testid="lesson-question"]').textContent(), /<script>/);
    assert.equal(await root.locator('[data-testid="lesson-bar"] img, [data-testid="lesson-bar"] b, [data-testid="lesson-bar"] script').count(), 0);
    assert.equal(await evil.evaluate(() => window.__pwned), undefined);
    // The element told its page about each step (a lessonstep DOM event).
    const steps = await evil.evaluate(() => window.__events.filter(([, type]) => type === 'lessonstep').map(([, , d]) => d.step));
    assert.deepEqual(steps, [0, 1]);
    await evil.close();
  });

  it('a lesson can be taken with the keyboard alone', async () => {
    const kb = await openLab(browser, server, '?paused=1', problems);
    const focused = () => kb.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
    const tabTo = async (testid, max = 40) => {
      for (let i = 0; i < max; i++) {
        if ((await focused()) === testid) return;
        await kb.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${testid} (at ${await focused()})`);
    };
    // Pick the first lesson: the picker, then the arrow key.
    await tabTo('scenario-pick');
    await kb.keyboard.press('ArrowDown');
    await kb.waitForFunction(() => document.querySelector('.rl').dataset.lesson === 'backup-band');
    // Choosing a lesson puts the focus on its Start button.
    assert.equal(await focused(), 'lesson-continue');
    assert.equal(await tid('lesson-continue', kb).textContent(), 'Start');
    await kb.keyboard.press('Enter');
    assert.equal(await kb.evaluate(() => window.__replicaLabs[0].isRunning()), true, 'Start plays');
    // Simulated time to the pause point (the hook, not the wall clock): it pauses there.
    await kb.evaluate(() => window.__replicaLabs[0].advance(4100));
    assert.equal(await tid('lesson-predict', kb).isVisible(), true);
    await tabTo('lesson-choice-1');
    await kb.keyboard.press('Enter');
    assert.match(await tid('lesson-answer', kb).textContent(), /^Yes\./);
    await tabTo('lesson-continue');
    // Continue: the answer was given, so on (past the stale read's own pause, if it came meanwhile).
    for (let i = 0; i < 3 && !(await kb.evaluate(() => window.__replicaLabs[0].isRunning())); i++) await kb.keyboard.press('Enter');
    assert.equal(await kb.evaluate(() => window.__replicaLabs[0].isRunning()), true, 'Continue plays on');
    // Space (on the lab, outside a button) pauses, as everywhere in the lab.
    await kb.evaluate(() => document.querySelector('.rl').focus());
    await kb.keyboard.press(' ');
    assert.equal(await kb.evaluate(() => window.__replicaLabs[0].isRunning()), false);
    await kb.close();
  });

  it('reports no console or page error', () => {
    assert.deepEqual(problems, []);
  });
});
