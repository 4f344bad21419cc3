// What a host page may do with one lab and hear from it, whatever carries the words (the
// <replica-lab> element's methods and DOM events, or embed.html's postMessage): commands
// play, pause, seek {t: ms}, load {scenario?, seed?} or {lesson}, fault {action} (an action as
// `lab.act` takes it, e.g. {"crash": {"node": 0}}), set {speed?, theme?, controls?}, state;
// events ready, state, anomaly (the first time each kind is seen), finished (the
// scenario's `until` reached), lessonStep. Commands check what they are given: a bad one
// is refused with an Error (shown in the lab's banner too), never half done.

const NAME = /^[a-z0-9-]{1,64}$/;
const ANOMALY_KINDS = new Set(['splitBrain', 'lostWrite', 'staleRead']);

export class HostApi {
  /**
   * @param {import('./replica-lab.js').ReplicaLab} app
   * @param {(event: string, detail: object) => void} send
   */
  constructor(app, send) {
    this.app = app;
    this.send = send;
    this.seen = new Set();
    this.finished = false;
    const bus = app.bus;
    bus.on('state', ({ running, speed }) => send('state', { ...this._moment(), running, speed }));
    bus.on('reset', () => { this.seen.clear(); this.finished = false; });
    bus.on('happening', (h) => {
      if (!ANOMALY_KINDS.has(h.kind) || this.seen.has(h.kind)) return;
      this.seen.add(h.kind);
      send('anomaly', { kind: h.kind, text: h.text, at: h.at / 1000 });
    });
    bus.on('ui', (snap) => {
      const until = app.controller.untilUs;
      if (until == null) return;
      if (snap.now < until) this.finished = false;
      else if (!this.finished) {
        this.finished = true;
        send('finished', { at: snap.now / 1000, summary: app.controller.read((lab) => ({ writes: lab.snapshot(0, 0).counters })) });
      }
    });
    bus.on('lesson-step', (step) => send('lessonStep', step));
  }

  /** Says that the lab is up (after a load too). */
  ready() {
    const c = this.app.controller;
    this.send('ready', { scenario: c.scenario.name, seed: c.seed, ...this._moment() });
  }

  _moment() {
    const lab = this.app.controller.lab;
    return { t: lab ? lab.now() / 1000 : 0, events: lab ? lab.eventsProcessed() : 0 };
  }

  /** Carries out one command; resolves to its result, rejects with an Error saying what is wrong. */
  async command(name, args = {}) {
    const app = this.app;
    const c = app.controller;
    const a = args && typeof args === 'object' ? args : {};
    switch (name) {
      case 'play': c.play(); return this._moment();
      case 'pause': c.pause(); return this._moment();
      case 'seek': {
        const t = Number(a.t);
        if (!Number.isFinite(t) || t < 0) throw this._bad(`seek needs a time t in milliseconds (got ${JSON.stringify(a.t)})`);
        c.seekTo(t * 1000);
        return this._moment();
      }
      case 'load': {
        if (a.lesson != null) {
          if (!NAME.test(String(a.lesson))) throw this._bad(`load: there is no lesson called ${JSON.stringify(a.lesson)}`);
          if (!(await app.loadLesson(String(a.lesson)))) throw new Error('load failed (see the lab\'s message)');
          this.ready();
          return this._moment();
        }
        if (a.scenario != null && !NAME.test(String(a.scenario))) throw this._bad(`load: there is no scenario called ${JSON.stringify(a.scenario)}`);
        if (a.seed != null && !(Number.isSafeInteger(a.seed) && a.seed >= 0)) throw this._bad(`load: the seed must be a whole number from 0 to 2^53-1 (got ${JSON.stringify(a.seed)})`);
        const ok = a.scenario != null ? await app.loadScenario(String(a.scenario), a.seed) : app.reset(String(a.seed ?? c.seed));
        if (!ok) throw new Error('load failed (see the lab\'s message)');
        this.ready();
        return this._moment();
      }
      case 'fault': {
        if (a.action == null) throw this._bad('fault needs an action, like {"crash": {"node": 0}}');
        let failed = null;
        const made = c.act((lab) => {
          try {
            return lab.act(JSON.stringify(a.action));
          } catch (e) {
            failed = e;
            throw e;
          }
        });
        if (failed) throw failed;
        return { made: made ?? null, ...this._moment() };
      }
      case 'set': {
        if (a.speed != null) {
          const v = Number(a.speed);
          if (!Number.isFinite(v) || v <= 0) throw this._bad(`set: speed must be a positive number (got ${JSON.stringify(a.speed)})`);
          c.setSpeed(v);
        }
        if (a.theme != null) {
          if (!['light', 'dark', 'auto'].includes(a.theme)) throw this._bad(`set: theme is light, dark or auto (got ${JSON.stringify(a.theme)})`);
          app.setTheme(a.theme);
        }
        if (a.controls != null) {
          if (!['full', 'minimal', 'none'].includes(a.controls)) throw this._bad(`set: controls is full, minimal or none (got ${JSON.stringify(a.controls)})`);
          app.setControls(a.controls);
        }
        return this._moment();
      }
      case 'state': {
        const moment = { ...this._moment(), running: c.isRunning(), speed: c.speed };
        this.send('state', moment);
        return moment;
      }
      default: throw this._bad(`unknown command ${JSON.stringify(name)} (play, pause, seek, load, fault, set, state)`);
    }
  }

  _bad(text) {
    const e = new Error(text);
    this.app.banner.show(e);
    return e;
  }
}
