// A page test's fixture: an LMS page that frames embed.html in <iframe sandbox="allow-scripts">
// (an opaque origin: no storage, no same-origin access) with ?origins= naming the origin
// given in this page's own ?allow= (default: this page's origin; ?sandbox=0 frames it
// without the sandbox, so a test can look inside), and the frame's own
// query from ?q=. Messages from the frame are kept in window.__messages;
// window.__send(command) posts one (to "*": a sandboxed frame's origin is opaque).

const params = new URLSearchParams(location.search);
const allow = params.get('allow') ?? location.origin;
const frame = document.createElement('iframe');
if (params.get('sandbox') !== '0') frame.setAttribute('sandbox', 'allow-scripts');
frame.title = 'Replica Lab';
frame.src = `${params.get('frame') ?? 'http://127.0.0.1:' + location.port}/embed.html?origins=${encodeURIComponent(allow)}&${params.get('q') ?? 'paused=1'}`;
window.__messages = [];
window.addEventListener('message', (e) => {
  if (e.source === frame.contentWindow) window.__messages.push({ origin: e.origin, data: e.data });
});
window.__send = (command) => frame.contentWindow.postMessage({ replicaLab: 1, ...command }, '*');
document.getElementById('slot').append(frame);
