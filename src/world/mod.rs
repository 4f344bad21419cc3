//! The world: one deterministic simulation run. It owns virtual time, the event queue
//! (ordered by time, then by the sequence number events were scheduled in), the network,
//! the nodes, the clients, the operation history and the trace.
//!
//! Everything that happens is an event popped from the queue: a message delivery, a node
//! timer, a client's next operation or time-out, a statistics sample. Faults and operator
//! actions (add a replica, crash a node, change a link) are world actions, recorded in the
//! trace like everything else, so a run is a pure function of (scenario, seed, actions).

use crate::client::{Client, Workload};
use crate::config::{ConfigError, Scenario, MAX_NODES};
use crate::flights::{Flight, FlightSlot, Flights};
use crate::geo::{self, Region};
use crate::history::{History, Op, StalenessOracle};
use crate::metrics::{Metrics, NodeReading, SAMPLE_EVERY};
use crate::net::{Fate, LinkSpec, Network};
use crate::node::{Node, NodeParams, Role};
use crate::protocol::{Addr, ClientId, Command, Ctx, Message, NodeEvent, NodeId, OpId, Timer};
use crate::rng::SimRng;
use crate::service::ServiceQueue;
use crate::stats::LagStats;
use crate::time::{Micros, MICROS_PER_MS};
use crate::trace::{DropReason, MsgId, Trace, TraceEvent};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

mod clients;
mod faults;
mod jepsen;
mod leadership;
mod membership;
mod serving;
mod settings;
mod verdict;

pub use leadership::{Failover, LostWrite, SplitBrain};
pub use verdict::SETTLE_AFTER;

/// How many times an operation follows "not primary, try n2" before it fails.
const MAX_REDIRECTS: u32 = 3;

/// How often replica lag is sampled for statistics.
pub const LAG_SAMPLE_EVERY: Micros = 50 * MICROS_PER_MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeStatus {
    Up,
    Crashed,
    /// Frozen (a long GC pause, a stopped VM): it processes nothing until resumed, then
    /// handles what arrived meanwhile, still believing what it believed.
    Paused,
    Removed,
}

/// A node and what the world knows about it that the node itself does not.
#[derive(Clone, Debug)]
pub struct NodeSlot {
    pub node: Node,
    pub name: String,
    pub region: Option<Region>,
    pub status: NodeStatus,
    /// Bumped on every crash, so timers set before it are ignored.
    pub incarnation: u32,
    /// Signed offset of this node's clock from true time.
    pub clock_offset: i64,
    /// Client requests waiting for and in service (service-time model).
    pub service: ServiceQueue,
    /// Deliveries and timers held while the node is paused, in order.
    held: Vec<EventKind>,
}

impl NodeSlot {
    pub fn local_time(&self, now: Micros) -> Micros {
        now.saturating_add_signed(self.clock_offset)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    Deliver(FlightSlot),
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: Timer,
    },
    ClientNext(ClientId),
    /// Never in the heap: operation time-outs live in `World::timeouts`, which can cancel.
    ClientTimeout(ClientId, OpId),
    SampleLag,
    /// The naive failover monitor looks for the primary.
    MonitorTick,
    /// The scenario's timed fault number `.0` is due.
    Fault(u32),
    /// A worker of `node` finished the request in `slot` (service-time model); requests
    /// of an earlier `generation` were dropped when the queue was cleared.
    Served {
        node: NodeId,
        generation: u32,
        slot: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Scheduled {
    at: Micros,
    seq: u64,
    kind: EventKind,
}

/// Errors from operator actions (the page's buttons); the world is unchanged by them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError(pub String);

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActionError {}

#[derive(Clone, Debug)]
pub struct World {
    pub(crate) scenario: Scenario,
    pub(crate) seed: u64,
    now: Micros,
    seq: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    /// Pending operation time-outs, ordered like the queue and removed when the operation
    /// completes (so the heap does not fill with dead time-outs).
    timeouts: BTreeMap<(Micros, u64), (ClientId, OpId)>,
    timeout_of: BTreeMap<OpId, (Micros, u64)>,
    pub(crate) nodes: Vec<NodeSlot>,
    pub(crate) net: Network,
    pub(crate) flights: Flights,
    next_msg: MsgId,
    pub(crate) clients: Vec<Client>,
    workload: Workload,
    pub(crate) history: History,
    oracle: StalenessOracle,
    pub(crate) trace: Trace,
    pub(crate) lag: LagStats,
    pub(crate) metrics: Metrics,
    pub(crate) leadership: leadership::Leadership,
    /// Nodes the operator asked to remove that are still members (see `membership.rs`).
    leaving: std::collections::BTreeSet<NodeId>,
    /// A configuration committed or a primary took over during a node handler: the
    /// operator's membership intent is reconciled once the handler's effects are done.
    membership_moved: Option<Option<crate::membership::Membership>>,
    /// Timed faults that could not be carried out (restarting a running node...).
    pub(crate) fault_errors: Vec<String>,
    params: NodeParams,

    events_processed: u64,
    commands: Vec<Command>,
    node_events: Vec<NodeEvent>,
    member_buf: Vec<NodeId>,
    region_buf: Vec<Option<Region>>,
}

impl World {
    /// Builds the world of `scenario` for `seed`. Node 0 starts as primary.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<World, ConfigError> {
        scenario.validate()?;
        let params = NodeParams::new(
            &scenario.disk,
            &scenario.replication,
            &scenario.failover,
            scenario.nodes.len(),
        );
        let net = Network::new(
            &scenario.network,
            &scenario.links,
            MAX_NODES,
            SimRng::derive(seed, "network", 0),
        );
        let workload = Workload::new(&scenario.workload);
        let mut world = World {
            scenario: scenario.clone(),
            seed,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            timeouts: BTreeMap::new(),
            timeout_of: BTreeMap::new(),
            nodes: Vec::new(),
            net,
            flights: Flights::default(),
            next_msg: 1,
            clients: Vec::new(),
            workload,
            history: History::default(),
            oracle: StalenessOracle::default(),
            trace: Trace::new(scenario.event_log as usize),
            lag: LagStats::default(),
            metrics: Metrics::default(),
            leadership: leadership::Leadership::default(),
            leaving: std::collections::BTreeSet::new(),
            membership_moved: None,
            fault_errors: Vec::new(),
            params,

            events_processed: 0,
            commands: Vec::new(),
            node_events: Vec::new(),
            member_buf: Vec::new(),
            region_buf: Vec::new(),
        };
        for (i, spec) in scenario.nodes.iter().enumerate() {
            let id = i as NodeId;
            let role = if i == 0 { Role::Primary } else { Role::Replica };
            let offset = spec.clock_offset.micros() as i64;
            world.nodes.push(NodeSlot {
                node: Node::new(id, role, world.params.clone(), node_rng(seed, id, 0)),
                name: spec.name.clone().unwrap_or_else(|| format!("n{i}")),
                region: spec.region.as_deref().and_then(geo::region),
                status: NodeStatus::Up,
                incarnation: 0,
                clock_offset: if spec.clock_behind { -offset } else { offset },
                service: ServiceQueue::default(),
                held: Vec::new(),
            });
        }
        let raft = scenario.failover.mode == crate::failover::FailoverMode::Raft;
        world.leadership.note_initial_primary(0, raft);
        if world.nodes.iter().any(|s| s.region.is_some()) {
            world.apply_region_links();
            for o in &scenario.links {
                world.net.apply_override(o);
            }
        }
        for id in 0..world.nodes.len() as NodeId {
            world.with_node(id, |node, ctx| node.start(ctx));
        }
        for _ in 0..scenario.workload.clients {
            world.add_workload_client();
        }
        world.schedule(LAG_SAMPLE_EVERY, EventKind::SampleLag);
        if scenario.failover.mode == crate::failover::FailoverMode::Naive {
            world.start_monitor();
        }
        for (i, f) in scenario.faults.iter().enumerate() {
            world.schedule_at(f.at.micros(), EventKind::Fault(i as u32));
        }
        Ok(world)
    }

    // ----- running -------------------------------------------------------------------

    pub fn now(&self) -> Micros {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The time of the next event, if any.
    pub fn next_event_at(&self) -> Option<Micros> {
        let queued = self.queue.peek().map(|Reverse(s)| s.at);
        let timeout = self.timeouts.keys().next().map(|&(at, _)| at);
        match (queued, timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Takes the earliest event from the heap or the time-outs, by (time, sequence).
    fn pop_event(&mut self) -> Option<Scheduled> {
        let queued = self.queue.peek().map(|Reverse(s)| (s.at, s.seq));
        let timeout = self.timeouts.keys().next().copied();
        match (queued, timeout) {
            (_, Some(t)) if queued.is_none_or(|q| t < q) => {
                let ((at, seq), (client, op)) = self.timeouts.pop_first()?;
                self.timeout_of.remove(&op);
                Some(Scheduled {
                    at,
                    seq,
                    kind: EventKind::ClientTimeout(client, op),
                })
            }
            _ => self.queue.pop().map(|Reverse(s)| s),
        }
    }

    /// Processes one event. Returns false when nothing is left to do.
    pub fn step(&mut self) -> bool {
        let Some(ev) = self.pop_event() else {
            return false;
        };
        self.now = ev.at;
        self.events_processed += 1;
        match ev.kind {
            EventKind::Deliver(id) => self.deliver(id),
            EventKind::Timer {
                node,
                incarnation,
                timer,
            } => {
                let slot = &mut self.nodes[node as usize];
                if slot.status == NodeStatus::Paused && slot.incarnation == incarnation {
                    slot.held.push(ev.kind);
                } else if slot.status == NodeStatus::Up && slot.incarnation == incarnation {
                    self.with_node(node, |n, ctx| n.on_timer(ctx, timer));
                }
            }
            EventKind::MonitorTick => self.monitor_tick(),
            EventKind::Fault(i) => self.run_timed_fault(i as usize),
            EventKind::ClientNext(c) => self.client_next(c),
            EventKind::ClientTimeout(c, op) => self.client_timeout(c, op),
            EventKind::SampleLag => {
                // Membership intent left waiting (no primary, a change in progress, a
                // primary that came back) is picked up here at the latest.
                self.reconcile_membership();
                self.settle_discards();
                self.sample_lag();
                if self.now % SAMPLE_EVERY == 0 {
                    self.sample_metrics();
                }
                self.schedule(LAG_SAMPLE_EVERY, EventKind::SampleLag);
            }
            EventKind::Served {
                node,
                generation,
                slot,
            } => self.served(node, generation, slot),
        }
        true
    }

    /// Processes every event due at or before `t` (at most `max_events`), then sets the
    /// clock to `t`. Returns how many events ran.
    pub fn run_until(&mut self, t: Micros, max_events: u64) -> u64 {
        let mut n = 0;
        while n < max_events && self.next_event_at().is_some_and(|at| at <= t) {
            self.step();
            n += 1;
        }
        if n < max_events {
            self.now = self.now.max(t);
        }
        n
    }

    /// Runs for a span of simulated time.
    pub fn run_for(&mut self, span: Micros) -> u64 {
        self.run_until(self.now + span, u64::MAX)
    }

    fn schedule(&mut self, after: Micros, kind: EventKind) {
        self.schedule_at(self.now + after, kind);
    }

    fn schedule_at(&mut self, at: Micros, kind: EventKind) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            kind,
        }));
    }

    fn record(&mut self, event: TraceEvent) {
        self.trace.record(self.now, event);
    }

    // ----- nodes ---------------------------------------------------------------------

    /// Runs a node handler and carries out what it asked for.
    fn with_node(&mut self, id: NodeId, f: impl FnOnce(&mut Node, &mut Ctx)) {
        if self.nodes[id as usize].status != NodeStatus::Up {
            return;
        }
        let mut commands = std::mem::take(&mut self.commands);
        let mut events = std::mem::take(&mut self.node_events);
        let slot = &mut self.nodes[id as usize];
        let incarnation = slot.incarnation;
        let mut ctx = Ctx {
            now: slot.local_time(self.now),
            commands: &mut commands,
            events: &mut events,
        };
        f(&mut slot.node, &mut ctx);
        for event in events.drain(..) {
            if let NodeEvent::Acknowledged {
                op, by, durable, ..
            } = event
            {
                if let Some(op) = self.history.get_mut(op) {
                    op.acked_by = Some(by);
                    op.durable = durable;
                }
            }
            self.record(TraceEvent::Node { node: id, event });
            self.on_node_event(id, event);
        }
        for command in commands.drain(..) {
            match command {
                Command::Send { to, msg } => {
                    let replied = match (to, &msg) {
                        (Addr::Client(_), Message::Reply { op, .. }) => Some(*op),
                        _ => None,
                    };
                    self.send(Addr::Node(id), to, msg);
                    if let Some(op) = replied {
                        self.replied(id, op);
                    }
                }
                Command::SetTimer { timer, after } => self.schedule(
                    after,
                    EventKind::Timer {
                        node: id,
                        incarnation,
                        timer,
                    },
                ),
            }
        }
        self.commands = commands;
        self.node_events = events;
        match self.membership_moved.take() {
            Some(Some(committed)) => self.config_committed(committed),
            Some(None) => self.reconcile_membership(),
            None => {}
        }
    }

    fn send(&mut self, from: Addr, to: Addr, msg: Message) {
        let client_latency = match (from, to) {
            (Addr::Client(c), Addr::Node(n)) | (Addr::Node(n), Addr::Client(c)) => {
                let client = self.clients[c as usize].region;
                geo::client_latency(client, self.nodes[n as usize].region)
            }
            _ => None,
        };
        let transit = self.net.transit(from, to, self.now, client_latency);
        let id = self.next_msg;
        self.next_msg += 1;
        self.record(TraceEvent::Sent {
            msg: id,
            from,
            to,
            kind: msg.kind(),
            deliver_at: transit.deliver_at,
            fate: transit.fate,
        });
        let slot = self.flights.insert(Flight {
            id,
            from,
            to,
            sent_at: self.now,
            deliver_at: transit.deliver_at,
            fate: transit.fate,
            msg,
        });
        self.schedule_at(transit.deliver_at, EventKind::Deliver(slot));
    }

    fn deliver(&mut self, slot: FlightSlot) {
        if let Some(Addr::Node(n)) = self.flights.get(slot).map(|f| f.to) {
            let node = &mut self.nodes[n as usize];
            if node.status == NodeStatus::Paused {
                node.held.push(EventKind::Deliver(slot));
                return;
            }
        }
        let Some(flight) = self.flights.take(slot) else {
            return; // discarded earlier (its endpoint was removed)
        };
        let id = flight.id;
        let reason = match flight.fate {
            Fate::Lost => Some(DropReason::Lost),
            Fate::Cut => Some(DropReason::Cut),
            Fate::Deliver => match flight.to {
                Addr::Node(n) if self.nodes[n as usize].status != NodeStatus::Up => {
                    Some(DropReason::ReceiverDown)
                }
                _ => None,
            },
        };
        if let Some(reason) = reason {
            self.record(TraceEvent::Dropped { msg: id, reason });
            return;
        }
        self.record(TraceEvent::Delivered { msg: id });
        match (flight.to, flight.msg) {
            (Addr::Node(n), msg @ Message::Request { .. }) if self.scenario.service.is_some() => {
                self.admit(n, flight.from, msg)
            }
            (Addr::Node(n), msg) => {
                self.with_node(n, |node, ctx| node.on_message(ctx, flight.from, msg))
            }
            (Addr::Client(c), Message::Reply { op, reply }) => {
                self.client_reply(c, flight.from, op, reply)
            }
            (Addr::Client(_), _) => {}
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize].node
    }

    pub fn slot(&self, id: NodeId) -> &NodeSlot {
        &self.nodes[id as usize]
    }

    /// Ids of nodes that are members (up or crashed, not removed).
    pub fn members(&self) -> Vec<NodeId> {
        self.members_into(Vec::new())
    }

    fn members_into(&self, mut ids: Vec<NodeId>) -> Vec<NodeId> {
        ids.clear();
        ids.extend(
            (0..self.nodes.len() as NodeId)
                .filter(|&i| self.nodes[i as usize].status != NodeStatus::Removed),
        );
        ids
    }

    /// The node currently acting as primary, if one is up (with two, the newer term's).
    pub fn primary(&self) -> Option<NodeId> {
        (0..self.nodes.len() as NodeId)
            .filter(|&i| {
                let s = &self.nodes[i as usize];
                s.status == NodeStatus::Up && s.node.role == Role::Primary
            })
            .max_by_key(|&i| (self.nodes[i as usize].node.term, std::cmp::Reverse(i)))
    }

    /// The node clients should send writes to: the live primary, else the last known one
    /// even if it is down (or node 0 before anything is known).
    fn primary_member(&self) -> NodeId {
        self.primary()
            .or(self.leadership.last_primary())
            .filter(|&n| self.nodes[n as usize].status != NodeStatus::Removed)
            .unwrap_or(0)
    }

    // ----- operator actions ----------------------------------------------------------

    /// Crashes a node: it stops, and loses its volatile state.
    pub fn crash(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status == NodeStatus::Crashed {
            return Err(ActionError(format!("{} is already down", slot.name)));
        }
        self.disrupted(id);
        let slot = self.member_mut(id)?;
        slot.held.clear();
        // What the crash wipes is lost if no other node has a copy to carry it on.
        let unflushed: Vec<_> = slot.node.unflushed().to_vec();
        let orphans: Vec<_> = unflushed
            .into_iter()
            .filter(|e| {
                let same = |x: &crate::protocol::Entry| x.lsn == e.lsn && x.op == e.op;
                let held = self.nodes.iter().enumerate().any(|(i, s)| {
                    i != id as usize
                        && s.status != NodeStatus::Removed
                        && s.node.entry(e.lsn).is_some_and(same)
                });
                let in_flight = self
                    .flights
                    .iter()
                    .any(|f| matches!(&f.msg, Message::Append(a) if a.entries.iter().any(same)));
                !held && !in_flight
            })
            .collect();
        self.note_discarded(id, &orphans, true);
        let slot = self.member_mut(id)?;
        slot.status = NodeStatus::Crashed;
        slot.incarnation += 1;
        slot.node.crash();
        slot.service.clear();
        self.record(TraceEvent::NodeCrashed { node: id });
        Ok(())
    }

    /// Restarts a crashed node: it replays its durable log and resumes its role.
    pub fn restart(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Crashed {
            return Err(ActionError(format!("{} is not crashed", slot.name)));
        }
        slot.status = NodeStatus::Up;
        self.record(TraceEvent::NodeRestarted { node: id });
        self.with_node(id, |node, ctx| node.restart(ctx));
        Ok(())
    }

    /// A term no node has used yet: what an operator promoting a node by hand picks (the
    /// next timeline in PostgreSQL's archive).
    pub(super) fn fresh_term(&self) -> crate::protocol::Term {
        self.nodes.iter().map(|s| s.node.term).max().unwrap_or(0) + 1
    }

    fn member_mut(&mut self, id: NodeId) -> Result<&mut NodeSlot, ActionError> {
        self.nodes
            .get_mut(id as usize)
            .filter(|s| s.status != NodeStatus::Removed)
            .ok_or_else(|| ActionError(format!("there is no node {id}")))
    }

    /// Sets one link between two nodes (both directions unless `one_way`).
    pub fn set_link(
        &mut self,
        from: NodeId,
        to: NodeId,
        spec: LinkSpec,
        one_way: bool,
    ) -> Result<(), ActionError> {
        for end in [from, to] {
            if end as usize >= MAX_NODES {
                return Err(ActionError(format!("there is no node {end}")));
            }
        }
        if from == to {
            return Err(ActionError("a link joins two different nodes".into()));
        }
        self.net.set_spec(from, to, spec);
        self.record(TraceEvent::LinkChanged { from, to });
        if !one_way {
            self.net.set_spec(to, from, spec);
            self.record(TraceEvent::LinkChanged { from: to, to: from });
        }
        Ok(())
    }

    /// Cuts (`up = false`) or restores one link direction: messages sent over a cut
    /// direction are dropped.
    pub fn set_link_up(&mut self, from: NodeId, to: NodeId, up: bool) -> Result<(), ActionError> {
        if from as usize >= MAX_NODES || to as usize >= MAX_NODES || from == to {
            return Err(ActionError(format!("there is no link from {from} to {to}")));
        }
        self.net.set_up(from, to, up);
        self.record(TraceEvent::LinkChanged { from, to });
        Ok(())
    }

    /// Cuts every link between `node` and the rest, both ways (or restores them).
    pub fn isolate(&mut self, node: NodeId, isolated: bool) -> Result<(), ActionError> {
        self.member_mut(node)?;
        if isolated {
            self.disrupted(node);
        }
        for other in self.members() {
            if other != node {
                self.set_link_up(node, other, !isolated)?;
                self.set_link_up(other, node, !isolated)?;
            }
        }
        Ok(())
    }

    /// Sets every node-to-node link to `spec` (the page's global latency control).
    pub fn set_all_links(&mut self, spec: LinkSpec) {
        self.net.set_all(spec);
        self.record(TraceEvent::LinkChanged {
            from: NodeId::MAX,
            to: NodeId::MAX,
        });
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> LinkSpec {
        self.net.spec(from, to)
    }

    // ----- observation ---------------------------------------------------------------

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn op(&self, id: OpId) -> Option<&Op> {
        self.history.get(id)
    }

    /// The page's chart data since `cursor` (see `metrics.rs`).
    pub fn metrics_view(&self, cursor: u64) -> crate::metrics::MetricsView {
        self.metrics.view(cursor)
    }

    /// The run's trace fingerprint so far.
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Messages in flight, in no particular order.
    pub fn flights(&self) -> impl Iterator<Item = &Flight> {
        self.flights.iter()
    }

    /// How far `replica` is behind the primary: (entries, microseconds), where the time
    /// is the age of the oldest entry the replica has not yet applied.
    pub fn lag(&self, replica: NodeId) -> Option<(u64, Micros)> {
        let primary = self.primary_member();
        if replica == primary {
            return None;
        }
        let p = &self.nodes[primary as usize];
        let r = &self.nodes[replica as usize];
        if r.status == NodeStatus::Removed {
            return None;
        }
        let applied = r.node.positions.applied;
        let last = p.node.last_lsn();
        if applied >= last {
            return Some((0, 0));
        }
        let oldest = p.node.entry(applied + 1).map_or(self.now, |e| {
            e.written_at.saturating_add_signed(-p.clock_offset)
        });
        Some((last - applied, self.now.saturating_sub(oldest)))
    }

    fn sample_metrics(&mut self) {
        let readings: Vec<NodeReading> = (0..self.nodes.len() as NodeId)
            .map(|id| {
                let slot = &self.nodes[id as usize];
                let up = slot.status == NodeStatus::Up;
                NodeReading {
                    id,
                    lag: if up { self.lag(id) } else { None },
                    queue: slot.service.waiting(),
                    served: slot.service.served,
                }
            })
            .collect();
        let c = self.history.counters();
        let counts = (c.reads_ok, c.writes_ok, c.writes_failed + c.writes_unknown);
        self.metrics.sample(self.now, counts, &readings);
    }

    fn sample_lag(&mut self) {
        for id in 0..self.nodes.len() as NodeId {
            if self.nodes[id as usize].status == NodeStatus::Up {
                if let Some((entries, micros)) = self.lag(id) {
                    self.lag.add(id, entries, micros);
                }
            }
        }
    }
}

/// A node's own random stream (election timeouts), distinct per id and incarnation slot.
fn node_rng(seed: u64, id: NodeId, incarnation: u32) -> SimRng {
    SimRng::derive(seed, "node", u64::from(id) << 32 | u64::from(incarnation))
}
