// One Replica Lab instance inside a page element: `createReplicaLab(root, options)` builds
// the markup, loads the wasm module and the scenario, and ties together the controller
// (the Lab and its frame loop), the canvas renderer and the panels. Nothing is global: a
// page may hold several instances.

import { loadWasm } from './wasm.js';
import { LabController, clampSpeed } from './lab-controller.js';
import { Renderer } from './renderer.js';
import { OpsPanel } from './ops-panel.js';
import { Inspector } from './inspector.js';
import { ErrorBanner, errorMessage } from './errors.js';
import { TEMPLATE, collectRefs } from './template.js';
import { wireControls } from './controls.js';
import { wireStage } from './stage-input.js';
import { fmtClock, fmtDur, fmtInt, fmtLatency, fmtSpeed, latencyMean, latencyRangeMs } from './format.js';
import { isCrash } from './lab-controller.js';
import { Settings } from './settings.js';
import { MetricsPanel } from './metrics-panel.js';
import { Scaling } from './scaling.js';
import { Faults } from './faults.js';
import { AnomaliesPanel } from './anomalies-panel.js';

const MAX_IDS = 16;

/**
 * @param {HTMLElement} root
 * @param {{scenarioUrl?: string|URL, scenarioText?: string, seed?: number, speed?: number,
 *          paused?: boolean, keyboard?: 'document'|'root'|'none'}} [options]
 * @returns {Promise<ReplicaLab>}
 */
export async function createReplicaLab(root, options = {}) {
  const app = new ReplicaLab(root, options);
  await app.start();
  return app;
}

export class ReplicaLab {
  constructor(root, options) {
    this.root = root;
    this.options = options;
    root.classList.add('rl');
    root.innerHTML = TEMPLATE;
    this.refs = collectRefs(root);
    this.banner = new ErrorBanner(this.refs);
    this.controller = null;
    this.selectedNode = null;
    this.selectedLink = null;
    this.manual = null; // { id, kind, text }
    this.nodeKey = '';
    this.nodeNames = new Map();
    this._cleanups = [];
    const onError = (ev) => this._globalError(ev.error ?? ev.message);
    const onRejection = (ev) => this._globalError(ev.reason);
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    this._cleanups.push(() => {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    });
  }

  async start() {
    const { options } = this;
    this.root.dataset.state = 'loading';
    let Lab;
    try {
      Lab = await loadWasm();
    } catch (e) {
      this.banner.show(`Could not load the simulation (WebAssembly): ${errorMessage(e)}`);
      this.root.dataset.state = 'failed';
      throw e;
    }
    let text = options.scenarioText;
    if (!text) {
      const url = options.scenarioUrl ?? new URL('../scenarios/backup-band.json', import.meta.url);
      try {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        text = await res.text();
      } catch (e) {
        text = JSON.stringify(Lab.defaultScenario());
        this.banner.show(`Could not load the scenario ${url} (${errorMessage(e)}); using the built-in default.`, { kind: 'info' });
      }
    }
    let fileSeed;
    try { fileSeed = JSON.parse(text).seed; } catch { /* the Lab constructor reports bad JSON */ }
    const seed = Number.isFinite(options.seed) ? options.seed : Number.isFinite(fileSeed) ? fileSeed : 1;

    this.renderer = new Renderer(this.refs.canvas, this.root);
    this.ops = new OpsPanel(this.refs, {
      clientName: (c) => this.clientName(c),
      nodeName: (id) => this.nodeName(id),
      op: (id) => this.controller.lab.op(id),
    });
    this.inspector = new Inspector(this.refs.inspector, {
      crash: (id) => this.act((lab) => lab.crash(id)),
      restart: (id) => this.act((lab) => lab.restart(id)),
      loseDisk: (id) => this.act((lab) => lab.crashLoseDisk(id)),
      pause: (id) => this.act((lab) => lab.pause(id)),
      resume: (id) => this.act((lab) => lab.resume(id)),
      isolate: (id) => this.act((lab) => lab.isolate(id, true)),
      reconnect: (id) => this.act((lab) => lab.isolate(id, false)),
      promote: (id) => this.act((lab) => lab.promote(id)),
      switchover: (id) => this.act((lab) => lab.switchover(id)),
      clock: (id, text) => {
        const ms = Number(String(text).trim());
        if (!Number.isFinite(ms)) {
          this.showError(new Error(`A clock offset is a number of milliseconds (got "${text}")`));
          return;
        }
        this.act((lab) => lab.setClockOffset(id, Math.round(ms * 1000)));
      },
      read: (id) => this.manualRead(id, this.refs.readKey.value, true),
      remove: (id) => this.removeReplica(id),
      nodeName: (id) => this.nodeName(id),
      readKey: () => this.refs.readKey.value.trim() || 'k1',
    });

    try {
      this.controller = new LabController(Lab, text, {
        seed,
        speed: clampSpeed(options.speed ?? 0.2),
        onError: (e) => this.showError(e),
      });
    } catch (e) {
      this.banner.show(e);
      this.root.dataset.state = 'failed';
      throw e;
    }
    const c = this.controller;
    c.on('frame', (snap) => this.renderer.draw(snap));
    c.on('ui', (snap) => this.updateUi(snap));
    c.on('state', () => this.updateState());

    this.settings = new Settings(this);
    this.faults = new Faults(this);
    this.anomalies = new AnomaliesPanel(this);
    this.metrics = new MetricsPanel(this);
    this.scaling = new Scaling(this);
    this._cleanups.push(() => {
      this.scaling.destroy();
      for (const chart of Object.values(this.metrics.charts)) chart.destroy();
    });
    wireControls(this);
    wireStage(this);
    const ro = new ResizeObserver(() => this.resize());
    ro.observe(this.refs.canvasWrap);
    this._cleanups.push(() => ro.disconnect());
    this.resize();
    this.onReset();
    this.root.dataset.state = 'ready';
    if (!options.paused) c.play();
  }

  // ----- test hook / public API ----------------------------------------------------------

  /** The current `Lab` handle (replaced on reset). */
  get lab() {
    return this.controller?.lab;
  }

  /** A fresh, full snapshot (16 log entries per node, 30 ops). */
  snapshot() {
    return this.controller.lab.snapshot(16, 30);
  }

  isRunning() {
    return !!this.controller?.isRunning();
  }

  play() { this.controller.play(); }
  pause() { this.controller.pause(); }

  /** Where a node is drawn, in CSS pixels relative to the canvas (for tests and overlays). */
  nodeRect(id) {
    return this.renderer.nodeCenter(id);
  }

  destroy() {
    for (const f of this._cleanups) f();
    this.controller?.destroy();
    this._cleanups = [];
    this.root.replaceChildren();
  }

  // ----- actions -------------------------------------------------------------------------

  /** Runs an action on the Lab; errors go to the banner. Returns its result or undefined. */
  act(fn) {
    const result = this.controller.act(fn);
    this.redraw();
    return result;
  }

  showError(e) {
    this.banner.show(e);
    if (isCrash(e)) this.updateState();
  }

  _globalError(err) {
    if (!this.controller) {
      this.banner.show(err);
      return;
    }
    if (isCrash(err)) this.controller.fail(err);
    else this.banner.show(`Unexpected error: ${errorMessage(err)}`);
  }

  /** Loads a bundled scenario (www/scenarios/NAME.json) with its own seed; on failure the current world stays. */
  async loadScenario(name) {
    if (!/^[a-z0-9-]+$/.test(name)) return false;
    const url = new URL(`../scenarios/${name}.json`, import.meta.url);
    let text;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      this.banner.show(`Could not load the scenario ${name} (${errorMessage(e)}); the current one keeps running.`);
      return false;
    }
    let seed = this.controller.seed;
    try {
      const s = JSON.parse(text).seed;
      if (Number.isFinite(s)) seed = s;
    } catch { /* the Lab constructor reports bad JSON */ }
    const c = this.controller;
    const before = c.scenarioText;
    const wasRunning = c.running;
    c.scenarioText = text;
    try {
      c.reset(seed);
    } catch (e) {
      c.scenarioText = before;
      this.banner.show(e);
      return false;
    }
    this.banner.hide();
    this.onReset();
    if (wasRunning) c.play();
    return true;
  }

  reset(seedText) {
    const t = String(seedText ?? '').trim();
    if (!/^\d+$/.test(t)) {
      this.banner.show(`The seed must be a whole number from 0 to 2^53-1 (got "${t}")`);
      return false;
    }
    const wasRunning = this.controller.running || (this.controller.crashed && this.controller.resumeAfterReset);
    try {
      this.controller.reset(Number(t));
    } catch (e) {
      this.banner.show(e);
      return false;
    }
    this.banner.hide();
    this.onReset();
    if (wasRunning) this.controller.play();
    return true;
  }

  /** After a new world: forget per-world state and re-read its settings. */
  onReset() {
    const c = this.controller;
    this.manual = null;
    this.nodeKey = '';
    this.ops.clear();
    this.anomalies.clear();
    this.scaling.stop();
    this.metrics.reset();
    this.onClientsChanged();
    this.refs.seed.value = String(c.seed);
    this.refs.scenarioName.textContent = c.scenario.name || 'Default scenario';
    this.refs.scenarioName.title = c.scenario.description || '';
    this.refs.narration.textContent = c.scenario.description || '';
    this.refs.narration.hidden = !c.scenario.description;
    this.refs.manualResult.textContent = 'Your writes go to the primary; read from any node.';
    this.refs.manualResult.dataset.state = '';
    const snap = c.last;
    if (this.selectedNode != null && !snap.nodes.some((n) => n.id === this.selectedNode)) this.selectedNode = null;
    this.fillAllLinksForm(snap.defaultLink);
    this.settings.fill(snap);
    this.faults.fill(snap);
    this.updateUi(snap);
    this.metrics.poll(true);
    this.updateState();
    this.redraw();
  }

  /** After the workload or geography changed: re-reads the clients (count, regions). */
  onClientsChanged() {
    const c = this.controller;
    const snap = c.last;
    if (Array.isArray(snap?.clients)) c.workloadClients = snap.clients.filter((x) => !x.manual).length;
    else {
      try { c.workloadClients = c.lab.scenario().workload.clients; } catch { /* keep the old count */ }
    }
    this.renderer.setClients(c.workloadClients);
    this.redraw();
  }

  addReplica() {
    const id = this.act((lab) => lab.addReplica());
    if (id !== undefined) this.refreshLinks();
    return id;
  }

  removeReplica(id) {
    const snap = this.controller.last;
    if (id === undefined) {
      // The button removes the selected replica, else the newest one.
      const removable = (n) => n.role !== 'primary' && n.membership !== 'leaving';
      const sel = snap.nodes.find((n) => n.id === this.selectedNode && removable(n));
      const replicas = snap.nodes.filter(removable);
      const victim = sel ?? replicas[replicas.length - 1];
      if (!victim) {
        this.banner.show('There is no replica to remove: the primary is the only node.');
        return;
      }
      id = victim.id;
    }
    this.act((lab) => lab.removeReplica(id));
    this.refreshLinks();
  }

  manualWrite(key, value) {
    const ack = this.refs.manualAck.value;
    const id = this.act((lab) => (ack ? lab.writeWith(key, value, ack) : lab.write(key, value)));
    if (id !== undefined) this._track(id, 'write', `write ${key.trim()}=${value}`);
    return id;
  }

  /** A compare-and-set through the primary; an empty `expected` means "the key is absent". */
  manualCas(key, expected, value) {
    const want = expected === '' ? undefined : expected;
    const id = this.act((lab) => lab.cas(key, want, value));
    if (id !== undefined) this._track(id, 'cas', `cas ${key.trim()} ${want ?? 'absent'}→${value}`);
    return id;
  }

  manualRead(node, key, fromInspector = false) {
    const k = String(key ?? '').trim() || 'k1';
    const level = this.refs.manualLevel.value;
    const id = this.act((lab) => (level && level !== '"eventual"' ? lab.readWith(node, k, level) : lab.read(node, k)));
    if (id !== undefined) this._track(id, 'read', `read ${k} @ ${this.nodeName(node)}`, fromInspector ? node : null);
    return id;
  }

  _track(id, kind, text, inspectorNode = null) {
    this.manual = { id, kind, text, inspectorNode };
    this.inspector.showManual('', '');
    this._updateManual();
  }

  // ----- selection -----------------------------------------------------------------------

  selectNode(id) {
    this.selectedNode = id;
    this.renderer.selectedNode = id;
    if (id != null) {
      this.selectedLink = null;
      this.renderer.selectedLink = null;
      this.showTab('node');
    }
    this.inspector.update(this.controller.last, id);
    this.redraw();
  }

  selectLink(a, b) {
    this.selectedLink = a == null ? null : [a, b];
    this.renderer.selectedLink = this.selectedLink;
    if (a != null) {
      this.selectedNode = null;
      this.renderer.selectedNode = null;
      this.refs.linkFrom.value = String(a);
      this.refs.linkTo.value = String(b);
      this.fillLinkForm();
      this.showTab('cluster');
    }
    this.redraw();
  }

  showTab(name) {
    for (const tab of this.root.querySelectorAll('.rl-tab')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of this.root.querySelectorAll('.rl-panel')) panel.hidden = panel.dataset.panel !== name;
    if (name === 'node') this.inspector.update(this.controller.last, this.selectedNode);
  }

  // ----- views ---------------------------------------------------------------------------

  resize() {
    const wrap = this.refs.canvasWrap;
    if (this.renderer.resize(wrap.clientWidth, wrap.clientHeight)) this.redraw();
  }

  redraw() {
    if (this.controller?.last) this.renderer.draw(this.controller.last);
  }

  nodeName(id) {
    return this.nodeNames.get(id) ?? `n${id}`;
  }

  clientName(c) {
    return c >= this.controller.workloadClients ? 'you' : `c${c}`;
  }

  /** Text panels, ~10 times a second while playing and after every interaction. */
  updateUi(snap) {
    const r = this.refs;
    setText(r.simTime, fmtClock(snap.now));
    setText(r.eventCount, fmtInt(snap.events));
    setText(r.seedShown, String(snap.seed));
    this._syncNodes(snap);
    this.ops.update(snap);
    if (!r.ops.closest('.rl-panel').hidden) this.anomalies.poll(!this.controller.isRunning());
    this.settings.update(snap);
    if (!r.failLog.closest('.rl-panel').hidden) this.faults.update(snap);
    this.metrics.poll();
    if (!r.inspector.closest('.rl-panel').hidden) this.inspector.update(snap, this.selectedNode);
    if (this.manual) this._updateManual();
  }

  updateState() {
    const c = this.controller;
    const r = this.refs;
    const running = c.isRunning();
    this.root.dataset.running = String(running);
    setText(r.playLabel, running ? 'Pause' : 'Play');
    setText(r.runState, c.crashed ? 'crashed' : running ? 'running' : 'paused');
    r.runState.dataset.state = c.crashed ? 'crashed' : running ? 'running' : 'paused';
    r.play.disabled = c.crashed;
    r.step.disabled = c.crashed;
    const v = Math.log10(c.speed);
    if (Math.abs(Number(r.speed.value) - v) > 0.005) r.speed.value = String(v);
    setText(r.speedOut, fmtSpeed(c.speed));
  }

  /** Keeps node-dependent controls (selects, counts, buttons, link labels) in step with the cluster. */
  _syncNodes(snap) {
    let key = `${snap.primary}`;
    for (const n of snap.nodes) key += `|${n.id}:${n.name}:${n.role}:${n.membership}`;
    if (key === this.nodeKey) return;
    this.nodeKey = key;
    this.nodeNames.clear();
    for (const n of snap.nodes) this.nodeNames.set(n.id, n.name);
    const r = this.refs;
    const count = snap.nodes.length;
    setText(r.nodeCount, String(count));
    r.addReplica.disabled = count >= 9;
    r.removeReplica.disabled = count <= 1 || !snap.nodes.some((n) => n.role !== 'primary' && n.membership !== 'leaving');
    const replicas = snap.nodes.filter((n) => n.role !== 'primary');
    fillSelect(r.readNode, snap.nodes, (n) => `${n.name}${n.role === 'primary' ? ' (primary)' : ''}`,
      replicas.length ? replicas[replicas.length - 1].id : snap.nodes[0]?.id);
    fillSelect(r.linkFrom, snap.nodes, (n) => n.name, snap.primary ?? snap.nodes[0]?.id);
    fillSelect(r.linkTo, snap.nodes, (n) => n.name, replicas.length ? replicas[replicas.length - 1].id : snap.nodes[0]?.id);
    if (this.selectedLink && !(snap.nodes.some((n) => n.id === this.selectedLink[0]) && snap.nodes.some((n) => n.id === this.selectedLink[1]))) {
      this.selectLink(null);
    }
    if (this.selectedNode != null && !snap.nodes.some((n) => n.id === this.selectedNode)) {
      this.selectedNode = null;
      this.renderer.selectedNode = null;
    }
    this.refreshLinks();
    this.fillLinkForm();
  }

  /** Re-reads every link's settings from the Lab for the canvas labels. */
  refreshLinks() {
    const lab = this.controller.lab;
    const snap = this.controller.last;
    const ids = snap.nodes.map((n) => n.id);
    const base = latencyMean(snap.defaultLink.latency);
    const labels = new Map();
    try {
      for (const a of ids) {
        for (const b of ids) {
          if (a === b) continue;
          const spec = lab.link(a, b);
          const back = lab.link(b, a);
          const mean = latencyMean(spec.latency);
          let text = fmtLatency(spec.latency);
          if (JSON.stringify(back.latency) !== JSON.stringify(spec.latency)) text += ` / ${fmtLatency(back.latency)}`;
          if (spec.loss > 0) text += ` · ${(spec.loss / 10_000).toFixed(spec.loss % 10_000 ? 1 : 0)}% loss`;
          labels.set(a * MAX_IDS + b, { text, slow: mean > base * 1.5 || spec.loss > 0 });
        }
      }
    } catch (e) {
      this.controller.fail(e);
    }
    this.renderer.setLinkLabels(labels);
    this.redraw();
  }

  fillAllLinksForm(spec) {
    const r = this.refs;
    const [min, max] = latencyRangeMs(spec.latency);
    r.allMin.value = String(min);
    r.allMax.value = String(max);
    r.allJitter.value = String(spec.jitter / 1000);
    r.allLoss.value = String(spec.loss / 10_000);
  }

  fillLinkForm() {
    const r = this.refs;
    const a = Number(r.linkFrom.value), b = Number(r.linkTo.value);
    if (!Number.isFinite(a) || !Number.isFinite(b) || r.linkFrom.value === '' || r.linkTo.value === '') return;
    if (a === b) {
      setText(r.linkCurrent, 'Pick two different nodes.');
      return;
    }
    let spec;
    try {
      spec = this.controller.lab.link(a, b);
    } catch (e) {
      this.showError(e);
      return;
    }
    const [min, max] = latencyRangeMs(spec.latency);
    r.linkMin.value = String(min);
    r.linkMax.value = String(max);
    r.linkJitter.value = String(spec.jitter / 1000);
    r.linkLoss.value = String(spec.loss / 10_000);
    setText(r.linkCurrent, `Now ${this.nodeName(a)} → ${this.nodeName(b)}: ${fmtLatency(spec.latency)}${spec.jitter ? ` + up to ${fmtDur(spec.jitter)} jitter` : ''}${spec.loss ? `, ${spec.loss / 10_000}% loss` : ''}.`);
  }

  _updateManual() {
    const m = this.manual;
    const el = this.refs.manualResult;
    let op;
    try {
      op = this.controller.lab.op(m.id);
    } catch {
      return;
    }
    if (!op) return;
    let text;
    let state = op.outcome;
    const took = op.completedAt != null ? fmtDur(op.completedAt - op.invokedAt) : '';
    if (op.outcome === 'pending') {
      const waited = fmtDur(Math.max(0, this.controller.last.now - op.invokedAt));
      text = op.kind !== 'read' && op.ack && op.ack !== 'async'
        ? `${m.text} … waiting for ${op.ack} replica acks (${waited} so far)`
        : `${m.text} … waiting for the reply (${waited} so far)`;
    } else if (op.kind !== 'read') {
      if (op.outcome === 'ok' && op.swapped === false) {
        text = `✗ ${m.text}: ${op.key} did not hold ${op.expected ?? 'nothing'}, so nothing changed (answered in ${took}; its place in the log is lsn ${op.lsn}).`;
        state = 'fail';
      } else if (op.outcome === 'ok') {
        text = `✓ ${m.text}: acknowledged in ${took} at lsn ${op.lsn}.`;
        // Builds with acknowledgement policies report which one applied (`ack`, `ackedBy`).
        if (op.ack && op.ack !== 'async') {
          const by = Array.isArray(op.ackedBy) && op.ackedBy.length ? ` after ${op.ackedBy.map((id) => this.nodeName(id)).join(', ')} confirmed` : '';
          text += ` Policy ${op.ack}${by}.`;
        } else {
          text += ' The primary has it on disk; replicas are still catching up.';
        }
      }
      else if (op.outcome === 'fail') text = `✗ ${m.text}: refused (${op.error === 'notPrimary' ? 'that node is not the primary' : op.error === 'overloaded' ? 'the node is overloaded: its queue is full' : op.error})`;
      else text = `? ${m.text}: timed out after ${took}; it may or may not have happened.`;
    } else if (op.outcome === 'ok') {
      const value = op.version != null ? `${op.result} (lsn ${op.version})` : 'nothing (no value yet)';
      text = `✓ ${m.text} returned ${value} in ${took}.`;
      if (op.redirects > 0) text += ` ${this.nodeName(op.asked)} could not serve it, so ${this.nodeName(op.servedBy ?? op.node)} answered.`;
      if (op.stale) {
        text += ` STALE: it missed a write acknowledged ${fmtDur(op.staleness)} before you asked.`;
        state = 'stale';
      }
    } else {
      text = `✗ ${m.text}: ${op.error === 'timeout' ? 'timed out' : op.error === 'overloaded' ? 'refused, the node is overloaded' : 'failed'} after ${took}.`;
    }
    setText(el, text);
    el.dataset.state = state;
    el.dataset.opId = String(m.id);
    if (m.inspectorNode != null && m.inspectorNode === this.selectedNode) this.inspector.showManual(text, state);
    if (op.outcome !== 'pending') this.manual = null;
  }
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function fillSelect(select, nodes, label, fallback) {
  const prev = select.value;
  select.replaceChildren(...nodes.map((n) => {
    const o = document.createElement('option');
    o.value = String(n.id);
    o.textContent = label(n);
    return o;
  }));
  const keep = nodes.some((n) => String(n.id) === prev);
  select.value = keep ? prev : String(fallback ?? '');
}
