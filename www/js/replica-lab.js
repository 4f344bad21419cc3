// One Replica Lab instance inside a page element: `createReplicaLab(root, options)` builds
// the markup, loads the wasm module and the scenario, and ties together the instance's bus,
// its controller (the Lab and its frame loop), the canvas and the panels. It owns what the
// parts share: the selection on the stage and the side panel's tabs. Nothing is global: a
// page may hold several instances, and a failure in one is reported in its own banner.

import { loadWasm } from './wasm.js';
import { LabBus } from './lab-bus.js';
import { LabController, clampSpeed } from './lab-controller.js';
import { Renderer } from './renderer.js';
import { OpsPanel } from './ops-panel.js';
import { Inspector } from './inspector.js';
import { ErrorBanner, errorMessage } from './errors.js';
import { TEMPLATE, collectRefs } from './template.js';
import { wireControls } from './controls.js';
import { wireStage } from './stage-input.js';
import { Settings } from './settings.js';
import { MetricsPanel } from './metrics-panel.js';
import { Scaling } from './scaling.js';
import { Faults } from './faults.js';
import { AnomaliesPanel } from './anomalies-panel.js';
import { ManualPanel } from './manual-panel.js';
import { ClusterPanel } from './cluster-panel.js';

/** The test hook's default step for `advanceUntil`, in simulated ms. */
const UNTIL_STEP_MS = 10;

/**
 * @param {HTMLElement} root
 * @param {{scenarioUrl?: string|URL, scenarioText?: string, seed?: number, speed?: number,
 *          paused?: boolean, keyboard?: 'root'|'none'}} [options]
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
    this.bus = new LabBus();
    this.banner = new ErrorBanner(this.refs, this.bus);
    this.controller = null;
    this.renderer = null;
    this.panels = null;
  }

  async start() {
    const { options, refs, bus } = this;
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
        text = await fetchText(url);
      } catch (e) {
        text = JSON.stringify(Lab.defaultScenario());
        this.banner.show(`Could not load the scenario ${url} (${errorMessage(e)}); using the built-in default.`, { kind: 'info' });
      }
    }
    const seed = Number.isFinite(options.seed) ? options.seed : scenarioSeed(text) ?? 1;

    const c = new LabController(Lab, { speed: clampSpeed(options.speed ?? 0.2), bus });
    this.controller = c;
    this.renderer = new Renderer(refs.canvas, this.root);
    // The panels hear and ask only through the bus.
    this.panels = {
      ops: new OpsPanel(refs, bus),
      manual: new ManualPanel(refs, bus),
      anomalies: new AnomaliesPanel(refs, bus),
      inspector: new Inspector(refs.inspector, bus),
      cluster: new ClusterPanel(refs, bus),
      settings: new Settings(refs, bus),
      faults: new Faults(refs, bus),
      metrics: new MetricsPanel(this.root, refs, bus),
      scaling: new Scaling(refs, bus),
    };
    const redraw = () => this.renderer.draw(bus.snapshot);
    wireControls(this.root, refs, bus, {
      toggle: () => c.toggle(),
      step: () => c.stepOnce(),
      setSpeed: (x) => c.setSpeed(x),
      reset: (seedText) => this.reset(seedText),
      loadScenario: (name) => this.loadScenario(name),
    }, options);
    wireStage(refs, this.renderer, bus, redraw);
    for (const tab of this.root.querySelectorAll('.rl-tab')) {
      bus.listen(tab, 'click', () => this.showTab(tab.dataset.tab));
    }
    bus.on('snapshot', (snap) => this.renderer.draw(snap));
    bus.on('select', (selection) => this._select(selection));
    bus.on('ui', (snap) => this._dropVanishedSelection(snap));
    bus.on('link-labels', (labels) => {
      this.renderer.linkLabels = labels;
      redraw();
    });
    const ro = new ResizeObserver(bus.guard(() => this.resize()));
    ro.observe(refs.canvasWrap);
    bus.onClose(() => ro.disconnect());
    // What the stage has room for when the lab opens: the charts under a tall stage only,
    // the key open only when there is room to spare (both stay the student's to toggle).
    const stageH = refs.canvasWrap.parentElement.clientHeight;
    this.panels.metrics.setVisible(options.charts ?? stageH >= 600);
    refs.legend.open = stageH >= 860;
    this.resize();

    try {
      c.load(text, seed);
    } catch (e) {
      this.banner.show(e);
      this.root.dataset.state = 'failed';
      throw e;
    }
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

  /** Runs `fn(lab)` as a page action would: errors go to the banner, the views refresh. */
  act(fn) {
    return this.controller.act(fn);
  }

  /**
   * Pauses the frame loop and runs `ms` of simulated time at once (in chunks of the Lab's
   * `advanceTo`), then refreshes every panel once, as a frame would. Returns the new time (µs).
   */
  advance(ms) {
    this.controller.advance(Math.round(ms * 1000));
    return this.controller.lab.now();
  }

  /**
   * Pauses the frame loop and runs simulated time `stepMs` at a time until
   * `test(snapshot())` holds, then refreshes every panel once. Returns the simulated ms it
   * took; throws if it did not hold within `withinMs`.
   */
  advanceUntil(test, withinMs = 30_000, stepMs = UNTIL_STEP_MS) {
    const c = this.controller;
    const start = c.lab.now();
    if (!c.advanceUntil(test, Math.round(withinMs * 1000), Math.round(stepMs * 1000))) {
      throw new Error(`not within ${withinMs} ms of simulated time (at ${c.lab.now() / 1000} ms): ${test}`);
    }
    return (c.lab.now() - start) / 1000;
  }

  /** Where a node is drawn, in CSS pixels relative to the canvas (for tests and overlays). */
  nodeRect(id) {
    return this.renderer.nodeBox(id);
  }

  destroy() {
    this.bus.close();
    this.root.replaceChildren();
  }

  // ----- worlds --------------------------------------------------------------------------

  /** Loads a bundled scenario (www/scenarios/NAME.json) with its own seed; on failure the current world stays. */
  async loadScenario(name) {
    if (!/^[a-z0-9-]+$/.test(name)) return false;
    let text;
    try {
      text = await fetchText(new URL(`../scenarios/${name}.json`, import.meta.url));
    } catch (e) {
      this.banner.show(`Could not load the scenario ${name} (${errorMessage(e)}); the current one keeps running.`);
      return false;
    }
    return this._load(text, scenarioSeed(text) ?? this.controller.seed);
  }

  /** Starts the scenario over with the seed typed in `seedText`. */
  reset(seedText) {
    const t = String(seedText ?? '').trim();
    if (!/^\d+$/.test(t)) {
      this.banner.show(`The seed must be a whole number from 0 to 2^53-1 (got "${t}")`);
      return false;
    }
    return this._load(this.controller.scenarioText, Number(t));
  }

  _load(text, seed) {
    try {
      this.controller.load(text, seed);
    } catch (e) {
      this.banner.show(e);
      return false;
    }
    this.bus.emit('error-cleared');
    return true;
  }

  // ----- selection and tabs --------------------------------------------------------------

  _select(selection) {
    this.renderer.selection = selection;
    if (selection.node != null) this.showTab('node');
    else if (selection.link) this.showTab('cluster');
    this.renderer.draw(this.bus.snapshot);
  }

  /** A selected node or link that left the cluster is no longer selected. */
  _dropVanishedSelection(snap) {
    const { node, link } = this.renderer.selection;
    const gone = (id) => !snap.nodes.some((n) => n.id === id);
    if ((node != null && gone(node)) || (link && (gone(link[0]) || gone(link[1])))) this.bus.emit('select', {});
  }

  showTab(name) {
    for (const tab of this.root.querySelectorAll('.rl-tab')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of this.root.querySelectorAll('.rl-panel')) panel.hidden = panel.dataset.panel !== name;
    // Panels update only while shown: bring the one just shown up to date.
    if (this.bus.snapshot) this.bus.emit('ui', this.bus.snapshot);
  }

  resize() {
    const wrap = this.refs.canvasWrap;
    if (this.renderer.resize(wrap.clientWidth, wrap.clientHeight)) this.renderer.draw(this.bus.snapshot);
  }
}

async function fetchText(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** The seed a scenario's JSON names, if any (the Lab constructor reports bad JSON). */
function scenarioSeed(text) {
  try {
    const seed = JSON.parse(text).seed;
    return Number.isFinite(seed) ? seed : undefined;
  } catch {
    return undefined;
  }
}
