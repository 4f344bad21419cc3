//! The final state of a leaderless run, for the checkers (`crate::checks`).
//!
//! **The order of writes is timestamp order.** A version's [`Pos`] is (timestamp,
//! coordinator id + 1): the coordinator's own clock in microseconds, made unique by the
//! coordinator. That is the order last-write-wins resolves by, so "newer" means what every
//! replica, every read merge and every repair means by it; the checkers' "a read returned
//! an older version than one acknowledged before it began" (stale) and "a session's writes
//! went backwards" (monotonic writes) then mean what they say for Cassandra.
//!
//! **What survives.** Every write some coordinator stamped is in the final order (a write
//! that timed out, or failed its level, may still be stored: Cassandra does not roll back),
//! except:
//! - a write *lost under last-write-wins*: some acknowledged write of the same key with a
//!   greater timestamp had completed before it was even invoked. In real time it came
//!   first; LWW puts it last, so this write is silently overwritten by an older one. Only
//!   skewed clocks do that (with true clocks a later write always stamps later), and it is
//!   known as soon as both are stamped: such writes are reported lost at once.
//! - once the run is settled, a write newer than anything any up node (or hint) still has
//!   for its key: gone (disks wiped before it spread).
//!
//! Everything is decided at once (`decided` is the greatest position), so the lost-write
//! and dirty-read checkers judge each write as soon as its facts exist: a read that
//! returned a write lost under LWW is reported as dirty.
//!
//! **Promises.** `consensus` is "every clock was true throughout": with a skewed clock,
//! LWW may lose an acknowledged write whatever the levels, so nothing about lost writes is
//! promised; reads promise freshness per `routing.rs` (strict quorum, R + W > N, blocking
//! read repair).
//!
//! **Divergence.** Each key lives on its N replicas only, so each up node's store is shown
//! to the divergence checker as its own cells for the keys it replicates and the newest
//! version among the replicas for every other key (nothing to disagree about there): two
//! nodes then differ exactly where replicas of a key still disagree.
//!
//! Timestamps are sparse, and the windowed archive of `crate::checks::archive` keeps
//! positions as dense bitmaps, so a leaderless run keeps its whole history and is judged
//! whole (`model.rs` sets the window to everything): a limitation for very long runs.

use super::Leaderless;
use crate::checks::facts::{ModelFacts, NodeStore};
use crate::clients::history::Outcome;
use crate::kernel::time::Micros;
use crate::kernel::{NodeId, NodeStatus, OpId, Pos, Text, World};
use std::collections::BTreeMap;

impl World<Leaderless> {
    pub(crate) fn model_facts(&self, settled: bool) -> ModelFacts {
        let ops = self.history.ops();
        // Acknowledged writes per key by completion, with the running greatest timestamp.
        let mut acked: BTreeMap<&Text, Vec<(Micros, Pos)>> = BTreeMap::new();
        for op in ops {
            if let (true, Outcome::Ok, Some(pos), Some(done)) =
                (op.kind.mutates(), op.outcome, op.written, op.completed_at)
            {
                acked.entry(&op.key).or_default().push((done, pos));
            }
        }
        for list in acked.values_mut() {
            list.sort_unstable();
            let mut max = (0, 0);
            for item in list.iter_mut() {
                max = max.max(item.1);
                item.1 = max;
            }
        }
        let newest = settled.then(|| self.newest_held());
        let mut surviving = BTreeMap::new();
        for op in ops.iter().filter(|o| o.kind.mutates()) {
            let Some(&pos) = self.model.landed.get(&op.id) else {
                continue;
            };
            let overwritten_by_older = acked.get(&op.key).is_some_and(|list| {
                let before = list.partition_point(|&(done, _)| done < op.invoked_at);
                before > 0 && list[before - 1].1 > pos
            });
            let gone = newest
                .as_ref()
                .is_some_and(|n| n.get(&op.key).is_none_or(|&(p, _)| p < pos));
            if !overwritten_by_older && !gone {
                surviving.insert(op.id, pos);
            }
        }
        ModelFacts {
            surviving,
            decided: (u64::MAX, u64::MAX),
            consensus: !self.model.ever_skewed,
            stores: if settled { self.stores() } else { Vec::new() },
            ..ModelFacts::default()
        }
    }

    fn up_members(&self) -> Vec<NodeId> {
        self.members()
            .into_iter()
            .filter(|&m| self.nodes[m as usize].status == NodeStatus::Up)
            .collect()
    }

    /// Per key, the newest version any up node stores or holds a hint of.
    fn newest_held(&self) -> BTreeMap<Text, (Pos, OpId)> {
        let mut newest: BTreeMap<Text, (Pos, OpId)> = BTreeMap::new();
        let mut offer = |key: &Text, pos: Pos, op: OpId| {
            let e = newest.entry(key.clone()).or_insert((pos, op));
            if pos > e.0 {
                *e = (pos, op);
            }
        };
        for m in self.up_members() {
            let node = self.node(m);
            for (k, c) in &node.store {
                offer(k, c.pos, c.op);
            }
            for h in node.hints.values().flatten() {
                offer(&h.key, h.cell.pos, h.cell.op);
            }
        }
        newest
    }

    /// Each up node's view for the divergence check (see the module doc).
    fn stores(&self) -> Vec<NodeStore> {
        let n = self.model.params.n();
        let mut newest: BTreeMap<Text, (Pos, OpId)> = BTreeMap::new();
        let up = self.up_members();
        let mut replicas: BTreeMap<Text, Vec<NodeId>> = BTreeMap::new();
        for &m in &up {
            for (k, c) in &self.node(m).store {
                let reps = replicas
                    .entry(k.clone())
                    .or_insert_with(|| self.model.params.ring.replicas(k, n));
                if reps.contains(&m) {
                    let e = newest.entry(k.clone()).or_insert((c.pos, c.op));
                    if c.pos > e.0 {
                        *e = (c.pos, c.op);
                    }
                }
            }
        }
        up.iter()
            .map(|&m| {
                let node = self.node(m);
                let store = newest
                    .iter()
                    .filter_map(|(k, &(_, op))| {
                        if replicas.get(k).is_some_and(|r| r.contains(&m)) {
                            node.store.get(k).map(|c| (k.clone(), c.op))
                        } else {
                            Some((k.clone(), op))
                        }
                    })
                    .collect();
                NodeStore { node: m, store }
            })
            .collect()
    }
}
