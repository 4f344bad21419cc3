// Draws the cluster on a canvas: nodes as cards on a ring (primary at the top) with their
// write-ahead log strips, the links between them, the clients along the bottom, and every
// message in flight as a dot placed at (now - sentAt) / (deliverAt - sentAt) along its link.
// Also answers hit tests (which node, cell, message, link or client is under a point).
// With geography, nodes of one region sit together on the ring in a tinted sector named
// after the region, and clients are grouped by region along the bottom. With the service
// model on, each card grows a load row (queue depth bar, ops/s); writes waiting for replica
// acknowledgements are listed beside the primary with their running latency.
//
// The layout (positions, card size, link endpoints) is recomputed only when the size or the
// set of nodes changes; a frame reuses typed arrays and draws text grouped by font.

import { appendCount, lagLevel, lagText } from './format.js';

const MAX_IDS = 16; // node ids are < 9 (MAX_NODES); room to spare
const LANE = 3.5; // px between the two directions of a link
const CELL_H = 16;
const CELL_GAP = 2;
const LOG_CELLS = 16;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

/** Region tints, by the position of a region's name in the known list (others hash in). */
const REGION_COLORS = ['#6aa6ff', '#3ecf8e', '#f5b342', '#c08bff', '#2ec4c6', '#ff8a8a'];
const KNOWN_REGIONS = ['us-east', 'eu-west', 'ap-south', 'us-west'];

export function regionColorIndex(name) {
  const i = KNOWN_REGIONS.indexOf(name);
  if (i >= 0) return i;
  let h = 0;
  for (let k = 0; k < name.length; k++) h = (h * 31 + name.charCodeAt(k)) >>> 0;
  return 4 + (h % (REGION_COLORS.length - 4));
}

const KINDS = ['append', 'heartbeat', 'ack', 'nack', 'write', 'read', 'reply', 'voteRequest', 'vote', 'timeoutNow'];

/** Reads the theme colours from CSS custom properties on the root (one source of truth with the legend). */
function readTheme(el) {
  const cs = getComputedStyle(el);
  const v = (name, fallback) => (cs.getPropertyValue(name).trim() || fallback);
  const theme = {
    bg: v('--rl-stage', '#0f1522'),
    card: v('--rl-card', '#172033'),
    cardBorder: v('--rl-card-border', '#2a3650'),
    text: v('--rl-text', '#e7ebf3'),
    muted: v('--rl-muted', '#8d97ad'),
    accent: v('--rl-accent', '#6aa6ff'),
    gold: v('--rl-gold', '#f4c35a'),
    good: v('--rl-good', '#3ecf8e'),
    warn: v('--rl-warn', '#f5b342'),
    bad: v('--rl-bad', '#ff6b6b'),
    link: v('--rl-link', '#50607f'),
    cell: v('--rl-cell', '#4c8dff'),
    lost: v('--rl-lost', '#ff5d5d'),
    frozen: v('--rl-frozen', '#7cc8ff'),
    msg: {},
  };
  for (const k of KINDS) theme.msg[k] = v(`--rl-msg-${k}`, '#999');
  theme.msg.replyWrite = v('--rl-msg-reply-write', theme.msg.write);
  theme.cellReceived = withAlpha(theme.cell, 0.28);
  theme.cellFlushed = withAlpha(theme.cell, 0.6);
  theme.cellApplied = theme.cell;
  theme.cellMissing = withAlpha(theme.muted, 0.55);
  theme.cellFuture = withAlpha(theme.muted, 0.16);
  theme.linkFaint = withAlpha(theme.link, 0.28);
  theme.lagColors = [theme.good, theme.warn, theme.bad];
  theme.cardDown = v('--rl-card-down', '#141a27');
  theme.accentHalf = withAlpha(theme.accent, 0.5);
  theme.accentHover = withAlpha(theme.accent, 0.6);
  theme.accentFaint = withAlpha(theme.accent, 0.18);
  theme.goldBorder = withAlpha(theme.gold, 0.75);
  theme.stripLine = withAlpha(theme.muted, 0.18);
  theme.regions = REGION_COLORS.map((c) => ({ fill: withAlpha(c, 0.07), edge: withAlpha(c, 0.3), text: withAlpha(c, 0.95), pill: withAlpha(c, 0.12) }));
  theme.pendingBg = withAlpha(theme.warn, 0.13);
  theme.pendingEdge = withAlpha(theme.warn, 0.55);
  theme.loadTrack = withAlpha(theme.muted, 0.2);
  theme.badgeBg = {
    [theme.bad]: withAlpha(theme.bad, 0.14),
    [theme.gold]: withAlpha(theme.gold, 0.14),
    [theme.muted]: withAlpha(theme.muted, 0.14),
    [theme.frozen]: withAlpha(theme.frozen, 0.16),
    [theme.accent]: withAlpha(theme.accent, 0.18),
  };
  theme.frozenTint = withAlpha(theme.frozen, 0.1);
  theme.cut = withAlpha(theme.bad, 0.85);
  return theme;
}

function withAlpha(color, a) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function rrect(ctx, x, y, w, h, r) {
  if (ctx.roundRect) ctx.roundRect(x, y, w, h, r);
  else ctx.rect(x, y, w, h);
}

export class Renderer {
  /** @param {HTMLCanvasElement} canvas @param {HTMLElement} themeRoot */
  constructor(canvas, themeRoot) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.themeRoot = themeRoot;
    this.theme = readTheme(themeRoot);
    this.dpr = 1;
    this.w = 0;
    this.h = 0;
    // Layout, by node id.
    this.ids = []; // ids in ring order
    this.primaryId = null; // the node in the primary role, up or not
    this.layoutKey = '';
    this.present = new Uint8Array(MAX_IDS);
    this.pos = new Float32Array(MAX_IDS * 2);
    this.seg = new Float32Array(MAX_IDS * MAX_IDS * 4); // node→node dot path (x0,y0,x1,y1)
    this.clientCount = 0;
    this.clientPos = new Float32Array(0);
    this.clientSeg = new Float32Array(0); // ((client*MAX_IDS + node)*2 + dir)*4
    this.cardW = 180;
    this.cardH = 80;
    this.rows = 1;
    this.perRow = LOG_CELLS;
    this.cellW = 10;
    this.cells = LOG_CELLS;
    this.headH = 28;
    this.pillW = 40;
    this.clientY = 0;
    this.workloadClients = 0;
    // Hit testing of the last frame's messages.
    this.msgX = new Float32Array(512);
    this.msgY = new Float32Array(512);
    this.msgIdx = new Int32Array(512);
    this.msgDrawn = 0;
    this.lastSnap = null;
    this.lo = 1; // lowest LSN of the log window
    this.hi = 0;
    // Interaction state, set by the owner.
    this.selectedNode = null;
    this.selectedLink = null; // [a, b]
    this.hover = null; // a hit-test result
    this.linkLabels = new Map(); // a*MAX_IDS+b → { text, slow }
    this.nameW = new Map(); // name → width in the name font
    this.loadRow = false; // the service model is on: cards show queue and ops/s
    this.groups = []; // region sectors: { region, color, a0, a1 } (angles in radians)
    this.clientGroups = []; // client region bands: { region, color, x0, x1 }
    this.clientIds = []; // client ids in drawing order
    this.regionLabels = []; // { text, color, x, y, align }, placed once per layout
    this._labelsKey = '';
    this.queueLimit = 0;
    this.badgeW = new Map(); // badge text → width in the badge font
  }

  /** Width of a badge label in the current (badge) font, measured once. */
  _textWidth(text) {
    let w = this.badgeW.get(text);
    if (w === undefined) {
      w = this.ctx.measureText(text).width;
      this.badgeW.set(text, w);
    }
    return w;
  }

  /** Sets the canvas size in CSS pixels (call from a ResizeObserver). */
  resize(cssW, cssH) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.floor(cssW));
    const h = Math.max(1, Math.floor(cssH));
    if (w === this.w && h === this.h && dpr === this.dpr) return false;
    this.w = w;
    this.h = h;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.layoutKey = '';
    return true;
  }

  refreshTheme() {
    this.theme = readTheme(this.themeRoot);
  }

  /** Mean-latency labels for links, keyed by `a * 16 + b`. */
  setLinkLabels(map) {
    this.linkLabels = map;
  }

  setClients(workloadClients) {
    if (workloadClients !== this.workloadClients) {
      this.workloadClients = workloadClients;
      this.layoutKey = '';
    }
  }

  clientName(c) {
    return c >= this.workloadClients ? 'you' : `c${c}`;
  }

  // ----- layout --------------------------------------------------------------------------

  _ensureLayout(snap) {
    const nodes = snap.nodes;
    const service = snap.config?.service;
    this.queueLimit = service ? service.queueLimit ?? 0 : 0;
    let key = `${this.w}x${this.h}:${this.workloadClients}:${service ? 'L' : ''}`;
    for (let i = 0; i < nodes.length; i++) key += `,${nodes[i].id}${nodes[i].role === 'primary' ? 'p' : ''}${nodes[i].region ?? ''}`;
    const clients = snap.clients;
    if (clients) for (let i = 0; i < clients.length; i++) key += `;${clients[i].region ?? ''}`;
    if (key === this.layoutKey) return;
    this.layoutKey = key;
    this._layout(snap);
  }

  _layout(snap) {
    const W = this.w;
    const H = this.h;
    const nodes = snap.nodes;
    // Ring order: the primary first (at the top), then the others by id, clockwise.
    const ids = nodes.map((n) => n.id);
    // The node in the primary role (even while crashed) heads the ring.
    const primary = nodes.find((n) => n.role === 'primary');
    this.primaryId = primary ? primary.id : null;
    if (primary) {
      const at = ids.indexOf(primary.id);
      ids.push(...ids.splice(0, at));
    }
    // Regions: the primary's region first, then the others in order of appearance; each
    // region's nodes together, so a region is one sector of the ring.
    const regionOf = new Map(nodes.map((n) => [n.id, n.region || '']));
    const order = [];
    for (const id of ids) if (!order.includes(regionOf.get(id))) order.push(regionOf.get(id));
    const regioned = order.some((r) => r !== '');
    if (regioned) ids.sort((a, b) => order.indexOf(regionOf.get(a)) - order.indexOf(regionOf.get(b)));
    this.ids = ids;
    this.loadRow = !!snap.config?.service;
    this.present.fill(0);
    for (const id of ids) this.present[id] = 1;
    const n = ids.length;

    const compact = W < 560;
    const clientStrip = compact ? 40 : 50;
    const top = 10;
    const areaH = H - clientStrip - top;
    const cx = W / 2;
    const cy = top + areaH / 2;

    let cardW = Math.min(compact ? 170 : 236, W * (n <= 2 ? 0.5 : n <= 4 ? (compact ? 0.4 : 0.3) : compact ? 0.3 : 0.24));
    for (let attempt = 0; attempt < 30; attempt++) {
      this._fitCells(cardW);
      const cardH = this.cardH;
      const rx = Math.max(0, W / 2 - cardW / 2 - 8);
      const ry = Math.max(0, areaH / 2 - cardH / 2 - 4);
      for (let i = 0; i < n; i++) {
        const a = -Math.PI / 2 + (i * 2 * Math.PI) / n;
        this.pos[ids[i] * 2] = n === 1 ? cx : cx + rx * Math.cos(a);
        this.pos[ids[i] * 2 + 1] = n === 1 ? cy : cy + ry * Math.sin(a);
      }
      if (!this._overlaps(cardW + 8, cardH + 6) || cardW <= 72) break;
      cardW *= 0.93;
    }

    this.groups = [];
    if (regioned) {
      const step = (2 * Math.PI) / n;
      let i = 0;
      while (i < n) {
        const region = regionOf.get(ids[i]);
        let j = i;
        while (j + 1 < n && regionOf.get(ids[j + 1]) === region) j++;
        const a0 = -Math.PI / 2 + (i - 0.5) * step;
        const a1 = -Math.PI / 2 + (j + 0.5) * step;
        this.groups.push({ region, color: region ? regionColorIndex(region) : -1, a0, a1, whole: i === 0 && j === n - 1 });
        i = j + 1;
      }
    }
    this.cx = cx;
    this.cy = cy;
    this.areaBottom = H - clientStrip;

    // Clients along the bottom, grouped by region when they have one.
    const list = snap.clients
      ? snap.clients.map((c) => ({ id: c.id, region: c.region || '' }))
      : Array.from({ length: this.workloadClients + 1 }, (_, id) => ({ id, region: '' }));
    const k = list.length;
    let maxId = 0;
    for (const c of list) maxId = Math.max(maxId, c.id);
    this.clientCount = maxId + 1;
    this.clientY = H - clientStrip / 2;
    const left = compact ? 16 : 70;
    const cRegions = [];
    for (const c of list) if (c.region && !cRegions.includes(c.region)) cRegions.push(c.region);
    cRegions.sort((a, b) => (order.indexOf(a) < 0 ? 99 : order.indexOf(a)) - (order.indexOf(b) < 0 ? 99 : order.indexOf(b)));
    const rank = (c) => (c.region ? cRegions.indexOf(c.region) : cRegions.length);
    list.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
    const gap = cRegions.length ? 8 : 0;
    const labelW = (r) => (compact || !r ? 0 : r.length * 5.4 + 10);
    let fixed = 0;
    for (let i = 0; i < list.length; i++) {
      if (i === 0 || list[i].region !== list[i - 1].region) fixed += labelW(list[i].region) + (i ? gap : 0);
    }
    const span = W - left - 16 - fixed;
    this.pillW = Math.max(14, Math.min(44, span / k - 6));
    this.clientPos = new Float32Array(this.clientCount).fill(-1000);
    this.clientIds = list.map((c) => c.id);
    this.clientGroups = [];
    let x = left;
    for (let i = 0; i < k; i++) {
      const reg = list[i].region;
      const starts = i === 0 || reg !== list[i - 1].region;
      if (starts) {
        if (i > 0) x += gap;
        if (reg) this.clientGroups.push({ region: reg, color: regionColorIndex(reg), x0: x, x1: x, label: labelW(reg) > 0 });
        x += labelW(reg);
      }
      const cxp = x + span / k / 2;
      this.clientPos[list[i].id] = cxp;
      const g = this.clientGroups[this.clientGroups.length - 1];
      if (reg && g) g.x1 = cxp + this.pillW / 2 + 4;
      x += span / k;
    }

    // Dot paths between node borders, one lane per direction.
    const hw = this.cardW / 2;
    const hh = this.cardH / 2;
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        const ax = this.pos[a * 2], ay = this.pos[a * 2 + 1];
        const bx = this.pos[b * 2], by = this.pos[b * 2 + 1];
        this._segment(this.seg, (a * MAX_IDS + b) * 4, ax, ay, hw, hh, bx, by, hw, hh);
      }
    }
    this.clientSeg = new Float32Array(this.clientCount * MAX_IDS * 2 * 4);
    const ph = 11;
    const pw = this.pillW / 2;
    for (let c = 0; c < this.clientCount; c++) {
      const x = this.clientPos[c];
      for (const id of ids) {
        const nx = this.pos[id * 2], ny = this.pos[id * 2 + 1];
        this._segment(this.clientSeg, ((c * MAX_IDS + id) * 2) * 4, x, this.clientY, pw, ph, nx, ny, hw, hh);
        this._segment(this.clientSeg, ((c * MAX_IDS + id) * 2 + 1) * 4, nx, ny, hw, hh, x, this.clientY, pw, ph);
      }
    }
  }

  /** Chooses the log strip grid (1 or 2 rows) and the card height for a card width. */
  _fitCells(cardW) {
    const stripW = cardW - 16;
    let perRow = LOG_CELLS;
    let rows = 1;
    if (cardW < 120) {
      // A small card (a phone with many nodes) shows only the newest 8 entries.
      perRow = LOG_CELLS / 2;
    } else if (stripW / LOG_CELLS < 15) {
      perRow = LOG_CELLS / 2;
      rows = 2;
    }
    this.cardW = cardW;
    this.rows = rows;
    this.perRow = perRow;
    this.cells = rows * perRow;
    this.cellW = (stripW - (perRow - 1) * CELL_GAP) / perRow;
    this.headH = cardW < 120 ? 25 : 28;
    this.cardH = this.headH + 2 + rows * CELL_H + (rows - 1) * CELL_GAP + 24 + (this.loadRow ? 13 : 0);
  }

  _overlaps(w, h) {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const dx = Math.abs(this.pos[ids[i] * 2] - this.pos[ids[j] * 2]);
        const dy = Math.abs(this.pos[ids[i] * 2 + 1] - this.pos[ids[j] * 2 + 1]);
        if (dx < w && dy < h) return true;
      }
    }
    return false;
  }

  /** The path from box A's border to box B's border, shifted sideways onto its lane. */
  _segment(out, o, ax, ay, ahw, ahh, bx, by, bhw, bhh) {
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy) || 1;
    const ta = Math.min(dx ? ahw / Math.abs(dx) : Infinity, dy ? ahh / Math.abs(dy) : Infinity);
    const tb = Math.min(dx ? bhw / Math.abs(dx) : Infinity, dy ? bhh / Math.abs(dy) : Infinity);
    const nx = (-dy / len) * LANE;
    const ny = (dx / len) * LANE;
    const t0 = Math.min(ta, 0.45);
    const t1 = Math.max(1 - tb, 0.55);
    out[o] = ax + dx * t0 + nx;
    out[o + 1] = ay + dy * t0 + ny;
    out[o + 2] = ax + dx * t1 + nx;
    out[o + 3] = ay + dy * t1 + ny;
  }

  // ----- drawing -------------------------------------------------------------------------

  draw(snap) {
    if (!snap || !this.w) return;
    this.lastSnap = snap;
    this._ensureLayout(snap);
    const ctx = this.ctx;
    const t = this.theme;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = t.bg;
    ctx.fillRect(0, 0, this.w, this.h);

    const nodes = snap.nodes;
    let hi = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i].lastLsn > hi) hi = nodes[i].lastLsn;
    this.hi = hi;
    this.lo = Math.max(1, hi - this.cells + 1);

    if (this.groups.length) this._drawRegions();
    this._drawLinks(snap);
    this._drawClients(snap);
    this._drawCards(snap);
    this._drawPrimaryNotes(snap);
    this._drawMessages(snap);
  }

  _drawLinks(snap) {
    const ctx = this.ctx;
    const t = this.theme;
    const ids = this.ids;
    const p = this.pos;
    const primary = this.primaryId;
    // Faint mesh between every pair.
    ctx.lineWidth = 1;
    ctx.strokeStyle = t.linkFaint;
    ctx.beginPath();
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        if (ids[i] === primary || ids[j] === primary) continue;
        ctx.moveTo(p[ids[i] * 2], p[ids[i] * 2 + 1]);
        ctx.lineTo(p[ids[j] * 2], p[ids[j] * 2 + 1]);
      }
    }
    ctx.stroke();
    const sel = this.selectedLink;
    const hov = this.hover?.type === 'link' ? this.hover : null;
    const hasPrimary = primary != null && this.present[primary];
    if (hasPrimary) {
      // Replication links from the primary (dashed while it is down).
      const px = p[primary * 2], py = p[primary * 2 + 1];
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = t.link;
      if (snap.primary !== primary) ctx.setLineDash([6, 5]);
      ctx.beginPath();
      for (const id of ids) {
        if (id === primary) continue;
        ctx.moveTo(px, py);
        ctx.lineTo(p[id * 2], p[id * 2 + 1]);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    this._drawCuts(snap);
    if (hov) this._highlightLink(hov.a, hov.b, t.accentHalf, 4);
    if (sel) this._highlightLink(sel[0], sel[1], t.accent, 3);
    if (!hasPrimary) return;
    const px = p[primary * 2], py = p[primary * 2 + 1];
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    // With many nodes only the unusual (slow or lossy) links keep a label.
    const crowded = ids.length > 5;
    for (const id of ids) {
      if (id === primary) continue;
      if (crowded && !this.linkLabels.get(primary * MAX_IDS + id)?.slow && !(sel && sel[1] === id && sel[0] === primary)) continue;
      this._linkLabel(primary, id, px, py, p[id * 2], p[id * 2 + 1]);
    }
    // A selected link between two replicas gets its label too.
    if (sel && sel[0] !== primary && sel[1] !== primary && this.present[sel[0]] && this.present[sel[1]]) {
      const a = sel[0], b = sel[1];
      this._linkLabel(a, b, p[a * 2], p[a * 2 + 1], p[b * 2], p[b * 2 + 1]);
    }
  }

  /** Cut link directions (partitions, isolation): a red dashed line with a gap and a cross. */
  _drawCuts(snap) {
    const cuts = snap.cuts;
    if (!cuts || !cuts.length) return;
    const ctx = this.ctx;
    const t = this.theme;
    const p = this.pos;
    ctx.strokeStyle = t.cut;
    ctx.lineWidth = 2;
    for (let i = 0; i < cuts.length; i++) {
      const a = cuts[i][0], b = cuts[i][1];
      if (!this.present[a] || !this.present[b]) continue;
      // Draw each pair once; a one-way cut gets an arrow head towards the deaf side.
      const both = cuts.some((c) => c[0] === b && c[1] === a);
      if (both && a > b) continue;
      const ax = p[a * 2], ay = p[a * 2 + 1], bx = p[b * 2], by = p[b * 2 + 1];
      const mx = (ax + bx) / 2, my = (ay + by) / 2;
      const dx = bx - ax, dy = by - ay;
      const len = Math.hypot(dx, dy) || 1;
      const ux = dx / len, uy = dy / len;
      ctx.setLineDash([6, 5]);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(mx - ux * 9, my - uy * 9);
      ctx.moveTo(mx + ux * 9, my + uy * 9);
      ctx.lineTo(bx, by);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(mx - 5, my - 5);
      ctx.lineTo(mx + 5, my + 5);
      ctx.moveTo(mx + 5, my - 5);
      ctx.lineTo(mx - 5, my + 5);
      if (!both) {
        ctx.moveTo(mx + ux * 14 - uy * 5, my + uy * 14 + ux * 5);
        ctx.lineTo(mx + ux * 20, my + uy * 20);
        ctx.lineTo(mx + ux * 14 + uy * 5, my + uy * 14 - ux * 5);
      }
      ctx.stroke();
    }
  }

  _highlightLink(a, b, color, width) {
    if (!this.present[a] || !this.present[b]) return;
    const ctx = this.ctx;
    const p = this.pos;
    ctx.lineWidth = width;
    ctx.strokeStyle = color;
    ctx.beginPath();
    ctx.moveTo(p[a * 2], p[a * 2 + 1]);
    ctx.lineTo(p[b * 2], p[b * 2 + 1]);
    ctx.stroke();
  }

  _linkLabel(a, b, ax, ay, bx, by) {
    const info = this.linkLabels.get(a * MAX_IDS + b);
    if (!info) return;
    const ctx = this.ctx;
    const t = this.theme;
    // Place it at 40% from the primary so it does not sit under the ring's centre pile-up.
    const x = ax + (bx - ax) * 0.42;
    const y = ay + (by - ay) * 0.42;
    const w = ctx.measureText(info.text).width + 10;
    ctx.fillStyle = t.bg;
    ctx.beginPath();
    rrect(ctx, x - w / 2, y - 8, w, 16, 8);
    ctx.fill();
    ctx.fillStyle = info.slow ? t.warn : t.muted;
    ctx.fillText(info.text, x, y + 0.5);
  }

  _drawClients(snap) {
    const ctx = this.ctx;
    const t = this.theme;
    const y = this.clientY;
    ctx.strokeStyle = t.stripLine;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(8, y - 20.5);
    ctx.lineTo(this.w - 8, y - 20.5);
    ctx.stroke();
    if (this.w >= 560) {
      ctx.font = `600 10px ${FONT}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = t.muted;
      ctx.fillText('CLIENTS', 14, y);
    }
    const pw = this.pillW;
    for (const g of this.clientGroups) {
      const rc = t.regions[g.color];
      ctx.fillStyle = rc.pill;
      ctx.beginPath();
      rrect(ctx, g.x0 - 4, y - 15, g.x1 - g.x0 + 4, 30, 9);
      ctx.fill();
      if (g.label) {
        ctx.font = `600 9px ${FONT}`;
        ctx.fillStyle = rc.text;
        ctx.textAlign = 'left';
        ctx.fillText(g.region, g.x0 + 1, y + 0.5);
      }
    }
    ctx.font = `600 11px ${FONT}`;
    ctx.textAlign = 'center';
    for (let i = 0; i < this.clientIds.length; i++) {
      const c = this.clientIds[i];
      const x = this.clientPos[c];
      const you = c >= this.workloadClients;
      ctx.beginPath();
      rrect(ctx, x - pw / 2, y - 11, pw, 22, 11);
      ctx.fillStyle = you ? t.accentFaint : t.card;
      ctx.fill();
      ctx.lineWidth = you ? 1.5 : 1;
      ctx.strokeStyle = you ? t.accent : t.cardBorder;
      ctx.stroke();
      if (pw >= 22 || you) {
        ctx.fillStyle = you ? t.accent : t.text;
        ctx.fillText(this.clientName(c), x, y + 0.5);
      }
    }
  }

  _drawCards(snap) {
    const ctx = this.ctx;
    const t = this.theme;
    const nodes = snap.nodes;
    const cw = this.cardW, ch = this.cardH;
    const hoverId = this.hover && (this.hover.type === 'node' || this.hover.type === 'cell') ? this.hover.node : null;

    // Pass 1: card bodies.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = this.pos[n.id * 2] - cw / 2, y = this.pos[n.id * 2 + 1] - ch / 2;
      const crashed = n.status === 'crashed';
      const paused = n.status === 'paused';
      const primary = n.role === 'primary';
      ctx.globalAlpha = 1;
      ctx.beginPath();
      rrect(ctx, x, y, cw, ch, 10);
      ctx.fillStyle = crashed ? t.cardDown : t.card;
      ctx.fill();
      if (paused) {
        // Frozen: a cold tint over the card.
        ctx.fillStyle = t.frozenTint;
        ctx.fill();
      }
      ctx.globalAlpha = crashed ? 0.6 : 1;
      const selected = n.id === this.selectedNode;
      ctx.lineWidth = selected ? 2.5 : primary || paused ? 1.5 : 1;
      ctx.strokeStyle = selected ? t.accent : n.id === hoverId ? t.accentHover : paused ? t.frozen : primary ? t.goldBorder : t.cardBorder;
      if ((crashed || paused) && !selected) ctx.setLineDash(paused ? [2, 3] : [5, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      if (primary && !crashed) {
        // With two primaries (split brain) the older term's crown is faded.
        ctx.globalAlpha = snap.primary === n.id ? 1 : 0.4;
        this._crown(x + cw / 2, y - 1);
        ctx.globalAlpha = 1;
      }
      if (n.electionDeadline != null && n.status === 'up' && !primary) this._countdown(n, snap, x + cw - 14, y + ch - 13);
    }
    ctx.globalAlpha = 1;

    // Pass 2: log cells.
    const lo = this.lo, hi = this.hi;
    const cellW = this.cellW;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      ctx.globalAlpha = n.status !== 'up' ? 0.5 : 1;
      const x0 = this.pos[n.id * 2] - cw / 2 + 8, y0 = this.pos[n.id * 2 + 1] - ch / 2 + this.headH;
      const tail = n.tail;
      const first = tail.length ? tail[0].lsn : 1;
      const pos = n.positions;
      const d = n.discarded;
      const discarded = d && d.length ? [d[0].lsn, d[d.length - 1].lsn] : null;
      let lostHere = null;
      if (discarded && snap.lostWrites.length) {
        for (const l of snap.lostWrites) {
          if (l.node === n.id) (lostHere ??= new Set()).add(l.lsn);
        }
      }
      for (let c = 0; c < this.cells; c++) {
        const lsn = lo + c;
        const col = c % this.perRow, row = (c / this.perRow) | 0;
        const cx = x0 + col * (cellW + CELL_GAP), cy = y0 + row * (CELL_H + CELL_GAP);
        if (lsn > hi) {
          ctx.strokeStyle = t.cellFuture;
          ctx.lineWidth = 1;
          ctx.strokeRect(cx + 0.5, cy + 0.5, cellW - 1, CELL_H - 1);
        } else if (lsn > n.lastLsn || lsn < first) {
          ctx.strokeStyle = t.cellMissing;
          ctx.lineWidth = 1;
          ctx.setLineDash([2, 2]);
          ctx.strokeRect(cx + 0.5, cy + 0.5, cellW - 1, CELL_H - 1);
          ctx.setLineDash([]);
        } else {
          ctx.fillStyle = lsn <= pos.applied ? t.cellApplied : lsn <= pos.flushed ? t.cellFlushed : t.cellReceived;
          ctx.beginPath();
          rrect(ctx, cx, cy, cellW, CELL_H, 3);
          ctx.fill();
          const kind = tail[lsn - first]?.kind;
          if (kind === 'noop' || kind === 'config') {
            // A new primary's no-op, or a membership change: a bar along the bottom.
            ctx.fillStyle = kind === 'config' ? t.accent : t.gold;
            ctx.fillRect(cx + 1, cy + CELL_H - 3, cellW - 2, 2);
          }
        }
        if (discarded && lsn >= discarded[0] && lsn <= discarded[1]) {
          // This position once held an entry the node rolled back (pg_rewind / rollback);
          // a cross marks an acknowledged write that was lost with it.
          ctx.strokeStyle = t.lost;
          ctx.lineWidth = 1.5;
          ctx.strokeRect(cx + 0.75, cy + 0.75, cellW - 1.5, CELL_H - 1.5);
          if (lostHere && lostHere.has(lsn)) {
            ctx.beginPath();
            ctx.moveTo(cx + 2, cy + 2);
            ctx.lineTo(cx + cellW - 2, cy + CELL_H - 2);
            ctx.stroke();
          }
        }
      }
    }
    ctx.globalAlpha = 1;

    // Pass 3: LSN labels in the cells (when they fit).
    const digits = String(hi).length;
    const size = Math.min(10, (cellW - 2) / (digits * 0.62));
    if (size >= 7) {
      ctx.font = `${size.toFixed(1)}px ${MONO}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i];
        const x0 = this.pos[n.id * 2] - cw / 2 + 8, y0 = this.pos[n.id * 2 + 1] - ch / 2 + this.headH;
        const pos = n.positions;
        for (let c = 0; c < this.cells && lo + c <= hi; c++) {
          const lsn = lo + c;
          const col = c % this.perRow, row = (c / this.perRow) | 0;
          const have = lsn <= n.lastLsn;
          ctx.fillStyle = !have ? t.muted : lsn <= pos.applied ? '#ffffff' : t.text;
          ctx.globalAlpha = n.status !== 'up' ? 0.5 : have ? 1 : 0.7;
          ctx.fillText(String(lsn), x0 + col * (cellW + CELL_GAP) + cellW / 2, y0 + row * (CELL_H + CELL_GAP) + CELL_H / 2 + 0.5);
        }
      }
      ctx.globalAlpha = 1;
    }

    // Pass 4: names.
    ctx.font = `600 13px ${FONT}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (!this.nameW.has(n.name)) this.nameW.set(n.name, ctx.measureText(n.name).width);
      ctx.fillStyle = n.status === 'up' ? t.text : t.muted;
      ctx.fillText(n.name, this.pos[n.id * 2] - cw / 2 + 10, this.pos[n.id * 2 + 1] - ch / 2 + 15);
    }

    // Pass 5: small text: region, role badge, lag / primary line.
    ctx.font = `600 10px ${FONT}`;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = this.pos[n.id * 2] - cw / 2, y = this.pos[n.id * 2 + 1] - ch / 2;
      const crashed = n.status === 'crashed';
      const paused = n.status === 'paused';
      const primary = n.role === 'primary';
      const candidate = n.role === 'candidate';
      const small = cw < 120;
      // Membership first: a learner, a joining or leaving node, one that lost its disk.
      const member = n.amnesiac ? 'SYNCING' : n.membership === 'voter' ? '' : n.membership.toUpperCase();
      let label = crashed ? (small ? 'DOWN' : 'CRASHED') : paused ? 'PAUSED'
        : member && !primary ? member : small ? '' : primary ? 'PRIMARY' : candidate ? 'CANDIDATE' : 'REPLICA';
      if (!label) continue;
      if (!small && !crashed && !member) label += ` T${n.term}`;
      const color = crashed ? t.bad : paused ? t.frozen : primary ? t.gold : candidate || member ? t.accent : t.muted;
      const bw = this._textWidth(label) + 12;
      ctx.globalAlpha = 1;
      ctx.beginPath();
      rrect(ctx, x + cw - bw - 8, y + 7, bw, 16, 8);
      ctx.fillStyle = t.badgeBg[color];
      ctx.fill();
      ctx.fillStyle = color;
      ctx.textAlign = 'center';
      ctx.fillText(label, x + cw - bw / 2 - 8, y + 15.5);
    }
    ctx.font = `11px ${FONT}`;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = this.pos[n.id * 2] - cw / 2, y = this.pos[n.id * 2 + 1] - ch / 2;
      const by = y + ch - 12;
      ctx.textAlign = 'left';
      let text;
      if (n.status === 'paused') {
        ctx.fillStyle = t.frozen;
        text = cw >= 170 ? `paused · still believes it is ${n.role}` : 'paused';
      } else if (n.status !== 'up') {
        ctx.fillStyle = t.bad;
        text = cw >= 170 ? `down · durable up to lsn ${n.positions.flushed}` : `down · lsn ${n.positions.flushed}`;
      } else if (n.role === 'primary') {
        ctx.fillStyle = t.muted;
        text = cw >= 170 ? `lsn ${n.lastLsn} · ${n.keys} keys · term ${n.term}` : `lsn ${n.lastLsn} · ${n.keys} keys`;
      } else {
        ctx.fillStyle = t.lagColors[lagLevel(n.lagEntries, n.lagMicros)];
        text = lagText(n.lagEntries, n.lagMicros, cw < 170);
      }
      ctx.fillText(text, x + 10, by, cw - 20);
      if (this.loadRow && n.queue !== undefined) {
        const ly = by - 14;
        const barW = Math.max(24, Math.min(56, cw * 0.28));
        const limit = this.queueLimit || 100;
        const frac = Math.min(1, n.queue / limit);
        const busy = n.inService > 0;
        ctx.fillStyle = t.loadTrack;
        ctx.fillRect(x + 10, ly - 2.5, barW, 5);
        ctx.fillStyle = frac >= 0.75 ? t.bad : frac >= 0.2 ? t.warn : t.good;
        ctx.fillRect(x + 10, ly - 2.5, Math.max(busy ? 2 : 0, barW * frac), 5);
        ctx.fillStyle = n.queue > 0 ? ctx.fillStyle : t.muted;
        const ops = n.opsPerSec ?? 0;
        const opsText = ops >= 1000 ? `${(ops / 1000).toFixed(1)}k` : String(Math.round(ops));
        ctx.fillText(cw >= 150 ? `queue ${n.queue} · ${opsText} ops/s` : `q${n.queue} · ${opsText}/s`, x + 16 + barW, ly, cw - barW - 26);
      }
      if (n.region && cw >= 150) {
        // The region sits in the header, after the name.
        const nameW = 10 + (this.nameW.get(n.name) ?? 0);
        const room = cw - nameW - 84;
        if (room > 30) {
          ctx.fillStyle = t.muted;
          ctx.fillText(n.region, x + nameW + 5, y + 15.5, room);
        }
      }
    }
  }

  _drawRegions() {
    const ctx = this.ctx;
    const t = this.theme;
    const W = this.w, bottom = this.clientY - 20.5;
    const cx = this.cx, cy = this.cy;
    // Directions follow the ellipse the cards sit on, so a boundary passes between two cards.
    const rx = Math.max(W / 2, 1), ry = Math.max(bottom / 2, 1);
    const far = 4;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, W, bottom);
    ctx.clip();
    for (const g of this.groups) {
      if (g.color < 0) continue;
      const rc = t.regions[g.color];
      ctx.fillStyle = rc.fill;
      ctx.beginPath();
      if (g.whole) {
        ctx.rect(0, 0, W, bottom);
      } else {
        ctx.moveTo(cx, cy);
        const steps = Math.max(2, Math.ceil((g.a1 - g.a0) / 0.2));
        for (let i = 0; i <= steps; i++) {
          const a = g.a0 + ((g.a1 - g.a0) * i) / steps;
          ctx.lineTo(cx + far * rx * Math.cos(a), cy + far * ry * Math.sin(a));
        }
        ctx.closePath();
      }
      ctx.fill();
    }
    // Borders between sectors.
    if (this.groups.length > 1) {
      ctx.setLineDash([3, 5]);
      ctx.lineWidth = 1;
      ctx.strokeStyle = t.stripLine;
      ctx.beginPath();
      for (const g of this.groups) {
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + far * rx * Math.cos(g.a0), cy + far * ry * Math.sin(g.a0));
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
    // Names, where each sector meets the edge of the stage (placed once per layout).
    ctx.font = `700 10px ${FONT}`;
    ctx.textBaseline = 'middle';
    if (this._labelsKey !== this.layoutKey) {
      this._labelsKey = this.layoutKey;
      this._placeRegionLabels(rx, ry, bottom);
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
   * taking the first whose text clears every card and the notes beside the primary.
   */
  _placeRegionLabels(rx, ry, bottom) {
    const ctx = this.ctx;
    const W = this.w, cx = this.cx, cy = this.cy;
    const cw = this.cardW, ch = this.cardH;
    const boxes = [];
    for (const id of this.ids) {
      boxes.push([this.pos[id * 2] - cw / 2 - 4, this.pos[id * 2 + 1] - ch / 2 - 14, this.pos[id * 2] + cw / 2 + 4, this.pos[id * 2 + 1] + ch / 2 + 4]);
    }
    if (this.primaryId != null && this.present[this.primaryId]) {
      const px = this.pos[this.primaryId * 2], top = this.pos[this.primaryId * 2 + 1] - ch / 2;
      boxes.push([px - cw / 2 - 190, top, px - cw / 2, top + 40]); // ack policy badges
      boxes.push([px + cw / 2, top, px + cw / 2 + 190, top + 90]); // pending writes
    }
    const clear = (x0, y0, x1, y1) => boxes.every((b) => x1 < b[0] || x0 > b[2] || y1 < b[1] || y0 > b[3]);
    const x0 = 12, x1 = W - 12, y0 = 26, y1 = bottom - 10;
    this.regionLabels = [];
    for (const g of this.groups) {
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

  /** Beside the primary: its ack policy and semi-sync state (left), writes waiting for acks (right). */
  _drawPrimaryNotes(snap) {
    const id = this.primaryId;
    if (id == null || !this.present[id]) return;
    const node = snap.nodes.find((n) => n.id === id);
    if (!node || node.status !== 'up') return;
    const ctx = this.ctx;
    const t = this.theme;
    const cw = this.cardW, ch = this.cardH;
    const px = this.pos[id * 2], top = this.pos[id * 2 + 1] - ch / 2;
    ctx.textBaseline = 'middle';
    // Left: the policy.
    const label = snap.config?.ackLabel;
    const leftRoom = px - cw / 2 - 16;
    if (label && leftRoom >= 60) {
      ctx.font = `600 10px ${FONT}`;
      ctx.textAlign = 'right';
      const xr = px - cw / 2 - 10;
      const off = node.semiSyncOff;
      const lines = off ? [['ACK ' + label.toUpperCase(), t.muted], ['SEMI-SYNC OFF: ASYNC', t.warn]] : [['ACK ' + label.toUpperCase(), label === 'async' ? t.muted : t.accent]];
      for (let i = 0; i < lines.length; i++) {
        const [text, color] = lines[i];
        // Level with the card's middle, clear of the region names along the stage's top.
        const y = top + ch / 2 - (lines.length - 1) * 9.5 + i * 19;
        const w = Math.min(this._textWidth(text) + 14, leftRoom);
        ctx.fillStyle = color === t.warn ? t.pendingBg : t.badgeBg[t.muted];
        ctx.beginPath();
        rrect(ctx, xr - w, y - 8, w, 16, 8);
        ctx.fill();
        if (color === t.warn) {
          ctx.strokeStyle = t.pendingEdge;
          ctx.lineWidth = 1;
          ctx.stroke();
        }
        ctx.fillStyle = color;
        ctx.fillText(text, xr - 7, y + 0.5, w - 14);
      }
    }
    // Right: pending writes, oldest first, with their running latency.
    const pending = [];
    const ops = snap.ops;
    for (let i = 0; i < ops.length; i++) if (ops[i].kind === 'write' && ops[i].outcome === 'pending' && ops[i].node === id) pending.push(ops[i]);
    const waiting = node.waitingWrites ?? 0;
    if (!pending.length && !waiting) return;
    const x = px + cw / 2 + 10;
    const room = Math.min(176, this.w - x - 8);
    if (room < 56) return;
    ctx.textAlign = 'left';
    ctx.font = `700 10px ${FONT}`;
    ctx.fillStyle = t.warn;
    const head = waiting ? `… ${waiting} waiting for acks` : `… ${pending.length} pending`;
    ctx.fillText(room < 110 ? `… ${waiting || pending.length} waiting` : head, x, top + 8);
    ctx.font = `11px ${MONO}`;
    const shown = Math.min(pending.length, 3);
    for (let i = 0; i < shown; i++) {
      const op = pending[i];
      const y = top + 26 + i * 19;
      ctx.fillStyle = t.pendingBg;
      ctx.beginPath();
      rrect(ctx, x, y - 8, room, 16, 5);
      ctx.fill();
      ctx.strokeStyle = t.pendingEdge;
      ctx.lineWidth = 1;
      ctx.stroke();
      const ms = Math.max(0, snap.now - op.invokedAt) / 1000;
      const took = ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
      ctx.fillStyle = t.text;
      ctx.textAlign = 'left';
      const what = room >= 130 ? `${op.key}=${op.value ?? ''}` : op.key;
      ctx.fillText(what, x + 5, y + 0.5, room - 62);
      ctx.textAlign = 'right';
      ctx.fillStyle = t.warn;
      ctx.fillText(`${took} ms`, x + room - 5, y + 0.5);
    }
    if (pending.length > shown) {
      ctx.font = `10px ${FONT}`;
      ctx.textAlign = 'left';
      ctx.fillStyle = t.muted;
      ctx.fillText(`+${pending.length - shown} more`, x + 2, top + 26 + shown * 19);
    }
  }

  /** A ring that empties as a replica's election timeout runs out (refilled by heartbeats). */
  _countdown(n, snap, x, y) {
    const total = n.electionDeadline - n.lastHeardPrimary;
    if (!(total > 0)) return;
    const left = Math.max(0, Math.min(1, (n.electionDeadline - snap.now) / total));
    const ctx = this.ctx;
    const t = this.theme;
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = t.linkFaint;
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, Math.PI * 2);
    ctx.stroke();
    ctx.strokeStyle = left > 0.5 ? t.good : left > 0.2 ? t.warn : t.bad;
    ctx.beginPath();
    ctx.arc(x, y, 6, -Math.PI / 2, -Math.PI / 2 + left * Math.PI * 2);
    ctx.stroke();
  }

  _crown(x, y) {
    const ctx = this.ctx;
    ctx.fillStyle = this.theme.gold;
    ctx.beginPath();
    ctx.moveTo(x - 10, y + 1);
    ctx.lineTo(x - 11, y - 9);
    ctx.lineTo(x - 5, y - 4);
    ctx.lineTo(x, y - 12);
    ctx.lineTo(x + 5, y - 4);
    ctx.lineTo(x + 11, y - 9);
    ctx.lineTo(x + 10, y + 1);
    ctx.closePath();
    ctx.fill();
  }

  _drawMessages(snap) {
    const ctx = this.ctx;
    const t = this.theme;
    const msgs = snap.messages;
    const now = snap.now;
    if (this.msgX.length < msgs.length) {
      const cap = Math.max(msgs.length, this.msgX.length * 2);
      this.msgX = new Float32Array(cap);
      this.msgY = new Float32Array(cap);
      this.msgIdx = new Int32Array(cap);
    }
    const labelCounts = msgs.length <= 250;
    const hoverId = this.hover?.type === 'message' ? this.hover.message.id : -1;
    let drawn = 0;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.font = `700 9px ${FONT}`;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      const span = m.deliverAt - m.sentAt;
      let p = span > 0 ? (now - m.sentAt) / span : 1;
      if (p < 0) p = 0;
      else if (p > 1) p = 1;
      let alpha = 1;
      const lost = m.fate !== 'deliver';
      if (lost) {
        if (p >= 0.5) continue;
        alpha = 1 - p / 0.5;
      }
      const seg = this._path(m);
      if (seg < 0) continue;
      const s = seg < 1e9 ? this.seg : this.clientSeg;
      const o = seg < 1e9 ? seg : seg - 1e9;
      const x = s[o] + (s[o + 2] - s[o]) * p;
      const y = s[o + 1] + (s[o + 3] - s[o + 1]) * p;
      const kind = m.kind;
      let r, color;
      switch (kind) {
        case 'append': r = 6.5; color = t.msg.append; break;
        case 'heartbeat': r = 3; color = t.msg.heartbeat; break;
        case 'ack': r = 3.5; color = t.msg.ack; break;
        case 'nack': r = 4.5; color = t.msg.nack; break;
        case 'write': r = 5; color = t.msg.write; break;
        case 'read': r = 5; color = t.msg.read; break;
        case 'voteRequest': r = 6; color = t.msg.voteRequest; break;
        case 'vote': r = 4.5; color = t.msg.vote; break;
        case 'timeoutNow': r = 6; color = t.msg.timeoutNow; break;
        default: // reply: the colour of the request it answers
          r = 4.5;
          color = m.label.charCodeAt(0) === 61 /* '=' */ ? t.msg.read : t.msg.replyWrite;
      }
      if (lost) color = t.lost;
      ctx.globalAlpha = alpha;
      ctx.fillStyle = color;
      ctx.beginPath();
      if (kind === 'voteRequest' || kind === 'timeoutNow') {
        // A diamond: "vote for me?" (or "take over now").
        ctx.moveTo(x, y - r);
        ctx.lineTo(x + r, y);
        ctx.lineTo(x, y + r);
        ctx.lineTo(x - r, y);
        ctx.closePath();
      } else {
        ctx.arc(x, y, r, 0, Math.PI * 2);
      }
      ctx.fill();
      if (kind === 'reply') {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = t.bg;
        ctx.beginPath();
        ctx.arc(x, y, r - 2, 0, Math.PI * 2);
        ctx.stroke();
      }
      if (m.id === hoverId) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = t.text;
        ctx.beginPath();
        ctx.arc(x, y, r + 3, 0, Math.PI * 2);
        ctx.stroke();
      }
      if (kind === 'append' && labelCounts && !lost) {
        const count = appendCount(m.label);
        if (count > 1) {
          ctx.fillStyle = '#ffffff';
          ctx.fillText(count > 99 ? '99' : String(count), x, y + 0.5);
        }
      }
      this.msgX[drawn] = x;
      this.msgY[drawn] = y;
      this.msgIdx[drawn] = i;
      drawn++;
    }
    ctx.globalAlpha = 1;
    this.msgDrawn = drawn;
  }

  /** Offset of a message's path in `seg` (node↔node) or 1e9 + offset in `clientSeg`; -1 if not drawable. */
  _path(m) {
    const from = m.from, to = m.to;
    const fn = from.node, tn = to.node;
    if (fn !== undefined && tn !== undefined) {
      if (!this.present[fn] || !this.present[tn]) return -1;
      return (fn * MAX_IDS + tn) * 4;
    }
    if (fn === undefined && tn !== undefined) {
      const c = from.client;
      if (c >= this.clientCount || !this.present[tn]) return -1;
      return 1e9 + ((c * MAX_IDS + tn) * 2) * 4;
    }
    if (fn !== undefined) {
      const c = to.client;
      if (c === undefined || c >= this.clientCount || !this.present[fn]) return -1;
      return 1e9 + ((c * MAX_IDS + fn) * 2 + 1) * 4;
    }
    return -1;
  }

  // ----- hit testing ---------------------------------------------------------------------

  /**
   * What is under (x, y) in CSS pixels: {type:'message', index, message} | {type:'cell', node, lsn}
   * | {type:'node', node} | {type:'client', client} | {type:'link', a, b} | null.
   */
  hitTest(x, y) {
    const snap = this.lastSnap;
    if (!snap) return null;
    // Messages first (they are drawn on top), nearest within 7 px.
    let best = -1, bestD = 49;
    for (let i = 0; i < this.msgDrawn; i++) {
      const dx = this.msgX[i] - x, dy = this.msgY[i] - y;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    if (best >= 0) {
      const index = this.msgIdx[best];
      return { type: 'message', index, message: snap.messages[index] };
    }
    const cw = this.cardW, ch = this.cardH;
    for (const id of this.ids) {
      const left = this.pos[id * 2] - cw / 2, top = this.pos[id * 2 + 1] - ch / 2;
      if (x < left || x > left + cw || y < top || y > top + ch) continue;
      const cx = x - left - 8, cy = y - top - this.headH;
      const col = Math.floor(cx / (this.cellW + CELL_GAP));
      const row = Math.floor(cy / (CELL_H + CELL_GAP));
      if (cx >= 0 && cy >= 0 && col < this.perRow && row < this.rows) {
        const lsn = this.lo + row * this.perRow + col;
        if (lsn <= this.hi) return { type: 'cell', node: id, lsn };
      }
      return { type: 'node', node: id };
    }
    if (Math.abs(y - this.clientY) <= 12) {
      for (let c = 0; c < this.clientCount; c++) {
        if (Math.abs(x - this.clientPos[c]) <= this.pillW / 2) return { type: 'client', client: c };
      }
    }
    // Links: distance to the segment between two centres, within 6 px.
    let link = null, linkD = 36;
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const d = distToSegment2(x, y, this.pos[ids[i] * 2], this.pos[ids[i] * 2 + 1], this.pos[ids[j] * 2], this.pos[ids[j] * 2 + 1]);
        if (d < linkD) {
          linkD = d;
          link = ids[j] === this.primaryId ? [ids[j], ids[i]] : [ids[i], ids[j]];
        }
      }
    }
    if (link) return { type: 'link', a: link[0], b: link[1] };
    return null;
  }

  /** Centre of a node in CSS pixels (for tests and tooltips). */
  nodeCenter(id) {
    if (!this.present[id]) return null;
    return { x: this.pos[id * 2], y: this.pos[id * 2 + 1], w: this.cardW, h: this.cardH };
  }
}

function distToSegment2(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy || 1;
  let tt = ((px - ax) * dx + (py - ay) * dy) / len2;
  tt = tt < 0 ? 0 : tt > 1 ? 1 : tt;
  const ex = ax + dx * tt - px, ey = ay + dy * tt - py;
  return ex * ex + ey * ey;
}
