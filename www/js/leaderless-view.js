// The leaderless model's snapshots in the shape the page's single-leader panels read: a
// ring has no primary, no log and no terms, so those fields get neutral values (no
// primary, empty logs, term 0) and every node shows as a "peer". The ring's own fields
// (ring, ownership, riak, ringCounters, each node's hints and down peers) pass through for
// views that know them.

/** Wraps `lab.snapshot` so each snapshot of a leaderless world has the single-leader fields. */
export function adaptLeaderless(lab) {
  const snapshot = lab.snapshot.bind(lab);
  lab.snapshot = (...args) => singleLeaderShape(snapshot(...args));
  return lab;
}

/** Fills in what the single-leader panels read, leaving the ring's fields as they are. */
export function singleLeaderShape(snap) {
  if (snap.model !== 'leaderless') return snap;
  const ids = snap.nodes.map((n) => n.id);
  const cfg = snap.config;
  const spec = cfg.leaderless ?? {};
  snap.primary = null;
  snap.failovers = [];
  snap.lostWrites = [];
  snap.splitBrains = [];
  snap.membership = {
    voters: ids, learners: [], changing: false, majority: Math.floor(ids.length / 2) + 1,
    text: `ring of ${ids.length} · ${cfg.riak ?? ''}`,
  };
  cfg.ackPolicy = 'async';
  cfg.ackLabel = `writes at ${spec.writeConsistency ?? 'ONE'} · reads at ${spec.readConsistency ?? 'ONE'} (${cfg.riak ?? ''})`;
  cfg.semiSyncFallback = null;
  cfg.failover = { mode: 'off', electionTimeout: '1s', preVote: false };
  cfg.visibility = 'afterSync';
  for (const n of snap.nodes) {
    Object.assign(n, {
      term: 0, lastLsn: 0, positions: { received: 0, flushed: 0, applied: 0 }, tail: [],
      checkpoint: 0, walEntries: 0, replicas: [], waitingWrites: n.coordinating ?? 0,
      semiSyncOff: false, waitingReads: 0, staleness: 0, votedFor: null,
      electionDeadline: null, lastHeardPrimary: 0, discarded: [], membership: 'voter',
      amnesiac: false, lagEntries: null, lagMicros: null,
    });
  }
  return snap;
}
