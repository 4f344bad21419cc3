// The page entry point: one lab in each of the page's `[data-replica-lab]` elements,
// configured from the URL (?seed=N&speed=X&paused=1&scenario=name), exposed to tests as
// window.__replicaLabs. A page with one lab gives it the keyboard focus, so its shortcuts
// work at once.

import { createReplicaLab } from './replica-lab.js';

/** The labs' options from the page's query string. */
function optionsFrom(search) {
  const params = new URLSearchParams(search);
  const num = (name) => {
    const v = params.get(name);
    return v == null || v.trim() === '' ? undefined : Number(v);
  };
  const scenario = params.get('scenario');
  return {
    seed: num('seed'),
    speed: num('speed'),
    paused: params.get('paused') === '1' || params.get('paused') === 'true',
    scenarioUrl: scenario && /^[a-z0-9-]{1,64}$/.test(scenario)
      ? new URL(`../scenarios/${scenario}.json`, import.meta.url)
      : undefined,
  };
}

const options = optionsFrom(location.search);
const roots = [...document.querySelectorAll('[data-replica-lab]')];
window.__replicaLabs = window.__replicaLabs || [];
for (const root of roots) {
  createReplicaLab(root, options).then((lab) => {
    window.__replicaLabs.push(lab);
    if (roots.length === 1) root.focus({ preventScroll: true, focusVisible: false });
  }, () => { /* the instance already shows what went wrong in its banner */ });
}
