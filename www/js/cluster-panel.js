// The Cluster tab (but for its Geography card, in settings.js): the cluster's size (add or
// remove a replica), the latency of every link at once, and one link's latency, loss and
// cut. It also reads every link's settings back from the Lab into the stage's labels
// (`link-labels`) whenever the nodes or the links change.

import { fillSelect, setText } from './dom.js';
import { fmtDur, fmtLatency, latencyMean, latencyRangeMs, linkSettingsJson, nodeName } from './format.js';

import { MAX_IDS } from './stage-layout.js';
const MAX_NODES = 9;

export class ClusterPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.r = refs;
    this.bus = bus;
    this.selectedNode = null;
    this.nodesSig = '';
    const r = refs;
    bus.listen(r.addReplica, 'click', () => bus.act((lab) => lab.addReplica()));
    bus.listen(r.removeReplica, 'click', () => this.removeReplica());
    bus.listen(r.allLinksForm, 'submit', (e) => {
      e.preventDefault();
      const json = this._linkJson(r.allMin, r.allMax, r.allJitter, r.allLoss);
      if (!json) return;
      bus.act((lab) => lab.setAllLinks(json));
      this._linksChanged();
    });
    bus.listen(r.linkForm, 'submit', (e) => {
      e.preventDefault();
      const [a, b] = this._pair();
      const json = this._linkJson(r.linkMin, r.linkMax, r.linkJitter, r.linkLoss);
      if (!json) return;
      bus.act((lab) => lab.setLink(a, b, json, r.linkOneWay.checked));
      this._linksChanged();
    });
    const setUp = (up) => {
      const [a, b] = this._pair();
      bus.act((lab) => {
        lab.setLinkUp(a, b, up);
        if (!r.linkOneWay.checked) lab.setLinkUp(b, a, up);
      });
    };
    bus.listen(r.linkCut, 'click', () => setUp(false));
    bus.listen(r.linkRestore, 'click', () => setUp(true));
    const pickLink = () => {
      const [a, b] = this._pair();
      if (a !== b) bus.emit('select', { link: [a, b] });
      else this.fillLinkForm();
    };
    bus.listen(r.linkFrom, 'change', pickLink);
    bus.listen(r.linkTo, 'change', pickLink);

    bus.on('select', ({ node, link }) => {
      this.selectedNode = node ?? null;
      if (!link) return;
      r.linkFrom.value = String(link[0]);
      r.linkTo.value = String(link[1]);
      this.fillLinkForm();
    });
    bus.on('reset', ({ snap }) => {
      this.nodesSig = '';
      this._fillAllLinksForm(snap.defaultLink);
    });
    bus.on('ui', (snap) => this._syncNodes(snap));
    bus.on('links-changed', () => this._linksChanged());
  }

  /** Removes the selected replica, else the newest one. */
  removeReplica() {
    const snap = this.bus.snapshot;
    const removable = (n) => n.role !== 'primary' && n.membership !== 'leaving';
    const victim = snap.nodes.find((n) => n.id === this.selectedNode && removable(n)) ?? snap.nodes.filter(removable).at(-1);
    if (!victim) {
      this.bus.report(new Error('There is no replica to remove: the primary is the only node.'));
      return;
    }
    this.bus.act((lab) => lab.removeReplica(victim.id));
  }

  _pair() {
    return [Number(this.r.linkFrom.value), Number(this.r.linkTo.value)];
  }

  /** Link settings JSON from four inputs, or undefined after reporting what is wrong. */
  _linkJson(min, max, jitter, loss) {
    try {
      return linkSettingsJson(min.value, max.value, jitter.value, loss.value);
    } catch (err) {
      this.bus.report(err);
      return undefined;
    }
  }

  _linksChanged() {
    this._refreshLabels(this.bus.snapshot);
    this.fillLinkForm();
  }

  /** Keeps node-dependent controls (count, buttons, link selects, labels) in step with the cluster. */
  _syncNodes(snap) {
    let sig = `${snap.primary}`;
    for (const n of snap.nodes) sig += `|${n.id}:${n.name}:${n.role}:${n.membership}`;
    if (sig === this.nodesSig) return;
    this.nodesSig = sig;
    const r = this.r;
    const count = snap.nodes.length;
    setText(r.nodeCount, String(count));
    r.addReplica.disabled = count >= MAX_NODES;
    r.removeReplica.disabled = count <= 1 || !snap.nodes.some((n) => n.role !== 'primary' && n.membership !== 'leaving');
    const replicas = snap.nodes.filter((n) => n.role !== 'primary');
    const newest = replicas.length ? replicas[replicas.length - 1].id : snap.nodes[0]?.id;
    fillSelect(r.linkFrom, snap.nodes, (n) => n.name, snap.primary ?? snap.nodes[0]?.id);
    fillSelect(r.linkTo, snap.nodes, (n) => n.name, newest);
    this._linksChanged();
  }

  /** Re-reads every link's settings from the Lab for the stage's labels. */
  _refreshLabels(snap) {
    const ids = snap.nodes.map((n) => n.id);
    const base = latencyMean(snap.defaultLink.latency);
    const labels = this.bus.read((lab) => {
      const map = new Map();
      for (const a of ids) {
        for (const b of ids) {
          if (a === b) continue;
          const spec = lab.link(a, b);
          const back = lab.link(b, a);
          const mean = latencyMean(spec.latency);
          let text = fmtLatency(spec.latency);
          if (JSON.stringify(back.latency) !== JSON.stringify(spec.latency)) text += ` / ${fmtLatency(back.latency)}`;
          if (spec.loss > 0) text += ` · ${(spec.loss / 10_000).toFixed(spec.loss % 10_000 ? 1 : 0)}% loss`;
          map.set(a * MAX_IDS + b, { text, slow: mean > base * 1.5 || spec.loss > 0 });
        }
      }
      return map;
    });
    if (labels) this.bus.emit('link-labels', labels);
  }

  _fillAllLinksForm(spec) {
    const r = this.r;
    const [min, max] = latencyRangeMs(spec.latency);
    r.allMin.value = String(min);
    r.allMax.value = String(max);
    r.allJitter.value = String(spec.jitter / 1000);
    r.allLoss.value = String(spec.loss / 10_000);
  }

  fillLinkForm() {
    const r = this.r;
    if (r.linkFrom.value === '' || r.linkTo.value === '') return;
    const [a, b] = this._pair();
    if (a === b) {
      setText(r.linkCurrent, 'Pick two different nodes.');
      return;
    }
    const spec = this.bus.read((lab) => lab.link(a, b));
    if (!spec) return;
    const [min, max] = latencyRangeMs(spec.latency);
    r.linkMin.value = String(min);
    r.linkMax.value = String(max);
    r.linkJitter.value = String(spec.jitter / 1000);
    r.linkLoss.value = String(spec.loss / 10_000);
    const snap = this.bus.snapshot;
    setText(r.linkCurrent, `Now ${nodeName(snap, a)} → ${nodeName(snap, b)}: ${fmtLatency(spec.latency)}${spec.jitter ? ` + up to ${fmtDur(spec.jitter)} jitter` : ''}${spec.loss ? `, ${spec.loss / 10_000}% loss` : ''}.`);
  }
}
