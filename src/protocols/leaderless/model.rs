//! Where the leaderless model meets the kernel: [`Leaderless`] implements [`Protocol`];
//! [`Model`] is what it keeps in the world outside the nodes (the settings and ring every
//! node is given, the routing stream, and what an observer saw: where each write was
//! stamped, hints, repairs, whether any clock was ever skewed).

use super::messages::{Ctx, Message, NodeEvent, Reply, Timer};
use super::node::{Node, Params};
use super::quorums::{Recent, RingAction};
use super::ring::Ring;
use super::routing::{self, Meta, Session};
use super::settings::LeaderlessSpec;
use super::view::{self, Counters};
use super::Leaderless;
use crate::checks::facts::ModelFacts;
use crate::clients::driver::Answer;
use crate::clients::history::{Op, OpError, ReadPromise, Version};
use crate::config::Scenario;
use crate::kernel::actions::Acted;
use crate::kernel::geo;
use crate::kernel::protocol::{OpSpec, Protocol};
use crate::kernel::rng::SimRng;
use crate::kernel::time::Micros;
use crate::kernel::{ActionError, Addr, ClientId, NodeId, OpId, Pos, World};
use serde::Serialize;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub struct Model {
    pub params: Rc<Params>,
    pub(crate) rng: SimRng,
    /// Where each write was stamped (its place in the order of writes), client or not
    /// told: a timed-out write can still be stored.
    pub landed: BTreeMap<OpId, Pos>,
    /// Some node's clock was off true time at some sample: last-write-wins may lose
    /// acknowledged writes, so the model promises nothing about them.
    pub ever_skewed: bool,
    pub counters: Counters,
    /// The latest operations' replica sets, for the page (see `quorums.rs`).
    pub recent: Recent,
}

impl Model {
    pub fn spec(&self) -> &LeaderlessSpec {
        &self.params.spec
    }
}

/// Model-level trace records: none yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NoNote {}

impl Protocol for Leaderless {
    type Node = Node;
    type Msg = Message;
    type Timer = Timer;
    type Event = NodeEvent;
    type Note = NoNote;
    type WorldTimer = ();
    type Action = RingAction;
    type Model = Model;
    type Session = Session;
    type OpMeta = Meta;
    type View = view::RingView;
    type NodeView = view::NodeView;
    type ConfigView = view::ConfigView;
    type Summary = view::SummaryView;

    const NAME: &'static str = "leaderless";

    fn model(scenario: &Scenario) -> Model {
        let spec = scenario.leaderless.clone().unwrap_or_default();
        let ids: Vec<NodeId> = (0..scenario.nodes.len() as NodeId).collect();
        let regions = scenario
            .nodes
            .iter()
            .map(|n| n.region.as_deref().and_then(geo::region))
            .collect();
        let ring = Ring::new(&ids, spec.num_tokens);
        Model {
            params: Rc::new(Params {
                spec,
                ring,
                regions,
            }),
            rng: SimRng::derive(0, "leaderless-routing", 0),
            landed: BTreeMap::new(),
            ever_skewed: false,
            counters: Counters::default(),
            recent: Recent::default(),
        }
    }

    fn node(world: &World<Self>, id: NodeId, incarnation: u32) -> Node {
        Node::new(id, world.model.params.clone(), incarnation)
    }

    fn session(_world: &World<Self>) -> Session {
        Session::default()
    }

    fn start(node: &mut Node, ctx: &mut Ctx) {
        node.start(ctx);
    }

    fn on_message(node: &mut Node, ctx: &mut Ctx, from: Addr, msg: Message) {
        node.on_message(ctx, from, msg);
    }

    fn on_timer(node: &mut Node, ctx: &mut Ctx, timer: Timer) {
        node.on_timer(ctx, timer);
    }

    fn crash(node: &mut Node) {
        node.crash();
    }

    fn lose_disk(node: &mut Node, incarnation: u32) {
        node.lose_disk(incarnation);
    }

    fn restart(node: &mut Node, ctx: &mut Ctx) {
        node.start(ctx);
    }

    fn started(world: &mut World<Self>) {
        world.model.rng = SimRng::derive(world.seed, "leaderless-routing", 0);
        // Timestamps are sparse: the checkers' windowed archive keeps dense positions, so
        // this model's runs are judged whole (see `facts.rs`).
        world.set_history_window(Micros::MAX, usize::MAX);
        world.note_skew();
    }

    fn node_event(world: &mut World<Self>, node: NodeId, event: NodeEvent) {
        world.note_quorum(node, &event);
        let c = &mut world.model.counters;
        match event {
            NodeEvent::Stamped { op, pos } => {
                world.model.landed.insert(op, pos);
            }
            NodeEvent::Acknowledged { op, by, .. } => {
                if let Some(op) = world.history.get_mut(op) {
                    op.meta.acked_by = Some(by);
                }
            }
            NodeEvent::HintStored { .. } => c.hints_stored += 1,
            NodeEvent::HintsReplayed { count, .. } => c.hints_replayed += u64::from(count),
            NodeEvent::HintsDropped { count, .. } => c.hints_dropped += u64::from(count),
            NodeEvent::ReadRepair { .. } => c.read_repairs += 1,
            NodeEvent::DigestMismatch { .. } => c.digest_mismatches += 1,
            NodeEvent::Unavailable { .. } => c.unavailable += 1,
            NodeEvent::Stored { .. }
            | NodeEvent::ReadAsked { .. }
            | NodeEvent::MarkedDown { .. }
            | NodeEvent::MarkedUp { .. } => {}
        }
    }

    fn tick(world: &mut World<Self>) {
        world.note_skew();
        let regions: Vec<Option<geo::Region>> = world.nodes.iter().map(|s| s.region).collect();
        if regions != world.model.params.regions {
            world.update_params(|p| p.regions = regions);
        }
    }

    fn world_timer(_world: &mut World<Self>, _timer: ()) {}

    fn host_added(world: &mut World<Self>, node: NodeId) {
        world.update_params(|p| p.ring.add(node));
    }

    fn remove_host(world: &mut World<Self>, node: NodeId) -> Result<(), ActionError> {
        if world.model.params.ring.nodes().len() <= world.model.spec().replication_factor as usize {
            return Err(ActionError(format!(
                "the ring needs at least replicationFactor ({}) nodes",
                world.model.spec().replication_factor
            )));
        }
        world.update_params(|p| p.ring.remove(node));
        world.shut_down(node);
        Ok(())
    }

    fn act(world: &mut World<Self>, action: &RingAction) -> Result<Acted, ActionError> {
        match *action {
            RingAction::SetConsistency { write, read } => world.set_consistency(write, read),
        }
    }

    fn route(world: &mut World<Self>, client: ClientId, op: &mut OpSpec<Meta>) -> NodeId {
        routing::route(world, client, op)
    }

    fn promise(meta: &Meta) -> ReadPromise {
        meta.promise
    }

    fn request(_world: &World<Self>, _client: ClientId, op: &Op<Meta>) -> Message {
        routing::request(op)
    }

    fn reply(world: &mut World<Self>, client: ClientId, from: NodeId, msg: Message) {
        let Message::Reply { op, reply } = msg else {
            return;
        };
        let answer = match reply {
            Reply::Written { pos } => {
                if let Some(o) = world.history.pending_mut(op) {
                    o.durable = o.meta.durable_level;
                }
                Answer::Written { pos, swapped: true }
            }
            Reply::Value { cell } => Answer::Read {
                version: cell.map(|c| Version {
                    value: c.value,
                    op: c.op,
                    pos: c.pos,
                }),
            },
            Reply::Unavailable => Answer::Failed(OpError::Unavailable),
            Reply::Timeout => Answer::Failed(OpError::Timeout),
            Reply::Overloaded => Answer::Failed(OpError::Overloaded),
            Reply::Unsupported => Answer::Failed(OpError::Unsupported),
        };
        world.complete_op(client, op, from, answer);
    }

    fn timed_out(world: &mut World<Self>, client: ClientId, tried: NodeId) {
        let now = world.now;
        world.clients[client as usize]
            .session
            .avoid
            .insert(tried, now);
    }

    fn lag(_world: &World<Self>, _node: NodeId) -> Option<(u64, Micros)> {
        None
    }

    fn available(_world: &World<Self>) -> bool {
        true
    }

    fn policy(meta: &Meta) -> Option<u32> {
        meta.write_level.map(|l| l.key())
    }

    fn policy_label(meta: &Meta) -> String {
        meta.write_level
            .map(|l| l.name().to_string())
            .unwrap_or_default()
    }

    fn facts(world: &World<Self>, settled: bool) -> ModelFacts {
        world.model_facts(settled)
    }

    fn view(world: &World<Self>) -> view::RingView {
        world.ring_view()
    }

    fn node_view(world: &World<Self>, node: NodeId, _tail: usize) -> view::NodeView {
        world.ring_node_view(node)
    }

    fn config_view(world: &World<Self>) -> view::ConfigView {
        view::ConfigView {
            leaderless: world.model.spec().clone(),
            riak: world.model.spec().riak(),
        }
    }

    fn summary(world: &World<Self>) -> view::SummaryView {
        world.ring_summary()
    }
}

impl World<Leaderless> {
    /// Latches `ever_skewed` when some node's clock is off true time.
    fn note_skew(&mut self) {
        if self.nodes.iter().any(|s| s.clock_offset != 0) {
            self.model.ever_skewed = true;
        }
    }

    /// Gives every node (and the model) new parameters: a ring change, new regions.
    pub(crate) fn update_params(&mut self, change: impl FnOnce(&mut Params)) {
        let mut p = (*self.model.params).clone();
        change(&mut p);
        let p = Rc::new(p);
        self.model.params = p.clone();
        for slot in &mut self.nodes {
            slot.node.params = p.clone();
        }
    }

    /// The node the lab's observer takes to hold `key`'s newest version: its replicas'
    /// newest, by timestamp.
    pub fn replicas_of(&self, key: &str) -> Vec<NodeId> {
        self.model.params.ring.replicas(key, self.model.params.n())
    }
}
