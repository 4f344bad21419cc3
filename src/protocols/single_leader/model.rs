//! Where the single-leader model meets the kernel: [`SingleLeader`] implements
//! [`Protocol`], and [`Model`] is what the model keeps in the world outside the nodes
//! (settings, leadership as an observer sees it, membership intent).

use super::actions::OperatorAction;
use super::leadership::{Leadership, WorldTimer};
use super::membership::Membership;
use super::messages::{Ctx, Message, NodeEvent, Timer};
use super::node::{Node, NodeParams, Role};
use super::operator::Note;
use super::routing::{Meta, Session};
use super::{failover, routing, view, SingleLeader};
use crate::checks::facts::ModelFacts;
use crate::clients::history::Op;
use crate::clients::history::ReadPromise;
use crate::config::schedule::{FaultAction, TimedFault};
use crate::config::Scenario;
use crate::kernel::actions::Acted;
use crate::kernel::protocol::{OpSpec, Protocol};
use crate::kernel::time::Micros;
use crate::kernel::world::node_rng;
use crate::kernel::{ActionError, Addr, ClientId, NodeId, NodeStatus, World};
use std::collections::BTreeSet;

/// What the model keeps outside the nodes.
#[derive(Clone, Debug)]
pub struct Model {
    /// Every node's settings, from the scenario (replaced when an operator changes them).
    pub(crate) params: NodeParams,
    /// Who leads, seen from outside: failovers, discarded writes, split brain, the monitor.
    pub(crate) leadership: Leadership,
    /// Nodes the operator asked to remove that are still members (see `cluster.rs`).
    pub(crate) leaving: BTreeSet<NodeId>,
    /// A configuration committed or a primary took over during a node handler: the
    /// operator's membership intent is reconciled once the handler's effects are done.
    pub(crate) membership_moved: Option<Option<Membership>>,
}

impl Protocol for SingleLeader {
    type Node = Node;
    type Msg = Message;
    type Timer = Timer;
    type Event = NodeEvent;
    type Note = Note;
    type WorldTimer = WorldTimer;
    type Action = OperatorAction;
    type Model = Model;
    type Session = Session;
    type OpMeta = Meta;
    type View = view::ClusterView;
    type NodeView = view::NodeView;
    type ConfigView = view::ConfigView;
    type Summary = view::SummaryView;

    const NAME: &'static str = "singleLeader";

    fn model(scenario: &Scenario) -> Model {
        Model {
            params: NodeParams::new(
                &scenario.disk,
                &scenario.replication,
                &scenario.failover,
                scenario.nodes.len(),
            ),
            leadership: Leadership::default(),
            leaving: BTreeSet::new(),
            membership_moved: None,
        }
    }

    fn node(world: &World<Self>, id: NodeId, incarnation: u32) -> Node {
        // Node 0 of a new cluster starts as its primary; every other node as a replica.
        let role = if id == 0 && world.nodes.is_empty() {
            Role::Primary
        } else {
            Role::Replica
        };
        let rng = node_rng(world.seed, id, incarnation);
        Node::new(id, role, world.model.params.clone(), rng)
    }

    fn session(world: &World<Self>) -> Session {
        Session::new(world.primary_member())
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
        node.crash_and_lose_disk(incarnation);
    }

    fn restart(node: &mut Node, ctx: &mut Ctx) {
        node.restart(ctx);
    }

    fn started(world: &mut World<Self>) {
        let raft = world.scenario.failover.mode == failover::FailoverMode::Raft;
        world.model.leadership.note_initial_primary(0, raft);
        if world.scenario.failover.mode == failover::FailoverMode::Naive {
            world.start_monitor();
        }
    }

    fn node_event(world: &mut World<Self>, node: NodeId, event: NodeEvent) {
        match event {
            NodeEvent::Acknowledged {
                op, by, durable, ..
            } => {
                if let Some(op) = world.history.get_mut(op) {
                    op.meta.acked_by = Some(by);
                    op.durable = durable;
                }
            }
            NodeEvent::Appended { lsn } => {
                let n = &world.nodes[node as usize].node;
                if let Some(e) = n.entry(lsn).filter(|e| e.op != 0) {
                    let (op, at) = (e.op, (e.term, e.lsn));
                    if let Some(op) = world.history.get_mut(op) {
                        op.meta.landed = Some(at);
                    }
                }
            }
            _ => {}
        }
        world.on_node_event(node, event);
    }

    fn settle(world: &mut World<Self>) {
        match world.model.membership_moved.take() {
            Some(Some(committed)) => world.config_committed(committed),
            Some(None) => world.reconcile_membership(),
            None => {}
        }
    }

    fn tick(world: &mut World<Self>) {
        // Membership intent left waiting (no primary, a change in progress, a primary that
        // came back) is picked up here at the latest.
        world.reconcile_membership();
        world.settle_discards();
    }

    fn world_timer(world: &mut World<Self>, timer: WorldTimer) {
        match timer {
            WorldTimer::MonitorTick => world.monitor_tick(),
        }
    }

    fn disrupted(world: &mut World<Self>, node: NodeId) {
        world.disrupted(node);
    }

    fn crashing(world: &mut World<Self>, node: NodeId) {
        world.note_crash_losses(node);
    }

    fn host_added(world: &mut World<Self>, node: NodeId) {
        world.model.leaving.remove(&node);
        world.reconcile_membership();
    }

    fn remove_host(world: &mut World<Self>, node: NodeId) -> Result<(), ActionError> {
        world.leave(node)
    }

    fn act(world: &mut World<Self>, action: &OperatorAction) -> Result<Acted, ActionError> {
        world.act_as_operator(action)
    }

    fn timed_fault(fault: &TimedFault) -> Result<OperatorAction, ActionError> {
        let node = fault.node.unwrap_or(0);
        match fault.action {
            FaultAction::Promote => Ok(OperatorAction::Promote { node }),
            FaultAction::Switchover => Ok(OperatorAction::Switchover { node }),
            _ => Err(ActionError(format!("{:?} is a kernel fault", fault.action))),
        }
    }

    fn route(world: &mut World<Self>, client: ClientId, op: &mut OpSpec<Meta>) -> NodeId {
        world.route(client, op)
    }

    fn promise(meta: &Meta) -> ReadPromise {
        routing::promise(meta)
    }

    fn request(world: &World<Self>, client: ClientId, op: &Op<Meta>) -> Message {
        world.request_for(client, op)
    }

    fn reply(world: &mut World<Self>, client: ClientId, from: NodeId, msg: Message) {
        world.on_reply(client, from, msg);
    }

    fn timed_out(world: &mut World<Self>, client: ClientId, tried: NodeId) {
        world.rediscover(client, tried);
    }

    fn lag(world: &World<Self>, node: NodeId) -> Option<(u64, Micros)> {
        world.lag(node)
    }

    fn available(world: &World<Self>) -> bool {
        world.primary().is_some()
    }

    fn export_order(world: &World<Self>) -> Vec<NodeId> {
        let mut members = world.members();
        let primary = world.primary_member();
        members.retain(|&m| m != primary);
        members.insert(0, primary);
        members
    }

    fn policy(meta: &Meta) -> Option<u32> {
        meta.ack.map(|a| a.key())
    }

    fn policy_label(meta: &Meta) -> String {
        meta.ack.map(|a| a.describe()).unwrap_or_default()
    }

    fn facts(world: &World<Self>, settled: bool) -> ModelFacts {
        world.model_facts(settled)
    }

    fn view(world: &World<Self>) -> view::ClusterView {
        world.cluster_view()
    }

    fn node_view(world: &World<Self>, node: NodeId, tail: usize) -> view::NodeView {
        world.node_view(node, tail)
    }

    fn config_view(world: &World<Self>) -> view::ConfigView {
        world.config_view()
    }

    fn summary(world: &World<Self>) -> view::SummaryView {
        world.summary_view()
    }
}

impl World<SingleLeader> {
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
    pub(crate) fn primary_member(&self) -> NodeId {
        self.primary()
            .or(self.model.leadership.last_primary())
            .filter(|&n| {
                self.nodes
                    .get(n as usize)
                    .is_some_and(|s| s.status != NodeStatus::Removed)
            })
            .unwrap_or(0)
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

    /// Leadership as the observer saw it.
    pub fn leadership(&self) -> &Leadership {
        &self.model.leadership
    }

    pub fn is_leaving(&self, id: NodeId) -> bool {
        self.model.leaving.contains(&id)
    }
}
