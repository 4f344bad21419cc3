// The PBS staleness curve (Bailis et al., VLDB 2012; docs/pbs.md) for a leaderless ring:
// the chance that a read started t ms after a write committed returns it, estimated by
// `lab.pbs` (100,000 Monte Carlo trials over the ring's own link latencies, some tens of
// milliseconds) and drawn again whenever a level or the coordinator choice changes. The
// knobs ask "what if" for the estimate only; the running world keeps its settings.

import { Chart, renderXY } from './charts.js';
import { setText } from './dom.js';

const TRIALS = 100_000;

export class PbsPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.bus = bus;
    this.r = refs;
    this.curve = null;
    this.chart = new Chart(refs.chartPbs, renderXY, bus.guard.bind(bus));
    for (const el of [refs.pbsWrite, refs.pbsRead, refs.pbsCoordinator]) {
      bus.listen(el, 'change', () => this.update());
    }
    bus.on('reset', ({ scenario }) => {
      const leaderless = scenario?.model === 'leaderless';
      refs.pbsCard.hidden = !leaderless;
      this.curve = null;
      if (!leaderless) return;
      const spec = scenario.leaderless ?? {};
      refs.pbsWrite.value = spec.writeConsistency ?? 'ONE';
      refs.pbsRead.value = spec.readConsistency ?? 'ONE';
      refs.pbsCoordinator.value = spec.coordinator ?? 'tokenAware';
      this.update();
    });
    bus.onClose(() => this.chart.destroy());
    this._draw();
  }

  /** After a theme change. */
  retheme() {
    this.chart.retheme();
    this._draw();
  }

  /** Estimates the curve for the knobs' levels and draws it. */
  update() {
    if (this.r.pbsCard.hidden) return;
    const options = JSON.stringify({
      writeConsistency: this.r.pbsWrite.value,
      readConsistency: this.r.pbsRead.value,
      coordinator: this.r.pbsCoordinator.value,
      trials: TRIALS,
    });
    let refused = '';
    const started = performance.now();
    const curve = this.bus.read((lab) => {
      try {
        return lab.pbs(options);
      } catch (e) {
        refused = String(e.message ?? e);
        return null;
      }
    });
    const ms = performance.now() - started;
    this.curve = curve;
    this._draw();
    if (!curve) {
      setText(this.r.pbsStatus, refused || 'No curve for these settings.');
      return;
    }
    const at = (p) => curve.consistentAfter.find((q) => q.p === p)?.t ?? 0;
    const p0 = curve.points[0].p;
    const sum = curve.r + curve.w > curve.n
      ? `R + W = ${curve.r + curve.w} > N = ${curve.n}: every read overlaps the write's replicas, fresh from t = 0.`
      : `R + W = ${curve.r + curve.w} ≤ N = ${curve.n}: a read right after the commit returns the write with probability ${p0.toFixed(3)}; 99% by ${at(0.99).toFixed(1)} ms, 99.9% by ${at(0.999).toFixed(1)} ms.`;
    setText(this.r.pbsStatus, `${sum} Mean write latency ${curve.writeLatency.toFixed(1)} ms. ${curve.trials.toLocaleString('en')} trials in ${Math.round(ms)} ms.`);
  }

  _draw() {
    const t = this.chart.theme;
    // Evenly spaced up to the 99.9th percentile; the lone last point (the largest threshold
    // drawn, where P reaches 1) would stretch an axis of categories, so it is left off.
    const all = this.curve?.points ?? [];
    const top = this.curve?.consistentAfter.find((q) => q.p === 0.999)?.t ?? Infinity;
    const cut = all.filter((p) => p.t <= top);
    const pts = cut.length > 1 ? cut : all;
    const every = Math.max(1, Math.ceil(pts.length / 6));
    this.chart.draw({
      xs: pts.map((p, i) => (i % every === 0 ? `${p.t.toFixed(p.t < 10 ? 1 : 0)} ms` : '')),
      series: [{ label: 'P(read sees the write)', color: t.read, values: pts.map((p) => p.p) }],
      unit: 'P',
      yMax: 1,
      emptyText: 'no curve (leaderless scenarios only)',
    });
  }
}
