// A page test's fixture: two labs on one page, each with its own scenario and keyboard
// shortcuts only while focused (keyboard: 'root'), both playing. window.__replicaLabs
// lists them in page order once both are up.

import { createReplicaLab } from '/js/replica-lab.js';

const labs = await Promise.all([
  createReplicaLab(document.getElementById('lab-a'), { scenarioUrl: '/scenarios/backup-band.json', speed: 1 }),
  createReplicaLab(document.getElementById('lab-b'), { scenarioUrl: '/scenarios/failover.json', speed: 1 }),
]);
window.__replicaLabs = labs;
