// Wires the DOM controls of one instance to its actions: the toolbar (play/pause, step,
// speed, seed and reset), the tabs, the manual write/read forms, the cluster size buttons,
// the latency forms and the keyboard shortcuts (Space: play/pause, →: one event).

import { linkSettingsJson } from './format.js';

/** @param {import('./replica-lab.js').ReplicaLab} app */
export function wireControls(app) {
  const r = app.refs;
  const c = app.controller;

  r.play.addEventListener('click', () => c.toggle());
  r.step.addEventListener('click', () => {
    c.stepOnce();
    app.redraw();
  });
  r.speed.addEventListener('input', () => c.setSpeed(10 ** Number(r.speed.value)));
  r.reset.addEventListener('click', () => app.reset(r.seed.value));
  r.scenarioPick.addEventListener('change', () => {
    const name = r.scenarioPick.value;
    r.scenarioPick.value = '';
    if (name) app.loadScenario(name);
  });
  r.seed.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      app.reset(r.seed.value);
    }
  });

  for (const tab of app.root.querySelectorAll('.rl-tab')) {
    tab.addEventListener('click', () => app.showTab(tab.dataset.tab));
  }

  r.writeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    app.manualWrite(r.writeKey.value, r.writeValue.value);
  });
  r.casForm.addEventListener('submit', (e) => {
    e.preventDefault();
    app.manualCas(r.casKey.value, r.casExpected.value, r.casNew.value);
  });
  r.readForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (r.readNode.value === '') return;
    app.manualRead(Number(r.readNode.value), r.readKey.value);
  });

  r.addReplica.addEventListener('click', () => app.addReplica());
  r.removeReplica.addEventListener('click', () => app.removeReplica());

  r.allLinksForm.addEventListener('submit', (e) => {
    e.preventDefault();
    let json;
    try {
      json = linkSettingsJson(r.allMin.value, r.allMax.value, r.allJitter.value, r.allLoss.value);
    } catch (err) {
      app.showError(err);
      return;
    }
    app.act((lab) => lab.setAllLinks(json));
    app.refreshLinks();
    app.fillLinkForm();
  });

  const pickLink = () => {
    const a = Number(r.linkFrom.value), b = Number(r.linkTo.value);
    if (a !== b) app.selectLink(a, b);
    else app.fillLinkForm();
  };
  const setUp = (up) => {
    const a = Number(r.linkFrom.value), b = Number(r.linkTo.value);
    app.act((lab) => {
      lab.setLinkUp(a, b, up);
      if (!r.linkOneWay.checked) lab.setLinkUp(b, a, up);
    });
  };
  r.linkCut.addEventListener('click', () => setUp(false));
  r.linkRestore.addEventListener('click', () => setUp(true));
  r.linkFrom.addEventListener('change', pickLink);
  r.linkTo.addEventListener('change', pickLink);
  r.linkForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = Number(r.linkFrom.value), b = Number(r.linkTo.value);
    let json;
    try {
      json = linkSettingsJson(r.linkMin.value, r.linkMax.value, r.linkJitter.value, r.linkLoss.value);
    } catch (err) {
      app.showError(err);
      return;
    }
    app.act((lab) => lab.setLink(a, b, json, r.linkOneWay.checked));
    app.refreshLinks();
    app.fillLinkForm();
  });

  // Keyboard shortcuts, on the whole document (a page with one lab) or only within the root.
  const mode = app.options.keyboard ?? 'document';
  if (mode !== 'none') {
    const target = mode === 'root' ? app.root : document;
    const onKey = (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      // Typing in a field, or pressing a button other than the toolbar's, keeps its usual meaning.
      if (el instanceof Element) {
        const control = el.closest('input, select, textarea, button, a, [contenteditable="true"]');
        if (control && !(control.tagName === 'BUTTON' && control.closest('.rl-toolbar'))) return;
      }
      if (e.key === ' ' || e.code === 'Space') {
        e.preventDefault();
        c.toggle();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        c.stepOnce();
        app.redraw();
      }
    };
    target.addEventListener('keydown', onKey);
    app._cleanups.push(() => target.removeEventListener('keydown', onKey));
    if (mode === 'root' && !app.root.hasAttribute('tabindex')) app.root.tabIndex = 0;
  }
}
