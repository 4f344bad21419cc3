//! What the page draws of a single-leader cluster, flattened into the kernel's shapes
//! (`crate::observe::view`): each node's role, term, log tail, positions, what a primary
//! knows of its replicas, election countdowns and membership; the cluster's primary,
//! failovers, lost writes, split brains and configuration; the model's settings; and the
//! runner summary's failover figures.

use super::ack::{AckPolicy, Visibility};
use super::failover::FailoverSpec;
use super::leadership::{Failover, LostWrite, WalCounts};
use super::messages::{Entry, Lsn, Payload, Positions, Term, Text};
use super::node::{PeerProgress, Role};
use super::SingleLeader;
use crate::checks::facts::SplitBrain;
use crate::kernel::time::Micros;
use crate::kernel::{NodeId, World};
use crate::observe::stats::Spread;
use serde::Serialize;

/// A node as the page draws it (the kernel adds its name, status, region and load).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    pub role: Role,
    pub term: Term,
    pub last_lsn: Lsn,
    pub positions: Positions,
    /// Entries behind the primary (applied), for replicas.
    pub lag_entries: Option<u64>,
    /// Age of the oldest entry not yet applied, for replicas.
    pub lag_micros: Option<Micros>,
    /// The newest entries of the log (those whose WAL is still kept).
    pub tail: Vec<CellView>,
    /// The last checkpoint: the store as of this position is on disk and the WAL up to it
    /// recycled (0: none yet).
    pub checkpoint: Lsn,
    /// Log entries whose WAL is kept.
    pub wal_entries: usize,
    /// Number of keys in the store.
    pub keys: usize,
    /// What a primary knows of each replica (pg_stat_replication).
    pub replicas: Vec<ReplicaProgressView>,
    /// Writes a primary holds waiting for replica acknowledgements.
    pub waiting_writes: usize,
    /// A primary whose semi-sync fell back to asynchronous (MySQL).
    pub semi_sync_off: bool,
    /// Reads this node holds until it has applied enough (or a majority confirms).
    pub waiting_reads: usize,
    /// How stale the node believes its data may be (what bounded-staleness reads check).
    pub staleness: Micros,
    /// Whom it voted for in its term.
    pub voted_for: Option<NodeId>,
    /// When (simulated time) this replica stands for election unless it hears a primary.
    pub election_deadline: Option<Micros>,
    /// When it last heard from a primary (simulated time).
    pub last_heard_primary: Micros,
    /// The entries its last truncation discarded.
    pub discarded: Vec<CellView>,
    /// Its place in the cluster's configuration (as the primary has it): `voter`,
    /// `learner` (catching up, no vote), `joining` (not yet in the configuration) or
    /// `leaving` (its removal is being committed).
    pub membership: &'static str,
    /// It lost its disk and waits to be re-admitted (it votes for no one meanwhile).
    pub amnesiac: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CellView {
    pub lsn: Lsn,
    pub term: Term,
    /// `set`, `unchanged` (a compare-and-set whose compare failed), `noop` (a new
    /// primary's first entry) or `config` (a membership change).
    pub kind: &'static str,
    pub key: Option<Text>,
    pub value: Option<Text>,
    /// The new configuration, for a `config` entry ("voters n0 n1 n2, learners n3").
    pub config: Option<String>,
}

impl From<&Entry> for CellView {
    fn from(e: &Entry) -> CellView {
        let kind = match &e.payload {
            Payload::Set { .. } => "set",
            Payload::Unchanged { .. } => "unchanged",
            Payload::Noop => "noop",
            Payload::Config(_) => "config",
        };
        CellView {
            lsn: e.lsn,
            term: e.term,
            kind,
            key: e.key().cloned(),
            value: e.set().map(|(_, v)| v.clone()),
            config: match &e.payload {
                Payload::Config(m) => Some(m.describe()),
                _ => None,
            },
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaProgressView {
    pub node: NodeId,
    #[serde(flatten)]
    pub progress: PeerProgress,
}

/// The cluster's parts of a snapshot.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterView {
    pub primary: Option<NodeId>,
    /// The most recent failovers (at most 20).
    pub failovers: Vec<Failover>,
    /// Acknowledged writes that were later discarded (the most recent 50).
    pub lost_writes: Vec<LostWrite>,
    /// Moments two primaries acknowledged writes (the most recent 20).
    pub split_brains: Vec<SplitBrain>,
    /// The cluster's configuration as the primary (else the first member) has it.
    pub membership: MembershipView,
}

/// The configuration in force and whether a change of it is still being committed.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipView {
    pub voters: Vec<NodeId>,
    pub learners: Vec<NodeId>,
    /// "voters n0 n1 n2, learners n3"
    pub text: String,
    pub changing: bool,
    /// Voters needed for a majority.
    pub majority: usize,
}

/// The model's settings as they are now (part of the snapshot's `config`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    pub ack_policy: AckPolicy,
    /// The policy in words ("ANY 2 flushed").
    pub ack_label: String,
    /// Microseconds before semi-sync falls back to async; `None` blocks.
    pub semi_sync_fallback: Option<Micros>,
    pub failover: FailoverSpec,
    /// When writes become visible at the primary.
    pub visibility: Visibility,
}

/// The runner summary's failover figures.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    /// Primaries replaced, and how long each took.
    pub failovers: Vec<Failover>,
    /// Failover time statistics (ms).
    pub failover_ms: Option<Spread>,
    /// Acknowledged writes the cluster let go, as the observer saw them discarded.
    pub lost_writes: Vec<LostWrite>,
    /// Two primaries at once.
    pub split_brains: Vec<SplitBrain>,
    /// Checkpoints, lost replication slots and base backups.
    pub wal: WalCounts,
}

fn last_n<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    items[items.len().saturating_sub(n)..].to_vec()
}

impl World<SingleLeader> {
    /// The node whose configuration the views show: the primary, else the first member.
    fn config_authority(&self) -> Option<NodeId> {
        self.primary().or_else(|| self.members().first().copied())
    }

    pub(super) fn node_view(&self, id: NodeId, tail: usize) -> NodeView {
        let s = &self.nodes[id as usize];
        let n = &s.node;
        let lag = self.lag(id);
        let config = self
            .config_authority()
            .map_or_else(Default::default, |a| self.nodes[a as usize].node.config);
        let from = n.last_lsn().saturating_sub(tail as Lsn) + 1;
        NodeView {
            role: n.role,
            term: n.term,
            last_lsn: n.last_lsn(),
            positions: n.positions,
            lag_entries: lag.map(|l| l.0),
            lag_micros: lag.map(|l| l.1),
            tail: n.wal.from(from).map(CellView::from).collect(),
            checkpoint: n.wal.base(),
            wal_entries: n.wal.retained(),
            keys: n.kv.len(),
            replicas: n.leader.as_ref().map_or_else(Vec::new, |l| {
                l.peers
                    .iter()
                    .map(|(&node, p)| ReplicaProgressView {
                        node,
                        progress: p.clone(),
                    })
                    .collect()
            }),
            waiting_writes: n.leader.as_ref().map_or(0, |l| l.pending.len()),
            semi_sync_off: n.leader.as_ref().is_some_and(|l| l.semi_sync_off),
            waiting_reads: n.reads.waiting(),
            staleness: n.staleness(s.local_time(self.now())),
            voted_for: n.voted_for,
            election_deadline: n
                .election_deadline
                .map(|t| t.saturating_add_signed(-s.clock_offset)),
            last_heard_primary: n.last_heard_primary.saturating_add_signed(-s.clock_offset),
            discarded: n
                .discarded
                .iter()
                .rev()
                .take(tail)
                .rev()
                .map(CellView::from)
                .collect(),
            membership: if self.is_leaving(id) {
                "leaving"
            } else if !config.contains(id) {
                "joining"
            } else if config.is_learner(id) {
                "learner"
            } else {
                "voter"
            },
            amnesiac: n.amnesiac.is_some(),
        }
    }

    pub(super) fn cluster_view(&self) -> ClusterView {
        let authority = self
            .config_authority()
            .map(|a| &self.nodes[a as usize].node);
        let config = authority.map_or_else(Default::default, |n| n.config);
        let l = &self.model.leadership;
        ClusterView {
            primary: self.primary(),
            failovers: last_n(&l.failovers, 20),
            lost_writes: last_n(&l.lost_writes, 50),
            split_brains: last_n(&l.split_brains, 20),
            membership: MembershipView {
                voters: config.voter_ids().collect(),
                learners: config.members().filter(|&m| config.is_learner(m)).collect(),
                text: config.describe(),
                changing: authority.is_some_and(|n| n.change_in_progress()),
                majority: config.majority(),
            },
        }
    }

    pub(super) fn config_view(&self) -> ConfigView {
        let r = &self.scenario.replication;
        ConfigView {
            ack_policy: r.ack_policy,
            ack_label: r.ack_policy.describe(),
            semi_sync_fallback: r.semi_sync_fallback.map(|d| d.micros()),
            failover: self.scenario.failover,
            visibility: r.visibility,
        }
    }

    pub(super) fn summary_view(&self) -> SummaryView {
        let l = &self.model.leadership;
        SummaryView {
            failover_ms: Spread::of(l.failovers.iter().map(|f| f.took as f64 / 1000.0).collect()),
            failovers: l.failovers.clone(),
            lost_writes: l.lost_writes.clone(),
            split_brains: l.split_brains.clone(),
            wal: l.wal,
        }
    }
}
