// The page entry point: one lab in the page's `[data-replica-lab]` element, configured from
// the URL (?seed=N&speed=X&paused=1&scenario=name), exposed to tests as window.__replicaLabs.

import { createReplicaLab } from './replica-lab.js';

const params = new URLSearchParams(location.search);
const num = (name) => {
  const v = params.get(name);
  return v == null || v.trim() === '' ? undefined : Number(v);
};

const scenario = params.get('scenario');
const options = {
  seed: num('seed'),
  speed: num('speed'),
  paused: params.get('paused') === '1' || params.get('paused') === 'true',
  keyboard: 'document',
};
if (scenario && /^[a-z0-9-]{1,64}$/.test(scenario)) {
  options.scenarioUrl = new URL(`../scenarios/${scenario}.json`, import.meta.url);
}

window.__replicaLabs = window.__replicaLabs || [];
for (const root of document.querySelectorAll('[data-replica-lab]')) {
  createReplicaLab(root, options).then((lab) => {
    window.__replicaLabs.push(lab);
  }, () => { /* the instance already shows what went wrong in its banner */ });
}
