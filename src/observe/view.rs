//! The shapes the page reads: a [`Snapshot`] of the world at one moment (nodes, messages in
//! flight with their send and delivery times, recent operations, counters, clients,
//! settings, cut links), with the model's own parts flattened in (a single-leader node's
//! role, term and log tail; the cluster's primary and failovers). One serde struct per
//! shape, camelCase, so JS and Rust never keep field names in sync by hand.

use crate::clients::history::{Counters, Op, OpError, OpKind, Outcome};
use crate::config::WorkloadSpec;
use crate::kernel::net::{Fate, LinkSpec};
use crate::kernel::service::ServiceSpec;
use crate::kernel::time::Micros;
use crate::kernel::{Addr, ClientId, Message, NodeId, NodeStatus, OpId, Protocol, Text, World};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct Snapshot<P: Protocol> {
    /// The replication model (`"singleLeader"`).
    pub model: &'static str,
    pub now: Micros,
    pub seed: u64,
    pub events: u64,
    /// Index of the next trace record (a cursor for `events_since`).
    pub trace_len: u64,
    pub trace_hash: String,
    pub nodes: Vec<NodeView<P>>,
    pub messages: Vec<MessageView<P>>,
    pub ops: Vec<OpView<P::OpMeta>>,
    pub counters: Counters,
    pub default_link: LinkSpec,
    pub clients: Vec<ClientView>,
    pub config: ConfigView<P>,
    /// Link directions that are cut, as `[from, to]` (partitions, isolation).
    pub cuts: Vec<[NodeId; 2]>,
    #[serde(flatten)]
    pub cluster: P::View,
}

/// A node: what the kernel knows of its host, and the model's view of its state.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct NodeView<P: Protocol> {
    pub id: NodeId,
    pub name: String,
    pub region: Option<&'static str>,
    pub status: NodeStatus,
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
    #[serde(flatten)]
    pub model: P::NodeView,
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
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct ConfigView<P: Protocol> {
    pub workload: WorkloadSpec,
    pub service: Option<ServiceSpec>,
    /// How many regions the nodes are spread over (0: no geography).
    pub regions: usize,
    #[serde(flatten)]
    pub model: P::ConfigView,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct MessageView<P: Protocol> {
    pub id: u64,
    pub from: Addr,
    pub to: Addr,
    pub kind: <P::Msg as Message>::Kind,
    pub sent_at: Micros,
    pub deliver_at: Micros,
    pub fate: Fate,
    pub label: String,
}

/// One operation as the page lists it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpView<M> {
    pub id: OpId,
    pub client: ClientId,
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
    /// What a read returned, and the place of the write it came from.
    pub result: Option<Text>,
    pub version: Option<u64>,
    /// Where a write landed (an LSN in the single-leader model).
    pub lsn: Option<u64>,
    pub error: Option<OpError>,
    pub stale: bool,
    pub staleness: Option<Micros>,
    pub manual: bool,
    /// Times the operation was sent on (a read to the primary, a write to the new primary).
    pub redirects: u32,
    /// Acknowledged, then let go by the cluster: an acknowledged write lost.
    pub lost: bool,
    /// The model's particulars (a policy, a read level).
    #[serde(flatten)]
    pub meta: M,
}

impl<M: Clone> OpView<M> {
    pub fn of(op: &Op<M>) -> OpView<M> {
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
            version: op.read.as_ref().map(|v| v.pos.1),
            lsn: op.written.map(|p| p.1),
            error: op.error,
            stale: op.stale,
            staleness: op.staleness,
            manual: op.manual,
            redirects: op.redirects,
            lost: op.lost,
            meta: op.meta.clone(),
        }
    }
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

impl<P: Protocol> World<P> {
    pub fn snapshot(&self, opts: SnapshotOptions) -> Snapshot<P> {
        let latest = self.metrics.latest();
        let nodes = (0..self.nodes.len() as NodeId)
            .filter(|&id| self.nodes[id as usize].status != NodeStatus::Removed)
            .map(|id| {
                let s = &self.nodes[id as usize];
                NodeView {
                    id,
                    name: s.name.clone(),
                    region: s.region.map(crate::kernel::geo::name),
                    status: s.status,
                    clock_offset: s.clock_offset,
                    queue: s.service.waiting(),
                    in_service: s.service.in_service(),
                    served: s.service.served,
                    refused: s.service.refused,
                    ops_per_sec: latest
                        .and_then(|l| l.nodes.get(id as usize))
                        .map_or(0.0, |x| x.ops_per_sec),
                    model: P::node_view(self, id, opts.tail),
                }
            })
            .collect();
        let mut messages: Vec<MessageView<P>> = self
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
        let members = self.members();
        let mut cuts = Vec::new();
        for &a in &members {
            for &b in &members {
                if a != b && !self.net.is_up(a, b) {
                    cuts.push([a, b]);
                }
            }
        }
        Snapshot {
            model: P::NAME,
            now: self.now(),
            seed: self.seed,
            events: self.events_processed(),
            trace_len: self.trace.len(),
            trace_hash: format!("{:016x}", self.trace_hash()),
            nodes,
            messages,
            ops: self
                .history
                .recent(opts.ops)
                .iter()
                .map(OpView::of)
                .collect(),
            counters: self.history.counters().clone(),
            default_link: self.net.default_spec(),
            clients: self
                .clients
                .iter()
                .map(|c| ClientView {
                    id: c.id,
                    manual: c.manual,
                    region: c.region.map(crate::kernel::geo::name),
                    outstanding: c.outstanding.len(),
                    idle: c.idle,
                })
                .collect(),
            config: ConfigView {
                workload: self.scenario.workload.clone(),
                service: self.scenario.service,
                regions: self.regions_in_use(),
                model: P::config_view(self),
            },
            cuts,
            cluster: P::view(self),
        }
    }
}
