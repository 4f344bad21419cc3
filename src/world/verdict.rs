//! Gathers the facts of the run for the checkers (`crate::checks`) from outside the nodes:
//! the authority's log (the primary of the newest term, else the most up-to-date node) as
//! the final order of writes, what it has decided, and, once the cluster is healed and
//! quiet, every replica's store.

use super::{NodeStatus, World};
use crate::checks::facts::NodeStore;
use crate::checks::{self, Report, RunFacts};
use crate::protocol::{NodeId, Payload};
use crate::time::{Micros, MICROS_PER_MS};
use std::collections::BTreeMap;

/// How long the cluster must have been healed and idle to count as settled.
pub const SETTLE_AFTER: Micros = 2_000 * MICROS_PER_MS;

impl World {
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

    /// Whether the cluster looks healed and quiet: every member up and connected, the
    /// workload stopped long enough ago, no operation pending, no timed fault to come.
    pub fn looks_settled(&self) -> bool {
        let healed = self.members().iter().all(|&m| {
            self.nodes[m as usize].status == NodeStatus::Up
                && self
                    .members()
                    .iter()
                    .all(|&o| o == m || self.net.is_up(m, o))
        });
        let stopped = match self.scenario.workload.stop_after {
            Some(stop) => self.now >= stop.micros() + SETTLE_AFTER,
            None => self.clients.iter().all(|c| c.manual || c.idle),
        };
        let faults_done = self
            .scenario
            .faults
            .iter()
            .all(|f| f.at.micros() + SETTLE_AFTER <= self.now);
        healed
            && stopped
            && faults_done
            && self.history.counters().pending == 0
            && self.primary().is_some()
    }

    /// Every checker's verdict on the run so far. `settled`: judge the final state as
    /// final (absence from the log is a loss whatever its position; replicas must agree).
    pub fn anomalies(&self, settled: bool) -> Report {
        let Some(authority) = self.authority() else {
            let mut report = Report::default();
            report.not_judged(checks::Kind::LostAcknowledgedWrite, "no node is up");
            return report;
        };
        let node = &self.nodes[authority as usize].node;
        let decided = if settled {
            node.last_lsn()
        } else {
            node.commit
        };
        let surviving = node.log[..decided as usize]
            .iter()
            .filter(|e| {
                e.op != 0 && matches!(e.payload, Payload::Set { .. } | Payload::Unchanged { .. })
            })
            .map(|e| (e.op, (e.term, e.lsn)))
            .collect();
        let stores =
            if settled {
                std::iter::once(authority)
                    .chain(self.members().into_iter().filter(|&m| {
                        m != authority && self.nodes[m as usize].status == NodeStatus::Up
                    }))
                    .map(|m| NodeStore {
                        node: m,
                        store: self.nodes[m as usize]
                            .node
                            .kv
                            .iter()
                            .map(|(k, v)| (k.clone(), v.op))
                            .collect::<BTreeMap<_, _>>(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
        let facts = RunFacts {
            ops: self.history.ops(),
            surviving,
            decided,
            decided_term: node.term_at(decided),
            settled,
            raft: self.leadership.raft_throughout,
            stores,
            split_brains: &self.leadership.split_brains,
            truncations: &self.leadership.discards,
            now: self.now,
        };
        let mut report = checks::judge(&facts);
        self.judge_linearizability(&mut report);
        report
    }
}
