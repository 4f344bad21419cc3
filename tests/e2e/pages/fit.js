// A page test's fixture: one lab in a box of ?w=…&h=… pixels (default 720×560), the way a
// course page gives the lab a fixed space between two paragraphs.

import { createReplicaLab } from '/js/replica-lab.js';

const params = new URLSearchParams(location.search);
const box = document.getElementById('box');
box.style.setProperty('--w', `${Number(params.get('w') || 720)}px`);
box.style.setProperty('--h', `${Number(params.get('h') || 560)}px`);
const lab = await createReplicaLab(box, { scenarioUrl: `/scenarios/${params.get('scenario') || 'backup-band'}.json`, paused: true });
window.__replicaLabs = [lab];
