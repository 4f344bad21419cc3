//! The shapes the page reads: a [`Snapshot`] of the world at one moment (nodes, log tails,
//! positions and lag, messages in flight with their send and delivery times, recent
//! operations and counters). One serde struct per shape, camelCase, so JS and Rust never
//! keep field names in sync by hand.

use crate::ack::AckPolicy;
use crate::config::WorkloadSpec;
use crate::history::{Counters, Op, OpKind, Outcome};
use crate::net::{Fate, LinkSpec};
use crate::node::{PeerProgress, Role};
use crate::protocol::{Addr, ClientId, Lsn, MsgKind, NodeId, Positions, Term, Text};
use crate::service::ServiceSpec;
use crate::time::Micros;
use crate::world::{NodeStatus, World};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub now: Micros,
    pub seed: u64,
    pub events: u64,
    /// Index of the next trace record (a cursor for `events_since`).
    pub trace_len: u64,
    pub trace_hash: String,
    pub primary: Option<NodeId>,
    pub nodes: Vec<NodeView>,
    pub messages: Vec<MessageView>,
    pub ops: Vec<OpView>,
    pub counters: Counters,
    pub default_link: LinkSpec,
    pub clients: Vec<ClientView>,
    pub config: ConfigView,
    /// Link directions that are cut, as `[from, to]` (partitions, isolation).
    pub cuts: Vec<[NodeId; 2]>,
    /// The most recent failovers (at most 20).
    pub failovers: Vec<crate::world::Failover>,
    /// Acknowledged writes that were later discarded (the most recent 50).
    pub lost_writes: Vec<crate::world::LostWrite>,
    /// Moments two primaries acknowledged writes (the most recent 20).
    pub split_brains: Vec<crate::world::SplitBrain>,
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

/// A client and where it sits.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientView {
    pub id: ClientId,
    /// The page's own client rather than a workload one.
    pub manual: bool,
    pub region: Option<&'static str>,
    pub outstanding: usize,
    /// A workload client stood down by a lower client count.
    pub idle: bool,
}

/// The settings the page can change while the world runs, as they are now.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    pub ack_policy: AckPolicy,
    /// The policy in words ("ANY 2 flushed").
    pub ack_label: String,
    /// Microseconds before semi-sync falls back to async; `None` blocks.
    pub semi_sync_fallback: Option<Micros>,
    pub workload: WorkloadSpec,
    pub service: Option<ServiceSpec>,
    /// How many regions the nodes are spread over (0: no geography).
    pub regions: usize,
    pub failover: crate::failover::FailoverSpec,
    /// When writes become visible at the primary.
    pub visibility: crate::ack::Visibility,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub region: Option<&'static str>,
    pub role: Role,
    pub status: NodeStatus,
    pub term: Term,
    pub last_lsn: Lsn,
    pub positions: Positions,
    /// Entries behind the primary (applied), for replicas.
    pub lag_entries: Option<u64>,
    /// Age of the oldest entry not yet applied, for replicas.
    pub lag_micros: Option<Micros>,
    /// The newest entries of the log.
    pub tail: Vec<CellView>,
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
    pub clock_offset: i64,
    /// Client requests waiting for a worker (service-time model).
    pub queue: usize,
    /// Client requests being served.
    pub in_service: usize,
    /// Client requests served since the node joined.
    pub served: u64,
    /// Client requests refused because the queue was full.
    pub refused: u64,
    /// Requests served over the last simulated second.
    pub ops_per_sec: f64,
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

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaProgressView {
    pub node: NodeId,
    #[serde(flatten)]
    pub progress: PeerProgress,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: u64,
    pub from: Addr,
    pub to: Addr,
    pub kind: MsgKind,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    pub fate: Fate,
    pub label: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpView {
    pub id: u64,
    pub client: u32,
    pub kind: OpKind,
    pub key: Text,
    pub value: Option<Text>,
    /// A compare-and-set's expected value (`None`: absent) and answer.
    pub expected: Option<Text>,
    pub swapped: Option<bool>,
    /// The node first asked, the node last sent to, and the node that answered.
    pub asked: NodeId,
    pub node: NodeId,
    pub served_by: Option<NodeId>,
    pub invoked_at: Micros,
    pub completed_at: Option<Micros>,
    pub outcome: Outcome,
    pub result: Option<Text>,
    pub version: Option<Lsn>,
    pub lsn: Option<Lsn>,
    pub error: Option<crate::history::OpError>,
    pub stale: bool,
    pub staleness: Option<Micros>,
    pub manual: bool,
    /// A write's acknowledgement policy, in words ("ANY 1 flushed").
    pub ack: Option<String>,
    /// The replicas whose confirmation the acknowledgement counted.
    pub acked_by: Option<Vec<NodeId>>,
    /// A read's consistency level.
    pub consistency: Option<crate::consistency::ReadConsistency>,
    /// Times the operation was sent on (a read to the primary, a write to the new primary).
    pub redirects: u32,
    /// Acknowledged, then discarded by a failover: an acknowledged write lost.
    pub lost: bool,
}

impl From<&Op> for OpView {
    fn from(op: &Op) -> OpView {
        OpView {
            id: op.id,
            client: op.client,
            kind: op.kind,
            key: op.key.clone(),
            value: op.value.clone(),
            expected: op.expected.clone(),
            swapped: op.swapped,
            asked: op.asked,
            node: op.node,
            served_by: op.served_by,
            invoked_at: op.invoked_at,
            completed_at: op.completed_at,
            outcome: op.outcome,
            result: op.read.as_ref().map(|v| v.value.clone()),
            version: op.read.as_ref().map(|v| v.lsn),
            lsn: op.lsn,
            error: op.error,
            stale: op.stale,
            staleness: op.staleness,
            manual: op.manual,
            ack: op.ack.map(|a| a.describe()),
            acked_by: op
                .acked_by
                .map(|mask| (0..32).filter(|i| mask & (1 << i) != 0).collect()),
            consistency: op.consistency,
            redirects: op.redirects,
            lost: op.lost,
        }
    }
}

impl From<&crate::protocol::Entry> for CellView {
    fn from(e: &crate::protocol::Entry) -> CellView {
        use crate::protocol::Payload;
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

fn last_n<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    items[items.len().saturating_sub(n)..].to_vec()
}

/// How much of the world a snapshot includes.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotOptions {
    /// Log entries per node.
    pub tail: usize,
    /// Recent operations.
    pub ops: usize,
}

impl Default for SnapshotOptions {
    fn default() -> SnapshotOptions {
        SnapshotOptions { tail: 24, ops: 40 }
    }
}

impl World {
    pub fn snapshot(&self, opts: SnapshotOptions) -> Snapshot {
        let latest = self.metrics.latest();
        let authority = self
            .primary()
            .or_else(|| self.members().first().copied())
            .map(|p| &self.nodes[p as usize].node);
        let config = authority.map_or_else(Default::default, |n| n.config);
        let nodes = self
            .nodes
            .iter()
            .filter(|s| s.status != NodeStatus::Removed)
            .map(|s| {
                let n = &s.node;
                let lag = self.lag(n.id);
                let from = n.log.len().saturating_sub(opts.tail);
                NodeView {
                    id: n.id,
                    name: s.name.clone(),
                    region: s.region.map(crate::geo::name),
                    role: n.role,
                    status: s.status,
                    term: n.term,
                    last_lsn: n.last_lsn(),
                    positions: n.positions,
                    lag_entries: lag.map(|l| l.0),
                    lag_micros: lag.map(|l| l.1),
                    tail: n.log[from..].iter().map(CellView::from).collect(),
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
                    clock_offset: s.clock_offset,
                    queue: s.service.waiting(),
                    in_service: s.service.in_service(),
                    served: s.service.served,
                    refused: s.service.refused,
                    ops_per_sec: latest
                        .and_then(|l| l.nodes.get(n.id as usize))
                        .map_or(0.0, |x| x.ops_per_sec),
                    voted_for: n.voted_for,
                    election_deadline: n
                        .election_deadline
                        .map(|t| t.saturating_add_signed(-s.clock_offset)),
                    last_heard_primary: n.last_heard_primary.saturating_add_signed(-s.clock_offset),
                    discarded: n
                        .discarded
                        .iter()
                        .rev()
                        .take(opts.tail)
                        .rev()
                        .map(CellView::from)
                        .collect(),
                    membership: if self.is_leaving(n.id) {
                        "leaving"
                    } else if !config.contains(n.id) {
                        "joining"
                    } else if config.is_learner(n.id) {
                        "learner"
                    } else {
                        "voter"
                    },
                    amnesiac: n.amnesiac.is_some(),
                }
            })
            .collect();
        let mut messages: Vec<MessageView> = self
            .flights()
            .map(|f| MessageView {
                id: f.id,
                from: f.from,
                to: f.to,
                kind: f.msg.kind(),
                sent_at: f.sent_at,
                deliver_at: f.deliver_at,
                fate: f.fate,
                label: f.msg.label(),
            })
            .collect();
        messages.sort_unstable_by_key(|m| m.id);
        Snapshot {
            now: self.now(),
            seed: self.seed,
            events: self.events_processed(),
            trace_len: self.trace.len(),
            trace_hash: format!("{:016x}", self.trace_hash()),
            primary: self.primary(),
            nodes,
            messages,
            ops: self
                .history
                .recent(opts.ops)
                .iter()
                .map(OpView::from)
                .collect(),
            counters: self.history.counters().clone(),
            default_link: self.net.default_spec(),
            clients: self
                .clients
                .iter()
                .map(|c| ClientView {
                    id: c.id,
                    manual: c.manual,
                    region: c.region.map(crate::geo::name),
                    outstanding: c.outstanding.len(),
                    idle: c.idle,
                })
                .collect(),
            config: ConfigView {
                ack_policy: self.scenario.replication.ack_policy,
                ack_label: self.scenario.replication.ack_policy.describe(),
                semi_sync_fallback: self
                    .scenario
                    .replication
                    .semi_sync_fallback
                    .map(|d| d.micros()),
                workload: self.scenario.workload.clone(),
                service: self.scenario.service,
                regions: self.regions_in_use(),
                failover: self.scenario.failover,
                visibility: self.scenario.replication.visibility,
            },
            cuts: {
                let members = self.members();
                let mut cuts = Vec::new();
                for &a in &members {
                    for &b in &members {
                        if a != b && !self.net.is_up(a, b) {
                            cuts.push([a, b]);
                        }
                    }
                }
                cuts
            },
            failovers: last_n(&self.leadership.failovers, 20),
            lost_writes: last_n(&self.leadership.lost_writes, 50),
            split_brains: last_n(&self.leadership.split_brains, 20),
            membership: MembershipView {
                voters: config.voter_ids().collect(),
                learners: config.members().filter(|&m| config.is_learner(m)).collect(),
                text: config.describe(),
                changing: authority.is_some_and(|n| n.change_in_progress()),
                majority: config.majority(),
            },
        }
    }
}
