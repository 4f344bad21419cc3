// The read-scaling experiment: runs `Lab.scalingPoint` (a separate headless world) with 1,
// 2, 4 and 8 replicas under the current settings, one point per setTimeout tick so the page
// keeps animating, and plots reads/s and writes/s (and the read p50) against replica count.

import { Chart, renderXY } from './charts.js';

export const REPLICA_COUNTS = [1, 2, 4, 8];
const DURATION_US = 3_000_000;
/** Used when the service model is off: without a capacity limit replicas add nothing. */
const DEFAULT_SERVICE = { read: '5ms', write: '10ms', workers: 1, queueLimit: 100 };

export class Scaling {
  /** @param {import('./replica-lab.js').ReplicaLab} app */
  constructor(app) {
    this.app = app;
    this.r = app.refs;
    this.chart = new Chart(this.r.chartScaling, renderXY);
    this.points = [];
    this.running = false;
    this._timer = 0;
    this.r.scaleRun.addEventListener('click', () => this.run());
    this._draw();
  }

  run() {
    const Lab = this.app.controller.Lab;
    if (this.running) return;
    if (typeof Lab.scalingPoint !== 'function') {
      this.app.banner.show('This build of the simulation has no Lab.scalingPoint() yet.', { kind: 'info' });
      return;
    }
    let scenario;
    try {
      scenario = this.app.lab.scenario();
    } catch (e) {
      this.app.showError(e);
      return;
    }
    let note = '';
    const svc = scenario.service ?? scenario.replication?.service;
    if (svc == null || svc === 'off') {
      scenario.service = DEFAULT_SERVICE;
      note = ' Service time was off (unlimited capacity), so this used 5 ms reads / 10 ms writes, 1 worker.';
    }
    const text = JSON.stringify(scenario);
    const seed = this.app.controller.seed;
    this.points = [];
    this.running = true;
    this.r.scaleRun.disabled = true;
    this._draw();
    let i = 0;
    const tick = () => {
      this._timer = 0;
      if (!this.running) return;
      const replicas = REPLICA_COUNTS[i];
      this._status(`Measuring ${replicas} replica${replicas === 1 ? '' : 's'}… (${i + 1} of ${REPLICA_COUNTS.length})`);
      let p;
      try {
        p = Lab.scalingPoint(text, seed, replicas, DURATION_US);
      } catch (e) {
        this.app.showError(e);
        this._finish('The measurement failed; see the message above.');
        return;
      }
      this.points.push(p);
      this._draw();
      i++;
      if (i < REPLICA_COUNTS.length) this._timer = setTimeout(tick, 0);
      else {
        const a = this.points[0], b = this.points[this.points.length - 1];
        const gain = a.readsPerSec > 0 ? b.readsPerSec / a.readsPerSec : 0;
        this._finish(`Reads/s ×${gain.toFixed(1)} from 1 to 8 replicas; writes/s ${Math.round(a.writesPerSec)} → ${Math.round(b.writesPerSec)}: every write still goes through the one primary.${note}`);
      }
    };
    this._status('Starting…');
    this._timer = setTimeout(tick, 0);
  }

  _finish(text) {
    this.running = false;
    this.r.scaleRun.disabled = false;
    this._status(text);
  }

  _status(text) {
    if (this.r.scaleStatus.textContent !== text) this.r.scaleStatus.textContent = text;
  }

  _draw() {
    const t = this.chart.theme;
    const at = (f) => REPLICA_COUNTS.map((n) => {
      const p = this.points.find((x) => x.replicas === n);
      return p ? f(p) : null;
    });
    this.chart.draw({
      xs: REPLICA_COUNTS.map((n) => `${n} repl.`),
      series: [
        { label: 'reads/s', color: t.read, values: at((p) => p.readsPerSec) },
        { label: 'writes/s', color: t.write, values: at((p) => p.writesPerSec) },
        { label: 'read p50 ms', color: t.warn, values: at((p) => p.readP50Ms), axis: 'right', dash: true },
      ],
      unit: 'ops/s',
      rightUnit: 'ms',
      emptyText: 'press Measure to run the experiment',
    });
  }

  /** Stops a running measurement (on reset or destroy). */
  stop() {
    if (this._timer) clearTimeout(this._timer);
    this._timer = 0;
    if (this.running) this._finish('Stopped.');
  }

  destroy() {
    this.stop();
    this.chart.destroy();
  }
}
