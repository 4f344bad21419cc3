// The cards layer for a single-leader cluster: one card per node (name, role badge and
// term, the write-ahead log strip coloured by received / flushed / applied, a lag or load
// line, the election countdown, a crown on the primary) and, beside the primary, its ack
// policy and the writes waiting for acknowledgements. It is also where the single-leader
// shape of the stage is decided: the primary heads the ring, and the links from it are the
// ones that stand out. Cards keep their places on the ring (by node id) when the lead
// changes hands: the crown and the badges move, the cards do not. It answers hit tests
// on cards (which node, which log cell) and describes them (and where clients' reads go)
// for tooltips.

import { lagLevel, lagText } from './format.js';
import { FONT, MONO, rrect } from './stage-theme.js';

const CELL_H = 16;
const CELL_GAP = 2;
const LOG_CELLS = 16;

export class SingleLeaderCards {
  constructor() {
    this.primaryId = null; // the node in the primary role, up or not
    this.loadRow = false; // the service model is on: cards show queue and ops/s
    this.queueLimit = 0;
    // The log strip's grid, chosen by `fit` for the card width.
    this.rows = 1;
    this.perRow = LOG_CELLS;
    this.cells = LOG_CELLS;
    this.cellW = 10;
    this.headH = 28;
    this.lo = 1; // lowest LSN of the log window (this frame)
    this.hi = 0;
    this.nameW = new Map(); // name → width in the name font
    this.badgeW = new Map(); // badge text → width in the badge font
  }

  /**
   * Ring order: by node id, so a card stays where it is when another node takes the lead
   * (node 0, the first primary, heads the ring). Notes which node holds the primary role.
   */
  ringOrder(nodes) {
    const ids = nodes.map((n) => n.id).sort((a, b) => a - b);
    const primary = nodes.find((n) => n.role === 'primary' && n.id === this.primaryId)
      ?? nodes.find((n) => n.role === 'primary');
    this.primaryId = primary ? primary.id : null;
    return ids;
  }

  /** Reads what shapes the cards (the load row); returns a key that changes when their size does. */
  prepare(snap) {
    const service = snap.config.service;
    this.loadRow = !!service;
    this.queueLimit = service ? service.queueLimit ?? 0 : 0;
    return this.loadRow ? 'L' : '';
  }

  /**
   * Chooses the log strip grid (1 or 2 rows; `maxRows` 1 for a short stage) for a card
   * width; returns the card height.
   */
  fit(cardW, maxRows = 2) {
    const stripW = cardW - 16;
    let perRow = LOG_CELLS;
    let rows = 1;
    if (cardW < 120 || (maxRows < 2 && stripW / LOG_CELLS < 15)) {
      // A small (or short) card shows only the newest 8 entries.
      perRow = LOG_CELLS / 2;
    } else if (stripW / LOG_CELLS < 15) {
      perRow = LOG_CELLS / 2;
      rows = 2;
    }
    this.rows = rows;
    this.perRow = perRow;
    this.cells = rows * perRow;
    this.cellW = (stripW - (perRow - 1) * CELL_GAP) / perRow;
    this.headH = cardW < 120 ? 25 : 28;
    return this.headH + 2 + rows * CELL_H + (rows - 1) * CELL_GAP + 24 + (this.loadRow ? 13 : 0);
  }

  /** The links that stand out: from the primary to every other node, dashed while it is down. */
  links(snap, layout) {
    const p = this.primaryId;
    if (p == null || !layout.present[p]) return { strong: [], dashed: false };
    return { strong: layout.ids.filter((id) => id !== p).map((id) => [p, id]), dashed: snap.primary !== p };
  }

  /** Boxes other text must keep clear of: every card (with its crown) and the notes beside the primary. */
  keepClear(layout) {
    const cw = layout.cardW, ch = layout.cardH, pos = layout.pos;
    const boxes = [];
    for (const id of layout.ids) {
      boxes.push([pos[id * 2] - cw / 2 - 4, pos[id * 2 + 1] - ch / 2 - 14, pos[id * 2] + cw / 2 + 4, pos[id * 2 + 1] + ch / 2 + 4]);
    }
    if (this.primaryId != null && layout.present[this.primaryId]) {
      const px = pos[this.primaryId * 2], top = pos[this.primaryId * 2 + 1] - ch / 2;
      boxes.push([px - cw / 2 - 190, top, px - cw / 2, top + 40]); // ack policy badges
      boxes.push([px + cw / 2, top, px + cw / 2 + 190, top + 90]); // pending writes
    }
    return boxes;
  }

  draw(frame) {
    const nodes = frame.snap.nodes;
    let hi = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i].lastLsn > hi) hi = nodes[i].lastLsn;
    this.hi = hi;
    this.lo = Math.max(1, hi - this.cells + 1);
    this._drawCards(frame);
    this._drawNotes(frame);
  }

  /** Width of a badge label in the current (badge) font, measured once. */
  _textWidth(ctx, text) {
    let w = this.badgeW.get(text);
    if (w === undefined) {
      w = ctx.measureText(text).width;
      this.badgeW.set(text, w);
    }
    return w;
  }

  _drawCards({ ctx, theme: t, layout, snap, selection, hover }) {
    const nodes = snap.nodes;
    const cw = layout.cardW, ch = layout.cardH;
    const hoverId = hover && (hover.type === 'node' || hover.type === 'cell') ? hover.node : null;

    // Pass 1: card bodies.
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = layout.pos[n.id * 2] - cw / 2, y = layout.pos[n.id * 2 + 1] - ch / 2;
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
      const selected = n.id === selection.node;
      ctx.lineWidth = selected ? 2.5 : primary || paused ? 1.5 : 1;
      ctx.strokeStyle = selected ? t.accent : n.id === hoverId ? t.accentHover : paused ? t.frozen : primary ? t.goldBorder : t.cardBorder;
      if ((crashed || paused) && !selected) ctx.setLineDash(paused ? [2, 3] : [5, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      if (primary && !crashed) {
        // With two primaries (split brain) the older term's crown is faded.
        ctx.globalAlpha = snap.primary === n.id ? 1 : 0.4;
        crown(ctx, t, x + cw / 2, y - 1);
        ctx.globalAlpha = 1;
      }
      if (n.electionDeadline != null && n.status === 'up' && !primary) countdown(ctx, t, n, snap, x + cw - 14, y + ch - 13);
    }
    ctx.globalAlpha = 1;

    // Pass 2: log cells.
    const lo = this.lo, hi = this.hi;
    const cellW = this.cellW;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      ctx.globalAlpha = n.status !== 'up' ? 0.5 : 1;
      const x0 = layout.pos[n.id * 2] - cw / 2 + 8, y0 = layout.pos[n.id * 2 + 1] - ch / 2 + this.headH;
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
        } else if (lsn <= n.checkpoint) {
          // Checkpointed: in the node's stored copy, its WAL recycled.
          ctx.fillStyle = t.cellApplied;
          ctx.globalAlpha = n.status !== 'up' ? 0.2 : 0.35;
          ctx.beginPath();
          rrect(ctx, cx, cy, cellW, CELL_H, 3);
          ctx.fill();
          ctx.globalAlpha = n.status !== 'up' ? 0.5 : 1;
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
        const x0 = layout.pos[n.id * 2] - cw / 2 + 8, y0 = layout.pos[n.id * 2 + 1] - ch / 2 + this.headH;
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
      ctx.fillText(n.name, layout.pos[n.id * 2] - cw / 2 + 10, layout.pos[n.id * 2 + 1] - ch / 2 + 15);
    }

    // Pass 5: small text: region, role badge, lag / primary line.
    ctx.font = `600 10px ${FONT}`;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const x = layout.pos[n.id * 2] - cw / 2, y = layout.pos[n.id * 2 + 1] - ch / 2;
      const crashed = n.status === 'crashed';
      const paused = n.status === 'paused';
      const primary = n.role === 'primary';
      const candidate = n.role === 'candidate';
      const small = cw < 140;
      // Membership first: a learner, a joining or leaving node, one that lost its disk.
      const member = n.amnesiac ? 'SYNCING' : n.membership === 'voter' ? '' : n.membership.toUpperCase();
      // On a small card (many nodes, a small box) the role and term stay, in short words.
      let label = crashed ? (small ? 'DOWN' : 'CRASHED') : paused ? 'PAUSED'
        : member && !primary ? (small ? member.slice(0, 5) : member)
          : primary ? (small ? 'PRI' : 'PRIMARY') : candidate ? (small ? 'CAND' : 'CANDIDATE') : small ? 'REP' : 'REPLICA';
      if (!crashed && !member) label += ` T${n.term}`;
      const color = crashed ? t.bad : paused ? t.frozen : primary ? t.gold : candidate || member ? t.accent : t.muted;
      const bw = this._textWidth(ctx, label) + 12;
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
      const x = layout.pos[n.id * 2] - cw / 2, y = layout.pos[n.id * 2 + 1] - ch / 2;
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

  /** Beside the primary: its ack policy and semi-sync state (left), writes waiting for acks (right). */
  _drawNotes({ ctx, theme: t, layout, snap }) {
    const id = this.primaryId;
    if (id == null || !layout.present[id]) return;
    const node = snap.nodes.find((n) => n.id === id);
    if (!node || node.status !== 'up') return;
    const cw = layout.cardW, ch = layout.cardH;
    const px = layout.pos[id * 2], top = layout.pos[id * 2 + 1] - ch / 2;
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
        const w = Math.min(this._textWidth(ctx, text) + 14, leftRoom);
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
    const room = Math.min(176, layout.w - x - 8);
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

  /** The card (and log cell) at (x, y): {type: 'cell', node, lsn} | {type: 'node', node} | null. */
  hit(layout, x, y) {
    const id = layout.nodeAt(x, y);
    if (id == null) return null;
    const cx = x - (layout.pos[id * 2] - layout.cardW / 2) - 8, cy = y - (layout.pos[id * 2 + 1] - layout.cardH / 2) - this.headH;
    const col = Math.floor(cx / (this.cellW + CELL_GAP));
    const row = Math.floor(cy / (CELL_H + CELL_GAP));
    if (cx >= 0 && cy >= 0 && col < this.perRow && row < this.rows) {
      const lsn = this.lo + row * this.perRow + col;
      if (lsn <= this.hi) return { type: 'cell', node: id, lsn };
    }
    return { type: 'node', node: id };
  }

  /** Where a workload client's requests go, for its tooltip. */
  clientNote(snap) {
    const to = { primary: 'the primary', any: 'any node', nearest: 'the nearest node' }[snap.config.workload.readFrom];
    return `reads go to ${to ?? 'a random replica'}`;
  }

  /** Tooltip text for a card or a log cell. */
  describe(hit, snap) {
    const n = snap.nodes.find((x) => x.id === hit.node);
    if (!n) return '';
    const p = n.positions;
    if (hit.type === 'cell') {
      const e = n.tail.find((x) => x.lsn === hit.lsn);
      if (!e && hit.lsn <= n.checkpoint) return `lsn ${hit.lsn}: checkpointed on ${n.name}\nin its stored copy of the data; the WAL for it is recycled`;
      if (!e) return `lsn ${hit.lsn}: not on ${n.name} yet`;
      const state = hit.lsn <= p.applied ? 'applied (visible to reads)' : hit.lsn <= p.flushed ? 'flushed to disk, not applied yet' : 'received, not yet on disk';
      return `lsn ${e.lsn} · ${e.key} = ${e.value}\non ${n.name}: ${state}\nterm ${e.term}`;
    }
    let text = `${n.name} · ${n.role}${n.status !== 'up' ? ' · CRASHED' : ''}${n.region ? ` · ${n.region}` : ''}\n`;
    text += `last lsn ${n.lastLsn} · received ${p.received} · flushed ${p.flushed} · applied ${p.applied}\n`;
    if (n.checkpoint > 0) text += `checkpoint at lsn ${n.checkpoint} · ${n.walEntries} entries of WAL kept\n`;
    if (n.role !== 'primary' && n.lagEntries != null) text += `${lagText(n.lagEntries, n.lagMicros)}\n`;
    text += `${n.keys} keys · click to inspect`;
    return text;
  }
}

/** A ring that empties as a replica's election timeout runs out (refilled by heartbeats). */
function countdown(ctx, t, n, snap, x, y) {
  const total = n.electionDeadline - n.lastHeardPrimary;
  if (!(total > 0)) return;
  const left = Math.max(0, Math.min(1, (n.electionDeadline - snap.now) / total));
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

/** The primary's crown, above its card. */
function crown(ctx, t, x, y) {
  ctx.fillStyle = t.gold;
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
