//! The world: one deterministic simulation run of a replication model `P`. It owns virtual
//! time, the event queue (ordered by time, then by the sequence number events were
//! scheduled in: the queue is the sole owner of sequence numbers), the network and the
//! messages in flight, the hosted nodes and their lifecycle, the clients, the operation
//! history and the trace. It knows nothing of primaries, terms or log positions: those are
//! the model's (`crate::protocols`), reached through [`Protocol`].
//!
//! Everything that happens is an event popped from the queue: a message delivery, a node
//! timer, a client's next operation or time-out, a statistics sample, a model's own timer.
//! Faults and operator actions are world actions, recorded in the trace like everything
//! else, so a run is a pure function of (scenario, seed, actions).

use super::actions::Logged;
use super::flights::{Flight, FlightSlot, Flights};
use super::geo::{self, Region};
use super::ids::{Addr, ClientId, NodeId, OpId};
use super::net::{Fate, LinkSpec, Network};
use super::protocol::{Command, Ctx, Message, Protocol};
use super::rng::SimRng;
use super::service::ServiceQueue;
use super::time::{Micros, MICROS_PER_MS};
use super::trace::{DropReason, MsgId, Trace, TraceEvent};
use crate::checks::archive::{Archive, LinearizabilityCuts};
use crate::clients::history::{History, Op, StalenessOracle, HISTORY_WINDOW, WINDOW_OPS};
use crate::clients::workload::{Client, Workload};
use crate::config::{ConfigError, Scenario, MAX_NODES};
use crate::observe::distribution::LagStats;
use crate::observe::metrics::{Metrics, NodeReading, SAMPLE_EVERY};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// How often replica lag is sampled for statistics (and the model's `tick` runs).
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
pub struct NodeSlot<P: Protocol> {
    pub node: P::Node,
    pub name: String,
    pub region: Option<Region>,
    pub status: NodeStatus,
    /// Bumped on every crash, so timers set before it are ignored.
    pub incarnation: u32,
    /// Signed offset of this node's clock from true time.
    pub clock_offset: i64,
    /// Client requests waiting for and in service (service-time model).
    pub service: ServiceQueue<P::Msg>,
    /// Deliveries and timers held while the node is paused, in order.
    pub(crate) held: Vec<EventKind<P>>,
}

impl<P: Protocol> NodeSlot<P> {
    pub fn local_time(&self, now: Micros) -> Micros {
        now.saturating_add_signed(self.clock_offset)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EventKind<P: Protocol> {
    Deliver(FlightSlot),
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: P::Timer,
    },
    ClientNext(ClientId),
    /// Never in the heap: operation time-outs live in `World::timeouts`, which can cancel.
    ClientTimeout(ClientId, OpId),
    Sample,
    /// A timer of the model itself.
    Model(P::WorldTimer),
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
pub(crate) struct Scheduled<P: Protocol> {
    at: Micros,
    seq: u64,
    kind: EventKind<P>,
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
pub struct World<P: Protocol> {
    pub(crate) scenario: Scenario,
    pub(crate) seed: u64,
    pub(crate) now: Micros,
    seq: u64,
    queue: BinaryHeap<Reverse<Scheduled<P>>>,
    /// Pending operation time-outs, ordered like the queue and removed when the operation
    /// completes (so the heap does not fill with dead time-outs).
    pub(crate) timeouts: BTreeMap<(Micros, u64), (ClientId, OpId)>,
    pub(crate) timeout_of: BTreeMap<OpId, (Micros, u64)>,
    pub(crate) nodes: Vec<NodeSlot<P>>,
    pub(crate) net: Network,
    pub(crate) flights: Flights<P::Msg>,
    next_msg: MsgId,
    pub(crate) clients: Vec<Client<P::Session>>,
    pub(crate) workload: Workload,
    pub(crate) history: History<P::OpMeta>,
    pub(crate) oracle: StalenessOracle,
    pub(crate) trace: Trace<P>,
    pub(crate) lag: LagStats,
    pub(crate) metrics: Metrics,
    /// What the checkers keep of operations that left the history's window.
    pub(crate) archive: Archive,
    pub(crate) cuts: LinearizabilityCuts,
    /// How old, or how many operations back, an operation is judged (`observe::window`).
    pub(crate) history_window: (Micros, usize),
    /// The model's settings and observers.
    pub(crate) model: P::Model,
    /// Every action from outside so far, with its moment (see `actions.rs`).
    pub(crate) actions: Vec<Logged<P::Action>>,
    /// Timed faults that could not be carried out (restarting a running node...).
    pub(crate) fault_errors: Vec<String>,

    events_processed: u64,
    commands: Vec<Command<P>>,
    node_events: Vec<P::Event>,
    pub(crate) member_buf: Vec<NodeId>,
    pub(crate) region_buf: Vec<Option<Region>>,
}

impl<P: Protocol> World<P> {
    /// Builds the world of `scenario` for `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Result<World<P>, ConfigError> {
        scenario.validate()?;
        let net = Network::new(
            &scenario.network,
            &scenario.links,
            MAX_NODES,
            SimRng::derive(seed, "network", 0),
        );
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
            workload: Workload::new(&scenario.workload),
            history: History::default(),
            oracle: StalenessOracle::default(),
            trace: Trace::new(scenario.event_log as usize),
            lag: LagStats::default(),
            metrics: Metrics::default(),
            archive: Archive::default(),
            cuts: LinearizabilityCuts::default(),
            history_window: (HISTORY_WINDOW, WINDOW_OPS),
            model: P::model(scenario),
            actions: Vec::new(),
            fault_errors: Vec::new(),

            events_processed: 0,
            commands: Vec::new(),
            node_events: Vec::new(),
            member_buf: Vec::new(),
            region_buf: Vec::new(),
        };
        for (i, spec) in scenario.nodes.iter().enumerate() {
            let id = i as NodeId;
            let offset = spec.clock_offset.micros() as i64;
            let node = P::node(&world, id, 0);
            world.nodes.push(NodeSlot {
                node,
                name: spec.name.clone().unwrap_or_else(|| format!("n{i}")),
                region: spec.region.as_deref().and_then(geo::region),
                status: NodeStatus::Up,
                incarnation: 0,
                clock_offset: if spec.clock_behind { -offset } else { offset },
                service: ServiceQueue::default(),
                held: Vec::new(),
            });
        }
        if world.nodes.iter().any(|s| s.region.is_some()) {
            world.apply_region_links();
            for o in &scenario.links {
                world.net.apply_override(o);
            }
        }
        for id in 0..world.nodes.len() as NodeId {
            world.with_node(id, |node, ctx| P::start(node, ctx));
        }
        for _ in 0..scenario.workload.clients {
            world.add_workload_client();
        }
        world.schedule(LAG_SAMPLE_EVERY, EventKind::Sample);
        for (i, f) in scenario.faults.iter().enumerate() {
            world.schedule_at(f.at.micros(), EventKind::Fault(i as u32));
        }
        P::started(&mut world);
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

    pub fn model(&self) -> &P::Model {
        &self.model
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
    fn pop_event(&mut self) -> Option<Scheduled<P>> {
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
                    self.with_node(node, |n, ctx| P::on_timer(n, ctx, timer));
                }
            }
            EventKind::Model(timer) => P::world_timer(self, timer),
            EventKind::Fault(i) => self.run_timed_fault(i as usize),
            EventKind::ClientNext(c) => self.client_next(c),
            EventKind::ClientTimeout(c, op) => self.client_timeout(c, op),
            EventKind::Sample => {
                P::tick(self);
                self.sample_lag();
                if self.now % SAMPLE_EVERY == 0 {
                    self.sample_metrics();
                    self.bound_history();
                }
                self.schedule(LAG_SAMPLE_EVERY, EventKind::Sample);
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

    pub(crate) fn schedule(&mut self, after: Micros, kind: EventKind<P>) {
        self.schedule_at(self.now + after, kind);
    }

    pub(crate) fn schedule_at(&mut self, at: Micros, kind: EventKind<P>) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            kind,
        }));
    }

    /// A timer of the model itself, after `after`.
    pub fn schedule_model(&mut self, after: Micros, timer: P::WorldTimer) {
        self.schedule(after, EventKind::Model(timer));
    }

    /// The next sequence number (for orderings that live outside the heap).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn record(&mut self, event: TraceEvent<P>) {
        self.trace.record(self.now, event);
    }

    /// Records a model-level note in the trace.
    pub fn note(&mut self, note: P::Note) {
        self.record(TraceEvent::Model { note });
    }

    // ----- nodes ---------------------------------------------------------------------

    /// Runs a node handler and carries out what it asked for; then the model settles.
    pub fn with_node(&mut self, id: NodeId, f: impl FnOnce(&mut P::Node, &mut Ctx<P>)) {
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
            self.record(TraceEvent::Node { node: id, event });
            P::node_event(self, id, event);
        }
        for command in commands.drain(..) {
            match command {
                Command::Send { to, msg } => self.send(Addr::Node(id), to, msg),
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
        P::settle(self);
    }

    pub(crate) fn send(&mut self, from: Addr, to: Addr, msg: P::Msg) {
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
        if let (Addr::Node(_), Addr::Client(_)) = (from, to) {
            if let Some(reply_to) = self.replying_to(&msg) {
                self.replied(from, reply_to);
            }
        }
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

    /// The operation a node's message to a client answers, if the service model holds a
    /// worker for it (the worker is released when the node replies).
    fn replying_to(&self, msg: &P::Msg) -> Option<OpId> {
        self.scenario.service.and(msg.reply_to())
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
        match (flight.to, flight.from) {
            (Addr::Node(n), from)
                if self.scenario.service.is_some() && flight.msg.request().is_some() =>
            {
                self.admit(n, from, flight.msg)
            }
            (Addr::Node(n), from) => {
                let msg = flight.msg;
                self.with_node(n, |node, ctx| P::on_message(node, ctx, from, msg))
            }
            (Addr::Client(c), Addr::Node(from)) => P::reply(self, c, from, flight.msg),
            (Addr::Client(_), Addr::Client(_)) => {}
        }
    }

    pub fn node(&self, id: NodeId) -> &P::Node {
        &self.nodes[id as usize].node
    }

    pub fn slot(&self, id: NodeId) -> &NodeSlot<P> {
        &self.nodes[id as usize]
    }

    /// Ids of nodes that are members (up, crashed or paused; not removed).
    pub fn members(&self) -> Vec<NodeId> {
        self.members_into(Vec::new())
    }

    pub(crate) fn members_into(&self, mut ids: Vec<NodeId>) -> Vec<NodeId> {
        ids.clear();
        ids.extend(
            (0..self.nodes.len() as NodeId)
                .filter(|&i| self.nodes[i as usize].status != NodeStatus::Removed),
        );
        ids
    }

    pub(crate) fn member_mut(&mut self, id: NodeId) -> Result<&mut NodeSlot<P>, ActionError> {
        self.nodes
            .get_mut(id as usize)
            .filter(|s| s.status != NodeStatus::Removed)
            .ok_or_else(|| ActionError(format!("there is no node {id}")))
    }

    // ----- observation ---------------------------------------------------------------

    pub fn history(&self) -> &History<P::OpMeta> {
        &self.history
    }

    pub fn op(&self, id: OpId) -> Option<&Op<P::OpMeta>> {
        self.history.get(id)
    }

    /// The page's chart data since `cursor` (see `observe/metrics.rs`).
    pub fn metrics_view(&self, cursor: u64) -> crate::observe::metrics::MetricsView {
        self.metrics.view(cursor)
    }

    /// The run's trace fingerprint so far.
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    pub fn trace(&self) -> &Trace<P> {
        &self.trace
    }

    /// Messages in flight, in no particular order.
    pub fn flights(&self) -> impl Iterator<Item = &Flight<P::Msg>> {
        self.flights.iter()
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> LinkSpec {
        self.net.spec(from, to)
    }

    fn sample_metrics(&mut self) {
        let readings: Vec<NodeReading> = (0..self.nodes.len() as NodeId)
            .map(|id| {
                let slot = &self.nodes[id as usize];
                let up = slot.status == NodeStatus::Up;
                NodeReading {
                    id,
                    lag: if up { P::lag(self, id) } else { None },
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
                if let Some((entries, micros)) = P::lag(self, id) {
                    self.lag.add(id, entries, micros);
                }
            }
        }
    }
}

/// A node's own random stream (election timeouts), distinct per id and incarnation slot.
pub fn node_rng(seed: u64, id: NodeId, incarnation: u32) -> SimRng {
    SimRng::derive(seed, "node", u64::from(id) << 32 | u64::from(incarnation))
}
