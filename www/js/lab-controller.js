// Owns one `Lab` (the Rust world behind a wasm handle) and the frame loop that drives it.
//
// While playing, each animation frame advances simulated time by the wall-clock delta times
// the speed (the delta is capped so a stalled tab does not leap ahead), takes one snapshot
// and hands it to the listeners. The loop runs only while playing and the document is
// visible. Text panels get a throttled `ui` notification (~10 per second); the canvas gets
// every `frame`.

export const TAIL_LEN = 16;
export const OPS_LEN = 30;
const MAX_EVENTS_PER_FRAME = 200_000;
const MAX_FRAME_DELTA_MS = 100;
const UI_INTERVAL_MS = 100;
export const MIN_SPEED = 0.01;
export const MAX_SPEED = 100;

/** True for an exception that means the Rust side panicked or trapped (not a bad input). */
export function isCrash(err) {
  return typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError;
}

export class LabController {
  /**
   * @param {typeof import('../pkg/replica_lab.js').Lab} Lab the wasm class
   * @param {string} scenarioText scenario JSON
   * @param {{seed:number, speed:number, onError:(e:unknown)=>void}} opts
   */
  constructor(Lab, scenarioText, opts) {
    this.Lab = Lab;
    this.scenarioText = scenarioText;
    this.speed = clampSpeed(opts.speed);
    this.onError = opts.onError;
    this.lab = null;
    this.seed = 0;
    this.running = false;
    this.crashed = false;
    this.resumeAfterReset = false; // playing when it crashed: a reset plays again
    this.last = null; // the latest snapshot
    this.listeners = { frame: new Set(), ui: new Set(), state: new Set() };
    this._raf = 0;
    this._lastTs = 0;
    this._lastUi = -Infinity;
    this._simTarget = 0;
    /** Set to an array to record each frame's work (advance + snapshot + draw), in ms. */
    this.profile = null;
    this._tick = this._tick.bind(this);
    this._onVisibility = () => {
      if (document.hidden) this._cancel();
      else this._schedule();
    };
    document.addEventListener('visibilitychange', this._onVisibility);
    this.reset(opts.seed);
  }

  on(kind, fn) {
    this.listeners[kind].add(fn);
    return () => this.listeners[kind].delete(fn);
  }

  _emit(kind, arg) {
    for (const fn of this.listeners[kind]) fn(arg);
  }

  /** Re-creates the world from the same scenario with `seed`. Throws (keeping the old world) on a bad seed. */
  reset(seed) {
    const lab = new this.Lab(this.scenarioText, seed);
    if (this.lab) {
      try { this.lab.free(); } catch { /* a world that panicked may refuse; it is dropped anyway */ }
    }
    this.lab = lab;
    this.seed = seed;
    this.crashed = false;
    this._simTarget = 0;
    this.scenario = lab.scenario();
    this.workloadClients = this.scenario.workload.clients;
    this.refresh();
    this._emit('state');
    this._schedule();
  }

  isRunning() {
    return this.running && !this.crashed;
  }

  play() {
    if (this.crashed || this.running) return;
    this.running = true;
    this._emit('state');
    this._schedule();
  }

  pause() {
    if (!this.running) return;
    this.running = false;
    this._cancel();
    this._emit('state');
  }

  toggle() {
    if (this.running) this.pause();
    else this.play();
  }

  setSpeed(x) {
    this.speed = clampSpeed(x);
    this._emit('state');
  }

  /** Pauses and runs exactly one event. */
  stepOnce() {
    this.pause();
    return this.act((lab) => lab.step(1));
  }

  /** Runs `fn(lab)`; any error is reported, not thrown. Refreshes the views either way. */
  act(fn) {
    if (this.crashed) {
      this.onError(new Error('The simulation has stopped. Reset to continue.'));
      return undefined;
    }
    let result;
    try {
      result = fn(this.lab);
    } catch (e) {
      this.fail(e);
      if (this.crashed) return undefined;
    }
    try {
      this.refresh();
    } catch (e) {
      this.fail(e);
    }
    return result;
  }

  /** Takes a fresh snapshot and notifies every listener. */
  refresh() {
    this.last = this.lab.snapshot(TAIL_LEN, OPS_LEN);
    this._simTarget = this.last.now;
    this._emit('frame', this.last);
    this._emit('ui', this.last);
  }

  /** Reports an error; a wasm trap (a Rust panic) also stops the loop until a reset. */
  fail(err) {
    if (isCrash(err)) {
      if (!this.crashed) this.resumeAfterReset = this.running;
      this.crashed = true;
      this.running = false;
      this._cancel();
      this._emit('state');
    }
    this.onError(err);
  }

  /** Stops everything and releases the world (for pages that remove an instance). */
  destroy() {
    this._cancel();
    this.running = false;
    document.removeEventListener('visibilitychange', this._onVisibility);
    for (const set of Object.values(this.listeners)) set.clear();
    try { this.lab?.free(); } catch { /* ignore */ }
    this.lab = null;
  }

  _schedule() {
    if (this._raf || !this.running || this.crashed || document.hidden) return;
    this._lastTs = 0;
    this._raf = requestAnimationFrame(this._tick);
  }

  _cancel() {
    if (this._raf) cancelAnimationFrame(this._raf);
    this._raf = 0;
  }

  _tick(ts) {
    this._raf = 0;
    if (!this.running || this.crashed || document.hidden) return;
    const dt = this._lastTs ? Math.min(Math.max(ts - this._lastTs, 0), MAX_FRAME_DELTA_MS) : 1000 / 60;
    this._lastTs = ts;
    const started = this.profile ? performance.now() : 0;
    try {
      const lab = this.lab;
      // dt ms of wall time × speed = dt × speed ms of simulated time = dt × speed × 1000 µs.
      this._simTarget = Math.max(this._simTarget, lab.now()) + dt * this.speed * 1000;
      const ran = lab.advanceTo(Math.floor(this._simTarget), MAX_EVENTS_PER_FRAME);
      if (ran >= MAX_EVENTS_PER_FRAME) this._simTarget = lab.now(); // do not build up a debt
      const snap = lab.snapshot(TAIL_LEN, OPS_LEN);
      this.last = snap;
      this._emit('frame', snap);
      if (ts - this._lastUi >= UI_INTERVAL_MS) {
        this._lastUi = ts;
        this._emit('ui', snap);
      }
      if (this.profile) this.profile.push(performance.now() - started);
    } catch (e) {
      // A crash stops the loop for good (until a reset); any other error pauses it so a
      // failing frame cannot repeat sixty times a second.
      this.fail(e);
      this.pause();
      return;
    }
    this._raf = requestAnimationFrame(this._tick);
  }
}

export function clampSpeed(x) {
  const v = Number(x);
  if (!Number.isFinite(v) || v <= 0) return 0.2;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, v));
}
