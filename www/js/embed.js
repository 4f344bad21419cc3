// embed.html: one lab filling an iframe (an LMS page), configured by the same query
// parameters as the standalone page, and driven by its parent through postMessage:
//
//   parent → frame  {"replicaLab": 1, "command": "play" | "pause" | "seek" | "load" | "fault" | "set" | "state", ...args, "id"?}
//   frame → parent  {"replicaLab": 1, "event": "ready" | "state" | "anomaly" | "finished" | "lessonStep" | "result" | "error", ...}
//
// Only parents on the allow-list are heard: ?origins=https://a.example,https://b.example
// (default: this page's own origin, if it has one). Commands from any other origin are
// ignored; events go to each allowed origin by name, never to "*". A sandboxed frame
// (sandbox="allow-scripts") has an opaque origin, so its parent posts with target "*": the
// allow-list here is what protects the lab.

import { createReplicaLab } from './replica-lab.js';
import { HostApi } from './host-api.js';
import { optionsFrom } from './main-options.js';

/** The allowed parent origins from ?origins= (each must be an origin: scheme://host[:port]). */
export function allowedOrigins(search, own) {
  const list = new URLSearchParams(search).get('origins');
  if (list == null) return own && own !== 'null' ? [own] : [];
  const out = [];
  for (const part of list.split(',')) {
    const t = part.trim();
    try {
      const u = new URL(t);
      if (u.origin !== 'null' && u.origin === t.replace(/\/$/, '')) out.push(u.origin);
    } catch { /* not an origin: left out */ }
  }
  return out;
}

const root = document.querySelector('[data-replica-lab]');
const origins = allowedOrigins(location.search, location.origin);
const app = await createReplicaLab(root, { ...optionsFrom(location.search, location.hash), shareBase: new URL('index.html', location.href).href });
window.__replicaLabs = [app];
const parentWindow = window.parent !== window ? window.parent : null;
const post = (msg) => {
  if (!parentWindow) return;
  for (const origin of origins) parentWindow.postMessage({ replicaLab: 1, ...msg }, origin);
};
const api = new HostApi(app, (event, detail) => post({ event, ...detail }));
app.bus.listen(window, 'message', async (e) => {
  if (e.source !== parentWindow || !origins.includes(e.origin)) return; // not from an allowed parent
  const d = e.data;
  if (!d || typeof d !== 'object' || d.replicaLab !== 1 || typeof d.command !== 'string') return;
  const { command, id, replicaLab: _, ...args } = d;
  try {
    const result = await api.command(command, args);
    post({ event: 'result', command, id, result });
  } catch (err) {
    post({ event: 'error', command, id, message: err instanceof Error ? err.message : String(err) });
  }
});
api.ready();
