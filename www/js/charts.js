// Small hand-written canvas charts: a time-series line chart, grouped bars, a histogram and
// an x/y chart with markers. Each `Chart` owns one canvas, keeps its size in step with its
// box (ResizeObserver) and redraws only when told (`draw(data)`) or resized. Colours come
// from the same CSS custom properties as the stage. Pure drawing: no simulation access.

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Distinguishable series colours (node ids index into it). */
export const SERIES = ['#f4c35a', '#6aa6ff', '#3ecf8e', '#ff9f43', '#b57bff', '#2ec4c6', '#ff6b9a', '#c3e05a', '#a0a9bd'];

function themeOf(el) {
  const cs = getComputedStyle(el);
  const v = (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--rl-card', '#172033'),
    text: v('--rl-text', '#e7ebf3'),
    muted: v('--rl-muted', '#8d97ad'),
    grid: 'rgba(141, 151, 173, 0.22)',
    accent: v('--rl-accent', '#6aa6ff'),
    good: v('--rl-good', '#3ecf8e'),
    warn: v('--rl-warn', '#f5b342'),
    bad: v('--rl-bad', '#ff6b6b'),
    read: v('--rl-msg-read', '#2ec4c6'),
    write: v('--rl-msg-write', '#b57bff'),
  };
}

/** A round axis maximum and its tick step (1, 2, 2.5 or 5 × 10^n), at least `min`. */
export function niceMax(value, min = 1) {
  const v = Math.max(value, min);
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * mag >= v) return { max: m * mag, step: (m * mag) / (m === 2.5 ? 5 : m === 2 || m === 10 ? 4 : m === 1 ? 4 : 5) };
  }
  return { max: 10 * mag, step: 2 * mag };
}

export function fmtNum(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10_000) return `${Math.round(v / 1000)}k`;
  if (a >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (a >= 10) return String(Math.round(v));
  if (a >= 1) return v.toFixed(1).replace(/\.0$/, '');
  return v.toFixed(2).replace(/0$/, '');
}

export class Chart {
  /**
   * @param {HTMLCanvasElement} canvas @param {(chart: Chart, data: any) => void} render
   * @param {(fn: Function) => Function} guard wraps the resize callback (the lab's bus reports its errors)
   */
  constructor(canvas, render, guard) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.render = render;
    this.theme = themeOf(canvas);
    this.w = 0;
    this.h = 0;
    this.dpr = 1;
    this.data = null;
    this.drawnPixels = false;
    this._ro = new ResizeObserver(guard(() => {
      if (this._resize()) this._paint();
    }));
    this._ro.observe(canvas.parentElement);
    this._resize();
  }

  _resize() {
    const box = this.canvas.parentElement;
    const w = Math.floor(box.clientWidth), h = Math.floor(box.clientHeight);
    const dpr = window.devicePixelRatio || 1;
    if (w === this.w && h === this.h && dpr === this.dpr) return false;
    this.w = w;
    this.h = h;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    return true;
  }

  /** Reads the colours again (after a theme change) and redraws. */
  retheme() {
    this.theme = themeOf(this.canvas);
    this._paint();
  }

  /** Redraws with new data (or the last data when called without). */
  draw(data) {
    if (data !== undefined) this.data = data;
    this._paint();
  }

  _paint() {
    if (!this.w || !this.h || !this.canvas.isConnected || this.canvas.offsetParent === null) return;
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    this.render(this, this.data);
  }

  destroy() {
    this._ro.disconnect();
  }

  // ----- helpers the render functions share ---------------------------------------------

  /** Plot area after room for the y labels (left) and x labels (bottom). */
  frame(yMax, { left = 30, right = 8, top = 8, bottom = 16, unit = '', rightAxis = null } = {}) {
    const { ctx, theme } = this;
    const x0 = left, x1 = this.w - right - (rightAxis ? 26 : 0), y0 = top, y1 = this.h - bottom;
    const { max, step } = niceMax(yMax);
    ctx.font = `10px ${FONT}`;
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    for (let v = 0; v <= max + step / 2; v += step) {
      const y = Math.round(y1 - ((y1 - y0) * v) / max) + 0.5;
      ctx.strokeStyle = theme.grid;
      ctx.beginPath();
      ctx.moveTo(x0, y);
      ctx.lineTo(x1, y);
      ctx.stroke();
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'right';
      ctx.fillText(fmtNum(v), x0 - 4, y);
    }
    this._unit = unit;
    let r = null;
    if (rightAxis) {
      r = niceMax(rightAxis.max);
      ctx.textAlign = 'left';
      for (let v = 0; v <= r.max + r.step / 2; v += r.step * 2) {
        const y = Math.round(y1 - ((y1 - y0) * v) / r.max) + 0.5;
        ctx.fillStyle = rightAxis.color ?? theme.muted;
        ctx.fillText(fmtNum(v), x1 + 4, y);
      }
    }
    return { x0, x1, y0, y1, max, rMax: r?.max ?? 1 };
  }

  empty(text) {
    const { ctx, theme } = this;
    ctx.font = `11px ${FONT}`;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, this.w / 2, this.h / 2, this.w - 16);
  }

  /**
   * The header row above the plot: the y unit (set by `frame`) at the left, coloured labels
   * [{label, color, dash?}] at the right. Labels that do not fit beside the unit get a
   * smaller font; if they still do not fit, the unit gives way to them.
   */
  legend(items, y = 7) {
    const { ctx, theme } = this;
    const unit = this._unit ?? '';
    const width = (size) => {
      ctx.font = `${size}px ${FONT}`;
      let w = 0;
      for (const it of items) w += ctx.measureText(it.label).width + 20;
      return w;
    };
    ctx.font = `10px ${FONT}`;
    const unitW = unit ? ctx.measureText(unit).width + 8 : 0;
    let size = 10;
    if (width(size) > this.w - 8 - unitW) size = 9;
    const showUnit = unit && width(size) <= this.w - 8 - unitW;
    if (showUnit) {
      ctx.font = `10px ${FONT}`;
      ctx.fillStyle = theme.muted;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.fillText(unit, 2, y);
    }
    ctx.font = `${size}px ${FONT}`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    let x = this.w - 6;
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i];
      const tw = ctx.measureText(it.label).width;
      x -= tw;
      ctx.fillStyle = theme.muted;
      ctx.fillText(it.label, x, y);
      x -= 12;
      ctx.strokeStyle = it.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(it.dash ? [3, 2] : []);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 9, y);
      ctx.stroke();
      ctx.setLineDash([]);
      x -= 8;
    }
  }
}

/**
 * A time-series line chart. data: {t: Float64Array-like (µs), series: [{label, color, values, dash?}],
 * window: µs shown, unit, emptyText}. Values may be null (a gap).
 */
export function renderTimeSeries(chart, data) {
  const { ctx, theme } = chart;
  if (!data || !data.t.length) {
    chart.empty(data?.emptyText ?? 'waiting for samples…');
    return;
  }
  const t = data.t;
  const tEnd = t[t.length - 1];
  const tStart = tEnd - data.window;
  let first = 0;
  while (first < t.length - 1 && t[first] < tStart) first++;
  let yMax = 0;
  for (const s of data.series) {
    for (let i = first; i < s.values.length; i++) if (s.values[i] != null && s.values[i] > yMax) yMax = s.values[i];
  }
  const f = chart.frame(yMax * 1.08, { unit: data.unit, top: 19 });
  const sx = (tt) => f.x0 + ((f.x1 - f.x0) * (tt - tStart)) / data.window;
  const sy = (v) => f.y1 - ((f.y1 - f.y0) * v) / f.max;
  ctx.font = `10px ${FONT}`;
  ctx.fillStyle = theme.muted;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText(`−${Math.round(data.window / 1e6)} s`, f.x0, chart.h - 4);
  ctx.textAlign = 'right';
  ctx.fillText('now', f.x1, chart.h - 4);
  ctx.lineJoin = 'round';
  for (const s of data.series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width ?? 1.6;
    ctx.setLineDash(s.dash ? [4, 3] : []);
    ctx.beginPath();
    let pen = false;
    for (let i = first; i < s.values.length; i++) {
      const v = s.values[i];
      if (v == null) {
        pen = false;
        continue;
      }
      const x = sx(Math.max(t[i], tStart)), y = sy(v);
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  chart.legend(data.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash })));
}

/**
 * Grouped bars. data: {groups: [{label, values: [number|null]}], keys: [{label, color}], unit, emptyText}.
 */
export function renderGroupedBars(chart, data) {
  const { ctx, theme } = chart;
  if (!data || !data.groups.length) {
    chart.empty(data?.emptyText ?? 'no data yet');
    return;
  }
  let yMax = 0;
  for (const g of data.groups) for (const v of g.values) if (v != null && v > yMax) yMax = v;
  const f = chart.frame(yMax * 1.05, { unit: data.unit, top: 19, bottom: 18 });
  const n = data.groups.length, k = data.keys.length;
  const gw = (f.x1 - f.x0) / n;
  const pad = Math.min(14, gw * 0.18);
  const bw = Math.max(2, (gw - 2 * pad) / k - 1);
  for (let gi = 0; gi < n; gi++) {
    const g = data.groups[gi];
    for (let ki = 0; ki < k; ki++) {
      const v = g.values[ki];
      if (v == null) continue;
      const h = ((f.y1 - f.y0) * v) / f.max;
      ctx.fillStyle = data.keys[ki].color;
      ctx.fillRect(f.x0 + gi * gw + pad + ki * (bw + 1), f.y1 - h, bw, Math.max(h, 1));
    }
    ctx.fillStyle = g.highlight ? theme.text : theme.muted;
    ctx.font = `${g.highlight ? '600 ' : ''}10px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    // Never squeezed (fillText's maxWidth would): the short form, else cut with an ellipsis.
    ctx.fillText(fitLabel(ctx, [g.label, g.short], gw - 4), f.x0 + gi * gw + gw / 2, chart.h - 5);
  }
  chart.legend(data.keys);
}

/** The first of `labels` that fits in `width` px, else the shortest cut to fit, with "…". */
export function fitLabel(ctx, labels, width) {
  const options = labels.filter(Boolean);
  for (const l of options) if (ctx.measureText(l).width <= width) return l;
  let l = options.at(-1) ?? '';
  while (l.length > 1 && ctx.measureText(`${l}…`).width > width) l = l.slice(0, -1);
  return `${l}…`;
}

/** A histogram. data: {bins: [{label, count}], color, unit, emptyText}. */
export function renderHistogram(chart, data) {
  const { ctx, theme } = chart;
  const total = data?.bins.reduce((a, b) => a + b.count, 0) ?? 0;
  if (!total) {
    chart.empty(data?.emptyText ?? 'no data yet');
    return;
  }
  let yMax = 0;
  for (const b of data.bins) if (b.count > yMax) yMax = b.count;
  const f = chart.frame(yMax * 1.05, { unit: data.unit, top: 19, bottom: 18 });
  const n = data.bins.length;
  const bw = (f.x1 - f.x0) / n;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.font = `10px ${FONT}`;
  const every = Math.ceil(n / Math.max(1, Math.floor((f.x1 - f.x0) / 34)));
  let lastRight = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = data.bins[i];
    const h = ((f.y1 - f.y0) * b.count) / f.max;
    ctx.fillStyle = b.color ?? data.color;
    ctx.fillRect(f.x0 + i * bw + 1, f.y1 - h, bw - 2, b.count ? Math.max(h, 1) : 0);
    const lx = f.x0 + i * bw + bw / 2;
    const lw = ctx.measureText(b.label).width;
    // Every `every`-th label (and the last), unless it would run into the previous one.
    if ((i % every === 0 || i === n - 1) && lx - lw / 2 > lastRight + 3) {
      ctx.fillStyle = theme.muted;
      ctx.fillText(b.label, lx, chart.h - 5);
      lastRight = lx + lw / 2;
    }
  }
  chart.legend(data.legend ?? []);
}

/**
 * Points against a categorical x (replica counts). data: {xs: [label], series: [{label, color, values,
 * axis?: 'right', dash?}], unit, emptyText}; the right axis is named by its series' label.
 */
export function renderXY(chart, data) {
  const { ctx, theme } = chart;
  const hasAny = data?.series.some((s) => s.values.some((v) => v != null));
  if (!hasAny) {
    chart.empty(data?.emptyText ?? 'no points yet');
    return;
  }
  let yMax = 0, rMax = 0;
  for (const s of data.series) {
    for (const v of s.values) {
      if (v == null) continue;
      if (s.axis === 'right') rMax = Math.max(rMax, v);
      else yMax = Math.max(yMax, v);
    }
  }
  const right = data.series.find((s) => s.axis === 'right');
  const f = chart.frame(data.yMax ?? yMax * 1.08, { unit: data.unit, top: 20, bottom: 18, left: 34, rightAxis: right ? { max: rMax * 1.08, color: right.color } : null });
  const n = data.xs.length;
  const sx = (i) => f.x0 + ((f.x1 - f.x0) * (i + 0.5)) / n;
  ctx.font = `10px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = theme.muted;
  for (let i = 0; i < n; i++) ctx.fillText(data.xs[i], sx(i), chart.h - 5);
  for (const s of data.series) {
    const max = s.axis === 'right' ? f.rMax : f.max;
    const sy = (v) => f.y1 - ((f.y1 - f.y0) * v) / max;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash ? [4, 3] : []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v == null) { pen = false; continue; }
      if (pen) ctx.lineTo(sx(i), sy(v));
      else ctx.moveTo(sx(i), sy(v));
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v == null) continue;
      ctx.beginPath();
      ctx.arc(sx(i), sy(v), 3, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  chart.legend(data.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash })), 8);
}
