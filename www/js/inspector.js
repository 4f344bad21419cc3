// The node inspector: what one node knows (role, term, log positions, lag, keys), and for
// the primary a pg_stat_replication-like table of every replica's positions, with buttons
// for the faults that node can suffer (a leaderless peer's is in ring-inspector.js). It follows the stage's selection (`select`); the
// markup is built when the selection (or the node's role/status) changes, otherwise only
// the text of existing cells is updated, and only while its tab is shown.

import { inShownPanel, setText } from './dom.js';
import { fmtDur, lagLevel, lagText, nodeName } from './format.js';
import { fillPeer, peerMarkup } from './ring-inspector.js';

const LAG_CLASSES = ['rl-good', 'rl-warn', 'rl-bad'];

/** What each button does to its node (`data-action`). */
const ACTIONS = {
  crash: (lab, id) => lab.crash(id),
  restart: (lab, id) => lab.restart(id),
  loseDisk: (lab, id) => lab.crashLoseDisk(id),
  pause: (lab, id) => lab.pause(id),
  resume: (lab, id) => lab.resume(id),
  isolate: (lab, id) => lab.isolate(id, true),
  reconnect: (lab, id) => lab.isolate(id, false),
  promote: (lab, id) => lab.promote(id),
  switchover: (lab, id) => lab.switchover(id),
  remove: (lab, id) => lab.removeReplica(id),
};

export class Inspector {
  /** @param {HTMLElement} el @param {import('./lab-bus.js').LabBus} bus */
  constructor(el, bus) {
    this.el = el;
    this.bus = bus;
    this.selected = null;
    this.readKey = 'k1';
    this.key = null;
    this.cells = null;
    this.table = null;
    this.tableRows = new Map();
    bus.listen(el, 'click', (e) => this._click(e));
    bus.on('select', ({ node }) => {
      this.selected = node ?? null;
      this.update(bus.snapshot);
    });
    bus.on('ui', (snap) => {
      if (inShownPanel(el)) this.update(snap);
    });
    bus.on('read-key', (key) => {
      this.readKey = key;
      setText(this.cells?.readKey, key);
    });
    // A new manual operation clears the line; a result shows in the inspector that asked.
    bus.on('manual-result', ({ node, text, state }) => {
      if (!text || node === this.selected) this.showManual(text, state);
    });
  }

  _click(e) {
    const btn = e.target.closest('button[data-action]');
    if (!btn || !this.el.contains(btn)) return;
    const id = Number(btn.dataset.node);
    const action = btn.dataset.action;
    if (action === 'clock') this._setClock(id, this.cells?.clockIn?.value ?? '');
    else if (action === 'read') this.bus.emit('manual-read', { node: id });
    else this.bus.act((lab) => ACTIONS[action](lab, id));
  }

  _setClock(id, text) {
    const ms = Number(String(text).trim());
    if (!Number.isFinite(ms)) {
      this.bus.report(new Error(`A clock offset is a number of milliseconds (got "${text}")`));
      return;
    }
    this.bus.act((lab) => lab.setClockOffset(id, Math.round(ms * 1000)));
  }

  update(snap) {
    if (!snap) return;
    const selected = this.selected;
    const node = selected == null ? null : snap.nodes.find((n) => n.id === selected);
    const isolated = node ? isIsolated(snap, node.id) : false;
    const key = node ? `${node.id}|${node.role}|${node.status}|${snap.nodes.length}|${isolated}` : `none|${selected}`;
    if (key !== this.key) {
      this.key = key;
      // A rebuild (the node crashed, say) keeps the keyboard focus among its actions.
      const focused = this.el.getRootNode().activeElement;
      const at = focused && this.el.contains(focused) ? [...this.el.querySelectorAll('button[data-action]')].indexOf(focused) : -1;
      this._build(node, selected, isolated);
      if (at >= 0) {
        const buttons = this.el.querySelectorAll('button[data-action]');
        buttons[Math.min(at, buttons.length - 1)]?.focus();
      }
    }
    if (node) this._fill(node, snap);
  }

  _build(node, selected, isolated) {
    this.tableRows.clear();
    this.table = null;
    if (!node) {
      this.cells = null;
      this.el.innerHTML = '';
      const p = document.createElement('div');
      p.className = 'rl-empty';
      p.innerHTML = selected == null
        ? '<p><b>Click a node</b> on the stage (or choose it in the list of nodes after the stage, with Tab) to see what it knows: its role, its log positions, its lag behind the primary.</p><p>The primary also shows what it knows about each replica, like PostgreSQL’s <code>pg_stat_replication</code>.</p>'
        : '<p>That node is no longer in the cluster.</p>';
      this.el.append(p);
      return;
    }
    const primary = node.role === 'primary';
    const up = node.status === 'up';
    const paused = node.status === 'paused';
    const id = node.id;
    const btn = (action, text, cls = '', title = '') =>
      `<button type="button" class="rl-btn ${cls}" data-action="${action}" data-node="${id}" data-testid="inspector-${action}"${title ? ` title="${title}"` : ''}>${text}</button>`;
    if (node.role === 'peer') {
      this.el.innerHTML = peerMarkup(node, btn, isolated);
      this._cells(node);
      return;
    }
    const badge = up ? (primary ? ['rl-badge-primary', '♛ primary'] : node.role === 'candidate' ? ['rl-badge-candidate', 'candidate'] : ['', 'replica'])
      : paused ? ['rl-badge-paused', 'paused'] : ['rl-badge-down', 'crashed'];
    this.el.innerHTML = `
      <div class="rl-insp-head">
        <h3 class="rl-insp-name" data-f="name"></h3>
        <span class="rl-badge ${badge[0]}">${badge[1]}</span>
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
        ${up || paused ? btn('crash', 'Crash', 'rl-btn-danger', 'Stop it; it keeps its durable log') : btn('restart', 'Restart', 'rl-btn-primary', 'Replay the durable log and rejoin')}
        ${up || paused ? btn('loseDisk', 'Crash &amp; lose disk', 'rl-btn-danger', 'It comes back empty: no log, no term, no vote') : ''}
        ${up ? btn('pause', 'Pause', '', 'A long GC pause: it handles nothing until resumed') : ''}
        ${paused ? btn('resume', 'Resume', 'rl-btn-primary', 'It wakes up believing what it believed') : ''}
        ${isolated ? btn('reconnect', 'Reconnect') : btn('isolate', 'Isolate', '', 'Cut every link to the other nodes, both ways')}
        ${!primary && up ? btn('switchover', 'Switch over here', '', 'Planned: the primary stops taking writes, waits until this node has the whole log, then hands over') : ''}
        ${!primary && up ? btn('promote', 'Promote now', '', 'Forced: primary in a new term at once, no election (what it lacks is lost)') : ''}
        <button type="button" class="rl-btn" data-action="read" data-node="${id}" data-testid="inspector-read">Read <span data-f="readKey"></span> here</button>
        ${primary ? '' : btn('remove', 'Remove')}
      </div>
      <p class="rl-hint" data-f="discarded" hidden></p>
      <div class="rl-row rl-insp-clock">
        <label class="rl-field">clock offset <span class="rl-unit">ms, − = behind</span>
          <input class="rl-input" data-f="clockIn" data-testid="inspector-clock-input" inputmode="numeric" size="6"></label>
        ${btn('clock', 'Set clock', '', 'Skew this node’s wall clock (it stamps staleness estimates and, later, last-write-wins timestamps)')}
      </div>
      <p class="rl-manual rl-insp-manual" data-f="manual" data-testid="inspector-result" aria-live="polite" hidden></p>
      ${primary ? `
      <h4 class="rl-h">Replication <small class="rl-muted">(like pg_stat_replication)</small></h4>
      <div class="rl-table-wrap"><table class="rl-table" data-testid="replication-table">
        <thead><tr><th>replica</th><th title="highest LSN shipped">sent</th><th title="received">write</th><th title="flushed to disk">flush</th><th title="applied, visible to reads">replay</th><th title="entries behind the primary">behind</th></tr></thead>
        <tbody></tbody>
      </table></div>` : ''}`;
    this._cells(node);
  }

  _cells(node) {
    this.cells = {};
    for (const el of this.el.querySelectorAll('[data-f]')) this.cells[el.dataset.f] = el;
    if (this.cells.clockIn) this.cells.clockIn.value = String(Math.round((node.clockOffset ?? 0) / 1000));
    this.table = this.el.querySelector('tbody');
  }

  /** Shows the outcome of a read started from the inspector's button (and clears it otherwise). */
  showManual(text, state) {
    const el = this.cells?.manual;
    if (!el) return;
    el.hidden = !text;
    setText(el, text);
    el.dataset.state = state ?? '';
  }

  _fill(node, snap) {
    const c = this.cells;
    if (node.role === 'peer') {
      fillPeer(c, node, snap, this.readKey);
      return;
    }
    setText(c.name, node.name);
    setText(c.region, node.region ?? '');
    setText(c.term, node.votedFor != null ? `${node.term} (voted for ${nodeName(snap, node.votedFor)})` : String(node.term));
    const d = node.discarded ?? [];
    if (c.discarded) {
      c.discarded.hidden = d.length === 0;
      setText(c.discarded, d.length ? `Rolled back ${d.length} entr${d.length === 1 ? 'y' : 'ies'} (lsn ${d[0].lsn}–${d[d.length - 1].lsn}, term ${d[0].term}) that diverged from the primary’s log, like pg_rewind or a MongoDB rollback.` : '');
    }
    setText(c.keys, String(node.keys));
    setText(c.last, String(node.lastLsn));
    setText(c.received, String(node.positions.received));
    setText(c.flushed, String(node.positions.flushed));
    setText(c.applied, String(node.positions.applied));
    setText(c.readKey, this.readKey);
    if (c.lag) {
      const text = node.lagEntries == null ? '–' : node.lagEntries === 0 ? 'in sync' : `${lagText(node.lagEntries, node.lagMicros)} (oldest unapplied entry is ${fmtDur(node.lagMicros)} old)`;
      setText(c.lag, text);
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
        setText(row.tds[0], nodeName(snap, r.node));
        setText(row.tds[1], String(r.sent));
        setText(row.tds[2], String(r.acked.received));
        setText(row.tds[3], String(r.acked.flushed));
        setText(row.tds[4], String(r.acked.applied));
        setText(row.tds[5], r.slotLost ? `${behind} · slot lost` : String(behind));
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

/** Whether every link between `id` and the other live nodes is cut both ways. */
function isIsolated(snap, id) {
  const cuts = snap.cuts;
  if (!cuts || !cuts.length) return false;
  let others = 0, cut = 0;
  for (const n of snap.nodes) {
    if (n.id === id) continue;
    others++;
    if (cuts.some((c) => c[0] === id && c[1] === n.id) && cuts.some((c) => c[0] === n.id && c[1] === id)) cut++;
  }
  return others > 0 && cut === others;
}
