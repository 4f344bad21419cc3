// Pointer interaction with the canvas: hover tooltips (nodes, log cells, messages, clients,
// links) and clicks (select a node for the inspector, a link for the latency editor).

import { fmtClock, lagText } from './format.js';

const KIND_WORDS = {
  append: 'log entries shipped to a replica',
  heartbeat: 'heartbeat (an empty append: "still here")',
  ack: 'ack: the replica reports its positions',
  nack: 'nack: the replica asks for a resend',
  write: 'client write request',
  read: 'client read request',
  reply: 'reply to a client',
};

/** @param {import('./replica-lab.js').ReplicaLab} app */
export function wireStage(app) {
  const canvas = app.refs.canvas;
  const tip = app.refs.tooltip;
  const wrap = app.refs.canvasWrap;
  const renderer = app.renderer;
  let lastPoint = null;

  const local = (e) => {
    const rect = canvas.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  const sameHit = (a, b) => {
    if (a === b) return true;
    if (!a || !b || a.type !== b.type) return false;
    switch (a.type) {
      case 'message': return a.message.id === b.message.id;
      case 'cell': return a.node === b.node && a.lsn === b.lsn;
      case 'node': return a.node === b.node;
      case 'client': return a.client === b.client;
      case 'link': return a.a === b.a && a.b === b.b;
      default: return false;
    }
  };

  const hoverAt = (pt) => {
    const hit = renderer.hitTest(pt.x, pt.y);
    const changed = !sameHit(hit, renderer.hover);
    renderer.hover = hit;
    canvas.style.cursor = hit && hit.type !== 'client' && hit.type !== 'message' ? 'pointer' : 'default';
    const text = hit ? describe(app, hit) : '';
    if (!text) {
      tip.hidden = true;
    } else {
      if (tip.textContent !== text) tip.textContent = text;
      tip.hidden = false;
      const w = wrap.clientWidth, h = wrap.clientHeight;
      const tw = tip.offsetWidth, th = tip.offsetHeight;
      let x = pt.x + 14, y = pt.y + 14;
      if (x + tw > w - 4) x = Math.max(4, pt.x - tw - 10);
      if (y + th > h - 4) y = Math.max(4, pt.y - th - 10);
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    }
    if (changed && !app.isRunning()) app.redraw();
  };

  canvas.addEventListener('pointermove', (e) => {
    lastPoint = local(e);
    hoverAt(lastPoint);
  });
  canvas.addEventListener('pointerleave', () => {
    lastPoint = null;
    tip.hidden = true;
    if (renderer.hover) {
      renderer.hover = null;
      if (!app.isRunning()) app.redraw();
    }
  });
  canvas.addEventListener('click', (e) => {
    const pt = local(e);
    const hit = renderer.hitTest(pt.x, pt.y);
    if (hit?.type === 'node' || hit?.type === 'cell') app.selectNode(hit.node);
    else if (hit?.type === 'link') app.selectLink(hit.a, hit.b);
    else if (!hit) {
      app.selectNode(null);
      app.selectLink(null);
    }
    if (e.pointerType === 'touch' || e.pointerType === 'pen') hoverAt(pt); // a tap shows the tooltip too
  });
  // While playing, keep the tooltip of a moving message in step at the UI rate.
  app.controller.on('ui', () => {
    if (lastPoint && app.isRunning()) hoverAt(lastPoint);
  });
}

function describe(app, hit) {
  const snap = app.controller.last;
  const name = (id) => app.nodeName(id);
  switch (hit.type) {
    case 'message': {
      const m = hit.message;
      const end = (a) => (a.node !== undefined ? name(a.node) : app.clientName(a.client));
      const span = m.deliverAt - m.sentAt;
      const pct = span > 0 ? Math.round((100 * Math.min(Math.max(snap.now - m.sentAt, 0), span)) / span) : 100;
      let text = `${end(m.from)} → ${end(m.to)} · ${m.label}\n${KIND_WORDS[m.kind] ?? m.kind}\nsent ${fmtClock(m.sentAt)}, `;
      text += m.fate === 'deliver' ? `arrives ${fmtClock(m.deliverAt)} (${pct}% of the way)` : `LOST: the link drops it (${m.fate})`;
      return text;
    }
    case 'cell': {
      const n = snap.nodes.find((x) => x.id === hit.node);
      if (!n) return '';
      const e = n.tail.find((x) => x.lsn === hit.lsn);
      if (!e) return `lsn ${hit.lsn}: not on ${n.name} yet`;
      const p = n.positions;
      const state = hit.lsn <= p.applied ? 'applied (visible to reads)' : hit.lsn <= p.flushed ? 'flushed to disk, not applied yet' : 'received, not yet on disk';
      return `lsn ${e.lsn} · ${e.key} = ${e.value}\non ${n.name}: ${state}\nterm ${e.term}`;
    }
    case 'node': {
      const n = snap.nodes.find((x) => x.id === hit.node);
      if (!n) return '';
      const p = n.positions;
      let text = `${n.name} · ${n.role}${n.status !== 'up' ? ' · CRASHED' : ''}${n.region ? ` · ${n.region}` : ''}\n`;
      text += `last lsn ${n.lastLsn} · received ${p.received} · flushed ${p.flushed} · applied ${p.applied}\n`;
      if (n.role !== 'primary' && n.lagEntries != null) text += `${lagText(n.lagEntries, n.lagMicros)}\n`;
      text += `${n.keys} keys · click to inspect`;
      return text;
    }
    case 'client': {
      const you = hit.client >= app.controller.workloadClients;
      return you
        ? 'you: the page’s own client.\nUse the Write and Read forms.'
        : `${app.clientName(hit.client)}: a workload client.\nOne operation at a time; reads go to ${readTarget(app.controller.scenario.workload.readFrom)}.`;
    }
    case 'link': {
      const label = app.renderer.linkLabels.get(hit.a * 16 + hit.b);
      return `${name(hit.a)} ↔ ${name(hit.b)} · ${label ? label.text : ''}\nclick to change this link’s latency`;
    }
    default:
      return '';
  }
}

function readTarget(t) {
  return t === 'primary' ? 'the primary' : t === 'any' ? 'any node' : 'a random replica';
}

