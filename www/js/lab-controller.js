// Owns one `Lab` (the Rust world behind a wasm handle) and the frame loop that drives it,
// and answers the requests of its lab's bus (act, read, report).
//
// While playing, each animation frame advances simulated time by the wall-clock delta times
// the speed (the delta is capped so a stalled tab does not leap ahead), takes one snapshot
// and announces it (`snapshot`; text panels get a throttled `ui`, ~10 per second). The
// loop runs only while playing and the document is visible. `advance` and `advanceUntil`
// (the test hook) pause it and run simulated time synchronously instead.

import { adaptLeaderless } from './leaderless-view.js';

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
   * @param {{speed: number, bus: import('./lab-bus.js').LabBus}} opts
   */
  constructor(Lab, opts) {
    this.Lab = Lab;
    this.bus = opts.bus;
    this.speed = clampSpeed(opts.speed);
    this.scenarioText = '';
    this.scenario = null; // the world's scenario as an object (name, description, ...)
    this.lab = null;
    this.seed = 0;
    this.running = false;
    this.crashed = false;
    this.resumeAfterReset = false; // playing when it crashed: a reset plays again
    this.failures = 0; // errors reported so far (a frame that reports one pauses the loop)
    this.last = null; // the latest snapshot
    this._raf = 0;
    this._lastTs = 0;
    this._lastUi = -Infinity;
    this._simTarget = 0;
    /** Set to an array to record each frame's work (advance + snapshot + draw), in ms. */
    this.profile = null;
    this._tick = this._tick.bind(this);
    this.bus.serve(this);
    this.bus.listen(document, 'visibilitychange', () => {
      if (document.hidden) this._cancel();
      else this._schedule();
    });
    this.bus.onClose(() => this.destroy());
  }

  /**
   * Builds a world from `scenarioText` with `seed` and announces it (`reset`). Throws,
   * keeping the old world, on a bad scenario or seed. A world that crashed while playing
   * plays again.
   */
  load(scenarioText, seed) {
    const lab = adaptLeaderless(new this.Lab(scenarioText, seed));
    if (this.lab) {
      try { this.lab.free(); } catch { /* a world that panicked may refuse; it is dropped anyway */ }
    }
    const resume = this.crashed && this.resumeAfterReset;
    this.lab = lab;
    this.scenarioText = scenarioText;
    this.seed = seed;
    this.crashed = false;
    this._simTarget = 0;
    this.scenario = lab.scenario();
    const snap = lab.snapshot(TAIL_LEN, OPS_LEN);
    this.last = snap;
    this.bus.emit('reset', { snap, scenario: this.scenario });
    this._announce(snap);
    this._emitState();
    if (resume) this.play();
    else this._schedule();
  }

  /** Re-creates the world from the same scenario with `seed`. */
  reset(seed) {
    this.load(this.scenarioText, seed);
  }

  isRunning() {
    return this.running && !this.crashed;
  }

  play() {
    if (this.crashed || this.running) return;
    this.running = true;
    this._emitState();
    this._schedule();
  }

  pause() {
    if (!this.running) return;
    this.running = false;
    this._cancel();
    this._emitState();
  }

  toggle() {
    if (this.running) this.pause();
    else this.play();
  }

  setSpeed(x) {
    this.speed = clampSpeed(x);
    this._emitState();
  }

  /** Pauses and runs exactly one event. */
  stepOnce() {
    this.pause();
    return this.act((lab) => lab.step(1));
  }

  /** Pauses and runs `us` of simulated time at once, then refreshes every view once. */
  advance(us) {
    this.pause();
    if (this.crashed) return;
    try {
      this._runTo(this.lab.now() + us);
      this.refresh();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Pauses and runs `stepUs` of simulated time at a time until `test(snapshot)` holds, for
   * at most `withinUs`; then refreshes every view once. Returns whether it held.
   */
  advanceUntil(test, withinUs, stepUs) {
    this.pause();
    if (this.crashed) return false;
    let held = false;
    try {
      const end = this.lab.now() + withinUs;
      held = !!test(this.lab.snapshot(TAIL_LEN, OPS_LEN));
      while (!held && this.lab.now() < end) {
        this._runTo(Math.min(this.lab.now() + stepUs, end));
        held = !!test(this.lab.snapshot(TAIL_LEN, OPS_LEN));
      }
      this.refresh();
    } catch (e) {
      if (!isCrash(e)) throw e; // a bad test, not a broken world
      this.fail(e);
    }
    return held;
  }

  /** Runs every event due by `t`, in chunks of at most a frame's budget. */
  _runTo(t) {
    while (this.lab.advanceTo(t, MAX_EVENTS_PER_FRAME) >= MAX_EVENTS_PER_FRAME);
  }

  /** Runs `fn(lab)`; any error is reported, not thrown. Refreshes the views either way. */
  act(fn) {
    if (this.crashed) {
      this.fail(new Error('The simulation has stopped. Reset to continue.'));
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

  /** Runs `fn(lab, Lab)` to ask the world something; an error is reported and gives undefined. */
  read(fn) {
    if (this.crashed) return undefined;
    try {
      return fn(this.lab, this.Lab);
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  }

  /** Takes a fresh snapshot and announces it to every view. */
  refresh() {
    this._announce(this.lab.snapshot(TAIL_LEN, OPS_LEN));
  }

  _announce(snap) {
    this.last = snap;
    this._simTarget = snap.now;
    this.bus.emit('snapshot', snap);
    this.bus.emit('ui', snap);
  }

  /** Reports an error; a wasm trap (a Rust panic) also stops the loop until a reset. */
  fail(err) {
    this.failures++;
    if (isCrash(err)) {
      if (!this.crashed) this.resumeAfterReset = this.running;
      this.crashed = true;
      this.running = false;
      this._cancel();
      this._emitState();
    }
    this.bus.emit('error', err);
  }

  /** Stops everything and releases the world (for pages that remove an instance). */
  destroy() {
    this._cancel();
    this.running = false;
    try { this.lab?.free(); } catch { /* ignore */ }
    this.lab = null;
  }

  _emitState() {
    this.bus.emit('state', { running: this.isRunning(), crashed: this.crashed, speed: this.speed });
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
    const failures = this.failures;
    try {
      const lab = this.lab;
      // dt ms of wall time × speed = dt × speed ms of simulated time = dt × speed × 1000 µs.
      this._simTarget = Math.max(this._simTarget, lab.now()) + dt * this.speed * 1000;
      const ran = lab.advanceTo(Math.floor(this._simTarget), MAX_EVENTS_PER_FRAME);
      if (ran >= MAX_EVENTS_PER_FRAME) this._simTarget = lab.now(); // do not build up a debt
      const snap = lab.snapshot(TAIL_LEN, OPS_LEN);
      this.last = snap;
      this.bus.emit('snapshot', snap);
      if (ts - this._lastUi >= UI_INTERVAL_MS) {
        this._lastUi = ts;
        this.bus.emit('ui', snap);
      }
      if (this.profile) this.profile.push(performance.now() - started);
    } catch (e) {
      this.fail(e);
    }
    // A crash stops the loop for good (until a reset); any other error, here or in a view,
    // pauses it so a failing frame cannot repeat sixty times a second.
    if (this.failures !== failures) {
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
