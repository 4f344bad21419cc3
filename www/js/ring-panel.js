// The leaderless model's part of the side panel and the key: the Cluster tab's "Quorums on
// the ring" card (N, the write and read consistency levels as selects that set them in the
// world, whether R + W > N holds and what that promises, Riak's n_val / r / w, and a key
// whose replicas the stage highlights), the node card's words (a ring adds nodes, not
// replicas), and which key to the stage is shown. Hidden, and silent, for the other models.

import { setText } from './dom.js';
import { nodeName } from './format.js';

const WRITE_LEVELS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL'];
const REGION_LEVELS = ['LOCAL_QUORUM', 'EACH_QUORUM'];
const LATEST = '';

/** How many of `n` replicas a level counts (the region-bound levels as a quorum; ANY as 0). */
export function levelCount(level, n) {
  switch (level) {
    case 'ANY': return 0;
    case 'ONE': return 1;
    case 'TWO': return 2;
    case 'THREE': return 3;
    case 'ALL': return n;
    default: return Math.floor(n / 2) + 1;
  }
}

export class RingPanel {
  /** @param {Record<string, HTMLElement>} refs @param {import('./lab-bus.js').LabBus} bus */
  constructor(refs, bus) {
    this.r = refs;
    this.bus = bus;
    this.sig = '';
    this.model = '';
    const set = (field, select) => {
      const level = select.value;
      bus.act((lab) => lab.act(JSON.stringify({ setConsistency: { [field]: level } })));
    };
    bus.listen(refs.quorumW, 'change', () => set('write', refs.quorumW));
    bus.listen(refs.quorumR, 'change', () => set('read', refs.quorumR));
    bus.listen(refs.quorumKey, 'change', () => this._chooseKey());
    bus.listen(refs.quorumForm, 'submit', (e) => e.preventDefault());
    bus.on('reset', ({ snap }) => {
      this.sig = '';
      this.model = '';
      refs.quorumKey.value = LATEST;
      bus.emit('ring-key', null);
      this.update(snap);
    });
    bus.on('ui', (snap) => this.update(snap));
  }

  update(snap) {
    const r = this.r;
    const ring = snap.model === 'leaderless';
    if (snap.model !== this.model) {
      this.model = snap.model;
      r.quorumForm.hidden = !ring;
      r.ringKeys.hidden = !ring;
      r.leaderKeys.hidden = ring;
      r.ringNotes.hidden = !ring;
      r.leaderNotes.hidden = ring;
      r.analogy.hidden = ring;
      this._words(ring);
    }
    if (!ring) return;
    const spec = snap.config.leaderless ?? {};
    const n = snap.replicationFactor ?? spec.replicationFactor ?? 0;
    const regions = (snap.config.regions ?? 0) > 0;
    const keys = snap.config.workload?.keys ?? 0;
    const sig = `${n}|${regions}|${keys}`;
    if (sig !== this.sig) {
      this.sig = sig;
      const levels = regions ? [...WRITE_LEVELS, ...REGION_LEVELS] : WRITE_LEVELS;
      fill(r.quorumW, levels, n);
      fill(r.quorumR, levels.filter((l) => l !== 'ANY'), n);
      const keep = r.quorumKey.value;
      const names = Array.from({ length: keys }, (_, i) => `k${i}`);
      r.quorumKey.replaceChildren(option(LATEST, 'the latest operation\'s'), ...names.map((k) => option(k, k)));
      r.quorumKey.value = names.includes(keep) ? keep : LATEST;
    }
    const root = r.quorumForm.getRootNode();
    if (root.activeElement !== r.quorumW) r.quorumW.value = spec.writeConsistency ?? 'ONE';
    if (root.activeElement !== r.quorumR) r.quorumR.value = spec.readConsistency ?? 'ONE';
    const w = levelCount(spec.writeConsistency, n), rd = levelCount(spec.readConsistency, n);
    setText(r.quorumN, `${n} (replicationFactor)`);
    const overlap = rd + w > n;
    const strict = spec.quorum !== 'sloppy';
    r.quorumVerdict.dataset.state = overlap && strict ? 'overlap' : 'none';
    setText(r.quorumVerdict, overlap
      ? `R ${rd} + W ${w} = ${rd + w} > N ${n}: every read asks a replica that acknowledged the last write${strict ? '' : ', unless fallbacks stood in (sloppy quorum)'}.`
      : `R ${rd} + W ${w} = ${rd + w} ≤ N ${n}: a read can ask only replicas a write has not reached yet (a stale read).`);
    let hints = 0;
    for (const node of snap.nodes) for (const [, c] of node.hints ?? []) hints += c;
    setText(r.quorumRiak, `Riak: ${snap.riak ?? ''} · ${strict ? 'strict quorum (Cassandra)' : 'sloppy quorum (Dynamo, Riak)'} · read repair ${spec.readRepair ?? 'blocking'} · ${hints} hint${hints === 1 ? '' : 's'} waiting`);
    const chosen = r.quorumKey.value;
    if (chosen !== LATEST && this.keyView?.key === chosen) {
      const kv = this.keyView;
      setText(r.quorumKeyText, `${kv.key} hashes to ${(kv.at * 100).toFixed(1)}% round the ring: replicas ${kv.replicas.map((id) => nodeName(snap, id)).join(', ')}${kv.fallbacks.length ? `; then ${kv.fallbacks.map((id) => nodeName(snap, id)).join(', ')}` : ''}.`);
    } else {
      setText(r.quorumKeyText, 'The stage shows the latest read beside the write before it on its key.');
    }
    setText(r.legendKnobs, `Writes at ${spec.writeConsistency} (W = ${w}), reads at ${spec.readConsistency} (R = ${rd}), N = ${n}: Cassandra's consistency levels; Riak ${snap.riak ?? ''}.`);
  }

  /** The Cluster tab's words that differ between a ring and a primary with replicas. */
  _words(ring) {
    const r = this.r;
    setText(r.addReplica, ring ? '+ Add node' : '+ Add replica');
    setText(r.nodesHint, ring
      ? 'A new node places its virtual nodes on the ring and takes over the token ranges they land in; the nodes that held them keep their copies (no streaming yet).'
      : 'A new replica starts empty and catches up from the primary\'s log, like a fresh standby.');
    if (!this.geoWords) this.geoWords = r.geoNote.innerHTML;
    if (ring) setText(r.geoNote, 'Nodes and clients are placed round-robin over the regions; links take the one-way latency between them. LOCAL_QUORUM and EACH_QUORUM count the replicas of the coordinator\'s region, or of every region.');
    else r.geoNote.innerHTML = this.geoWords;
  }

  _chooseKey() {
    const key = this.r.quorumKey.value;
    this.keyView = key === LATEST ? null : this.bus.read((lab) => lab.replicasOf(key)) ?? null;
    this.bus.emit('ring-key', this.keyView);
    const snap = this.bus.snapshot;
    if (snap) this.update(snap);
  }
}

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

/** Fills a level select, disabling the levels that need more replicas than N. */
function fill(select, levels, n) {
  select.replaceChildren(...levels.map((l) => {
    const o = option(l, `${l} (${levelCount(l, n)} of ${n})`);
    o.disabled = (l === 'TWO' && n < 2) || (l === 'THREE' && n < 3);
    return o;
  }));
}
