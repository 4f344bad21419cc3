// Owns one `Lab` (the Rust world behind a wasm handle) and the frame loop that drives it,
// and answers the requests of its lab's bus (act, read, report).
//
// While playing, each animation frame advances simulated time by the wall-clock delta times
// the speed (the delta is capped so a stalled tab does not leap ahead), takes one snapshot
// and announces it (`snapshot`; text panels get a throttled `ui`, ~10 per second). The
// loop runs only while playing and the document is visible. `advance` and `advanceUntil`
// (the test hook) pause it and run simulated time synchronously instead. Time travel goes
// through the Lab's timeline: `seekTo`, `seekMoment` (an exact moment) and `stepBack`
// announce `jump`, after which the trace and the charts are that moment's.

import { adaptLeaderless } from './leaderless-view.js';

export const TAIL_LEN = 16;
export const OPS_LEN = 30;
const MAX_EVENTS_PER_FRAME = 200_000;
const MAX_FRAME_DELTA_MS = 100;
const UI_INTERVAL_MS = 100;
const MAX_SEEK_AHEAD_US = 600e6;
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
    this._jumped = false; // the next announcement follows a seek
    this.stops = []; // see setStops
    this._firedUpTo = -1; // stops at or before this moment have fired (reset by a jump back)
    this._pauseAtStop = false;
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
    this._install(new this.Lab(scenarioText, seed), scenarioText, seed);
  }

  /**
   * Builds a world of `scenarioText` and `seed` with an action log ahead of it (a shared
   * run: `Lab.replay`) and announces it, at time 0; `seekMoment` then goes to its moment.
   */
  loadReplay(scenarioText, seed, actionsJson) {
    this._install(this.Lab.replay(scenarioText, seed, actionsJson), scenarioText, seed);
  }

  _install(lab, scenarioText, seed) {
    if (this.lab) {
      try { this.lab.free(); } catch { /* a world that panicked may refuse; it is dropped anyway */ }
    }
    const resume = this.crashed && this.resumeAfterReset;
    this.lab = adaptLeaderless(lab);
    this.scenarioText = scenarioText;
    this.seed = seed;
    this.crashed = false;
    this._simTarget = 0;
    this.stops = [];
    this._firedUpTo = -1;
    this.scenario = lab.scenario();
    this.untilUs = parseUntil(this.scenario.until);
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

  /**
   * Pauses and runs exactly one event; announces which (`stepped`, the trace records it
   * made, for the words under the timeline).
   */
  stepOnce() {
    this.pause();
    if (this.crashed) return 0;
    const before = this.lab.snapshot(0, 0).traceLen;
    const prev = this.last;
    const ran = this.act((lab) => lab.step(1));
    if (ran) this.bus.emit('stepped', { records: this.read((lab) => lab.eventsSince(before, 64)) ?? [], prev, back: false });
    return ran;
  }

  /**
   * Pauses and goes back exactly one event: to the moment of the event before the last one
   * (the checkpoint before it, replayed forward). Announces `jump` (a new present).
   */
  stepBack() {
    this.pause();
    if (this.crashed) return false;
    return !!this.act((lab) => {
      const target = lab.eventsProcessed() - 1;
      if (target < 0) return false;
      // The last event's time, from the trace (each event records something); go just before it.
      let t = lastRecordAt(lab, lab.now());
      for (let tries = 0; tries < 4; tries++) {
        this._seek(lab, Math.max(0, t - 1));
        if (lab.eventsProcessed() <= target || t <= 0) break;
        t = lastRecordAt(lab, t - 1);
      }
      while (lab.eventsProcessed() < target && lab.step(1) === 1);
      // Show the clock at that event's own moment (not just before the next one).
      const at = lastRecordAt(lab, lab.now());
      if (at < lab.now() && lab.eventsProcessed() === target) {
        this._seek(lab, at);
        if (lab.eventsProcessed() !== target) {
          this._seek(lab, Math.max(0, at - 1));
          while (lab.eventsProcessed() < target && lab.step(1) === 1);
        }
      }
      this._jumped = true;
      return true;
    });
  }

  /**
   * Pauses and goes to simulated time `us`: back, or forward (running the world there, at
   * most ten simulated minutes past the horizon).
   */
  seekTo(us) {
    this.pause();
    if (this.crashed) return;
    this.act((lab) => {
      this._seek(lab, Math.max(0, Math.min(Math.round(us), lab.horizon() + MAX_SEEK_AHEAD_US)));
      this._jumped = true;
    });
  }

  /**
   * Pauses and goes to the exact moment (time `at`, `after` events run), as a share link or
   * the action log names one, even between two events of the same microsecond.
   */
  seekMoment(at, after) {
    this.pause();
    this._seek(this.lab, at);
    if (this.lab.eventsProcessed() > after) {
      this._seek(this.lab, Math.max(0, at - 1));
      while (this.lab.eventsProcessed() < after && this.lab.step(1) === 1);
    }
    this._jumped = true;
    this.refresh();
  }

  /**
   * Seeks, continuing in chunks if the event cap or the time budget stops the replay. Stops ahead of the
   * present fire on the way forward; going back re-arms the ones after the new present
   * (a stop whose action is already in the log does not act twice: see the lesson player).
   */
  _seek(lab, t) {
    if (t < lab.now()) {
      lab.seek(t, MAX_EVENTS_PER_FRAME);
      if (lab.now() < t) this._runTo(t);
      this._firedUpTo = lab.now();
    } else {
      const first = this._nextStop(t);
      const to = first ? first.at : t;
      lab.seek(to, MAX_EVENTS_PER_FRAME);
      if (lab.now() < to) this._runTo(to);
      if (first) {
        this._fire(first);
        this._runTo(t);
      }
    }
    this._pauseAtStop = false;
    this._simTarget = lab.now();
  }

  /** Pauses and runs `us` of simulated time at once, then refreshes every view once. */
  advance(us) {
    this.pause();
    if (this.crashed) return;
    try {
      this._runTo(this.lab.now() + us);
      this._pauseAtStop = false;
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

  /** Runs every event due by `t`, in chunks of at most a frame's budget, stopping at every stop on the way. */
  _runTo(t) {
    for (;;) {
      const stop = this._nextStop(t);
      const to = stop ? stop.at : t;
      // Until the clock is there: the event cap or the binding's wall-clock budget (about
      // 50 ms a call, more calls on a loaded machine) may stop a call short of it.
      while (this.lab.now() < to) this.lab.advanceTo(to, MAX_EVENTS_PER_FRAME);
      if (!stop) return;
      this._fire(stop);
    }
  }

  /**
   * Moments where the run must stop and something happen (a lesson's actions and
   * narration): [{at: µs, fire(lab) → true to pause there}]. Every way of running time (the
   * frame loop, advance, seek) runs to each stop's moment, fires it, then goes on, so a
   * lesson's actions happen at their exact moment, as the headless runner does them.
   */
  setStops(stops) {
    // Stops of one moment fire together (in the order given).
    const byAt = new Map();
    for (const s of stops) byAt.set(s.at, [...(byAt.get(s.at) ?? []), s]);
    this.stops = [...byAt.entries()].sort((a, b) => a[0] - b[0]).map(([at, list]) => ({
      at,
      fire: (lab) => list.map((s) => s.fire(lab)).some(Boolean),
    }));
    this._firedUpTo = this.lab ? this.lab.now() - (this.lab.eventsProcessed() === 0 ? 1 : 0) : -1;
  }

  /** The first stop at or before `t` that has not fired yet. */
  _nextStop(t) {
    for (const s of this.stops) {
      if (s.at > t) return null;
      if (s.at > this._firedUpTo) return s;
    }
    return null;
  }

  _fire(stop) {
    this._firedUpTo = stop.at;
    if (stop.fire(this.lab)) this._pauseAtStop = true;
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
    if (this._jumped) {
      // A seek: whatever follows the run (charts, readers of the trace) starts over here.
      this._jumped = false;
      this.bus.emit('jump', snap);
    }
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
      const stop = this._nextStop(Math.floor(this._simTarget));
      const ran = lab.advanceTo(stop ? stop.at : Math.floor(this._simTarget), MAX_EVENTS_PER_FRAME);
      if (ran >= MAX_EVENTS_PER_FRAME) this._simTarget = lab.now(); // do not build up a debt
      else if (stop) {
        this._fire(stop);
        this._simTarget = lab.now();
      }
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
    // pauses it so a failing frame cannot repeat sixty times a second. A stop that asks
    // to (a lesson's pause point) pauses it too.
    if (this.failures !== failures || this._pauseAtStop) {
      this._pauseAtStop = false;
      this.pause();
      return;
    }
    this._raf = requestAnimationFrame(this._tick);
  }
}

/** A scenario's `until` ("30s", "500ms", µs) in µs, or null. */
function parseUntil(until) {
  if (until == null) return null;
  if (typeof until === 'number') return until;
  const m = /^([0-9.]+)\s*(us|ms|s|min)?$/.exec(String(until).trim());
  return m ? Number(m[1]) * ({ us: 1, ms: 1e3, s: 1e6, min: 60e6 }[m[2] ?? 'ms']) : null;
}

/** The time of the last trace record at or before `t` (0 if there is none). */
function lastRecordAt(lab, t) {
  const len = lab.snapshot(0, 0).traceLen;
  const recs = lab.eventsSince(Math.max(0, len - 64), 64);
  for (let i = recs.length - 1; i >= 0; i--) if (recs[i].at <= t) return recs[i].at;
  return 0;
}

export function clampSpeed(x) {
  const v = Number(x);
  if (!Number.isFinite(v) || v <= 0) return 0.2;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, v));
}
