// The example course page's script: makes the right-hand lab wait for a majority, and
// wires the page's two buttons and the labs' anomaly events.

const left = document.getElementById('async');
const right = document.getElementById('sync');
const log = document.getElementById('log');

await Promise.all([left, right].map((el) => new Promise((resolve) => el.addEventListener('ready', resolve, { once: true }))));
await right.fault({ setAckPolicy: { policy: 'majority' } });
for (const [el, name] of [[left, 'Asynchronous'], [right, 'Majority']]) {
  el.addEventListener('anomaly', (e) => { log.textContent = `${name}: ${e.detail.text}.`; });
}
document.getElementById('play').addEventListener('click', () => Promise.all([left.play(), right.play()]));
document.getElementById('crash').addEventListener('click', () => Promise.all([
  left.fault({ crash: { node: 0 } }),
  right.fault({ crash: { node: 0 } }),
]));
