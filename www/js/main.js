// The page entry point: one lab in each of the page's `[data-replica-lab]` elements,
// configured from the URL (?seed=N&speed=X&paused=1&scenario=name&theme=light|dark|auto
// &controls=full|minimal|none, or a share link's #lab=... fragment), exposed to tests as
// window.__replicaLabs. A page with one lab gives it the keyboard focus, so its shortcuts
// work at once. A bad parameter is said in the lab's banner and the default used.

import { createReplicaLab } from './replica-lab.js';
import { optionsFrom } from './main-options.js';

const options = optionsFrom(location.search, location.hash);
const roots = [...document.querySelectorAll('[data-replica-lab]')];
window.__replicaLabs = window.__replicaLabs || [];
for (const root of roots) {
  createReplicaLab(root, { ...options, shareBase: location.origin + location.pathname }).then((lab) => {
    window.__replicaLabs.push(lab);
    if (roots.length === 1) root.focus({ preventScroll: true, focusVisible: false });
  }, () => { /* the instance already shows what went wrong in its banner */ });
}
