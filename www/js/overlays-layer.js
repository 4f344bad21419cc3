// The overlays layer: text laid over the stage (drawn after the cards) to explain it. Each
// region's name, placed once per layout on the stage's edge inside its sector where it
// clears the cards (and whatever else the cards layer keeps clear); and the latency labels
// of the links that stand out (only the slow or lossy ones on a crowded stage) and of the
// selected link, each at the first point along its link where it clears every card and
// the labels already placed.

import { MAX_IDS } from './stage-layout.js';
import { FONT, rrect } from './stage-theme.js';

/** With more nodes than this, only unusual links keep a label. */
const CROWDED = 5;
/** Where along a link (from its first end) a label may sit, in order of preference. */
const SPOTS = [0.42, 0.5, 0.34, 0.58, 0.27, 0.65, 0.2, 0.73];

export class OverlaysLayer {
  constructor() {
    this.regionLabels = []; // { text, color, x, y, align }
    this.placedFor = ''; // the layout key they were placed for
    this.boxes = []; // what labels keep clear of (the cards), for the layout `boxesFor`
    this.boxesFor = '';
    this.placed = []; // label boxes placed this frame
  }

  /**
   * @param {object} frame (see StageLayer.draw)
   * @param {{strong: number[][], labelled?: boolean}} links the links that stand out (from → to);
   *   `labelled: false` labels only a selected one
   * @param {Map<number, {text: string, slow: boolean}>} labels by a * MAX_IDS + b
   * @param {() => number[][]} keepClear boxes [x0, y0, x1, y1] labels avoid
   * @param {string} clearKey changes when those boxes do
   */
  draw(frame, links, labels, keepClear, clearKey) {
    if (this.boxesFor !== clearKey) {
      this.boxesFor = clearKey;
      this.boxes = keepClear();
      this.placedFor = '';
    }
    if (frame.layout.groups.length) this._drawRegionNames(frame, () => this.boxes);
    this._drawLinkLabels(frame, links, labels);
  }

  _drawRegionNames({ ctx, theme: t, layout }, keepClear) {
    ctx.font = `700 10px ${FONT}`;
    ctx.textBaseline = 'middle';
    if (this.placedFor !== this.boxesFor) {
      this.placedFor = this.boxesFor;
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
    this.placed.length = 0;
    let selectedIsStrong = false;
    for (const [a, b] of links.strong) {
      const selected = sel && ((sel[0] === a && sel[1] === b) || (sel[0] === b && sel[1] === a));
      if (selected) selectedIsStrong = true;
      if (links.labelled === false && !selected) continue;
      if (crowded && !labels.get(a * MAX_IDS + b)?.slow && !(sel && sel[0] === a && sel[1] === b)) continue;
      this._linkLabel(frame, labels, a, b, selected);
    }
    if (sel && !selectedIsStrong && layout.present[sel[0]] && layout.present[sel[1]]) this._linkLabel(frame, labels, sel[0], sel[1], true);
  }

  /**
   * A link's label: 42% of the way from its first end (clear of the pile-up at the ring's
   * centre) or, if a card or another label is there, the nearest point along the link
   * that is clear; with none clear, only a selected link keeps its label.
   */
  _linkLabel({ ctx, theme: t, layout }, labels, a, b, selected = false) {
    const info = labels.get(a * MAX_IDS + b);
    if (!info) return;
    const p = layout.pos;
    const w = ctx.measureText(info.text).width + 10;
    const boxes = this.boxes.slice(0, layout.ids.length), placed = this.placed; // the cards (not the notes)
    const hits = (x0, y0, x1, y1, list) => list.some((q) => !(x1 < q[0] || x0 > q[2] || y1 < q[1] || y0 > q[3]));
    let x = 0, y = 0, clear = false;
    for (let i = 0; i < SPOTS.length && !clear; i++) {
      const f = SPOTS[i];
      const cx = p[a * 2] + (p[b * 2] - p[a * 2]) * f;
      const cy = p[a * 2 + 1] + (p[b * 2 + 1] - p[a * 2 + 1]) * f;
      if (i === 0) { x = cx; y = cy; }
      const box = [cx - w / 2, cy - 8, cx + w / 2, cy + 8];
      if (!hits(...box, boxes) && !hits(...box, placed)) {
        x = cx;
        y = cy;
        clear = true;
      }
    }
    // No clear spot (cards side by side in rows): only the selected link's label, over them.
    if (!clear && !selected) return;
    placed.push([x - w / 2, y - 8, x + w / 2, y + 8]);
    ctx.fillStyle = t.bg;
    ctx.beginPath();
    rrect(ctx, x - w / 2, y - 8, w, 16, 8);
    ctx.fill();
    ctx.fillStyle = info.slow ? t.warn : t.muted;
    ctx.fillText(info.text, x, y + 0.5);
  }
}
