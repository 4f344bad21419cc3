// The read-scaling experiment: runs `Lab.scalingPoint` (a separate headless world) with 1,
// 2, 4 and 8 replicas under the current settings, one world per setTimeout tick so the page
// keeps animating, and plots reads/s and writes/s (and the read p50) against replica count.
// Each count runs twice: a read-only load (how many reads can the cluster serve?) and a
// write-only load (how many writes?), because with one mixed closed-loop load the slow
// writes would hold the clients back and hide what the replicas add for reads.

import { Chart, renderXY } from './charts.js';
import { setText } from './dom.js';

export const REPLICA_COUNTS = [1, 2, 4, 8];
const DURATION_US = 3_000_000;
/** Used when the service model is off: without a capacity limit replicas add nothing. */
const DEFAULT_SERVICE = { read: '5ms', write: '10ms', workers: 1, queueLimit: 100 };
/** The least load the experiment runs with (closed-loop clients, ops/s each). */
const BUSY = { clients: 64, rate: 1000 };

export class Scaling {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.bus = bus;
    this.r = refs;
    this.chart = new Chart(refs.chartScaling, renderXY, bus.guard.bind(bus));
    this.points = [];
    this.running = false;
    this._timer = 0;
    bus.listen(refs.scaleRun, 'click', () => this.run());
    // A new run (another scenario or lesson, another seed): the last results were not its own.
    const intro = refs.scaleStatus.textContent;
    bus.on('reset', () => {
      this.stop();
      this.points = [];
      this._status(intro);
      this._draw();
    });
    bus.onClose(() => {
      this.stop();
      this.chart.destroy();
    });
    this._draw();
  }

  /** After a theme change. */
  retheme() {
    this.chart.retheme();
    this._draw();
  }

  run() {
    if (this.running) return;
    const scenario = this.bus.read((lab) => lab.scenario());
    if (!scenario) return;
    let note = '';
    const svc = scenario.service ?? scenario.replication?.service;
    if (svc == null || svc === 'off') {
      scenario.service = DEFAULT_SERVICE;
      note = ' Service time was off (unlimited capacity), so this used 5 ms reads / 10 ms writes, 1 worker.';
    }
    // Capacity only shows under load: keep the mix, levels and policy, but make the
    // clients many and busy enough to saturate even eight replicas.
    const w = scenario.workload;
    if (w.clients < BUSY.clients || w.rate < BUSY.rate) {
      w.clients = Math.max(w.clients, BUSY.clients);
      w.rate = Math.max(w.rate, BUSY.rate);
      note += ` Measured with ${w.clients} busy clients 1 ms from the nodes (an application tier beside the database), so the nodes, not the clients, are the limit.`;
      scenario.network.clientLatency = '1ms';
    }
    const only = (readFraction) => JSON.stringify({ ...scenario, workload: { ...scenario.workload, readFraction } });
    const texts = [only(1), only(0)];
    const seed = this.bus.snapshot.seed;
    this.points = [];
    this.running = true;
    this.r.scaleRun.disabled = true;
    this._draw();
    let i = 0;
    const tick = this.bus.guard(() => {
      this._timer = 0;
      if (!this.running) return;
      const replicas = REPLICA_COUNTS[i];
      this._status(`Measuring ${replicas} replica${replicas === 1 ? '' : 's'}… (${i + 1} of ${REPLICA_COUNTS.length})`);
      const p = this.bus.read((_, Lab) => {
        const reads = Lab.scalingPoint(texts[0], seed, replicas, DURATION_US);
        const writes = Lab.scalingPoint(texts[1], seed, replicas, DURATION_US);
        return { ...reads, writesPerSec: writes.writesPerSec, writeP50Ms: writes.writeP50Ms, writeP95Ms: writes.writeP95Ms };
      });
      if (!p) {
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
        this._finish(`Reads/s ×${gain.toFixed(1)} from 1 to 8 replicas (read-only load); writes/s ${Math.round(a.writesPerSec)} → ${Math.round(b.writesPerSec)} (write-only load): every write still goes through the one primary.${note}`);
      }
    });
    this._status('Starting…');
    this._timer = setTimeout(tick, 0);
  }

  _finish(text) {
    this.running = false;
    this.r.scaleRun.disabled = false;
    this._status(text);
  }

  _status(text) {
    setText(this.r.scaleStatus, text);
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
      emptyText: 'press Measure to run the experiment',
    });
  }

  /** Stops a running measurement (on reset or when the lab goes). */
  stop() {
    if (this._timer) clearTimeout(this._timer);
    this._timer = 0;
    if (this.running) this._finish('Stopped.');
  }
}
