// End-to-end test of the layout in a course page's box (tests/e2e/pages/fit.html): a lab
// given 720×560 (and 320 to 1920 px wide) keeps inside it: nothing spills over the course
// text below, nothing is cut off outside the panels that scroll, every tab is reachable,
// and the stage keeps room to show the cluster. The layout follows the box, not the
// window: the same box in a wide and a narrow window lays out alike.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frames, launchLab } from './helpers.mjs';

/** What the lab in #box looks like now: overflow, clipped elements, canvas and tabs. */
function measure() {
  const box = document.getElementById('box');
  const r = box.getBoundingClientRect();
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== box; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (/auto|scroll/.test(o.overflowY + o.overflowX)) return true;
    }
    return false;
  };
  const clipped = [];
  for (const el of box.querySelectorAll('*')) {
    const b = el.getBoundingClientRect();
    if ((b.width === 0 && b.height === 0) || inScroller(el)) continue;
    if (b.bottom > r.bottom + 0.5 || b.right > r.right + 0.5 || b.left < r.left - 0.5 || b.top < r.top - 0.5) {
      clipped.push(el.dataset.testid || el.dataset.ref || `${el.tagName.toLowerCase()}.${el.className}`);
    }
  }
  const strip = box.querySelector('.rl-tabs').getBoundingClientRect();
  const tabsCut = [...box.querySelectorAll('.rl-tab')].filter((t) => {
    const b = t.getBoundingClientRect();
    return b.right > strip.right + 0.5 || b.left < strip.left - 0.5 || b.width < 20;
  }).map((t) => t.textContent);
  const canvas = box.querySelector('canvas').getBoundingClientRect();
  return {
    overflowY: box.scrollHeight - box.clientHeight,
    overflowX: box.scrollWidth - box.clientWidth,
    belowGap: document.getElementById('below').getBoundingClientRect().top - r.bottom,
    clipped: clipped.slice(0, 6),
    tabsCut,
    canvas: [Math.round(canvas.width), Math.round(canvas.height)],
  };
}

describe('A lab in a 720×560 box of a course page', () => {
  let page;
  let close;
  const problems = [];

  before(async () => {
    ({ page, close } = await launchLab('e2e/fit.html?w=720&h=560', problems, { width: 1960, height: 700 }));
  });
  after(async () => close?.());

  const setBox = async (w, h) => {
    await page.evaluate(([bw, bh]) => {
      const box = document.getElementById('box');
      box.style.setProperty('--w', `${bw}px`);
      box.style.setProperty('--h', `${bh}px`);
    }, [w, h]);
    await frames(page, 3);
  };

  for (const [w, h] of [[720, 560], [320, 560], [360, 560], [480, 560], [640, 560], [800, 560], [1024, 560], [1280, 560], [1600, 560], [1920, 560], [720, 400], [1280, 720]]) {
    it(`keeps inside ${w}×${h}`, async () => {
      await setBox(w, h);
      const m = await page.evaluate(measure);
      assert.ok(m.overflowY <= 0 && m.overflowX <= 0, `overflows by ${m.overflowX} × ${m.overflowY} px`);
      assert.ok(m.belowGap >= 0, `covers the course text below by ${-m.belowGap} px`);
      assert.deepEqual(m.clipped, [], 'cut off outside the scrolling panels');
      assert.deepEqual(m.tabsCut, [], 'tabs cut off');
      assert.ok(m.canvas[0] >= (w < 660 ? w - 30 : w - 440) && m.canvas[1] >= 150, `the stage is only ${m.canvas.join('×')}`);
    });
  }

  it('lays out by its box, not by the window', async () => {
    await setBox(720, 560);
    const wide = await page.evaluate(measure);
    await page.setViewportSize({ width: 760, height: 700 });
    await frames(page, 3);
    const narrow = await page.evaluate(measure);
    assert.deepEqual(narrow.canvas, wide.canvas);
    await page.setViewportSize({ width: 1960, height: 700 });
  });

  it('keeps every card readable and apart with nine nodes', async () => {
    await setBox(720, 560);
    await page.evaluate(() => {
      const app = window.__replicaLabs[0];
      for (let i = 0; i < 5; i++) app.act((l) => l.addReplica());
      app.advance(200);
    });
    const rects = await page.evaluate(() => window.__replicaLabs[0].snapshot().nodes.map((n) => window.__replicaLabs[0].nodeRect(n.id)));
    assert.equal(rects.length, 9);
    for (const r of rects) assert.ok(r.w >= 90, `a card is only ${Math.round(r.w)} px wide`);
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        const apart = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= (a.h + b.h) / 2;
        assert.ok(apart, `cards ${i} and ${j} overlap`);
      }
    }
  });

  it('keeps the cards in place when the lead changes hands', async () => {
    await page.evaluate(() => window.__replicaLabs[0].reset('42'));
    const before = await page.evaluate(() => [0, 1, 2, 3].map((id) => window.__replicaLabs[0].nodeRect(id)));
    await page.evaluate(() => {
      const app = window.__replicaLabs[0];
      app.act((l) => l.promote(2));
      app.advance(500);
    });
    assert.equal(await page.evaluate(() => window.__replicaLabs[0].snapshot().primary), 2);
    const after = await page.evaluate(() => [0, 1, 2, 3].map((id) => window.__replicaLabs[0].nodeRect(id)));
    assert.deepEqual(after, before);
  });

  it('logged no console or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
