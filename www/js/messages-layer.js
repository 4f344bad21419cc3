// The messages layer: every message in flight as a dot placed at
// (now - sentAt) / (deliverAt - sentAt) along its link's path; a message the link will drop
// fades out halfway. How a kind looks comes from a table (message-looks.js). It remembers
// where it drew each message for hit tests, in typed arrays reused from frame to frame.

import { clientName, fmtClock, nodeName } from './format.js';
import { CLIENT_PATH } from './stage-layout.js';
import { FONT } from './stage-theme.js';

/** Counts are drawn on messages only while there are at most this many. */
const MAX_COUNTED = 250;

export class MessagesLayer {
  /** @param {Record<string, object>} looks kind → look (message-looks.js) @param {object} plainLook */
  constructor(looks, plainLook) {
    this.looks = looks;
    this.plainLook = plainLook;
    this.x = new Float32Array(512);
    this.y = new Float32Array(512);
    this.index = new Int32Array(512); // position in the snapshot's list
    this.drawn = 0;
  }

  draw({ ctx, theme: t, layout, snap, hover }) {
    const msgs = snap.messages;
    const now = snap.now;
    if (this.x.length < msgs.length) {
      const cap = Math.max(msgs.length, this.x.length * 2);
      this.x = new Float32Array(cap);
      this.y = new Float32Array(cap);
      this.index = new Int32Array(cap);
    }
    const counted = msgs.length <= MAX_COUNTED;
    const hoverId = hover?.type === 'message' ? hover.message.id : -1;
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
      const path = layout.path(m.from, m.to);
      if (path < 0) continue;
      const s = path < CLIENT_PATH ? layout.seg : layout.clientSeg;
      const o = path < CLIENT_PATH ? path : path - CLIENT_PATH;
      const x = s[o] + (s[o + 2] - s[o]) * p;
      const y = s[o + 1] + (s[o + 3] - s[o + 1]) * p;
      const look = this.looks[m.kind] ?? this.plainLook;
      const r = look.r;
      ctx.globalAlpha = alpha;
      ctx.fillStyle = lost ? t.lost : t.message(typeof look.color === 'function' ? look.color(m) : look.color);
      ctx.beginPath();
      if (look.diamond) {
        ctx.moveTo(x, y - r);
        ctx.lineTo(x + r, y);
        ctx.lineTo(x, y + r);
        ctx.lineTo(x - r, y);
        ctx.closePath();
      } else {
        ctx.arc(x, y, r, 0, Math.PI * 2);
      }
      ctx.fill();
      if (look.ring) {
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
      if (look.count && counted && !lost) {
        const count = look.count(m);
        if (count > 1) {
          ctx.fillStyle = '#ffffff';
          ctx.fillText(count > 99 ? '99' : String(count), x, y + 0.5);
        }
      }
      this.x[drawn] = x;
      this.y[drawn] = y;
      this.index[drawn] = i;
      drawn++;
    }
    ctx.globalAlpha = 1;
    this.drawn = drawn;
  }

  /** The message drawn nearest (x, y), within 7 px, in the last frame: {type: 'message', index, message} or null. */
  hit(snap, x, y) {
    let best = -1, bestD = 49;
    for (let i = 0; i < this.drawn; i++) {
      const dx = this.x[i] - x, dy = this.y[i] - y;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    if (best < 0) return null;
    const index = this.index[best];
    return { type: 'message', index, message: snap.messages[index] };
  }

  /** Tooltip text for a message: its ends, what it is, where it is. */
  describe(hit, snap) {
    const m = hit.message;
    const end = (a) => (a.node !== undefined ? nodeName(snap, a.node) : clientName(snap, a.client));
    const span = m.deliverAt - m.sentAt;
    const pct = span > 0 ? Math.round((100 * Math.min(Math.max(snap.now - m.sentAt, 0), span)) / span) : 100;
    let text = `${end(m.from)} → ${end(m.to)} · ${m.label}\n${this.looks[m.kind]?.words ?? m.kind}\nsent ${fmtClock(m.sentAt)}, `;
    text += m.fate === 'deliver' ? `arrives ${fmtClock(m.deliverAt)} (${pct}% of the way)` : `LOST: the link drops it (${m.fate})`;
    return text;
  }
}
