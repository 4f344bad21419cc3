// The Faults tab: how a lost primary is replaced (Raft elections, a naive failover manager,
// or nobody), a partition builder, and what failover did: the failovers with their
// durations, acknowledged writes lost, split brain. Rows are rebuilt only when the lists
// grow, never per frame, and only while the tab is shown.

import { inShownPanel, setText } from './dom.js';
import { fmtClock, fmtDur, nodeName, parseDur } from './format.js';

const MODE_HINTS = {
  raft: 'Replicas that stop hearing the primary stand for election in a new term; one vote per term, only for a log at least as up to date; a majority wins. The term fences: a primary that sees a higher term, or loses its majority, stops taking writes. Like Raft (etcd, Consul), MongoDB replica-set elections, Patroni with etcd.',
  naive: 'An outside monitor promotes the most up-to-date replica it can see once it loses sight of the primary (think a keepalived script or a manager without consensus). No quorum, no fencing: cut the primary off and two primaries take writes (split brain); the old one rewinds when it returns (pg_rewind) and its writes are lost.',
  off: 'Nobody takes over: the cluster waits for the primary to come back (PostgreSQL or MySQL replication with no failover manager). An operator can still promote a replica from its inspector (pg_ctl promote).',
};

export class Faults {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.bus = bus;
    this.r = refs;
    this.sideB = new Set();
    this.sidesSig = '';
    this.logLen = -1;
    this.headSig = '';
    this.bus.listen(this.r.failoverForm, 'submit', (e) => {
      e.preventDefault();
      this.applyFailover();
    });
    this.bus.listen(this.r.failMode, 'change', () => this.applyFailover());
    this.bus.listen(this.r.partSides, 'click', (e) => {
      const chip = e.target.closest('button[data-node]');
      if (!chip) return;
      const id = Number(chip.dataset.node);
      if (this.sideB.has(id)) this.sideB.delete(id);
      else this.sideB.add(id);
      this.sidesSig = '';
      this._sides(this.bus.snapshot);
    });
    this.bus.listen(this.r.partCut, 'click', () => this.partition());
    this.bus.listen(this.r.partHeal, 'click', () => this.bus.act((lab) => lab.heal()));
    bus.on('reset', ({ snap }) => this.fill(snap));
    bus.on('ui', (snap) => {
      if (inShownPanel(this.r.failLog)) this.update(snap);
    });
  }

  applyFailover() {
    const ms = Number(this.r.failTimeout.value);
    if (!Number.isFinite(ms) || ms <= 0) {
      this.bus.report(new Error(`The election timeout must be a number of milliseconds (got "${this.r.failTimeout.value}")`));
      return;
    }
    const spec = { mode: this.r.failMode.value, electionTimeout: `${Math.round(ms)}ms`, preVote: this.r.failPreVote.checked };
    this.bus.act((lab) => lab.setFailover(JSON.stringify(spec)));
  }

  partition() {
    const snap = this.bus.snapshot;
    const ids = snap.nodes.map((n) => n.id);
    const a = ids.filter((id) => !this.sideB.has(id));
    const b = ids.filter((id) => this.sideB.has(id));
    if (!a.length || !b.length) {
      this.bus.report(new Error('Put at least one node on each side of the partition'));
      return;
    }
    this.bus.act((lab) => lab.partition(JSON.stringify([a, b])));
  }

  /** Fills the form from the running world (after a reset or a scenario load). */
  fill(snap) {
    const f = snap.config.failover;
    this.r.failMode.value = f.mode;
    this.r.failTimeout.value = String(Math.round(parseDur(f.electionTimeout) / 1000));
    this.r.failPreVote.checked = !!f.preVote;
    this.sideB.clear();
    this.sidesSig = '';
    this.logLen = -1;
  }

  update(snap) {
    const f = snap.config.failover;
    setText(this.r.failHint, MODE_HINTS[f.mode] ?? '');
    this._sides(snap);
    this._headline(snap);
    this._log(snap);
  }

  _sides(snap) {
    if (!snap) return;
    const sig = snap.nodes.map((n) => `${n.id}${this.sideB.has(n.id) ? 'b' : 'a'}`).join(',');
    if (sig === this.sidesSig) return;
    this.sidesSig = sig;
    for (const id of [...this.sideB]) if (!snap.nodes.some((n) => n.id === id)) this.sideB.delete(id);
    const el = this.r.partSides;
    el.textContent = '';
    for (const n of snap.nodes) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'rl-chip rl-side-chip';
      b.dataset.node = String(n.id);
      b.dataset.side = this.sideB.has(n.id) ? 'b' : 'a';
      b.dataset.testid = `side-${n.id}`;
      b.setAttribute('data-testid', `side-${n.id}`);
      b.textContent = `${n.name} · ${this.sideB.has(n.id) ? 'B' : 'A'}`;
      el.append(b);
    }
  }

  _headline(snap) {
    const primaries = snap.nodes.filter((n) => n.role === 'primary' && n.status === 'up');
    const lost = snap.lostWrites.length;
    const split = snap.splitBrains.length;
    const last = snap.failovers.at(-1);
    let state = 'ok';
    let head;
    if (primaries.length > 1) {
      state = 'bad';
      head = `Split brain: ${primaries.map((n) => `${n.name} (term ${n.term})`).join(' and ')} both act as primary.`;
    } else if (!primaries.length) {
      state = 'warn';
      const candidates = snap.nodes.filter((n) => n.role === 'candidate');
      head = candidates.length ? `No primary: ${candidates.map((n) => n.name).join(', ')} standing for election.` : 'No primary: writes cannot be acknowledged.';
    } else {
      head = `${primaries[0].name} leads term ${primaries[0].term}.`;
    }
    const parts = [];
    if (last) parts.push(`last failover took ${fmtDur(last.took)}`);
    if (lost) parts.push(`${lost} acknowledged write${lost === 1 ? '' : 's'} lost`);
    if (split) parts.push(`split brain seen ${split} time${split === 1 ? '' : 's'}`);
    if (lost && state === 'ok') state = 'warn';
    const sig = `${state}|${head}|${parts.join(';')}|${snap.nodes.some((n) => n.role === 'candidate')}`;
    if (sig === this.headSig) return;
    this.headSig = sig;
    this.r.failStatus.dataset.state = state;
    setText(this.r.failHeadline, head);
    let detail = parts.length ? `${parts.join(' · ')}.` : 'No failover yet. Crash the primary (click it, then Crash) to watch one.';
    // During an election (or with nobody to take over) "no failover yet" would mislead.
    if (!primaries.length) {
      const electing = snap.nodes.some((n) => n.role === 'candidate');
      const mode = snap.config?.failover?.mode ?? snap.config?.failoverMode;
      const now = electing ? 'An election is under way.' : mode === 'off' ? 'Nobody takes over: failover is off.' : 'Waiting for a replica to notice and stand for election.';
      detail = parts.length ? `${now} Before: ${parts.join(' · ')}.` : now;
    }
    setText(this.r.failDetail, detail);
  }

  _log(snap) {
    const list = snap.failovers;
    if (list.length === this.logLen) return;
    this.logLen = list.length;
    const el = this.r.failLog;
    el.textContent = '';
    const name = (id) => (id == null ? '–' : nodeName(snap, id));
    for (const f of list.slice(-8).reverse()) {
      const li = document.createElement('li');
      // The same node winning again (it stood after losing its majority) is no handover.
      li.textContent = f.from === f.to
        ? `${fmtClock(f.at)}: ${name(f.to)} elected again, term ${f.term}, took ${fmtDur(f.took)}`
        : `${fmtClock(f.at)}: ${name(f.from)} → ${name(f.to)}, term ${f.term}, took ${fmtDur(f.took)}`;
      el.append(li);
    }
    if (!list.length) {
      const li = document.createElement('li');
      li.className = 'rl-muted';
      li.textContent = 'none yet';
      el.append(li);
    }
  }
}

