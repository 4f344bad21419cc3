// The operations panel: counters and the recent operations, newest at the top. Rows are
// keyed by operation id and only rewritten when that operation changed; the panel is
// updated from the throttled `ui` notification, never per animation frame.

import { fmtDur, fmtInt } from './format.js';

export class OpsPanel {
  /** @param {Record<string, HTMLElement>} refs @param {{clientName:(c:number)=>string, nodeName:(id:number)=>string}} names */
  constructor(refs, names) {
    this.refs = refs;
    this.list = refs.ops;
    this.names = names;
    this.rows = new Map(); // op id → { el, sig, parts }
    this.counterText = '';
  }

  clear() {
    this.rows.clear();
    this.list.replaceChildren();
    this.counterText = '';
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
      const sig = `${op.outcome}|${op.completedAt}|${op.stale}`;
      let row = this.rows.get(op.id);
      if (!row) {
        row = this._makeRow(op);
        this.rows.set(op.id, row);
        this.list.prepend(row.el); // oldest → newest, each prepended: newest ends on top
      } else if (row.sig === sig) {
        continue;
      }
      row.sig = sig;
      this._fill(row, op);
    }
  }

  _counters(c) {
    const reads = c.readsOk;
    const pct = reads ? (100 * c.staleReads) / reads : 0;
    const text = `${c.writesOk}|${c.writesUnknown}|${c.writesFailed}|${reads}|${c.staleReads}`;
    if (text === this.counterText) return;
    this.counterText = text;
    const r = this.refs;
    r.cWritesOk.textContent = fmtInt(c.writesOk);
    r.cWritesUnknown.textContent = fmtInt(c.writesUnknown);
    r.cWritesUnknown.parentElement.title = `${c.writesUnknown} writes timed out: they may or may not have happened (Jepsen's "info").`
      + (c.writesFailed ? ` ${c.writesFailed} more were refused.` : '');
    r.cReadsOk.textContent = fmtInt(reads);
    r.cReadsOk.parentElement.title = c.readsFailed ? `${c.readsFailed} more reads failed (timed out).` : '';
    r.cStale.textContent = fmtInt(c.staleReads);
    r.cStalePct.textContent = `stale · ${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
  }

  _makeRow(op) {
    const el = document.createElement('li');
    el.className = 'rl-op';
    el.dataset.opId = String(op.id);
    el.dataset.testid = 'op-row';
    const line = document.createElement('div');
    line.className = 'rl-op-line';
    const who = span('rl-op-who');
    const what = span('rl-op-what');
    const result = span('rl-op-result');
    const tag = span('rl-tag');
    line.append(who, what, result, tag);
    const note = document.createElement('div');
    note.className = 'rl-op-note';
    el.append(line, note);
    if (op.manual) el.classList.add('rl-op-manual');
    return { el, sig: '', who, what, result, tag, note };
  }

  _fill(row, op) {
    const { names } = this;
    row.el.dataset.outcome = op.outcome;
    row.el.dataset.kind = op.kind;
    row.el.dataset.stale = String(op.stale);
    row.who.textContent = names.clientName(op.client);
    const node = names.nodeName(op.node);
    const took = op.completedAt != null ? fmtDur(op.completedAt - op.invokedAt) : '';
    let result = '';
    let tag = '';
    let tagClass = '';
    let note = '';
    if (op.kind === 'write') {
      row.what.textContent = `write ${op.key}=${op.value ?? ''} → ${node}`;
      switch (op.outcome) {
        case 'pending': result = '…'; break;
        case 'ok': result = `✓ ${took} · lsn ${op.lsn}`; break;
        case 'fail':
          result = `✗ ${took}`;
          tag = op.error === 'notPrimary' ? 'NOT PRIMARY' : 'FAILED';
          tagClass = 'rl-tag-fail';
          break;
        default:
          result = `? ${took}`;
          tag = 'UNKNOWN';
          tagClass = 'rl-tag-info';
          note = 'timed out: the write may or may not have happened';
      }
    } else {
      row.what.textContent = `read ${op.key} @ ${node}`;
      switch (op.outcome) {
        case 'pending': result = '…'; break;
        case 'ok':
          result = op.version != null ? `→ ${op.result} ✓ ${took}` : `→ (none) ✓ ${took}`;
          if (op.stale) {
            tag = 'STALE';
            tagClass = 'rl-tag-stale';
            note = `missed a write acked ${fmtDur(op.staleness)} earlier`;
          }
          break;
        default:
          result = `✗ ${took}`;
          tag = op.error === 'timeout' ? 'TIMEOUT' : 'FAILED';
          tagClass = 'rl-tag-fail';
      }
    }
    row.result.textContent = result;
    row.tag.textContent = tag;
    row.tag.className = `rl-tag ${tagClass}`;
    row.tag.hidden = !tag;
    row.note.textContent = note;
    row.note.hidden = !note;
    row.el.title = op.kind === 'read' && op.version != null ? `returned the value written at lsn ${op.version}` : '';
  }
}

function span(cls) {
  const s = document.createElement('span');
  s.className = cls;
  return s;
}
