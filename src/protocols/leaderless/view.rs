//! What the page and the runner see of a leaderless cluster: the ring (every virtual
//! node's place as a fraction of the circle, and each node's share), the settings with
//! Riak's `n_val` / `r` / `w` beside Cassandra's names, each node's keys, hints and what
//! its gossip believes, and the observer's counts of hints, repairs and refusals; the
//! latest operations' replica sets (which replicas a write reached, which a read asked)
//! and the overlap of the latest read with the write before it on its key; a key's place
//! on the ring and its replicas.

use super::quorums::Quorum;
use super::ring;
use super::settings::LeaderlessSpec;
use super::Leaderless;
use crate::clients::history::Outcome;
use crate::kernel::{NodeId, OpId, Text, World};
use serde::Serialize;

/// Node ids of a bit mask, in order.
fn nodes_of(mask: u32) -> Vec<NodeId> {
    (0..32).filter(|i| mask & (1 << i) != 0).collect()
}

/// Where a token sits, as a fraction of the circle.
fn fraction(token: u64) -> f64 {
    token as f64 / u64::MAX as f64
}

/// A key on the ring: where it hashes and its preference list.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub key: Text,
    pub at: f64,
    /// Its N replicas, clockwise from its token.
    pub replicas: Vec<NodeId>,
    /// The nodes after them, in order (a sloppy quorum's stand-ins).
    pub fallbacks: Vec<NodeId>,
}

/// One recent operation's replica sets.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuorumView {
    pub op: OpId,
    /// `"write"` or `"read"`.
    pub kind: &'static str,
    pub key: Text,
    pub at: f64,
    pub coordinator: NodeId,
    pub replicas: Vec<NodeId>,
    /// A read: the replicas asked. A write: those that counted for its "ok".
    pub asked: Vec<NodeId>,
    /// A write: every node that has stored it so far.
    pub reached: Vec<NodeId>,
    pub acknowledged: bool,
    /// The client has its answer (or gave up).
    pub done: bool,
}

/// The latest read beside the write before it on the same key: R + W > N made visible.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverlapView {
    pub key: Text,
    pub read: OpId,
    pub write: OpId,
    /// The replicas the read asked (R of them).
    pub read_set: Vec<NodeId>,
    /// The replicas that acknowledged the write (W of them), or those it reached when it
    /// was never acknowledged.
    pub write_set: Vec<NodeId>,
    /// In both: the replicas through which the read sees the write.
    pub both: Vec<NodeId>,
    /// R, W and N as the cluster counts them now.
    pub r: usize,
    pub w: usize,
    pub n: usize,
}

/// What an observer outside the nodes counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub hints_stored: u64,
    pub hints_replayed: u64,
    pub hints_dropped: u64,
    pub read_repairs: u64,
    pub digest_mismatches: u64,
    pub unavailable: u64,
}

/// One virtual node on the ring.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub node: NodeId,
    /// Where it sits, as a fraction of the circle (0 to 1, clockwise).
    pub at: f64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RingView {
    pub ring: Vec<TokenView>,
    /// Each node's share of the ring (its virtual nodes' arcs).
    pub ownership: Vec<(NodeId, f64)>,
    /// N as it is now (the replication factor, or the node count when smaller).
    pub replication_factor: usize,
    /// `n_val=3 r=2 w=2`.
    pub riak: String,
    pub ring_counters: Counters,
    /// The latest operations, oldest first.
    pub quorums: Vec<QuorumView>,
    pub overlap: Option<OverlapView>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    /// Every node is a peer: any of them coordinates.
    pub role: &'static str,
    /// Keys stored here.
    pub keys: usize,
    /// Hints kept for other nodes, by node.
    pub hints: Vec<(NodeId, usize)>,
    /// The peers this node's gossip takes for down.
    pub down: Vec<NodeId>,
    /// Requests it is coordinating.
    pub coordinating: usize,
    /// The greatest timestamp it has given a write.
    pub last_timestamp: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    pub leaderless: LeaderlessSpec,
    pub riak: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    pub leaderless: Counters,
    /// `n_val=3 r=2 w=2`, beside the scenario's Cassandra levels.
    pub riak: String,
    /// Hints still waiting, over every node.
    pub hints_waiting: usize,
}

impl World<Leaderless> {
    pub(crate) fn ring_view(&self) -> RingView {
        let ring = &self.model.params.ring;
        RingView {
            ring: ring
                .tokens()
                .iter()
                .map(|&(t, node)| TokenView {
                    node,
                    at: fraction(t),
                })
                .collect(),
            ownership: ring.ownership(),
            replication_factor: self.model.params.n(),
            riak: self.model.spec().riak(),
            ring_counters: self.model.counters.clone(),
            quorums: self
                .model
                .recent
                .0
                .iter()
                .map(|q| self.quorum_view(q))
                .collect(),
            overlap: self.overlap_view(),
        }
    }

    /// Where `key` sits on the ring and which nodes hold it.
    pub fn key_view(&self, key: &str) -> KeyView {
        let ring = &self.model.params.ring;
        let mut replicas = ring.preference(key);
        let fallbacks = replicas.split_off(self.model.params.n().min(replicas.len()));
        KeyView {
            key: key.into(),
            at: fraction(ring::token_of(key)),
            replicas,
            fallbacks,
        }
    }

    fn quorum_view(&self, q: &Quorum) -> QuorumView {
        let done = self
            .history
            .get(q.op)
            .is_none_or(|o| o.outcome != Outcome::Pending);
        QuorumView {
            op: q.op,
            kind: if q.write { "write" } else { "read" },
            key: q.key.clone(),
            at: fraction(ring::token_of(&q.key)),
            coordinator: q.coordinator,
            replicas: nodes_of(q.replicas),
            asked: nodes_of(q.asked),
            reached: nodes_of(q.reached),
            acknowledged: q.acknowledged,
            done,
        }
    }

    fn overlap_view(&self) -> Option<OverlapView> {
        let recent = &self.model.recent.0;
        let (i, read) = recent.iter().enumerate().rev().find(|(_, q)| !q.write)?;
        let write = recent
            .iter()
            .take(i)
            .rev()
            .find(|q| q.write && q.key == read.key && q.reached != 0)?;
        let write_set = if write.acknowledged {
            write.asked
        } else {
            write.reached
        };
        let n = self.model.params.n();
        let spec = self.model.spec();
        Some(OverlapView {
            key: read.key.clone(),
            read: read.op,
            write: write.op,
            read_set: nodes_of(read.asked),
            write_set: nodes_of(write_set),
            both: nodes_of(read.asked & write_set),
            r: spec.read_consistency.count(n),
            w: spec.write_consistency.count(n),
            n,
        })
    }

    pub(crate) fn ring_node_view(&self, id: NodeId) -> NodeView {
        let n = self.node(id);
        NodeView {
            role: "peer",
            keys: n.store.len(),
            hints: n.hints.iter().map(|(&k, v)| (k, v.len())).collect(),
            down: n.down.iter().copied().collect(),
            coordinating: n.writes.len() + n.reads.len(),
            last_timestamp: n.last_ts,
        }
    }

    pub(crate) fn ring_summary(&self) -> SummaryView {
        SummaryView {
            leaderless: self.model.counters.clone(),
            riak: self.model.spec().riak(),
            hints_waiting: self.nodes.iter().map(|s| s.node.hint_count()).sum(),
        }
    }
}
