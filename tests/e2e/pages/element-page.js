// A page test's fixture: records every event the two <replica-lab> elements dispatch
// (window.__events: [id, type, detail]) and lists their labs in window.__replicaLabs once
// both are ready.

window.__events = [];
const els = [...document.querySelectorAll('replica-lab')];
for (const el of els) {
  for (const type of ['ready', 'state', 'anomaly', 'finished', 'lessonstep']) {
    el.addEventListener(type, (e) => window.__events.push([el.id, type, e.detail]));
  }
}
await customElements.whenDefined('replica-lab');
await Promise.all(els.map((el) => new Promise((resolve) => {
  if (el.lab) resolve();
  else el.addEventListener('ready', resolve, { once: true });
})));
window.__replicaLabs = els.map((el) => el.lab);
