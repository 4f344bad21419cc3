// <replica-lab>: the lab as a custom element, for course pages. One module script from this
// folder defines it (nothing else to load: its stylesheet is fetched into its shadow root):
//
//   <script type="module" src="replica-lab/element.js"></script>
//   <replica-lab scenario="failover" seed="11" controls="minimal" theme="auto" height="560px"></replica-lab>
//
// Attributes: scenario (a built-in name or a URL of a scenario file), lesson (a lesson of
// lessons/ by name, or a URL of a lesson file: docs/lessons.md), seed, autoplay,
// controls (full | minimal | none), theme (light | dark | auto), height (a CSS length).
// Methods: play(), pause(), seek(ms), load({scenario, seed} or {lesson}), fault(action), set({speed,
// theme, controls}), shareUrl(); each returns a promise. DOM events (bubbling out of the
// shadow root): ready, state, anomaly, finished, lessonstep, each with its `detail`.
// Several on one page are independent: each has its own lab, bus and shadow root.

import { createReplicaLab } from './js/replica-lab.js';
import { HostApi } from './js/host-api.js';

const BASE = new URL('./', import.meta.url);
const EVENTS = { ready: 'ready', state: 'state', anomaly: 'anomaly', finished: 'finished', lessonStep: 'lessonstep' };

function loaded(link) {
  return new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true }); // the lab still says what it can
  });
}

export class ReplicaLabElement extends HTMLElement {
  static get observedAttributes() {
    return ['theme', 'controls', 'height', 'seed', 'scenario', 'lesson', 'autoplay'];
  }

  constructor() {
    super();
    this.lab = null; // the ReplicaLab inside, once ready
    this.api = null;
    this._starting = null;
  }

  connectedCallback() {
    this._applyHeight();
    if (!this._starting) this._starting = this._start();
  }

  disconnectedCallback() {
    // Moved within the page: keep it. Removed: stop its loop and free its world.
    queueMicrotask(() => {
      if (!this.isConnected && this.lab) {
        this.lab.destroy();
        this.lab = null;
        this.api = null;
        this._starting = null;
        this.shadowRoot.replaceChildren();
      }
    });
  }

  async _start() {
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const links = ['css/style.css', 'css/lessons.css', 'css/ring.css', 'css/access.css', 'css/element.css'].map((href) => {
      const l = document.createElement('link');
      l.rel = 'stylesheet';
      l.href = new URL(href, BASE).href;
      return l;
    });
    const root = document.createElement('div');
    root.className = 'rl-host';
    shadow.replaceChildren(...links, root);
    await Promise.all(links.map(loaded));
    const scenario = this.getAttribute('scenario') ?? '';
    const isName = /^[a-z0-9-]{1,64}$/.test(scenario);
    const lesson = this.getAttribute('lesson') ?? '';
    const isLessonName = /^[a-z0-9-]{1,64}$/.test(lesson);
    this.lab = await createReplicaLab(root, {
      scenario: isName ? scenario : undefined,
      scenarioUrl: scenario && !isName ? new URL(scenario, document.baseURI) : undefined,
      lesson: isLessonName ? lesson : undefined,
      lessonUrl: lesson && !isLessonName ? new URL(lesson, document.baseURI) : undefined,
      seed: this.getAttribute('seed') ?? undefined,
      paused: !this.hasAttribute('autoplay'),
      theme: this.getAttribute('theme') ?? 'auto',
      controls: this.getAttribute('controls') ?? 'full',
    });
    this.api = new HostApi(this.lab, (type, detail) => {
      this.dispatchEvent(new CustomEvent(EVENTS[type] ?? type, { detail, bubbles: true, composed: true }));
    });
    this.api.ready();
    return this.lab;
  }

  attributeChangedCallback(name, old, value) {
    if (name === 'height') this._applyHeight();
    if (!this.api || old === value) return;
    if (name === 'theme') this.api.command('set', { theme: value ?? 'auto' }).catch(() => {});
    else if (name === 'controls') this.api.command('set', { controls: value ?? 'full' }).catch(() => {});
    else if (name === 'autoplay') this.api.command(value == null ? 'pause' : 'play');
    else if (name === 'lesson' && value) {
      const isLessonName = /^[a-z0-9-]{1,64}$/.test(value);
      if (isLessonName) this.api.command('load', { lesson: value }).catch(() => {});
      else this.lab.loadLesson({ url: new URL(value, document.baseURI) }).then((ok) => ok && this.api?.ready());
    } else if (name === 'seed' || name === 'scenario') {
      const sc = this.getAttribute('scenario');
      const seed = this.getAttribute('seed');
      this.api.command('load', { scenario: sc || undefined, seed: seed != null && /^\d+$/.test(seed) ? Number(seed) : undefined }).catch(() => {});
    }
  }

  _applyHeight() {
    const h = this.getAttribute('height');
    this.style.height = h ? (/^\d+$/.test(h) ? `${h}px` : h) : '';
  }

  async _ready() {
    await (this._starting ?? Promise.reject(new Error('the element is not on a page')));
    return this.api;
  }

  async play() { return (await this._ready()).command('play'); }
  async pause() { return (await this._ready()).command('pause'); }
  async seek(ms) { return (await this._ready()).command('seek', { t: ms }); }
  async load(what) { return (await this._ready()).command('load', what); }
  async fault(action) { return (await this._ready()).command('fault', { action }); }
  async set(settings) { return (await this._ready()).command('set', settings); }
  async shareUrl() { await this._ready(); return this.lab.shareUrl(); }
}

if (!customElements.get('replica-lab')) customElements.define('replica-lab', ReplicaLabElement);
