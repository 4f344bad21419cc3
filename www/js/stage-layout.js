// Where everything sits on the stage: node boxes on a ring (in the order the cards layer
// asks for, each region's nodes together in one sector; in rows instead when the box is
// too short or crowded for a ring to keep cards readable, unless the cards layer is
// `ringOnly`, as a leaderless ring's is), the clients along the bottom
// (grouped by region), and the path a message takes along each link direction, one lane
// per direction, from box border to box border. Recomputed only when the size, the nodes,
// their order, the clients or the cards' shape change; a frame only reads it.

import { regionColorIndex } from './stage-theme.js';

export const MAX_IDS = 32; // node ids are < 9 (MAX_NODES); a ring's bit masks reach 32
const LANE = 3.5; // px between the two directions of a link
/** `path()` adds this to an offset into `clientSeg` (an offset into `seg` is smaller). */
export const CLIENT_PATH = 1e9;

export class StageLayout {
  constructor() {
    this.key = '';
    this.w = 0;
    this.h = 0;
    this.ids = []; // node ids in ring order
    this.present = new Uint8Array(MAX_IDS);
    this.pos = new Float32Array(MAX_IDS * 2); // box centres
    this.seg = new Float32Array(MAX_IDS * MAX_IDS * 4); // node→node paths (x0,y0,x1,y1)
    this.cardW = 180;
    this.cardH = 80;
    this.cx = 0;
    this.cy = 0;
    this.groups = []; // region sectors: { region, color, a0, a1, whole } (angles in radians)
    this.clientCount = 0;
    this.clientIds = []; // client ids in drawing order
    this.clientManual = new Set(); // ids of the page's own clients
    this.clientPos = new Float32Array(0); // x by client id
    this.clientSeg = new Float32Array(0); // ((client*MAX_IDS + node)*2 + dir)*4
    this.clientGroups = []; // client region bands: { region, color, x0, x1, label }
    this.clientY = 0;
    this.pillW = 40;
  }

  /**
   * Lays the stage out for `snap` in a `w`×`h` stage, unless nothing that matters changed.
   * `cards` gives the ring order, a key for the cards' shape, and a card's height for a width.
   */
  update(snap, w, h, cards) {
    const nodes = snap.nodes;
    const order = cards.ringOrder(nodes);
    let key = `${w}x${h}:${cards.prepare(snap)}:${order.join(',')}`;
    for (let i = 0; i < nodes.length; i++) key += `,${nodes[i].region ?? ''}`;
    const clients = snap.clients;
    for (let i = 0; i < clients.length; i++) key += `;${clients[i].id}${clients[i].manual ? 'm' : ''}${clients[i].region ?? ''}`;
    if (key === this.key) return false;
    this.key = key;
    this.w = w;
    this.h = h;
    this._layout(snap, order, cards);
    return true;
  }

  _layout(snap, order, cards) {
    const W = this.w;
    const H = this.h;
    const nodes = snap.nodes;
    // Regions: the first node's region first, then the others in order of appearance; each
    // region's nodes together, so a region is one sector of the ring.
    const ids = [...order];
    const regionOf = new Map(nodes.map((n) => [n.id, n.region || '']));
    const regionOrder = [];
    for (const id of ids) if (!regionOrder.includes(regionOf.get(id))) regionOrder.push(regionOf.get(id));
    const regioned = regionOrder.some((r) => r !== '');
    if (regioned) ids.sort((a, b) => regionOrder.indexOf(regionOf.get(a)) - regionOrder.indexOf(regionOf.get(b)));
    this.ids = ids;
    this.present.fill(0);
    for (const id of ids) this.present[id] = 1;
    const n = ids.length;

    const compact = W < 560;
    const clientStrip = compact ? 40 : 50;
    const top = 10;
    const areaH = H - clientStrip - top;
    const cx = W / 2;
    const cy = top + areaH / 2;

    this._ring(ids, cards, W, areaH, cx, cy, compact);
    // A box too short (or too crowded) for a ring: rows of cards, if they get bigger.
    if (n > 1 && this.cardW < 150 && !cards.ringOnly) {
      const ringW = this.cardW, ringH = this.cardH, ringPos = this.pos.slice();
      if (!this._rows(ids, cards, W, areaH, top) || this.cardW < ringW * 1.15) {
        this.cardW = ringW;
        this.cardH = cards.fit(ringW);
        this.pos.set(ringPos);
      }
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
    this._placeClients(snap.clients, regionOrder, compact, clientStrip);

    // Dot paths between node borders, one lane per direction.
    const hw = this.cardW / 2;
    const hh = this.cardH / 2;
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        const ax = this.pos[a * 2], ay = this.pos[a * 2 + 1];
        const bx = this.pos[b * 2], by = this.pos[b * 2 + 1];
        segment(this.seg, (a * MAX_IDS + b) * 4, ax, ay, hw, hh, bx, by, hw, hh);
      }
    }
    this.clientSeg = new Float32Array(this.clientCount * MAX_IDS * 2 * 4);
    const ph = 11;
    const pw = this.pillW / 2;
    for (let c = 0; c < this.clientCount; c++) {
      const x = this.clientPos[c];
      for (const id of ids) {
        const nx = this.pos[id * 2], ny = this.pos[id * 2 + 1];
        segment(this.clientSeg, ((c * MAX_IDS + id) * 2) * 4, x, this.clientY, pw, ph, nx, ny, hw, hh);
        segment(this.clientSeg, ((c * MAX_IDS + id) * 2 + 1) * 4, nx, ny, hw, hh, x, this.clientY, pw, ph);
      }
    }
  }

  /** Clients along the bottom, grouped by region (in the ring's region order) when they have one. */
  _placeClients(clients, regionOrder, compact, clientStrip) {
    const W = this.w;
    const list = clients.map((c) => ({ id: c.id, region: c.region || '' }));
    const k = list.length;
    let maxId = 0;
    for (const c of list) maxId = Math.max(maxId, c.id);
    this.clientCount = maxId + 1;
    this.clientManual = new Set(clients.filter((c) => c.manual).map((c) => c.id));
    this.clientY = this.h - clientStrip / 2;
    const left = compact ? 16 : 70;
    const rank = (r) => (regionOrder.indexOf(r) < 0 ? 99 : regionOrder.indexOf(r));
    const cRegions = [];
    for (const c of list) if (c.region && !cRegions.includes(c.region)) cRegions.push(c.region);
    cRegions.sort((a, b) => rank(a) - rank(b));
    const place = (c) => (c.region ? cRegions.indexOf(c.region) : cRegions.length);
    list.sort((a, b) => place(a) - place(b) || a.id - b.id);
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
  }

  /** Cards on an ellipse, the first at the top, shrunk until they do not overlap. */
  _ring(ids, cards, W, areaH, cx, cy, compact) {
    const n = ids.length;
    let cardW = Math.min(cards.maxCardW ?? (compact ? 170 : 236), W * (n <= 2 ? 0.5 : n <= 4 ? (compact ? 0.4 : 0.3) : compact ? 0.3 : 0.24));
    for (let attempt = 0; attempt < 30; attempt++) {
      const cardH = cards.fit(cardW);
      this.cardW = cardW;
      this.cardH = cardH;
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
  }

  /**
   * Cards in rows (the first row at the top, in ring order), as many rows as let them be
   * widest; false if no number of rows fits the height.
   */
  _rows(ids, cards, W, areaH, top) {
    const n = ids.length;
    let best = null;
    for (let rows = 1; rows <= n; rows++) {
      const cols = Math.ceil(n / rows);
      const cardW = Math.min(200, (W - 16) / cols - 10);
      if (cardW < 64) continue;
      for (const maxRows of [2, 1]) {
        const cardH = cards.fit(cardW, maxRows);
        if (rows * (cardH + 14) > areaH) continue;
        if (!best || cardW > best.cardW) best = { rows, cols, cardW, maxRows };
        break;
      }
    }
    if (!best) return false;
    const { rows, cols, cardW } = best;
    const cardH = cards.fit(cardW, best.maxRows);
    this.cardW = cardW;
    this.cardH = cardH;
    const rowGap = (areaH - rows * cardH) / rows;
    for (let i = 0; i < n; i++) {
      const r = Math.floor(i / cols), c = i % cols;
      const inRow = Math.min(cols, n - r * cols);
      const colW = (W - 16) / inRow;
      this.pos[ids[i] * 2] = 8 + colW * (c + 0.5);
      this.pos[ids[i] * 2 + 1] = top + rowGap / 2 + 6 + r * (cardH + rowGap) + cardH / 2;
    }
    return true;
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

  /**
   * Offset of the path between two ends (`{node}` or `{client}`) in `seg`, or CLIENT_PATH +
   * offset in `clientSeg`; -1 if it is not on the stage.
   */
  path(from, to) {
    const fn = from.node, tn = to.node;
    if (fn !== undefined && tn !== undefined) {
      if (!this.present[fn] || !this.present[tn]) return -1;
      return (fn * MAX_IDS + tn) * 4;
    }
    if (fn === undefined && tn !== undefined) {
      const c = from.client;
      if (c >= this.clientCount || !this.present[tn]) return -1;
      return CLIENT_PATH + ((c * MAX_IDS + tn) * 2) * 4;
    }
    if (fn !== undefined) {
      const c = to.client;
      if (c === undefined || c >= this.clientCount || !this.present[fn]) return -1;
      return CLIENT_PATH + ((c * MAX_IDS + fn) * 2 + 1) * 4;
    }
    return -1;
  }

  /** The box of a node in CSS pixels (centre, width, height), or null if it is not drawn. */
  nodeBox(id) {
    if (!this.present[id]) return null;
    return { x: this.pos[id * 2], y: this.pos[id * 2 + 1], w: this.cardW, h: this.cardH };
  }

  /** The node whose box holds (x, y), or null. */
  nodeAt(x, y) {
    const cw = this.cardW, ch = this.cardH;
    for (const id of this.ids) {
      const left = this.pos[id * 2] - cw / 2, top = this.pos[id * 2 + 1] - ch / 2;
      if (x >= left && x <= left + cw && y >= top && y <= top + ch) return id;
    }
    return null;
  }
}

/** The path from box A's border to box B's border, shifted sideways onto its lane. */
function segment(out, o, ax, ay, ahw, ahh, bx, by, bhw, bhh) {
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
