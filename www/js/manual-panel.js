// The page's own client, in the Ops tab: the write, compare-and-set and read forms, and the
// line that follows the last operation started from them (or from the inspector's "Read
// here" button, `manual-read`) until it completes. What it says is also announced
// (`manual-result`) so the inspector can show a read it started.

import { fillSelect, setText } from './dom.js';
import { fmtDur, nodeName } from './format.js';

const IDLE_TEXT = 'Your writes go to the primary; read from any node.';

export class ManualPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.r = refs;
    this.bus = bus;
    this.tracked = null; // { id, text, node } : the operation followed, and the node whose inspector started it
    this.nodesSig = '';
    const r = refs;
    bus.listen(r.writeForm, 'submit', (e) => {
      e.preventDefault();
      this.write(r.writeKey.value, r.writeValue.value);
    });
    bus.listen(r.casForm, 'submit', (e) => {
      e.preventDefault();
      this.cas(r.casKey.value, r.casExpected.value, r.casNew.value);
    });
    bus.listen(r.readForm, 'submit', (e) => {
      e.preventDefault();
      if (r.readNode.value !== '') this.read(Number(r.readNode.value), null);
    });
    bus.listen(r.readKey, 'input', () => bus.emit('read-key', this._readKey()));
    bus.on('manual-read', ({ node }) => this.read(node, node));
    bus.on('reset', () => {
      this.tracked = null;
      this.r.manualResult.textContent = IDLE_TEXT;
      this.r.manualResult.dataset.state = '';
      bus.emit('read-key', this._readKey());
    });
    bus.on('ui', (snap) => {
      this._syncNodes(snap);
      if (this.tracked) this._follow(snap);
    });
  }

  write(key, value) {
    const ack = this.r.manualAck.value;
    const id = this.bus.act((lab) => (ack ? lab.writeWith(key, value, ack) : lab.write(key, value)));
    if (id !== undefined) this._track(id, `write ${key.trim()}=${value}`, null);
    else this._refused(`write ${key.trim()}=${value}`, null);
  }

  /** A compare-and-set through the primary; an empty `expected` means "the key is absent". */
  cas(key, expected, value) {
    const want = expected === '' ? undefined : expected;
    const id = this.bus.act((lab) => lab.cas(key, want, value));
    if (id !== undefined) this._track(id, `cas ${key.trim()} ${want ?? 'absent'}→${value}`, null);
    else this._refused(`cas ${key.trim()} ${want ?? 'absent'}→${value}`, null);
  }

  /** A read at `node` with the form's key and level; `from` is the inspector's node, if it asked. */
  read(node, from) {
    const key = this._readKey();
    const level = this.r.manualLevel.value;
    const id = this.bus.act((lab) => (level && level !== '"eventual"' ? lab.readWith(node, key, level) : lab.read(node, key)));
    if (id !== undefined) this._track(id, `read ${key} @ ${nodeName(this.bus.snapshot, node)}`, from);
    else this._refused(`read ${key} @ ${nodeName(this.bus.snapshot, node)}`, from);
  }

  /** The lab refused the operation (the banner says why): the previous result must not stay up. */
  _refused(text, node) {
    this.tracked = null;
    const el = this.r.manualResult;
    const line = `✗ ${text}: not sent (see the message above)`;
    setText(el, line);
    el.dataset.state = 'fail';
    delete el.dataset.opId;
    if (node != null) this.bus.emit('manual-result', { node, text: line, state: 'fail' });
  }

  _readKey() {
    return this.r.readKey.value.trim() || 'k1';
  }

  _track(id, text, node) {
    this.tracked = { id, text, node };
    this.bus.emit('manual-result', { node, text: '', state: '' });
    this._follow(this.bus.snapshot);
  }

  /** Keeps the read form's node list in step with the cluster. */
  _syncNodes(snap) {
    let sig = '';
    for (const n of snap.nodes) sig += `|${n.id}:${n.name}:${n.role}`;
    if (sig === this.nodesSig) return;
    this.nodesSig = sig;
    const replicas = snap.nodes.filter((n) => n.role !== 'primary');
    fillSelect(this.r.readNode, snap.nodes, (n) => `${n.name}${n.role === 'primary' ? ' (primary)' : ''}`,
      replicas.length ? replicas[replicas.length - 1].id : snap.nodes[0]?.id);
  }

  _follow(snap) {
    const m = this.tracked;
    const op = this.bus.read((lab) => lab.op(m.id));
    if (!op) return;
    const name = (id) => nodeName(snap, id);
    let text;
    let state = op.outcome;
    const took = op.completedAt != null ? fmtDur(op.completedAt - op.invokedAt) : '';
    if (op.outcome === 'pending') {
      const waited = fmtDur(Math.max(0, snap.now - op.invokedAt));
      text = op.kind !== 'read' && op.ack && op.ack !== 'async'
        ? `${m.text} … waiting for ${op.ack} replica acks (${waited} so far)`
        : `${m.text} … waiting for the reply (${waited} so far)`;
    } else if (op.kind !== 'read') {
      if (op.outcome === 'ok' && op.swapped === false) {
        text = `✗ ${m.text}: ${op.key} did not hold ${op.expected ?? 'nothing'}, so nothing changed (answered in ${took}; its place in the log is lsn ${op.lsn}).`;
        state = 'fail';
      } else if (op.outcome === 'ok') {
        text = `✓ ${m.text}: acknowledged in ${took} at lsn ${op.lsn}.`;
        if (op.ack && op.ack !== 'async') {
          const by = Array.isArray(op.ackedBy) && op.ackedBy.length ? ` after ${op.ackedBy.map(name).join(', ')} confirmed` : '';
          text += ` Policy ${op.ack}${by}.`;
        } else {
          text += ' The primary has it on disk; replicas are still catching up.';
        }
      }
      else if (op.outcome === 'fail') text = `✗ ${m.text}: refused (${op.error === 'notPrimary' ? 'that node is not the primary' : op.error === 'overloaded' ? 'the node is overloaded: its queue is full' : op.error})`;
      else text = `? ${m.text}: timed out after ${took}; it may or may not have happened.`;
    } else if (op.outcome === 'ok') {
      const value = op.version != null ? `${op.result} (lsn ${op.version})` : 'nothing (no value yet)';
      text = `✓ ${m.text} returned ${value} in ${took}.`;
      if (op.redirects > 0) text += ` ${name(op.asked)} could not serve it, so ${name(op.servedBy ?? op.node)} answered.`;
      if (op.stale) {
        text += ` STALE: it missed a write acknowledged ${fmtDur(op.staleness)} before you asked.`;
        state = 'stale';
      }
    } else {
      text = `✗ ${m.text}: ${op.error === 'timeout' ? 'timed out' : op.error === 'overloaded' ? 'refused, the node is overloaded' : 'failed'} after ${took}.`;
    }
    const el = this.r.manualResult;
    setText(el, text);
    el.dataset.state = state;
    el.dataset.opId = String(m.id);
    if (m.node != null) this.bus.emit('manual-result', { node: m.node, text, state });
    if (op.outcome !== 'pending') this.tracked = null;
  }
}
