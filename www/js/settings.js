// The Writes, Reads and Load tabs and the Geography card: forms for the cluster's
// acknowledgement policy and semi-sync fallback, the workload's read routing and
// consistency, the workload's size, the service-time model and the geography preset. Each
// change goes straight to the Lab (errors land in the banner); the forms are filled from
// `snapshot.config` after a reset, and the hints name the real systems' knobs for the
// current choice. Status lines (semi-sync state, waiting writes) follow the throttled UI
// updates without rebuilding any markup.

import { setText } from './dom.js';
import { durInput, fmtDur } from './format.js';
import { levelWords } from './ops-panel.js';

/** The geography presets, by how many regions they use. */
const GEOGRAPHIES = ['none', 'single', 'two', 'three'];
const PG_COMMIT = { received: 'remote_write', flushed: 'on', applied: 'remote_apply' };
const POINT_WORDS = {
  received: 'received it (in memory / OS buffers: survives a replica process crash, not an OS crash)',
  flushed: 'flushed it to disk (survives a replica crash)',
  applied: 'applied it, so reads there already see it',
};

/** Ack policy JSON (as `setAckPolicy` takes it) from the form's values. */
export function ackPolicyJson(mode, k, point) {
  switch (mode) {
    case 'off': return '"off"';
    case 'async': return '"async"';
    case 'first':
    case 'any': return JSON.stringify({ replicas: k, select: mode, point });
    case 'majority': return JSON.stringify({ replicas: 'majority', select: 'any', point });
    default: return JSON.stringify({ replicas: 'all', select: 'any', point });
  }
}

/** The form's {mode, k, point} from an ack policy in any accepted JSON shape. */
export function ackPolicyForm(policy) {
  if (policy === 'off') return { mode: 'off', k: 1, point: 'flushed' };
  if (policy == null || policy === 'async') return { mode: 'async', k: 1, point: 'flushed' };
  if (policy === 'sync') return { mode: 'all', k: 1, point: 'flushed' };
  if (policy === 'majority') return { mode: 'majority', k: 1, point: 'flushed' };
  if (typeof policy !== 'object') return { mode: 'async', k: 1, point: 'flushed' };
  const point = policy.point ?? 'flushed';
  let r = policy.replicas;
  // A serialised AckCount may also read {"replicas": k}.
  if (r && typeof r === 'object') r = r.replicas ?? r.Replicas ?? 0;
  if (r === 'majority') return { mode: 'majority', k: 1, point };
  if (r === 'all') return { mode: 'all', k: 1, point };
  if (!r) return { mode: 'async', k: 1, point };
  return { mode: policy.select === 'first' ? 'first' : 'any', k: r, point };
}

/** Read consistency JSON from the level select and the bound (ms). */
export function consistencyJson(level, maxMsText) {
  if (level === 'boundedStaleness') return JSON.stringify({ boundedStaleness: { max: durInput(maxMsText, 'The staleness bound') } });
  return JSON.stringify(level);
}

function code(text) {
  const c = document.createElement('code');
  c.textContent = text;
  return c;
}

/** Fills `el` with a hint made of text and `code` parts: ['text', ['code'], 'text', ...]. */
function hint(el, parts) {
  const sig = JSON.stringify(parts);
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  el.replaceChildren(...parts.map((p) => (Array.isArray(p) ? code(p[0]) : document.createTextNode(p))));
}

export class Settings {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.bus = bus;
    this.r = refs;
    this.regions = null; // Lab.regions(), once
    this.statusSig = '';
    this._wire();
    bus.on('reset', ({ snap }) => this.fill(snap));
    bus.on('ui', (snap) => this.update(snap));
  }

  /** Calls `lab[method](...args)`; an error goes to the banner. Returns whether it worked. */
  _call(method, ...args) {
    let ok = true;
    this.bus.act((l) => {
      try {
        l[method](...args);
      } catch (e) {
        ok = false;
        throw e;
      }
    });
    return ok;
  }

  _wire() {
    const r = this.r;
    const applyAck = () => {
      this._ackFormState();
      const json = ackPolicyJson(r.ackMode.value, this._k(), r.ackPoint.value);
      if (this._call('setAckPolicy', json)) this.bus.emit('error-cleared');
    };
    this.bus.listen(r.ackMode, 'change', applyAck);
    this.bus.listen(r.ackPoint, 'change', applyAck);
    this.bus.listen(r.ackK, 'change', applyAck);
    this.bus.listen(r.ackForm, 'submit', (e) => { e.preventDefault(); applyAck(); });

    const applyFallback = () => {
      this._fallbackFormState();
      let us;
      if (r.fallbackMode.value === 'fallback') {
        const ms = Number(r.fallbackMs.value.trim());
        if (!Number.isFinite(ms) || ms < 0 || r.fallbackMs.value.trim() === '') {
          this.bus.report(new Error(`The fallback timeout must be a number of milliseconds (got "${r.fallbackMs.value}")`));
          return;
        }
        us = Math.round(ms * 1000);
      }
      this._call('setSemiSyncFallback', us);
    };
    this.bus.listen(r.fallbackMode, 'change', applyFallback);
    this.bus.listen(r.fallbackMs, 'change', applyFallback);
    this.bus.listen(r.fallbackForm, 'submit', (e) => { e.preventDefault(); applyFallback(); });

    const applyVisibility = () => {
      this._visibilityHint();
      this._call('setVisibility', JSON.stringify(r.visibility.value));
    };
    this.bus.listen(r.visibility, 'change', applyVisibility);
    this.bus.listen(r.visibilityForm, 'submit', (e) => { e.preventDefault(); applyVisibility(); });

    const applyReads = (patch) => {
      this._readsFormState();
      this._call('setWorkload', JSON.stringify(patch));
    };
    this.bus.listen(r.readFrom, 'change', () => applyReads({ readFrom: r.readFrom.value }));
    const applyLevel = () => {
      let level;
      try {
        level = JSON.parse(consistencyJson(r.readLevel.value, r.readMaxMs.value));
      } catch (e) {
        this.bus.report(e);
        return;
      }
      applyReads({ readConsistency: level, onBehind: r.onBehind.value });
    };
    this.bus.listen(r.readLevel, 'change', applyLevel);
    this.bus.listen(r.readMaxMs, 'change', applyLevel);
    this.bus.listen(r.onBehind, 'change', applyLevel);
    this.bus.listen(r.readsForm, 'submit', (e) => { e.preventDefault(); applyLevel(); });

    this.bus.listen(r.workloadForm, 'submit', (e) => {
      e.preventDefault();
      const patch = {};
      const num = (el, what, f = (x) => x) => {
        const t = el.value.trim();
        if (t === '') return undefined;
        const v = Number(t);
        if (!Number.isFinite(v)) throw new Error(`${what} must be a number (got "${t}")`);
        return f(v);
      };
      try {
        patch.clients = num(r.wlClients, 'Clients');
        patch.rate = num(r.wlRate, 'The rate');
        patch.readFraction = num(r.wlReads, 'The read share', (v) => v / 100);
        patch.keys = num(r.wlKeys, 'Keys');
      } catch (err) {
        this.bus.report(err);
        return;
      }
      this._call('setWorkload', JSON.stringify(patch));
    });

    const applyService = () => {
      if (!r.svcOn.checked) {
        this._call('setService', '"off"');
        return;
      }
      let json;
      try {
        const workers = Number(r.svcWorkers.value.trim());
        const queueLimit = Number(r.svcQueue.value.trim());
        if (!Number.isInteger(workers)) throw new Error(`Workers must be a whole number (got "${r.svcWorkers.value}")`);
        if (!Number.isInteger(queueLimit)) throw new Error(`The queue limit must be a whole number (got "${r.svcQueue.value}")`);
        json = JSON.stringify({
          read: durInput(r.svcRead.value, 'The read service time'),
          write: durInput(r.svcWrite.value, 'The write service time'),
          workers,
          queueLimit,
        });
      } catch (err) {
        this.bus.report(err);
        return;
      }
      this._call('setService', json);
    };
    this.bus.listen(r.svcOn, 'change', applyService);
    this.bus.listen(r.serviceForm, 'submit', (e) => {
      e.preventDefault();
      if (!r.svcOn.checked) r.svcOn.checked = true;
      applyService();
    });

    this.bus.listen(r.geoPreset, 'change', () => {
      if (this._call('setGeography', r.geoPreset.value)) this.bus.emit('links-changed');
      this._geoHint();
    });
  }

  _k() {
    const k = Math.round(Number(this.r.ackK.value));
    return Number.isFinite(k) ? Math.min(8, Math.max(1, k)) : 1;
  }

  /** After a new world: fills every form from the Lab's current settings. */
  fill(snap) {
    const r = this.r;
    const cfg = snap.config;
    const f = ackPolicyForm(cfg.ackPolicy);
    r.ackMode.value = f.mode;
    r.ackK.value = String(f.k);
    r.ackPoint.value = f.point;
    r.visibility.value = cfg.visibility;
    const fallback = cfg.semiSyncFallback;
    r.fallbackMode.value = fallback == null ? 'block' : 'fallback';
    if (fallback != null) r.fallbackMs.value = String(fallback / 1000);

    const wl = cfg.workload;
    r.wlClients.value = String(wl.clients ?? '');
    r.wlRate.value = String(wl.rate ?? '');
    r.wlReads.value = wl.readFraction != null ? String(Math.round(wl.readFraction * 1000) / 10) : '';
    r.wlKeys.value = String(wl.keys ?? '');
    r.readFrom.value = wl.readFrom ?? 'anyReplica';
    const level = wl.readConsistency ?? 'eventual';
    if (typeof level === 'object' && level.boundedStaleness) {
      r.readLevel.value = 'boundedStaleness';
      const ms = Number.parseFloat(String(level.boundedStaleness.max));
      r.readMaxMs.value = /ms$/.test(String(level.boundedStaleness.max)) ? String(ms) : String(level.boundedStaleness.max);
    } else {
      r.readLevel.value = String(level);
    }
    r.onBehind.value = wl.onBehind ?? 'wait';

    const svc = cfg.service;
    r.svcOn.checked = !!svc;
    if (svc) {
      r.svcRead.value = String(svc.read).replace(/ms$/, '');
      r.svcWrite.value = String(svc.write).replace(/ms$/, '');
      r.svcWorkers.value = String(svc.workers);
      r.svcQueue.value = String(svc.queueLimit);
    }
    r.geoPreset.value = GEOGRAPHIES[cfg.regions] ?? 'none';
    this._ackFormState();
    this._fallbackFormState();
    this._visibilityHint();
    this._readsFormState();
    this._geoHint();
    this.statusSig = '';
    this.update(snap);
  }

  _ackFormState() {
    const r = this.r;
    const mode = r.ackMode.value;
    r.ackK.disabled = mode !== 'first' && mode !== 'any';
    r.ackPoint.disabled = mode === 'async' || mode === 'off';
    const k = this._k();
    const point = r.ackPoint.value;
    const commit = ['synchronous_commit = ', [`synchronous_commit = ${PG_COMMIT[point]}`]];
    let parts;
    switch (mode) {
      case 'off':
        parts = ['PostgreSQL ', ['synchronous_commit = off'], ' · MongoDB ', ['w: 1, j: false'], ': answered before the primary even flushes. Fastest; a crash of the primary alone loses acknowledged writes.'];
        break;
      case 'async':
        parts = ['PostgreSQL ', ['synchronous_commit = local'], ' (or no synchronous_standby_names) · MySQL asynchronous replication · MongoDB ', ['w: 1'], '. Fast; a crash of the primary can lose acknowledged writes.'];
        break;
      case 'first':
        parts = ['PostgreSQL ', [`synchronous_standby_names = 'FIRST ${k} (*)'`], ' with ', commit[1], ': the first ', String(k), ' connected standbys in priority order must have ', POINT_WORDS[point], '.'];
        break;
      case 'any':
        parts = ['PostgreSQL ', [`synchronous_standby_names = 'ANY ${k} (*)'`], ' with ', commit[1], ' (quorum commit) · MySQL semi-sync ', [`rpl_semi_sync_source_wait_for_replica_count = ${k}`], point === 'received' ? ' (MySQL acks on receipt into the relay log)' : ' (MySQL acks on receipt: "received")', ' · MongoDB ', [`w: ${k + 1}`], '.'];
        break;
      case 'majority':
        parts = ['MongoDB ', ['w: "majority"'], ' · Raft commit rule: a majority of the cluster, the primary included, must have ', POINT_WORDS[point], '. Survives losing a minority.'];
        break;
      default:
        parts = ['Fully synchronous: PostgreSQL ', ["synchronous_standby_names = 'FIRST n (every standby)'"], ' with ', commit[1], '. One slow or dead replica stalls every write.'];
    }
    hint(r.ackHint, parts);
  }

  _fallbackFormState() {
    const r = this.r;
    const fb = r.fallbackMode.value === 'fallback';
    r.fallbackMs.disabled = !fb;
    hint(r.fallbackHint, fb
      ? ['MySQL semi-sync: after ', [`rpl_semi_sync_source_timeout = ${r.fallbackMs.value.trim() || '10000'}`], ' ms without enough acks the source silently switches to async, and back when a replica catches up. Writes stay available, but a crash then can lose them.']
      : ['PostgreSQL: with too few synchronous standbys, commits wait (forever). Cancelling the wait leaves the write committed locally but perhaps not replicated.']);
  }

  _visibilityHint() {
    const r = this.r;
    hint(r.visibilityHint, r.visibility.value === 'afterCommit'
      ? ['MySQL ', ['rpl_semi_sync_source_wait_point = AFTER_COMMIT'], ' · MongoDB ', ['readConcern: "local"'], ': readers at the primary see a write before any replica confirms it. If a failover then loses it, they read a value that never happened (a dirty read).']
      : ['MySQL ', ['rpl_semi_sync_source_wait_point = AFTER_SYNC'], ' (the default) · PostgreSQL synchronous commit: a write stays invisible at the primary until its acknowledgement condition is met, so nobody reads what a failover can still take back (with synchronous acks).']);
  }

  _readsFormState() {
    const r = this.r;
    const from = r.readFrom.value;
    const level = r.readLevel.value;
    r.readMaxMs.disabled = level !== 'boundedStaleness';
    r.onBehind.disabled = level === 'eventual' || level === 'linearizable' || level === 'majority';
    const fromHints = {
      primary: ['MongoDB read preference ', ['primary'], ': every read sees the latest acknowledged write, and every read loads the primary.'],
      anyReplica: ['MongoDB ', ['secondary'], ' · PostgreSQL hot standby: replicas take the reads off the primary, but may answer from behind.'],
      any: ['Spread over every node, the primary included (a load balancer over all nodes, MongoDB ', ['secondaryPreferred'], '-like).'],
      nearest: ['MongoDB ', ['nearest'], ': the lowest-latency node. Faster with regions, but a replica far from the primary is staler.'],
    };
    hint(r.readFromHint, fromHints[from] ?? []);
    let levelJson;
    try { levelJson = JSON.parse(consistencyJson(level, r.readMaxMs.value || '200')); } catch { levelJson = level; }
    const levelHints = {
      eventual: ['MongoDB read concern ', ['local'], ' · PostgreSQL hot standby: whatever the node has applied. May be stale.'],
      readYourWrites: ['A session token (your last write\'s LSN, MongoDB causal session ', ['afterClusterTime'], '): a replica that has not applied it ', r.onBehind.value === 'wait' ? 'waits until it has.' : 'sends you to the primary.'],
      monotonic: ['Never go back in time: the session remembers the newest position it read; a replica behind it ', r.onBehind.value === 'wait' ? 'waits.' : 'sends you to the primary.'],
      boundedStaleness: ['MongoDB ', ['maxStalenessSeconds'], ' · Cosmos DB bounded staleness: a replica more than ', fmtDur(Number(r.readMaxMs.value || 200) * 1000), ' behind ', r.onBehind.value === 'wait' ? 'waits.' : 'redirects.'],
      majority: ['MongoDB read concern ', ['majority'], ': any node answers from its majority-committed snapshot. Never a value a failover can undo; may be behind.'],
      linearizable: ['MongoDB read concern ', ['linearizable'], ' · Raft read index: served by the primary once an entry of its term has committed and a majority confirms it still leads. Never stale, if writes wait for a majority; slowest.'],
    };
    hint(r.readLevelHint, levelHints[level] ?? [levelWords(levelJson)]);
  }

  _geoHint() {
    const r = this.r;
    this.regions ??= this.bus.read((_, Lab) => Lab.regions());
    const k = Math.max(0, GEOGRAPHIES.indexOf(r.geoPreset.value));
    const reg = this.regions;
    if (!reg) return;
    const names = reg.names.slice(0, Math.max(k, 0));
    setText(r.geoHint, k === 0 ? 'All nodes in one place: links use the latencies below the stage.' : `Over ${names.join(', ')}. One-way latency in ms:`);
    const sig = names.join(',');
    if (r.geoTable.dataset.sig === sig) return;
    r.geoTable.dataset.sig = sig;
    if (k < 2) {
      r.geoTable.replaceChildren();
      return;
    }
    const head = document.createElement('tr');
    head.append(document.createElement('th'));
    for (const n of names) {
      const th = document.createElement('th');
      th.textContent = n;
      head.append(th);
    }
    const rows = names.map((a, i) => {
      const tr = document.createElement('tr');
      const th = document.createElement('td');
      th.textContent = a;
      tr.append(th);
      for (let j = 0; j < names.length; j++) {
        const td = document.createElement('td');
        const ms = reg.oneWayMs[i][j];
        td.textContent = ms < 1 ? `${ms}` : String(Math.round(ms));
        tr.append(td);
      }
      return tr;
    });
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    tbody.append(...rows);
    r.geoTable.replaceChildren(thead, tbody);
  }

  /** Status lines, at the UI rate: the primary's semi-sync state and its waiting writes. */
  update(snap) {
    const r = this.r;
    const primary = snap.nodes.find((n) => n.id === snap.primary);
    const label = snap.config?.ackLabel ?? (r.ackMode.value === 'async' ? 'async' : '');
    const waiting = primary?.waitingWrites ?? 0;
    const off = !!primary?.semiSyncOff;
    const sig = `${label}|${waiting}|${off}|${primary ? primary.id : '-'}|${snap.config?.semiSyncFallback ?? 'block'}`;
    if (sig === this.statusSig) return;
    this.statusSig = sig;
    let state, title, text;
    if (!primary) {
      state = 'off';
      title = 'No primary';
      text = 'Writes cannot be acknowledged until a node leads.';
    } else if (label === 'off') {
      state = 'async';
      title = 'Off: not even flushed';
      text = `${primary.name} answers as soon as the write is in its memory, before its own fsync: a crash of ${primary.name} alone loses acknowledged writes.`;
    } else if (label === 'async' || !label) {
      state = 'async';
      title = 'Asynchronous';
      text = `${primary.name} answers once the write is on its own disk; replicas catch up afterwards.`;
    } else if (off) {
      state = 'off';
      title = 'Semi-sync OFF: fell back to async';
      text = `Too few replicas confirmed in time, so ${primary.name} acknowledges writes without them (MySQL's silent fallback). It returns to ${label} when a replica catches up.`;
    } else {
      state = waiting ? 'waiting' : 'sync';
      // Semi-sync is MySQL's: waits that give up after a timeout. Without a fallback the
      // primary blocks until enough replicas confirm: synchronous (PostgreSQL's way).
      title = snap.config?.semiSyncFallback != null ? `Semi-sync on · ${label}` : `Synchronous · ${label}`;
      text = `${primary.name} holds each write until the replicas this policy needs confirm it.`;
    }
    r.ackStatus.dataset.state = state;
    setText(r.ackStatusTitle, title);
    setText(r.ackStatusText, text);
    setText(r.ackWaiting, waiting ? `${waiting} write${waiting === 1 ? '' : 's'} waiting` : '');
    this._legend(label, off);
  }

  _legend(label, off) {
    const el = this.r.legendKnobs;
    const lag = [' Lag = ', ['pg_stat_replication'], ' write / flush / replay lag.'];
    if (label === 'off') {
      hint(el, ['Acks before the primary\'s own flush: PostgreSQL ', ['synchronous_commit=off'], '.', ...lag]);
    } else if (!label || label === 'async') {
      hint(el, ['Acks are async: PostgreSQL ', ['synchronous_commit=local'], ', MongoDB ', ['w:1'], '.', ...lag]);
    } else if (off) {
      hint(el, ['Acks fell back to async (semi-sync off, MySQL ', ['rpl_semi_sync_source_timeout'], ').', ...lag]);
    } else {
      hint(el, [`Acks wait for ${label}.`, ...lag]);
    }
  }
}
