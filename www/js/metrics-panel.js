// The live charts under the stage: replica lag over time (entries or ms, like
// pg_stat_replication's replay lag), write latency percentiles by ack policy, how stale the
// stale reads were, and throughput over time. Samples come from `lab.metrics(cursor)`
// (one per 100 ms of simulated time; only new ones cross the boundary), at most a few times
// a second of wall time while playing (at every update while paused), and a chart is
// redrawn only when its data changed.

import { Chart, SERIES, renderGroupedBars, renderHistogram, renderTimeSeries } from './charts.js';
import { nodeName, fmtStaleShare } from './format.js';

const POLL_MS = 250;
const KEEP = 600; // samples: 60 s of simulated time
const WINDOW_US = 30e6;

export class MetricsPanel {
  /**
   * @param {HTMLElement} root the lab's root (its `data-charts` says whether they show)
   * @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus
   */
  constructor(root, refs, bus) {
    this.root = root;
    this.bus = bus;
    const r = refs;
    this.r = r;
    this.unit = 'entries';
    this.visible = true;
    this.snap = null; // the latest snapshot
    const chart = (canvas, render) => {
      const c = new Chart(canvas, render, bus.guard.bind(bus));
      bus.onClose(() => c.destroy());
      return c;
    };
    this.charts = {
      lag: chart(r.chartLag, renderTimeSeries),
      latency: chart(r.chartLatency, renderGroupedBars),
      stale: chart(r.chartStale, renderHistogram),
      throughput: chart(r.chartThroughput, renderTimeSeries),
    };
    root.dataset.charts = 'true';
    this.reset();
    bus.on('reset', () => this.reset());
    // After a seek the run's samples are that moment's: start the charts over from it.
    bus.on('jump', (snap) => {
      this.reset();
      this.snap = snap;
      this.poll(true);
    });
    bus.on('ui', (snap) => {
      this.snap = snap;
      this.poll();
    });
    const setUnit = (u) => {
      this.unit = u;
      r.lagEntries.setAttribute('aria-pressed', String(u === 'entries'));
      r.lagMs.setAttribute('aria-pressed', String(u === 'ms'));
      this._drawLag();
    };
    bus.listen(r.lagEntries, 'click', () => setUnit('entries'));
    bus.listen(r.lagMs, 'click', () => setUnit('ms'));
    bus.listen(r.chartsToggle, 'click', () => this.setVisible(!this.visible));
  }

  /** After a theme change: every chart reads its colours again. */
  retheme() {
    this.theme = null;
    for (const c of Object.values(this.charts)) c.retheme();
    this.poll(true);
  }

  reset() {
    this.cursor = 0;
    this.samples = [];
    this._lastPoll = -Infinity;
    this.sig = { lat: '', stale: '' };
    for (const c of Object.values(this.charts)) c.draw(null);
  }

  setVisible(v) {
    this.visible = v;
    this.r.charts.hidden = !v;
    this.root.dataset.charts = String(v);
    this.r.chartsToggle.setAttribute('aria-pressed', String(v));
    if (v) this.poll(true);
  }

  /** Fetches new samples (throttled while playing, unless `force`) and redraws what changed. */
  poll(force = !this.bus.running) {
    if (!this.visible || !this.snap) return;
    const now = performance.now();
    if (!force && now - this._lastPoll < POLL_MS) return;
    this._lastPoll = now;
    const m = this.bus.read((lab) => lab.metrics(this.cursor));
    if (!m) return;
    this.cursor = m.next;
    const fresh = m.samples.length > 0;
    if (fresh) {
      for (const s of m.samples) this.samples.push(s);
      if (this.samples.length > KEEP) this.samples.splice(0, this.samples.length - KEEP);
    }
    if (fresh || force || !this.bus.running) {
      this._drawLag();
      this._drawThroughput();
    }
    const latSig = JSON.stringify(m.writeLatency) + this.snap.config.ackLabel;
    if (latSig !== this.sig.lat || force) {
      this.sig.lat = latSig;
      this._drawLatency(m);
    }
    const st = m.staleness;
    const c = this.snap.counters;
    const staleSig = `${st.reads}|${st.stale}|${c.readsOk}|${c.staleReads}`;
    if (staleSig !== this.sig.stale || force) {
      this.sig.stale = staleSig;
      this._drawStale(st);
    }
  }


  _drawLag() {
    // Samples come every 100 ms of simulated time; while paused the present (after a step
    // or an action) is added from the snapshot, so the chart ends where the stage is.
    const last = this.samples.at(-1);
    const live = !this.bus.running && this.snap && (!last || this.snap.now > last.t);
    const samples = live
      ? [...this.samples, {
        t: this.snap.now,
        nodes: this.snap.nodes.map((n) => (n.role === 'primary' || n.status !== 'up'
          ? { id: n.id, lagEntries: null, lagMs: null }
          : { id: n.id, lagEntries: n.lagEntries, lagMs: n.lagMicros / 1000 })),
      }]
      : this.samples;
    const ids = new Map(); // node id → index in series
    for (const s of samples) for (const n of s.nodes) if ((n.lagEntries != null || n.lagMs != null) && !ids.has(n.id)) ids.set(n.id, ids.size);
    const names = (id) => nodeName(this.snap, id);
    const ms = this.unit === 'ms';
    const series = [...ids.keys()].sort((a, b) => a - b).map((id) => ({
      label: names(id),
      color: SERIES[id % SERIES.length],
      values: samples.map((s) => {
        const n = s.nodes.find((x) => x.id === id);
        if (!n) return null;
        return ms ? n.lagMs : n.lagEntries;
      }),
    }));
    this.charts.lag.draw({
      t: samples.map((x) => x.t),
      series,
      window: WINDOW_US,
      unit: ms ? 'ms' : 'entries',
      emptyText: samples.length ? 'no replicas' : 'waiting for samples…',
    });
  }

  _drawThroughput() {
    const t = this.theme ?? (this.theme = this.charts.throughput.theme);
    this.charts.throughput.draw({
      t: this.samples.map((x) => x.t),
      series: [
        { label: 'reads', color: t.read, values: this.samples.map((s) => s.readsPerSec) },
        { label: 'writes', color: t.write, values: this.samples.map((s) => s.writesPerSec) },
        // Unavailability: writes that failed or timed out (an election, a lost majority).
        { label: 'failed writes', color: t.bad, values: this.samples.map((s) => s.failedWritesPerSec ?? 0) },
      ],
      window: WINDOW_US,
      unit: 'ops/s',
    });
  }

  _drawLatency(m) {
    const t = this.charts.latency.theme;
    const current = this.snap.config.ackLabel;
    const groups = m.writeLatency.filter((p) => p.count > 0).map((p) => ({
      label: p.policy,
      short: shortPolicy(p.policy),
      values: [p.p50, p.p95, p.p99],
      highlight: p.policy === current,
    }));
    this.charts.latency.draw({
      groups,
      keys: [
        { label: 'p50', color: t.accent },
        { label: 'p95', color: t.warn },
        { label: 'p99', color: t.bad },
      ],
      unit: 'ms',
      emptyText: 'no acknowledged writes yet',
    });
  }

  _drawStale(st) {
    const t = this.charts.stale.theme;
    // The same quantity as the Ops counter: stale reads over successful reads, so far.
    const c = this.snap.counters;
    const text = c.readsOk ? `${fmtStaleShare(c)} of ${c.readsOk.toLocaleString('en-US')} reads` : '';
    if (this.r.staleRate.textContent !== text) this.r.staleRate.textContent = text;
    let prev = 0;
    const bins = st.histogram.map((b) => {
      const label = b.upToMs == null ? `>${prev}` : `≤${b.upToMs}`;
      if (b.upToMs != null) prev = b.upToMs;
      return { label, count: b.count };
    });
    this.charts.stale.draw({
      bins,
      color: t.bad,
      unit: 'reads',
      emptyText: c.readsOk ? `no stale reads among ${c.readsOk.toLocaleString('en-US')}` : 'no reads yet',
      legend: [{ label: 'by ms behind', color: t.bad }],
    });
  }
}

/** A policy's label short enough for a narrow bar group: "majority flushed" → "majority". */
export function shortPolicy(label) {
  return String(label).replace(/ flushed$/, '').replace(/ received$/, ' recv').replace(/ applied$/, ' appl').replace(/^first /, '1st ');
}
