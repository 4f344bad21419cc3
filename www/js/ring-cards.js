// The cards layer for a leaderless cluster (Dynamo, Cassandra, Riak): the consistent-hash
// ring in the middle of the stage, every virtual node an arc in its owner's colour ending
// at its token (a tick), and one small card per peer around it (its colour swatch, keys,
// requests it coordinates, hints it keeps). For one key (the one chosen in the Cluster tab,
// else the key of the latest read, else of the latest operation) it marks where the key
// hashes, the arc clockwise to its N replicas, and on the cards which replicas the write
// reached (W), which the read asked (R) and their overlap (R∩W, gold): R + W > N made
// visible. It has the single-leader cards' interface (ring order, fit, links, keep-clear
// boxes, hit tests, tooltips), so the renderer swaps one for the other by model.

import { FONT, rrect } from './stage-theme.js';

const TAU = Math.PI * 2;
const TRACK = 9; // the ring's width in px

/** A node's colour on the ring: hues a golden angle apart, so 24 neighbours stay apart. */
export function ownerColor(id) {
  return `hsl(${Math.round((id * 137.508 + 200) % 360)}, 68%, 58%)`;
}

/** "1 key", "5 keys". */
function keys(n) {
  return `${n} key${n === 1 ? '' : 's'}`;
}

/** The angle of a place on the ring (0 at the top, clockwise). */
function angle(at) {
  return -Math.PI / 2 + at * TAU;
}

export class RingCards {
  constructor() {
    this.primaryId = null; // a ring has none (the renderer's overlay key reads it)
    this.ringOnly = true; // the stage keeps the cards on a ring, never in rows
    this.maxCardW = 150;
    this.loadRow = false;
    this.small = false;
    this.radius = 40; // the token ring's radius, set each frame from the cards' places
    this.focus = null; // what the last frame highlighted (for tests and tooltips)
    this.chosen = null; // a key chosen on the page: {key, at, replicas, fallbacks}
  }

  ringOrder(nodes) {
    return nodes.map((n) => n.id).sort((a, b) => a - b);
  }

  prepare(snap) {
    this.loadRow = !!snap.config.service;
    return this.loadRow ? 'RL' : 'R';
  }

  /** Card height for a width: a name row and one line of counts (and the load line). */
  fit(cardW) {
    this.small = cardW < 110;
    return (this.small ? 36 : 42) + (this.loadRow ? 12 : 0);
  }

  /**
   * The links that stand out: from the shown operation's coordinator to the replicas it
   * asked (unlabelled: their labels would cover the ring's centre; a selected link keeps
   * its label). Past 8 nodes the faint mesh of every other link would hide the ring: none.
   */
  links(snap, layout) {
    const f = this._focus(snap);
    const mesh = layout.ids.length <= 8;
    if (!f?.op || !layout.present[f.op.coordinator]) return { strong: [], dashed: false, mesh, labelled: false };
    const to = f.op.kind === 'write' ? f.op.replicas : f.op.asked;
    return { strong: to.filter((id) => id !== f.op.coordinator && layout.present[id]).map((id) => [f.op.coordinator, id]), dashed: false, mesh, labelled: false };
  }

  keepClear(layout) {
    const cw = layout.cardW, ch = layout.cardH, pos = layout.pos;
    const boxes = [];
    for (const id of layout.ids) {
      boxes.push([pos[id * 2] - cw / 2 - 4, pos[id * 2 + 1] - ch / 2 - 12, pos[id * 2] + cw / 2 + 4, pos[id * 2 + 1] + ch / 2 + 12]);
    }
    const r = this.radius + TRACK + 8;
    boxes.push([layout.cx - r, layout.cy - r, layout.cx + r, layout.cy + r]);
    return boxes;
  }

  /**
   * What to highlight: a key (where it hashes, its replicas) and the operation(s) on it.
   * The key chosen in the Cluster tab (`chosen`, from `lab.replicasOf`) wins; else the
   * latest read beside the write before it; else the latest operation.
   */
  _focus(snap) {
    const quorums = snap.quorums ?? [];
    const chosen = this.chosen;
    if (chosen) {
      let op = null;
      for (let i = quorums.length - 1; i >= 0; i--) if (quorums[i].key === chosen.key) { op = quorums[i]; break; }
      const overlap = snap.overlap?.key === chosen.key ? snap.overlap : null;
      return { key: chosen.key, at: chosen.at, replicas: chosen.replicas, op, overlap };
    }
    const overlap = snap.overlap;
    if (overlap) {
      const op = quorums.find((q) => q.op === overlap.read) ?? null;
      if (op) return { key: op.key, at: op.at, replicas: op.replicas, op, overlap };
    }
    const op = quorums.at(-1);
    return op ? { key: op.key, at: op.at, replicas: op.replicas, op, overlap: null } : null;
  }

  draw(frame) {
    const { layout, snap } = frame;
    let rx = 0, ry = 0;
    for (const id of layout.ids) {
      rx = Math.max(rx, Math.abs(layout.pos[id * 2] - layout.cx));
      ry = Math.max(ry, Math.abs(layout.pos[id * 2 + 1] - layout.cy));
    }
    const room = Math.min(rx - layout.cardW / 2, ry - layout.cardH / 2) - 22;
    this.radius = Math.max(28, Math.min(room, 220));
    const focus = this._focus(snap);
    this.focus = focus;
    const sets = this._sets(focus);
    this._drawRing(frame, focus);
    this._drawCards(frame, sets);
    this._drawCentre(frame, focus, sets);
  }

  /** Which node is in which set: replica, W (acknowledged / reached), R (asked), both. */
  _sets(focus) {
    const replica = new Set(focus?.replicas ?? []);
    const write = new Set(), reached = new Set(), read = new Set();
    if (focus?.overlap) {
      for (const id of focus.overlap.writeSet) write.add(id);
      for (const id of focus.overlap.readSet) read.add(id);
    } else if (focus?.op) {
      const op = focus.op;
      if (op.kind === 'write') {
        for (const id of op.asked) write.add(id);
        for (const id of op.reached) if (!write.has(id)) reached.add(id);
      } else {
        for (const id of op.asked) read.add(id);
      }
    }
    return { replica, write, reached, read, coordinator: focus?.op?.coordinator ?? null };
  }

  _drawRing({ ctx, theme: t, layout, snap }, focus) {
    const tokens = snap.ring ?? [];
    const cx = layout.cx, cy = layout.cy, R = this.radius;
    ctx.lineCap = 'butt';
    ctx.lineWidth = TRACK;
    ctx.strokeStyle = t.linkFaint;
    ctx.beginPath();
    ctx.arc(cx, cy, R, 0, TAU);
    ctx.stroke();
    const down = new Set(snap.nodes.filter((n) => n.status !== 'up').map((n) => n.id));
    // Each virtual node owns the arc from the token before it to its own.
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i];
      const prev = tokens[(i + tokens.length - 1) % tokens.length].at;
      const a0 = angle(prev), a1 = angle(tok.at < prev ? tok.at + 1 : tok.at);
      ctx.globalAlpha = down.has(tok.node) ? 0.3 : 0.9;
      ctx.strokeStyle = ownerColor(tok.node);
      ctx.beginPath();
      ctx.arc(cx, cy, R, a0 + 0.004, Math.max(a0 + 0.004, a1 - 0.004));
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    // Ticks at the tokens.
    ctx.lineWidth = 1;
    ctx.strokeStyle = t.bg;
    ctx.beginPath();
    for (const tok of tokens) {
      const a = angle(tok.at);
      ctx.moveTo(cx + (R - TRACK / 2 - 2) * Math.cos(a), cy + (R - TRACK / 2 - 2) * Math.sin(a));
      ctx.lineTo(cx + (R + TRACK / 2 + 2) * Math.cos(a), cy + (R + TRACK / 2 + 2) * Math.sin(a));
    }
    ctx.stroke();
    if (!focus || !tokens.length) return;
    // The key: a marker where it hashes, the arc clockwise to its last replica's token, and
    // a spoke from each replica's first token after the key to its card.
    const a = angle(focus.at);
    const want = new Set(focus.replicas);
    const firstTok = new Map();
    let start = tokens.findIndex((tok) => tok.at >= focus.at);
    if (start < 0) start = 0;
    let end = focus.at;
    for (let k = 0; k < tokens.length && firstTok.size < want.size; k++) {
      const tok = tokens[(start + k) % tokens.length];
      if (want.has(tok.node) && !firstTok.has(tok.node)) {
        firstTok.set(tok.node, tok.at);
        end = tok.at < focus.at ? tok.at + 1 : tok.at;
      }
    }
    ctx.lineWidth = 3;
    ctx.strokeStyle = t.text;
    ctx.beginPath();
    ctx.arc(cx, cy, R + TRACK / 2 + 4, a, angle(end));
    ctx.stroke();
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = t.accentHalf;
    ctx.beginPath();
    for (const [node, at] of firstTok) {
      if (!layout.present[node]) continue;
      const b = angle(at);
      ctx.moveTo(cx + (R + TRACK / 2 + 4) * Math.cos(b), cy + (R + TRACK / 2 + 4) * Math.sin(b));
      ctx.lineTo(layout.pos[node * 2], layout.pos[node * 2 + 1]);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = t.text;
    ctx.strokeStyle = t.bg;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx + R * Math.cos(a), cy + R * Math.sin(a), 6, 0, TAU);
    ctx.fill();
    ctx.stroke();
    ctx.font = `700 11px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const lr = R - TRACK - 12;
    ctx.fillText(focus.key, cx + lr * Math.cos(a), cy + lr * Math.sin(a));
  }

  _drawCards({ ctx, theme: t, layout, snap, selection, hover }, sets) {
    const cw = layout.cardW, ch = layout.cardH;
    const hoverId = hover && hover.type === 'node' ? hover.node : null;
    const both = new Set([...sets.read].filter((id) => sets.write.has(id)));
    for (const n of snap.nodes) {
      const x = layout.pos[n.id * 2] - cw / 2, y = layout.pos[n.id * 2 + 1] - ch / 2;
      const crashed = n.status === 'crashed', paused = n.status === 'paused';
      const replica = sets.replica.has(n.id);
      ctx.globalAlpha = 1;
      if (both.has(n.id)) {
        // The overlap: a gold glow round the card.
        ctx.beginPath();
        rrect(ctx, x - 5, y - 5, cw + 10, ch + 10, 13);
        ctx.fillStyle = t.goldFaint;
        ctx.fill();
      }
      ctx.beginPath();
      rrect(ctx, x, y, cw, ch, 9);
      ctx.fillStyle = crashed ? t.cardDown : t.card;
      ctx.fill();
      if (paused) {
        ctx.fillStyle = t.frozenTint;
        ctx.fill();
      }
      const selected = n.id === selection.node;
      ctx.lineWidth = selected || both.has(n.id) ? 2.5 : replica ? 2 : 1;
      ctx.strokeStyle = selected ? t.accent : both.has(n.id) ? t.gold : n.id === hoverId ? t.accentHover : replica ? t.text : paused ? t.frozen : t.cardBorder;
      if (crashed || paused) ctx.setLineDash(paused ? [2, 3] : [5, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = crashed ? 0.55 : 1;
      // The owner's colour, as on the ring.
      ctx.fillStyle = ownerColor(n.id);
      ctx.beginPath();
      rrect(ctx, x + 7, y + 8, 6, ch - 16, 3);
      ctx.fill();
      ctx.font = `600 ${this.small ? 12 : 13}px ${FONT}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = n.status === 'up' ? t.text : t.muted;
      ctx.fillText(n.name, x + 18, y + 13, cw - 24);
      ctx.font = `${this.small ? 10 : 11}px ${FONT}`;
      let line;
      if (crashed) {
        ctx.fillStyle = t.bad;
        line = this.small ? 'down' : `down · ${keys(n.keys)} kept`;
      } else if (paused) {
        ctx.fillStyle = t.frozen;
        line = 'paused';
      } else {
        ctx.fillStyle = t.muted;
        line = this.small ? `${keys(n.keys)}` : `${keys(n.keys)}${n.coordinating ? ` · coord. ${n.coordinating}` : ''}`;
      }
      ctx.fillText(line, x + 18, y + (this.small ? 27 : 30), cw - 24);
      if (this.loadRow) {
        ctx.fillStyle = t.muted;
        ctx.fillText(`q${n.queue} · ${Math.round(n.opsPerSec ?? 0)}/s`, x + 18, y + ch - 8, cw - 24);
      }
      ctx.globalAlpha = 1;
      this._badges(ctx, t, n, x, y, cw, sets, both);
    }
  }

  /** Above a card: its sets (W, R, R∩W, coordinator) on the right, hints waiting on the left. */
  _badges(ctx, t, n, x, y, cw, sets, both) {
    const tags = [];
    if (n.id === sets.coordinator) tags.push(['coord', t.muted]);
    if (both.has(n.id)) tags.push(['R∩W', t.gold]);
    else {
      if (sets.write.has(n.id)) tags.push(['W', t.message('write')]);
      if (sets.reached.has(n.id)) tags.push(['w', t.muted]);
      if (sets.read.has(n.id)) tags.push(['R', t.message('read')]);
    }
    ctx.font = `700 10px ${FONT}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    let right = x + cw - 4;
    for (let i = tags.length - 1; i >= 0; i--) {
      const [text, color] = tags[i];
      const w = ctx.measureText(text).width + 10;
      ctx.beginPath();
      rrect(ctx, right - w, y - 8, w, 15, 7);
      ctx.fillStyle = t.bg;
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = color;
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(text, right - w / 2, y - 0.5);
      right -= w + 3;
    }
    let hints = 0;
    for (const [, count] of n.hints ?? []) hints += count;
    if (hints > 0) {
      const text = this.small ? `${hints}h` : `${hints} hint${hints === 1 ? '' : 's'}`;
      const w = ctx.measureText(text).width + 10;
      ctx.beginPath();
      rrect(ctx, x + 4, y - 8, w, 15, 7);
      ctx.fillStyle = t.warn;
      ctx.fill();
      ctx.fillStyle = t.bg;
      ctx.fillText(text, x + 4 + w / 2, y - 0.5);
    }
  }

  /** In the ring: the key, N / R / W, and whether R + W > N held for the shown pair. */
  _drawCentre({ ctx, theme: t, layout, snap }, focus, sets) {
    const cx = layout.cx, cy = layout.cy, R = this.radius;
    if (R < 50) return;
    const n = snap.replicationFactor ?? 0;
    const lines = [];
    const ov = focus?.overlap;
    if (ov) {
      const sum = ov.r + ov.w;
      lines.push([`${ov.key}: R ${ov.r} + W ${ov.w} ${sum > ov.n ? '>' : '≤'} N ${ov.n}`, sum > ov.n ? t.good : t.warn, 700]);
      const names = ov.both.map((id) => snap.nodes.find((x) => x.id === id)?.name ?? `n${id}`);
      lines.push([names.length ? `overlap: ${names.join(', ')}` : 'no overlap: may be stale', names.length ? t.gold : t.bad, 600]);
    } else if (focus) {
      lines.push([`${focus.key} on ${focus.replicas.length} replica${focus.replicas.length === 1 ? '' : 's'}`, t.text, 700]);
      if (focus.op) lines.push([focus.op.kind === 'write' ? `write: ${focus.op.reached.length} stored` : `read: ${focus.op.asked.length} asked`, t.muted, 600]);
    }
    lines.push([snap.riak ?? `N ${n}`, t.muted, 400]);
    const hints = snap.ringCounters;
    if (hints && (hints.readRepairs || hints.hintsStored)) lines.push([`${hints.readRepairs} repairs · ${hints.hintsStored} hints`, t.muted, 400]);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const size = R < 80 ? 10 : 12;
    const top = cy - ((lines.length - 1) * (size + 5)) / 2;
    lines.forEach(([text, color, weight], i) => {
      ctx.font = `${weight} ${size}px ${FONT}`;
      ctx.fillStyle = color;
      ctx.fillText(text, cx, top + i * (size + 5), 2 * R - 2 * TRACK - 16);
    });
    void sets;
  }

  hit(layout, x, y) {
    const id = layout.nodeAt(x, y);
    return id == null ? null : { type: 'node', node: id };
  }

  clientNote(snap) {
    const choice = snap.config.leaderless?.coordinator;
    return choice === 'nearest' ? 'sends each operation to the nearest node, which coordinates it'
      : choice === 'random' ? 'sends each operation to a random node, which coordinates it'
        : 'sends each operation to a replica of its key (token-aware)';
  }

  describe(hit, snap) {
    const n = snap.nodes.find((x) => x.id === hit.node);
    if (!n) return '';
    const share = (snap.ownership ?? []).find(([id]) => id === n.id)?.[1] ?? 0;
    let text = `${n.name} · peer${n.status !== 'up' ? ` · ${n.status.toUpperCase()}` : ''}${n.region ? ` · ${n.region}` : ''}\n`;
    text += `owns ${(share * 100).toFixed(1)}% of the ring · ${keys(n.keys)} stored\n`;
    if (n.coordinating) text += `coordinating ${n.coordinating} request${n.coordinating === 1 ? '' : 's'}\n`;
    for (const [id, count] of n.hints ?? []) text += `${count} hint${count === 1 ? '' : 's'} waiting for ${snap.nodes.find((x) => x.id === id)?.name ?? `n${id}`}\n`;
    if (n.down?.length) text += `takes ${n.down.map((id) => snap.nodes.find((x) => x.id === id)?.name ?? `n${id}`).join(', ')} for down\n`;
    text += 'click to inspect';
    return text;
  }
}
