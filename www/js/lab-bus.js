// The channel between the parts of one lab (one bus per instance; nothing on it is shared
// with another lab on the page). The controller announces what happened as events; the
// stage and the panels listen, and ask for changes through requests the controller
// answers. Every listener added through the bus (its own events, DOM events, timers and
// observers) reports an exception to this lab alone: the message lands in this lab's
// banner, and a WebAssembly trap stops only this lab's loop.
//
// Events (`bus.on(type, (detail) => ...)`, `bus.emit(type, detail)`):
//   snapshot       snap                   a new snapshot: every frame, and after every action
//   ui             snap                   the same, at most ~10 a second while playing (and when a
//                                         side-panel tab is shown): the text panels
//   state          {running, crashed, speed}  played, paused, crashed or changed speed
//   reset          {snap, scenario}       a new world (a reset, another scenario)
//   error          err                    something to report: bad input, a refusal, a crash
//   error-cleared  -                      a later success made the last message moot
//   select         {node} | {link} | {}   the selection on the stage ({link: [a, b]})
//   select-ops     [op id]                show these operations in the list
//   links-changed  -                      link settings changed: labels and forms re-read them
//   link-labels    Map                    the stage's link labels, keyed a * MAX_IDS + b
//   manual-read    {node}                 read there with the read form's key and level
//   manual-result  {node, text, state}    how the page's own last operation went
//   read-key       key                    the read form's key
//   ring-key       {key, at, replicas, fallbacks} | null  a leaderless key the stage highlights
//
// Requests: `act(fn)` runs fn(lab) to change the world (errors are reported, the views
// refreshed) and returns its result; `read(fn)` runs fn(lab, Lab) to ask something and
// returns its result, or undefined after reporting an error; `report(err)` reports an
// error caught elsewhere. `snapshot` and `running` are the latest snapshot and whether the
// loop plays.

export class LabBus extends EventTarget {
  constructor() {
    super();
    this.host = null; // the controller, once it exists
    this.cleanups = [];
    this.reporting = false;
  }

  /** From now on `host` (the controller) answers the requests. */
  serve(host) {
    this.host = host;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on(type, fn) {
    this.listen(this, type, (e) => fn(e.detail));
  }

  /** `target.addEventListener`, with exceptions reported to this lab; removed by `close()`. */
  listen(target, type, fn, options) {
    const handler = this.guard(fn);
    target.addEventListener(type, handler, options);
    this.cleanups.push(() => target.removeEventListener(type, handler, options));
  }

  /** `fn` wrapped so that an exception (or a rejected promise) is reported to this lab. */
  guard(fn) {
    return (...args) => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) result.catch((err) => this.report(err));
        return result;
      } catch (err) {
        this.report(err);
        return undefined;
      }
    };
  }

  /** Runs `fn` when the lab is destroyed. */
  onClose(fn) {
    this.cleanups.push(fn);
  }

  close() {
    for (const fn of this.cleanups.splice(0)) fn();
    this.host = null;
  }

  report(err) {
    if (this.reporting) {
      // A listener of `error` failed while reporting: say so once, do not loop.
      console.error(err);
      return;
    }
    this.reporting = true;
    try {
      if (this.host) this.host.fail(err);
      else this.emit('error', err);
    } finally {
      this.reporting = false;
    }
  }

  act(fn) {
    return this.host.act(fn);
  }

  read(fn) {
    return this.host.read(fn);
  }

  get snapshot() {
    return this.host?.last ?? null;
  }

  get running() {
    return !!this.host?.isRunning();
  }
}
