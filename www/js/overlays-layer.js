// The overlays layer: text laid over the stage to explain it. Each region's name, placed
// once per layout on the stage's edge inside its sector where it clears the cards (and
// whatever else the cards layer keeps clear); and the latency labels of the links that
// stand out (only the slow or lossy ones on a crowded stage) and of the selected link.

import { MAX_IDS } from './stage-layout.js';
import { FONT, rrect } from './stage-theme.js';

/** With more nodes than this, only unusual links keep a label. */
const CROWDED = 5;

export class OverlaysLayer {
  constructor() {
    this.regionLabels = []; // { text, color, x, y, align }
    this.placedFor = ''; // the layout key they were placed for
  }

  /**
   * @param {object} frame (see StageLayer.draw)
   * @param {{strong: number[][]}} links the links that stand out (from → to)
   * @param {Map<number, {text: string, slow: boolean}>} labels by a * MAX_IDS + b
   * @param {() => number[][]} keepClear boxes [x0, y0, x1, y1] region names avoid
   */
  draw(frame, links, labels, keepClear) {
    if (frame.layout.groups.length) this._drawRegionNames(frame, keepClear);
    this._drawLinkLabels(frame, links, labels);
  }

  _drawRegionNames({ ctx, theme: t, layout }, keepClear) {
    ctx.font = `700 10px ${FONT}`;
    ctx.textBaseline = 'middle';
    if (this.placedFor !== layout.key) {
      this.placedFor = layout.key;
      this._placeRegionNames(ctx, layout, keepClear());
    }
    for (const l of this.regionLabels) {
      ctx.textAlign = l.align;
      ctx.fillStyle = t.regions[l.color].text;
      ctx.fillText(l.text, l.x, l.y);
    }
  }

  /**
   * Chooses where each region's name goes: on the stage's edge inside its sector, trying
   * points from just past the sector's first border toward its middle and beyond, and
   * taking the first whose text clears every box.
   */
  _placeRegionNames(ctx, layout, boxes) {
    const W = layout.w, cx = layout.cx, cy = layout.cy;
    const bottom = layout.clientY - 20.5;
    const rx = Math.max(W / 2, 1), ry = Math.max(bottom / 2, 1);
    const clear = (x0, y0, x1, y1) => boxes.every((b) => x1 < b[0] || x0 > b[2] || y1 < b[1] || y0 > b[3]);
    const x0 = 12, x1 = W - 12, y0 = 26, y1 = bottom - 10;
    this.regionLabels = [];
    for (const g of layout.groups) {
      if (g.color < 0) continue;
      const text = g.region.toUpperCase();
      const tw = ctx.measureText(text).width;
      if (g.whole) {
        this.regionLabels.push({ text, color: g.color, x: W - 12, y: 16, align: 'right' });
        continue;
      }
      let best = null;
      for (const f of [0.18, 0.32, 0.5, 0.68, 0.82, 0.08, 0.92]) {
        const a = g.a0 + (g.a1 - g.a0) * f;
        const dx = rx * Math.cos(a), dy = ry * Math.sin(a);
        let k = Infinity;
        if (dx > 0) k = Math.min(k, (x1 - cx) / dx);
        if (dx < 0) k = Math.min(k, (x0 - cx) / dx);
        if (dy > 0) k = Math.min(k, (y1 - cy) / dy);
        if (dy < 0) k = Math.min(k, (y0 - cy) / dy);
        const x = cx + dx * k, y = cy + dy * k;
        const align = x <= x0 + 1 ? 'left' : x >= x1 - 1 ? 'right' : 'center';
        const lx = align === 'left' ? x : align === 'right' ? x - tw : x - tw / 2;
        const spot = { text, color: g.color, x, y, align };
        if (!best) best = spot;
        if (clear(lx, y - 6, lx + tw, y + 6)) {
          best = spot;
          break;
        }
      }
      this.regionLabels.push(best);
    }
  }

  _drawLinkLabels(frame, links, labels) {
    const { ctx, layout, selection } = frame;
    const sel = selection.link;
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const crowded = layout.ids.length > CROWDED;
    let selectedIsStrong = false;
    for (const [a, b] of links.strong) {
      const selected = sel && ((sel[0] === a && sel[1] === b) || (sel[0] === b && sel[1] === a));
      if (selected) selectedIsStrong = true;
      if (crowded && !labels.get(a * MAX_IDS + b)?.slow && !(sel && sel[0] === a && sel[1] === b)) continue;
      this._linkLabel(frame, labels, a, b);
    }
    if (sel && !selectedIsStrong && layout.present[sel[0]] && layout.present[sel[1]]) this._linkLabel(frame, labels, sel[0], sel[1]);
  }

  /** A link's label, 42% of the way from its first end (clear of the pile-up at the ring's centre). */
  _linkLabel({ ctx, theme: t, layout }, labels, a, b) {
    const info = labels.get(a * MAX_IDS + b);
    if (!info) return;
    const p = layout.pos;
    const x = p[a * 2] + (p[b * 2] - p[a * 2]) * 0.42;
    const y = p[a * 2 + 1] + (p[b * 2 + 1] - p[a * 2 + 1]) * 0.42;
    const w = ctx.measureText(info.text).width + 10;
    ctx.fillStyle = t.bg;
    ctx.beginPath();
    rrect(ctx, x - w / 2, y - 8, w, 16, 8);
    ctx.fill();
    ctx.fillStyle = info.slow ? t.warn : t.muted;
    ctx.fillText(info.text, x, y + 0.5);
  }
}
