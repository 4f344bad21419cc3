// The operations panel: counters and the recent operations, newest at the top. Rows are
// keyed by operation id and only rewritten when that operation changed; the panel is
// updated from the throttled `ui` notification, never per animation frame. It also shows
// the operations another panel asks for (`select-ops`: an anomaly's), however old.

import { setText } from './dom.js';
import { clientName, fmtDur, fmtInt, nodeName, parseDur, fmtStaleShare } from './format.js';

export class OpsPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.refs = refs;
    this.bus = bus;
    this.list = refs.ops;
    this.rows = new Map(); // op id → { el, sig, parts }
    this.counterText = '';
    this.selected = new Set();
    bus.listen(refs.opsPinnedClear, 'click', () => this.select([]));
    bus.on('reset', () => this.clear());
    bus.on('ui', (snap) => this.update(snap));
    bus.on('select-ops', (ids) => this.select(ids));
  }

  clear() {
    this.rows.clear();
    this.list.replaceChildren();
    this.counterText = '';
    this.select([]);
  }

  /**
   * Selects operations: their rows in the recent list are highlighted, and every one of
   * them is shown above it, however old.
   */
  select(ids) {
    this.selected = new Set(ids);
    for (const [id, row] of this.rows) row.el.classList.toggle('rl-op-selected', this.selected.has(id));
    const snap = this.bus.snapshot;
    const pinned = [];
    for (const id of ids) {
      const op = this.bus.read((lab) => lab.op(id));
      if (!op) continue;
      const row = this._makeRow(op);
      row.el.classList.add('rl-op-selected');
      row.el.dataset.testid = 'op-selected';
      this._fill(row, op, op.completedAt ?? op.invokedAt, snap);
      pinned.push(row.el);
    }
    this.refs.opsPinned.replaceChildren(...pinned);
    this.refs.opsPinnedBox.hidden = pinned.length === 0;
    if (pinned.length) this.refs.opsPinnedBox.scrollIntoView({ block: 'nearest' });
  }

  update(snap) {
    this._counters(snap.counters);
    const ops = snap.ops; // oldest first
    const keep = new Set();
    for (let i = 0; i < ops.length; i++) keep.add(ops[i].id);
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.el.remove();
        this.rows.delete(id);
      }
    }
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const sig = `${op.outcome}|${op.completedAt}|${op.stale}|${op.redirects}|${op.ackedBy ? op.ackedBy.length : -1}|${op.lost}`;
      let row = this.rows.get(op.id);
      if (!row) {
        row = this._makeRow(op);
        if (this.selected.has(op.id)) row.el.classList.add('rl-op-selected');
        this.rows.set(op.id, row);
        this.list.prepend(row.el); // oldest → newest, each prepended: newest ends on top
      } else if (row.sig === sig) {
        // A pending operation's clock keeps running.
        if (op.outcome === 'pending') setText(row.result, `… ${fmtDur(Math.max(0, snap.now - op.invokedAt))}`);
        continue;
      }
      row.sig = sig;
      this._fill(row, op, snap.now, snap);
    }
  }

  _counters(c) {
    const reads = c.readsOk;
    const text = `${c.writesOk}|${c.writesUnknown}|${c.writesFailed}|${reads}|${c.staleReads}`;
    if (text === this.counterText) return;
    this.counterText = text;
    const r = this.refs;
    r.cWritesOk.textContent = fmtInt(c.writesOk);
    r.cWritesUnknown.textContent = fmtInt(c.writesUnknown);
    r.cWritesUnknown.parentElement.title = `${c.writesUnknown} writes timed out: they may or may not have happened (Jepsen's "info").`
      + (c.writesFailed ? ` ${c.writesFailed} more were refused.` : '');
    r.cReadsOk.textContent = fmtInt(reads);
    r.cReadsOk.parentElement.title = c.readsFailed ? `${c.readsFailed} more reads failed (timed out or refused).` : '';
    r.cStale.textContent = fmtInt(c.staleReads);
    r.cStalePct.textContent = `stale · ${fmtStaleShare(c)}`;
  }

  _makeRow(op) {
    const el = document.createElement('li');
    el.className = 'rl-op';
    el.dataset.opId = String(op.id);
    el.dataset.testid = 'op-row';
    const line = document.createElement('div');
    line.className = 'rl-op-line';
    const who = span('rl-op-who');
    who.title = `operation #${op.id}`;
    const what = span('rl-op-what');
    const tags = span('rl-op-tags');
    const result = span('rl-op-result');
    line.append(who, what, tags, result);
    const note = document.createElement('div');
    note.className = 'rl-op-note';
    el.append(line, note);
    if (op.manual) el.classList.add('rl-op-manual');
    return { el, sig: '', who, what, tags, result, note };
  }

  _fill(row, op, now, snap) {
    row.el.dataset.outcome = op.outcome;
    row.el.dataset.kind = op.kind;
    row.el.dataset.stale = String(op.stale);
    row.who.textContent = clientName(snap, op.client);
    const node = nodeName(snap, op.node);
    const took = op.completedAt != null ? fmtDur(op.completedAt - op.invokedAt) : '';
    const elapsed = fmtDur(Math.max(0, now - op.invokedAt));
    const tags = []; // [text, class, title]
    let result = '';
    let note = '';
    let noteKind = '';
    if (op.kind === 'write' || op.kind === 'cas') {
      row.what.textContent = op.kind === 'cas'
        ? `cas ${op.key} ${op.expected ?? 'nil'}→${op.value ?? ''} → ${node}`
        : `write ${op.key}=${op.value ?? ''} → ${node}`;
      const policy = op.ack && op.ack !== 'async' ? op.ack : '';
      if (policy) tags.push([policy.toUpperCase(), 'rl-tag-ack', `acknowledgement policy: ${policy}`]);
      switch (op.outcome) {
        case 'pending':
          result = `… ${elapsed}`;
          note = policy ? `waiting for ${policy} replica confirmation` : '';
          noteKind = 'pending';
          break;
        case 'ok':
          result = op.swapped === false ? `✗ compare failed ${took} · lsn ${op.lsn}` : `✓ ${took} · lsn ${op.lsn}`;
          if (op.swapped === false) {
            note = `${op.key} did not hold ${op.expected ?? 'nothing'}: nothing was changed`;
            noteKind = 'warn';
          }
          if (policy && Array.isArray(op.ackedBy)) {
            note = op.ackedBy.length
              ? `acked by ${op.ackedBy.map((id) => nodeName(snap, id)).join(', ')}`
              : 'acked without replicas (semi-sync was off)';
            noteKind = op.ackedBy.length ? 'ack' : 'warn';
          }
          if (op.redirects > 0 && !note) {
            note = `redirected to the primary ${op.redirects > 1 ? `${op.redirects} times` : ''}`.trim();
            noteKind = 'ack';
          }
          if (op.lost) {
            tags.push(['LOST', 'rl-tag-stale', 'acknowledged, then discarded by a failover']);
            note = 'acknowledged, then lost: a failover discarded it';
            noteKind = 'stale';
          }
          break;
        case 'fail':
          result = `✗ ${took}`;
          tags.push([errorTag(op.error), 'rl-tag-fail', errorWords(op.error)]);
          break;
        default:
          result = `? ${took}`;
          tags.push(['UNKNOWN', 'rl-tag-info', '']);
          note = 'timed out: the write may or may not have happened';
          noteKind = 'warn';
      }
    } else {
      row.what.textContent = `read ${op.key} @ ${nodeName(snap, op.asked)}`;
      const level = levelTag(op.consistency);
      if (level) tags.push([level, 'rl-tag-level', `read consistency: ${levelWords(op.consistency)}`]);
      if (op.redirects > 0) tags.push([op.redirects > 1 ? `REDIRECT ×${op.redirects}` : 'REDIRECT', 'rl-tag-info', 'the replica was behind and sent the read on to the primary']);
      switch (op.outcome) {
        case 'pending':
          result = `… ${elapsed}`;
          break;
        case 'ok':
          result = op.version != null ? `→ ${op.result} ✓ ${took}` : `→ (none) ✓ ${took}`;
          if (op.stale) {
            tags.push(['STALE', 'rl-tag-stale', '']);
            note = `missed a write acked ${fmtDur(op.staleness)} earlier`;
            noteKind = 'stale';
          } else if (op.redirects > 0) {
            const asked = nodeName(snap, op.asked);
            const by = op.servedBy != null ? nodeName(snap, op.servedBy) : node;
            note = `${asked} could not serve it: answered by ${by}`;
            noteKind = 'ack';
          }
          break;
        default:
          result = `✗ ${took}`;
          tags.push([errorTag(op.error), 'rl-tag-fail', errorWords(op.error)]);
      }
    }
    row.result.textContent = result;
    row.tags.replaceChildren(...tags.map(([text, cls, title]) => {
      const t = span(`rl-tag ${cls}`);
      t.textContent = text;
      if (title) t.title = title;
      return t;
    }));
    row.note.textContent = note;
    row.note.hidden = !note;
    row.note.dataset.kind = noteKind;
    row.el.title = op.kind === 'read' && op.version != null ? `returned the value written at lsn ${op.version}` : '';
  }
}

/** Short tag for a read consistency level (none for eventual). */
export function levelTag(c) {
  if (!c || c === 'eventual') return '';
  if (typeof c === 'object' && c.boundedStaleness) return `≤${fmtDur(parseDur(c.boundedStaleness.max)).replace(' ', '')}`;
  return { readYourWrites: 'RYW', monotonic: 'MONOTONIC', majority: 'MAJORITY', linearizable: 'LINEARIZABLE' }[c] ?? String(c).toUpperCase();
}

export function levelWords(c) {
  if (!c || c === 'eventual') return 'eventual';
  if (typeof c === 'object' && c.boundedStaleness) return `at most ${fmtDur(parseDur(c.boundedStaleness.max))} stale`;
  return { readYourWrites: 'read your writes', monotonic: 'monotonic reads', majority: 'majority-committed', linearizable: 'linearizable' }[c] ?? String(c);
}

function errorTag(e) {
  switch (e) {
    case 'notPrimary': return 'NOT PRIMARY';
    case 'timeout': return 'TIMEOUT';
    case 'overloaded': return 'OVERLOADED';
    default: return e ? String(e).replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase() : 'FAILED';
  }
}

function errorWords(e) {
  switch (e) {
    case 'notPrimary': return 'that node is not the primary';
    case 'timeout': return 'no reply before the client gave up';
    case 'overloaded': return 'the node’s request queue was full';
    default: return e ? String(e) : '';
  }
}

function span(cls) {
  const s = document.createElement('span');
  s.className = cls;
  return s;
}
