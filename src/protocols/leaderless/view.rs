//! What the page and the runner see of a leaderless cluster: the ring (every virtual
//! node's place as a fraction of the circle, and each node's share), the settings with
//! Riak's `n_val` / `r` / `w` beside Cassandra's names, each node's keys, hints and what
//! its gossip believes, and the observer's counts of hints, repairs and refusals.

use super::settings::LeaderlessSpec;
use super::Leaderless;
use crate::kernel::{NodeId, World};
use serde::Serialize;

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
                    at: t as f64 / u64::MAX as f64,
                })
                .collect(),
            ownership: ring.ownership(),
            replication_factor: self.model.params.n(),
            riak: self.model.spec().riak(),
            ring_counters: self.model.counters.clone(),
        }
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
