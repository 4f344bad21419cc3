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
import { PbsPanel } from './pbs-panel.js';
import { Faults } from './faults.js';
import { AnomaliesPanel } from './anomalies-panel.js';
import { ManualPanel } from './manual-panel.js';
import { ClusterPanel } from './cluster-panel.js';
import { RingPanel } from './ring-panel.js';
import { Timeline } from './timeline.js';
import { Happenings } from './happenings.js';
import { LiveRegion } from './live-region.js';
import { decodeShare, encodeShare } from './share.js';
import { LessonPlayer, checkLesson } from './lesson-player.js';
import { wireTabs } from './tabs.js';
import { wireExport } from './export.js';
import { StageList } from './stage-list.js';

/** The test hook's default step for `advanceUntil`, in simulated ms. */
const UNTIL_STEP_MS = 10;

/** Scenario names that ship in www/scenarios/ (a share link names one of them, or carries the text). */
const NAME = /^[a-z0-9-]{1,64}$/;

/**
 * @param {HTMLElement} root
 * @param {{scenarioUrl?: string|URL, scenarioText?: string, scenario?: string, seed?: number|string,
 *          speed?: number, paused?: boolean, keyboard?: 'root'|'none', theme?: 'light'|'dark'|'auto',
 *          controls?: 'full'|'minimal'|'none', charts?: boolean, share?: string,
 *          shareBase?: string|URL}} [options]
 *   `scenario` names a bundled scenario; `seed` may be text (from a URL: a bad one is
 *   reported and the scenario's seed used); `share` is a share link's fragment to open
 *   (a broken one is reported and the default opened); `shareBase` the page share links
 *   point to (the standalone page by default).
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
    root.dataset.controls = ['full', 'minimal', 'none'].includes(options.controls) ? options.controls : 'full';
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
    this._themeFrom(options.theme);
    // What to open: a share link, else the scenario asked for, else the default. A broken
    // link, an unknown scenario or a bad seed is said in the banner, and the default opens.
    let shared = null;
    if (options.share) {
      try {
        shared = await decodeShare(options.share);
      } catch (e) {
        this.banner.show(`This share link could not be opened: ${errorMessage(e)}. The default scenario opened instead.`, { kind: 'info' });
      }
    }
    let { text, source, lesson } = await this._sourceText(shared ? shared.source : this._optionsSource(options));
    const seedAsked = shared ? shared.seed : options.seed;
    let seed = lesson ? lesson.seed : scenarioSeed(text) ?? 1;
    if (seedAsked != null && String(seedAsked).trim() !== '') {
      const t = String(seedAsked).trim();
      if (/^\d{1,16}$/.test(t) && Number(t) <= Number.MAX_SAFE_INTEGER) seed = Number(t);
      else this.banner.show(`The seed "${t}" is not a whole number from 0 to 2^53-1; the scenario's own seed (${seed}) is used.`, { kind: 'info' });
    }
    this.source = source;

    const c = new LabController(Lab, { speed: clampSpeed(options.speed ?? 0.2), bus });
    this.controller = c;
    this.Lab = Lab;
    this.renderer = new Renderer(refs.canvas, this.root);
    // The panels hear and ask only through the bus.
    this.panels = {
      ops: new OpsPanel(refs, bus),
      manual: new ManualPanel(refs, bus),
      anomalies: new AnomaliesPanel(refs, bus),
      inspector: new Inspector(refs.inspector, bus),
      cluster: new ClusterPanel(refs, bus),
      settings: new Settings(refs, bus),
      ring: new RingPanel(refs, bus),
      faults: new Faults(refs, bus),
      metrics: new MetricsPanel(this.root, refs, bus),
      scaling: new Scaling(refs, bus),
      pbs: new PbsPanel(refs, bus),
      timeline: new Timeline(refs, bus, { seekTo: (us) => c.seekTo(us), stepBack: () => c.stepBack() }),
      happenings: new Happenings(bus),
      live: new LiveRegion(refs.live, bus),
    };
    this.lessons = new LessonPlayer(this, refs, bus);
    const redraw = () => this.renderer.draw(bus.snapshot);
    wireControls(this.root, refs, bus, {
      toggle: () => c.toggle(),
      step: () => c.stepOnce(),
      stepBack: () => c.stepBack(),
      setSpeed: (x) => c.setSpeed(x),
      reset: (seedText) => this.reset(seedText),
      loadScenario: (name) => this.loadScenario(name),
      loadLesson: async (id) => {
        // Picked from the menu: the focus goes to the lesson's Start button.
        if (await this.loadLesson(id)) refs.lessonContinue.focus();
      },
    }, options);
    wireStage(refs, this.renderer, bus, redraw);
    this._markTab = wireTabs(this.root, bus, (name) => this.showTab(name));
    this._markTab('ops');
    this.panels.stageList = new StageList(refs.stageList, bus, {
      selected: () => this.renderer.selection.node,
      // Chosen in the list: the node is selected and the focus goes to its actions.
      select: (id) => {
        bus.emit('select', { node: id });
        refs.inspector.querySelector('button[data-action]')?.focus();
      },
    });
    bus.on('snapshot', (snap) => this.renderer.draw(snap));
    bus.on('select', (selection) => this._select(selection));
    bus.on('ui', (snap) => this._dropVanishedSelection(snap));
    bus.on('ring-key', (keyView) => {
      this.renderer.setRingKey(keyView);
      redraw();
    });
    bus.on('link-labels', (labels) => {
      this.renderer.linkLabels = labels;
      redraw();
    });
    const ro = new ResizeObserver(bus.guard(() => this.resize()));
    ro.observe(refs.canvasWrap);
    bus.onClose(() => ro.disconnect());
    // What the stage has room for when the lab opens: the charts under a tall stage only,
    // the key open only when there is room to spare (both stay the student's to toggle).
    // The charts follow the stage's height at each resize until the student or the host
    // chooses: the first measurement can come before the styles have laid the lab out.
    const stageH = refs.canvasWrap.parentElement.clientHeight;
    this._autoCharts = options.charts == null;
    this.panels.metrics.setVisible(options.charts ?? stageH >= 600);
    bus.listen(refs.chartsToggle, 'click', () => { this._autoCharts = false; });
    refs.legend.open = stageH >= 860;
    this.resize();

    bus.listen(refs.shareBtn, 'click', () => this.showShare());
    bus.listen(refs.shareCopy, 'click', () => this._copyShare());
    bus.listen(refs.shareClose, 'click', () => { refs.shareBox.hidden = true; });
    wireExport(this, refs, bus);
    bus.listen(refs.themeBtn, 'click', () => this.setTheme(this.root.dataset.theme === 'light' ? 'dark' : 'light'));

    this._fillLessonPicker();
    if (shared && !this._openShared(shared, text, lesson)) shared = null;
    if (!shared) {
      try {
        c.load(text, seed);
      } catch (e) {
        // A scenario that does not build (or a seed it refuses): say so, open the default.
        this.banner.show(`${errorMessage(e)}. The default scenario opened instead.`);
        ({ text, source } = await this._sourceText({}));
        this.source = source;
        lesson = null;
        try {
          c.load(text, scenarioSeed(text) ?? 1);
        } catch (e2) {
          this.banner.show(e2);
          this.root.dataset.state = 'failed';
          throw e2;
        }
      }
    }
    if (lesson && !shared) this.lessons.attach(lesson);
    else if (options.firstRun && !shared) this.lessons.greet();
    this.root.dataset.state = 'ready';
    if (!options.paused && !shared && !lesson && !reducedMotion()) c.play();
  }

  /**
   * Opens a lesson (its scenario, seed, actions and steps), paused at its start: `id` names
   * one of www/lessons/, or `{url}` gives a lesson file's address.
   */
  async loadLesson(id) {
    const src = typeof id === 'string' ? { lesson: id } : { lessonUrl: String(id.url) };
    if (src.lesson != null && !NAME.test(src.lesson)) return false;
    const { text, source, lesson } = await this._sourceText(src, { fallback: false });
    if (!lesson) return false;
    if (!this._load(text, lesson.seed)) return false;
    this.source = source;
    this.lessons.attach(lesson);
    return true;
  }

  /** The lesson picker's entries, from www/lessons/index.json (the scenarios are in the markup). */
  async _fillLessonPicker() {
    try {
      const list = JSON.parse(await fetchText(new URL('../lessons/index.json', import.meta.url)));
      this.refs.lessonOptions.replaceChildren(...list.filter((l) => NAME.test(l.id)).map((l) => {
        const o = document.createElement('option');
        o.value = `lesson:${l.id}`;
        o.textContent = String(l.title);
        return o;
      }));
    } catch {
      this.refs.lessonOptions.remove(); // the scenarios still load
    }
  }

  /** The source the options ask for: {lesson} | {scenario: name} | {text} | {url} | {} (the default). */
  _optionsSource(options) {
    if (options.lesson) return NAME.test(options.lesson) ? { lesson: options.lesson } : { badLesson: options.lesson };
    if (options.lessonUrl) return { lessonUrl: String(options.lessonUrl) };
    if (options.scenarioText) return { text: options.scenarioText };
    if (options.scenario) return NAME.test(options.scenario) ? { scenario: options.scenario } : { bad: options.scenario };
    if (options.scenarioUrl) return { url: String(options.scenarioUrl) };
    return {};
  }

  /**
   * The scenario text of a source, the source to name in share links, and the lesson if
   * it is one (with its seed). Never throws: what fails is said and the default used.
   */
  async _sourceText(src, { fallback = true } = {}) {
    if (src.badLesson != null) this.banner.show(`There is no lesson called "${src.badLesson}"; the default opened instead.`, { kind: 'info' });
    if (src.lesson || src.lessonUrl) {
      const url = src.lesson ? new URL(`../lessons/${src.lesson}.json`, import.meta.url) : new URL(src.lessonUrl, document.baseURI);
      const what = src.lesson ? `the lesson "${src.lesson}"` : `the lesson at ${url}`;
      try {
        const lesson = checkLesson(JSON.parse(await fetchText(url)), src.lesson ?? url.pathname);
        const sc = lesson.scenario;
        const text = typeof sc === 'string' ? await fetchText(new URL(`../scenarios/${sc}.json`, import.meta.url)) : JSON.stringify(sc);
        // A lesson of the lab's own folder is named in share links; another travels as its scenario.
        return { text, source: src.lesson ? { lesson: src.lesson } : { text }, lesson };
      } catch (e) {
        if (!fallback) {
          this.banner.show(`Could not open ${what} (${errorMessage(e)}); the current run goes on.`, { kind: 'info' });
          return {};
        }
        this.banner.show(`Could not open ${what} (${errorMessage(e)}); the default opened instead.`, { kind: 'info' });
        return this._sourceText({});
      }
    }
    if (src.text) return { text: src.text, source: { text: src.text } };
    if (src.bad != null) this.banner.show(`There is no scenario called "${src.bad}"; the default opened instead.`, { kind: 'info' });
    const name = src.scenario ?? (src.url ? null : 'backup-band');
    const url = src.url ?? new URL(`../scenarios/${name}.json`, import.meta.url);
    try {
      const text = await fetchText(url);
      return { text, source: name ? { scenario: name } : { text } };
    } catch (e) {
      this.banner.show(`Could not load the scenario ${src.scenario ?? url} (${errorMessage(e)}); using the built-in default.`, { kind: 'info' });
      const text = JSON.stringify(this.Lab?.defaultScenario?.() ?? {});
      return { text, source: { text } };
    }
  }

  // ----- share links ---------------------------------------------------------------------

  /** Everything a share link holds: the source, the seed, the action log, the moment, the view. */
  shareState() {
    const lab = this.controller.lab;
    return {
      source: this.source,
      seed: lab.seed(),
      actions: JSON.parse(lab.actions()),
      at: lab.now(),
      after: lab.eventsProcessed(),
      view: { tab: this.tab ?? 'ops', charts: this.panels.metrics.visible, speed: this.controller.speed, theme: this.root.dataset.theme },
    };
  }

  /** The share link of this moment (a URL of the standalone page, with the state in its fragment). */
  async shareUrl() {
    const base = new URL(this.options.shareBase ?? new URL('../index.html', import.meta.url));
    base.hash = await encodeShare(this.shareState());
    return base.href;
  }

  async showShare() {
    this.controller.pause();
    const r = this.refs;
    r.shareUrl.value = await this.shareUrl();
    r.shareNote.textContent = '';
    r.shareBox.hidden = false;
    r.shareUrl.focus();
    r.shareUrl.select();
  }

  async _copyShare() {
    const r = this.refs;
    try {
      await navigator.clipboard.writeText(r.shareUrl.value);
      r.shareNote.textContent = 'Copied.';
    } catch {
      r.shareUrl.focus();
      r.shareUrl.select();
      r.shareNote.textContent = 'Copying is not allowed here: the link is selected, press Ctrl+C (⌘C).';
    }
  }

  /** Rebuilds a shared run (replay of its log, then the exact moment); false (reported) if it cannot. */
  _openShared(state, text, lesson) {
    const c = this.controller;
    try {
      c.loadReplay(text, state.seed, JSON.stringify(state.actions));
      if (lesson) this.lessons.attach(lesson);
      c.seekMoment(state.at, state.after);
    } catch (e) {
      this.banner.show(`This share link could not be replayed (${errorMessage(e)}). The default scenario opened instead.`, { kind: 'info' });
      return false;
    }
    const v = state.view ?? {};
    if (typeof v.speed === 'number') c.setSpeed(v.speed);
    if (typeof v.charts === 'boolean') {
      this._autoCharts = false;
      this.panels.metrics.setVisible(v.charts);
    }
    if (v.theme === 'light' || v.theme === 'dark') this.setTheme(v.theme);
    if (typeof v.tab === 'string' && this.root.querySelector(`.rl-tab[data-tab="${v.tab}"]`)) this.showTab(v.tab);
    return true;
  }

  // ----- view ----------------------------------------------------------------------------

  /** 'light' | 'dark' | 'auto' (the system's choice, followed as it changes). */
  _themeFrom(theme) {
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : null;
    const pick = () => (theme === 'light' || theme === 'dark' ? theme : mq?.matches ? 'light' : 'dark');
    this.root.dataset.theme = pick();
    if (theme !== 'light' && theme !== 'dark' && mq) this.bus.listen(mq, 'change', () => this.setTheme(pick(), true));
  }

  /** Switches the colours of the page and the canvases (`auto` keeps following the system if asked). */
  setTheme(theme, fromSystem = false) {
    if (theme === 'auto') return this._themeFrom('auto');
    if (theme !== 'light' && theme !== 'dark') return undefined;
    if (!fromSystem) this.bus.emit('theme-chosen', theme);
    this.root.dataset.theme = theme;
    this.refs.themeBtn.setAttribute('aria-label', theme === 'light' ? 'Switch to the dark theme' : 'Switch to the light theme');
    if (this.renderer) {
      this.renderer.setTheme(this.root);
      this.panels.metrics.retheme();
      this.panels.scaling.retheme?.();
      this.panels.pbs.retheme();
      this.renderer.draw(this.bus.snapshot);
    }
    return undefined;
  }

  /** 'full' | 'minimal' | 'none': how much of the lab shows around the stage. */
  setControls(controls) {
    if (!['full', 'minimal', 'none'].includes(controls)) return;
    this.root.dataset.controls = controls;
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
  async loadScenario(name, seed) {
    if (!/^[a-z0-9-]+$/.test(name)) return false;
    let text;
    try {
      text = await fetchText(new URL(`../scenarios/${name}.json`, import.meta.url));
    } catch (e) {
      this.banner.show(`Could not load the scenario ${name} (${errorMessage(e)}); the current one keeps running.`);
      return false;
    }
    if (!this._load(text, seed ?? scenarioSeed(text) ?? this.controller.seed)) return false;
    this.source = { scenario: name };
    return true;
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
    if (this.lessons?.lesson) this.lessons.leave();
    this.bus.emit('error-cleared');
    return true;
  }

  // ----- selection and tabs --------------------------------------------------------------

  _select(selection) {
    this.renderer.selection = selection;
    if (selection.node != null) {
      this.showTab('node');
      // On a phone the side panel sits under the stage: bring the node's actions into view.
      this.refs.inspector.scrollIntoView?.({ block: 'nearest' });
    }
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
    this.tab = name;
    this._markTab(name);
    for (const panel of this.root.querySelectorAll('.rl-panel')) panel.hidden = panel.dataset.panel !== name;
    // Panels update only while shown: bring the one just shown up to date.
    if (this.bus.snapshot) this.bus.emit('ui', this.bus.snapshot);
  }

  resize() {
    const wrap = this.refs.canvasWrap;
    // The stage's own box, charts included: showing them does not change it.
    const stageH = wrap.parentElement.clientHeight;
    if (this._autoCharts && stageH > 0 && this.panels.metrics.visible !== stageH >= 600) {
      this.panels.metrics.setVisible(stageH >= 600);
    }
    if (this.renderer.resize(wrap.clientWidth, wrap.clientHeight)) this.renderer.draw(this.bus.snapshot);
  }
}

/** Whether the person asked for less motion (then nothing plays by itself). */
export function reducedMotion() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
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
