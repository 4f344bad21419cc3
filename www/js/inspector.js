// The node inspector: what one node knows (role, term, log positions, lag, keys), and for
// the primary a pg_stat_replication-like table of every replica's positions. The markup is
// built when the selection (or the node's role/status) changes; otherwise only the text
// of existing cells is updated.

import { fmtDur, lagLevel, lagText } from './format.js';

const LAG_CLASSES = ['rl-good', 'rl-warn', 'rl-bad'];

export class Inspector {
  /**
   * @param {HTMLElement} el
   * @param {{crash:(id:number)=>void, restart:(id:number)=>void, read:(id:number)=>void, remove:(id:number)=>void, nodeName:(id:number)=>string}} actions
   */
  constructor(el, actions) {
    this.el = el;
    this.actions = actions;
    this.key = null;
    this.cells = null;
    this.manual = null;
    this.table = null;
    this.tableRows = new Map();
    el.addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-action]');
      if (!btn || !this.el.contains(btn)) return;
      const id = Number(btn.dataset.node);
      this.actions[btn.dataset.action](id);
    });
  }

  update(snap, selected) {
    const node = selected == null ? null : snap.nodes.find((n) => n.id === selected);
    const key = node ? `${node.id}|${node.role}|${node.status}|${snap.nodes.length}` : `none|${selected}`;
    if (key !== this.key) {
      this.key = key;
      this._build(node, selected);
    }
    if (node) this._fill(node, snap);
  }

  _build(node, selected) {
    this.tableRows.clear();
    this.table = null;
    if (!node) {
      this.cells = null;
      this.el.innerHTML = '';
      const p = document.createElement('div');
      p.className = 'rl-empty';
      p.innerHTML = selected == null
        ? '<p><b>Click a node</b> on the stage to see what it knows: its role, its log positions, its lag behind the primary.</p><p>The primary also shows what it knows about each replica, like PostgreSQL’s <code>pg_stat_replication</code>.</p>'
        : '<p>That node is no longer in the cluster.</p>';
      this.el.append(p);
      return;
    }
    const primary = node.role === 'primary';
    const up = node.status === 'up';
    const id = node.id;
    this.el.innerHTML = `
      <div class="rl-insp-head">
        <h3 class="rl-insp-name" data-f="name"></h3>
        <span class="rl-badge ${up ? (primary ? 'rl-badge-primary' : '') : 'rl-badge-down'}">${up ? (primary ? '♛ primary' : 'replica') : 'crashed'}</span>
        <span class="rl-muted" data-f="region"></span>
      </div>
      <p class="rl-insp-blurb">${primary
        ? 'The lead singer: every write comes here first, is appended to its log, flushed, acknowledged to the client, then shipped to the replicas.'
        : 'A backup singer: it receives the primary’s log entries, flushes them, then applies (replays) them. Reads here see only what has been applied.'}</p>
      <dl class="rl-dl">
        <div><dt>Term</dt><dd data-f="term"></dd></div>
        <div><dt>Keys</dt><dd data-f="keys"></dd></div>
        <div><dt>Last LSN</dt><dd data-f="last"></dd></div>
        <div><dt>Received <small>(write)</small></dt><dd data-f="received"></dd></div>
        <div><dt>Flushed <small>(flush)</small></dt><dd data-f="flushed"></dd></div>
        <div><dt>Applied <small>(replay)</small></dt><dd data-f="applied"></dd></div>
        ${primary ? '' : '<div class="rl-dl-wide"><dt>Lag behind the primary</dt><dd data-f="lag"></dd></div>'}
      </dl>
      <div class="rl-row rl-insp-actions">
        ${up
          ? `<button type="button" class="rl-btn rl-btn-danger" data-action="crash" data-node="${id}" data-testid="inspector-crash">Crash</button>`
          : `<button type="button" class="rl-btn rl-btn-primary" data-action="restart" data-node="${id}" data-testid="inspector-restart">Restart</button>`}
        <button type="button" class="rl-btn" data-action="read" data-node="${id}" data-testid="inspector-read">Read <span data-f="readKey"></span> here</button>
        ${primary ? '' : `<button type="button" class="rl-btn" data-action="remove" data-node="${id}" data-testid="inspector-remove">Remove</button>`}
      </div>
      <p class="rl-manual rl-insp-manual" data-f="manual" data-testid="inspector-result" aria-live="polite" hidden></p>
      ${primary ? `
      <h4 class="rl-h">Replication <small class="rl-muted">(like pg_stat_replication)</small></h4>
      <div class="rl-table-wrap"><table class="rl-table" data-testid="replication-table">
        <thead><tr><th>replica</th><th title="highest LSN shipped">sent</th><th title="received">write</th><th title="flushed to disk">flush</th><th title="applied, visible to reads">replay</th><th title="entries behind the primary">behind</th></tr></thead>
        <tbody></tbody>
      </table></div>` : ''}`;
    this.cells = {};
    for (const el of this.el.querySelectorAll('[data-f]')) this.cells[el.dataset.f] = el;
    this.table = this.el.querySelector('tbody');
    this.manual = null;
  }

  /** Shows the outcome of a read started from the inspector's button (and clears it otherwise). */
  showManual(text, state) {
    const el = this.cells?.manual;
    if (!el) return;
    el.hidden = !text;
    if (el.textContent !== text) el.textContent = text;
    el.dataset.state = state ?? '';
  }

  _fill(node, snap) {
    const c = this.cells;
    set(c.name, node.name);
    set(c.region, node.region ?? '');
    set(c.term, String(node.term));
    set(c.keys, String(node.keys));
    set(c.last, String(node.lastLsn));
    set(c.received, String(node.positions.received));
    set(c.flushed, String(node.positions.flushed));
    set(c.applied, String(node.positions.applied));
    set(c.readKey, this.actions.readKey());
    if (c.lag) {
      const text = node.lagEntries == null ? '–' : node.lagEntries === 0 ? 'in sync' : `${lagText(node.lagEntries, node.lagMicros)} (oldest unapplied entry is ${fmtDur(node.lagMicros)} old)`;
      set(c.lag, text);
      const cls = LAG_CLASSES[lagLevel(node.lagEntries, node.lagMicros)];
      if (c.lag.className !== cls) c.lag.className = cls;
    }
    if (this.table) {
      const seen = new Set();
      for (const r of node.replicas) {
        seen.add(r.node);
        let row = this.tableRows.get(r.node);
        if (!row) {
          const tr = document.createElement('tr');
          const tds = [];
          for (let i = 0; i < 6; i++) tds.push(tr.appendChild(document.createElement('td')));
          row = { tr, tds };
          this.tableRows.set(r.node, row);
          this.table.append(tr);
        }
        const behind = node.lastLsn - r.acked.applied;
        set(row.tds[0], this.actions.nodeName(r.node));
        set(row.tds[1], String(r.sent));
        set(row.tds[2], String(r.acked.received));
        set(row.tds[3], String(r.acked.flushed));
        set(row.tds[4], String(r.acked.applied));
        set(row.tds[5], String(behind));
        const cls = behind === 0 ? 'rl-good' : behind < 8 ? 'rl-warn' : 'rl-bad';
        if (row.tds[5].className !== cls) row.tds[5].className = cls;
      }
      for (const [id, row] of this.tableRows) {
        if (!seen.has(id)) {
          row.tr.remove();
          this.tableRows.delete(id);
        }
      }
    }
  }
}

function set(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}
