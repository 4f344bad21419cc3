//! What the single-leader model tells the checkers (`crate::checks`), as an observer
//! outside the nodes would see it: the authority's log (the primary of the newest term,
//! else the most up-to-date node) as the final order of writes, what its commit index has
//! decided, every replica's store once the cluster is healed and quiet, and what the
//! leadership observer saw (split brains, discarded writes, whether Raft ran throughout).

use super::SingleLeader;
use crate::checks::facts::ModelFacts;
use crate::checks::facts::{Discard, NodeStore};
use crate::kernel::{NodeId, NodeStatus, World};

impl World<SingleLeader> {
    /// The node whose log is the cluster's final word: the primary of the newest term,
    /// else the up member with the most up-to-date log.
    pub fn authority(&self) -> Option<NodeId> {
        self.primary().or_else(|| {
            self.members()
                .into_iter()
                .filter(|&m| self.nodes[m as usize].status == NodeStatus::Up)
                .max_by_key(|&m| {
                    let n = &self.nodes[m as usize].node;
                    (n.term_at(n.last_lsn()), n.last_lsn(), std::cmp::Reverse(m))
                })
        })
    }

    /// The facts of the run; `settled`: the authority's whole log is final (else only
    /// what its commit index has decided).
    pub(super) fn model_facts(&self, settled: bool) -> ModelFacts {
        let l = &self.model.leadership;
        let mut facts = ModelFacts {
            consensus: l.raft_throughout,
            split_brains: l.split_brains.clone(),
            discards: l
                .discards
                .iter()
                .map(|d| Discard {
                    op: d.op,
                    node: d.node,
                    at: d.at,
                })
                .collect(),
            ..ModelFacts::default()
        };
        let Some(authority) = self.authority() else {
            return facts;
        };
        let node = &self.nodes[authority as usize].node;
        let decided = if settled {
            node.last_lsn()
        } else {
            node.commit
        };
        facts.decided = (node.term_at(decided), decided);
        facts.order = node.wal.term_runs(decided);
        // Where each write of the history landed, checked against the authority's log:
        // by the entry itself while its WAL is kept, by its term once recycled (the same
        // term at the same position is the same entry).
        facts.surviving = self
            .history
            .ops()
            .iter()
            .filter(|o| o.kind.mutates())
            .filter_map(|o| {
                let (term, lsn) = o.meta.landed.or(o.written)?;
                (lsn <= decided && node.wal.holds(lsn, term, o.id)).then_some((o.id, (term, lsn)))
            })
            .collect();
        if settled {
            let others = self
                .members()
                .into_iter()
                .filter(|&m| m != authority && self.nodes[m as usize].status == NodeStatus::Up);
            facts.stores = std::iter::once(authority)
                .chain(others)
                .map(|m| NodeStore {
                    node: m,
                    store: self.nodes[m as usize]
                        .node
                        .kv
                        .iter()
                        .map(|(k, v)| (k.clone(), v.op))
                        .collect(),
                })
                .collect();
        }
        facts
    }
}
