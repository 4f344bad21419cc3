// The live anomaly panel in the Ops tab: what the checkers (src/checks/) found in the
// history so far, kind by kind, with whether these settings promised it could not happen.
// Each example names its operations; "show" selects them in the operations list. The
// checkers run over the whole history, so the panel asks at most once a second while
// playing (at every update while paused, and only while its tab is shown), and rebuilds
// its DOM only when the findings change.

import { inShownPanel } from './dom.js';
import { fmtDur } from './format.js';

const REFRESH_MS = 1000;

/** Every kind the checkers name: a short label, what it means, and what prevents it. */
export const KINDS = {
  lostAcknowledgedWrite: ['lost write', 'an acknowledged write the cluster no longer holds', 'majority (or all) acks with Raft failover'],
  dirtyRead: ['dirty read', 'a read returned a value whose write never committed', 'majority or linearizable reads; afterSync visibility with majority acks'],
  staleRead: ['stale read', 'a read missed a write acknowledged before it began', 'linearizable reads (or reading the primary with synchronous acks)'],
  readYourWrites: ['read-your-writes', 'a session read older than its own acknowledged write', 'the read-your-writes level (a session token)'],
  monotonicReads: ['monotonic reads', 'a session read older than what it had already read', 'the monotonic level'],
  monotonicWrites: ['monotonic writes', "a session's later write survived its earlier one", 'majority acks with Raft failover'],
  writesFollowReads: ['writes follow reads', 'a session wrote after reading a value that did not survive', 'majority acks and majority reads with Raft'],
  splitBrain: ['split brain', 'two primaries at once (one term, or acknowledging in different terms)', 'Raft elections; fencing by term'],
  divergence: ['divergence', 'replicas still differ after the cluster healed and went quiet', 'Raft log repair'],
  notLinearizable: ['not linearizable', 'no single order of the operations explains what readers saw', 'majority acks, Raft failover and linearizable reads'],
};

const ORDER = Object.keys(KINDS);

export class AnomaliesPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.bus = bus;
    this.r = refs;
    this.sig = '';
    this.last = 0;
    this.open = new Set(); // kinds whose examples are shown
    bus.listen(refs.anomalyList, 'click', (e) => this._click(e));
    bus.on('reset', () => this.clear());
    bus.on('ui', () => {
      if (inShownPanel(refs.ops)) this.poll(!bus.running);
    });
  }

  clear() {
    this.sig = '';
    this.last = 0;
    this.report = null;
    this.r.anomalyList.replaceChildren();
  }

  /** Asks the checkers again if a second has passed (or `force`). */
  poll(force = false) {
    const now = performance.now();
    if (!force && now - this.last < REFRESH_MS) return;
    this.last = now;
    const report = this.bus.read((lab) => lab.anomalies());
    if (!report) return;
    this.report = report;
    const found = report.found ?? {};
    const sig = JSON.stringify([ORDER.map((k) => found[k] ? [found[k].count, found[k].promised, found[k].examples.length] : 0),
      report.settled, report.linearizability, [...this.open]]);
    if (sig === this.sig) return;
    this.sig = sig;
    this._render(report);
  }

  _render(report) {
    const r = this.r;
    const found = report.found ?? {};
    const kinds = ORDER.filter((k) => found[k]);
    const broken = kinds.reduce((n, k) => n + found[k].promised, 0);
    r.anomalyCard.dataset.state = broken ? 'broken' : kinds.length ? 'found' : 'clean';
    r.anomalySummary.textContent = broken
      ? `${broken} broken promise${broken === 1 ? '' : 's'}: these settings said it could not happen`
      : kinds.length
        ? 'Found, and allowed by these settings'
        : 'Nothing found so far';
    const judged = report.settled
      ? 'The cluster is healed and quiet: judged as final.'
      : 'Judged live against what the cluster has committed; divergence waits until it is healed and quiet.';
    const lin = report.linearizability ? ` Linearizability (writes and linearizable reads): ${report.linearizability}.` : '';
    r.anomalyNote.textContent = judged + lin;
    const items = kinds.map((k) => this._kind(k, found[k]));
    const clean = ORDER.filter((k) => !found[k] && !(report.notJudged ?? {})[k]).map((k) => KINDS[k][0]);
    if (clean.length) {
      const li = document.createElement('li');
      li.className = 'rl-anomaly-clean';
      li.textContent = `not found: ${clean.join(', ')}`;
      items.push(li);
    }
    r.anomalyList.replaceChildren(...items);
  }

  _kind(kind, f) {
    const [label, meaning, prevention] = KINDS[kind];
    const li = document.createElement('li');
    li.className = 'rl-anomaly';
    li.dataset.kind = kind;
    li.dataset.testid = 'anomaly';
    li.dataset.promised = String(f.promised > 0);
    const head = document.createElement('button');
    head.type = 'button';
    head.className = 'rl-anomaly-head';
    head.dataset.toggle = kind;
    head.setAttribute('aria-expanded', String(this.open.has(kind)));
    const name = document.createElement('b');
    name.textContent = label;
    const count = document.createElement('span');
    count.className = 'rl-anomaly-count';
    count.textContent = `× ${f.count}`;
    const tag = document.createElement('span');
    tag.className = `rl-tag ${f.promised ? 'rl-tag-stale' : 'rl-tag-info'}`;
    tag.textContent = f.promised ? `${f.promised} BROKEN PROMISE${f.promised === 1 ? '' : 'S'}` : 'ALLOWED';
    tag.title = f.promised ? 'These settings promise this cannot happen' : `Prevented by: ${prevention}`;
    head.append(name, count, tag);
    const what = document.createElement('div');
    what.className = 'rl-anomaly-what';
    what.textContent = `${meaning}. Prevented by ${prevention}.`;
    li.append(head, what);
    if (this.open.has(kind)) {
      const ul = document.createElement('ul');
      ul.className = 'rl-anomaly-examples';
      for (const ex of f.examples) {
        const item = document.createElement('li');
        if (ex.promised) item.dataset.promised = 'true';
        const text = document.createElement('span');
        text.textContent = `${fmtDur(ex.at)} · ${ex.text}`;
        item.append(text);
        if (ex.ops.length) {
          const show = document.createElement('button');
          show.type = 'button';
          show.className = 'rl-btn rl-btn-xs';
          show.dataset.ops = ex.ops.join(',');
          show.dataset.testid = 'anomaly-show';
          show.textContent = `show op${ex.ops.length === 1 ? '' : 's'} ${ex.ops.map((o) => `#${o}`).join(' ')}`;
          item.append(show);
        }
        ul.append(item);
      }
      if (f.count > f.examples.length) {
        const more = document.createElement('li');
        more.className = 'rl-muted';
        more.textContent = `… and ${f.count - f.examples.length} more (the runner's summary lists the same first ones)`;
        ul.append(more);
      }
      li.append(ul);
    }
    return li;
  }

  _click(e) {
    const toggle = e.target.closest('[data-toggle]');
    if (toggle) {
      const kind = toggle.dataset.toggle;
      if (this.open.has(kind)) this.open.delete(kind);
      else this.open.add(kind);
      this.sig = '';
      if (this.report) this._render(this.report);
      return;
    }
    const show = e.target.closest('[data-ops]');
    if (show) this.bus.emit('select-ops', show.dataset.ops.split(',').map(Number));
  }
}
