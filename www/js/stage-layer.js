// The stage layer: the background, the region sectors' tints, the links between nodes and
// the clients along the bottom. Which links stand out (drawn solid, the rest a faint mesh)
// is the cards layer's to say: the stage knows boxes, links and cuts, not roles.

import { clientName, nodeName } from './format.js';
import { MAX_IDS } from './stage-layout.js';
import { FONT, rrect } from './stage-theme.js';

export class StageLayer {
  constructor() {
    this.strong = new Uint8Array(MAX_IDS * MAX_IDS); // a*MAX_IDS+b → 1 if a → b stands out (last frame)
  }

  /**
   * @param {{ctx: CanvasRenderingContext2D, theme: object, layout: import('./stage-layout.js').StageLayout,
   *          snap: object, selection: object, hover: object|null}} frame
   * @param {{strong: number[][], dashed: boolean, mesh?: boolean}} links the links that stand out
   *   (from → to), and whether to draw the faint mesh between the others (unless false)
   */
  draw(frame, links) {
    const { ctx, theme, layout } = frame;
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, layout.w, layout.h);
    if (layout.groups.length) this._drawRegions(frame);
    this._drawLinks(frame, links);
    this._drawClients(frame);
  }

  _drawRegions({ ctx, theme: t, layout }) {
    const W = layout.w, bottom = layout.clientY - 20.5;
    const cx = layout.cx, cy = layout.cy;
    // Directions follow the ellipse the cards sit on, so a boundary passes between two cards.
    const rx = Math.max(W / 2, 1), ry = Math.max(bottom / 2, 1);
    const far = 4;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, W, bottom);
    ctx.clip();
    for (const g of layout.groups) {
      if (g.color < 0) continue;
      ctx.fillStyle = t.regions[g.color].fill;
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
    if (layout.groups.length > 1) {
      ctx.setLineDash([3, 5]);
      ctx.lineWidth = 1;
      ctx.strokeStyle = t.stripLine;
      ctx.beginPath();
      for (const g of layout.groups) {
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + far * rx * Math.cos(g.a0), cy + far * ry * Math.sin(g.a0));
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
  }

  _drawLinks(frame, links) {
    const { ctx, theme: t, layout, selection, hover } = frame;
    const ids = layout.ids;
    const p = layout.pos;
    const strong = this.strong;
    strong.fill(0);
    for (const [a, b] of links.strong) strong[a * MAX_IDS + b] = 1;
    // A faint mesh between every other pair (unless the cards layer says it would only clutter).
    ctx.lineWidth = 1;
    ctx.strokeStyle = t.linkFaint;
    ctx.beginPath();
    for (let i = 0; links.mesh !== false && i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        if (strong[ids[i] * MAX_IDS + ids[j]] || strong[ids[j] * MAX_IDS + ids[i]]) continue;
        ctx.moveTo(p[ids[i] * 2], p[ids[i] * 2 + 1]);
        ctx.lineTo(p[ids[j] * 2], p[ids[j] * 2 + 1]);
      }
    }
    ctx.stroke();
    if (links.strong.length) {
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = t.link;
      if (links.dashed) ctx.setLineDash([6, 5]);
      ctx.beginPath();
      for (const [a, b] of links.strong) {
        if (!layout.present[a] || !layout.present[b]) continue;
        ctx.moveTo(p[a * 2], p[a * 2 + 1]);
        ctx.lineTo(p[b * 2], p[b * 2 + 1]);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    this._drawCuts(frame);
    if (hover?.type === 'link') highlightLink(frame, hover.a, hover.b, t.accentHalf, 4);
    if (selection.link) highlightLink(frame, selection.link[0], selection.link[1], t.accent, 3);
  }

  /** Cut link directions (partitions, isolation): a red dashed line with a gap and a cross. */
  _drawCuts({ ctx, theme: t, layout, snap }) {
    const cuts = snap.cuts;
    if (!cuts.length) return;
    const p = layout.pos;
    ctx.strokeStyle = t.cut;
    ctx.lineWidth = 2;
    for (let i = 0; i < cuts.length; i++) {
      const a = cuts[i][0], b = cuts[i][1];
      if (!layout.present[a] || !layout.present[b]) continue;
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

  _drawClients({ ctx, theme: t, layout }) {
    const y = layout.clientY;
    ctx.strokeStyle = t.stripLine;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(8, y - 20.5);
    ctx.lineTo(layout.w - 8, y - 20.5);
    ctx.stroke();
    if (layout.w >= 560) {
      ctx.font = `600 10px ${FONT}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = t.muted;
      ctx.fillText('CLIENTS', 14, y);
    }
    const pw = layout.pillW;
    for (const g of layout.clientGroups) {
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
    for (let i = 0; i < layout.clientIds.length; i++) {
      const c = layout.clientIds[i];
      const x = layout.clientPos[c];
      const you = layout.clientManual.has(c);
      ctx.beginPath();
      rrect(ctx, x - pw / 2, y - 11, pw, 22, 11);
      ctx.fillStyle = you ? t.accentFaint : t.card;
      ctx.fill();
      ctx.lineWidth = you ? 1.5 : 1;
      ctx.strokeStyle = you ? t.accent : t.cardBorder;
      ctx.stroke();
      if (pw >= 22 || you) {
        ctx.fillStyle = you ? t.accent : t.text;
        ctx.fillText(you ? 'you' : `c${c}`, x, y + 0.5);
      }
    }
  }

  /** The client pill at (x, y): {type: 'client', client} or null. */
  clientAt(layout, x, y) {
    if (Math.abs(y - layout.clientY) > 12) return null;
    for (let c = 0; c < layout.clientCount; c++) {
      if (Math.abs(x - layout.clientPos[c]) <= layout.pillW / 2) return { type: 'client', client: c };
    }
    return null;
  }

  /** The link within 6 px of (x, y), named in the direction it stands out: {type: 'link', a, b} or null. */
  linkAt(layout, x, y) {
    let link = null, linkD = 36;
    const ids = layout.ids, p = layout.pos;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i], b = ids[j];
        const d = distToSegment2(x, y, p[a * 2], p[a * 2 + 1], p[b * 2], p[b * 2 + 1]);
        if (d < linkD) {
          linkD = d;
          link = this.strong[b * MAX_IDS + a] ? [b, a] : [a, b];
        }
      }
    }
    return link ? { type: 'link', a: link[0], b: link[1] } : null;
  }

  /** Tooltip text for a client (`clientNote`: where its requests go) or a link. */
  describe(hit, snap, linkLabels, clientNote) {
    if (hit.type === 'client') {
      const own = snap.clients.some((c) => c.id === hit.client && c.manual);
      if (own) return 'you: the page’s own client.\nUse the Write and Read forms.';
      return `${clientName(snap, hit.client)}: a workload client.\nOne operation at a time; ${clientNote}.`;
    }
    const label = linkLabels.get(hit.a * MAX_IDS + hit.b);
    return `${nodeName(snap, hit.a)} ↔ ${nodeName(snap, hit.b)} · ${label ? label.text : ''}\nclick to change this link’s latency`;
  }
}

function highlightLink({ ctx, layout }, a, b, color, width) {
  if (!layout.present[a] || !layout.present[b]) return;
  const p = layout.pos;
  ctx.lineWidth = width;
  ctx.strokeStyle = color;
  ctx.beginPath();
  ctx.moveTo(p[a * 2], p[a * 2 + 1]);
  ctx.lineTo(p[b * 2], p[b * 2 + 1]);
  ctx.stroke();
}

function distToSegment2(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy || 1;
  let tt = ((px - ax) * dx + (py - ay) * dy) / len2;
  tt = tt < 0 ? 0 : tt > 1 ? 1 : tt;
  const ex = ax + dx * tt - px, ey = ay + dy * tt - py;
  return ex * ex + ey * ey;
}
