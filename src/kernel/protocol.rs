//! The contract between the kernel and a replication model (stateright's `Actor`, madsim's
//! simulator plugins, TigerBeetle's `ReplicaType` are the models of it). The kernel hosts
//! nodes, moves messages, runs timers, drives clients and records the trace; everything a
//! model means by "primary", "term", "quorum" or "version" lives behind this trait.
//!
//! A node is a pure state machine: a handler gets a [`Ctx`] with the node's local time and
//! pushes [`Command`]s (send, set a timer) and observable events into it; the kernel carries
//! them out. The world-level hooks take the whole [`World`], the way a cluster harness
//! wires a model to its simulator: they are where routing, observers and operator actions
//! of the model live. Generic, not `dyn`: a world stays cheap to clone and to hash.

use super::actions::Acted;
use super::ids::{Addr, ClientId, NodeId, OpId, Text};
use super::time::Micros;
use super::world::{ActionError, World};
use crate::checks::facts::ModelFacts;
use crate::clients::history::{Op, OpKind, ReadPromise};
use crate::config::schedule::TimedFault;
use crate::config::Scenario;
use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;

/// What the kernel needs to know about a model's messages.
pub trait Message: Clone + Debug + Hash {
    /// A short kind for views and the trace ("append", "vote", ...).
    type Kind: Copy + Debug + PartialEq + Eq + Hash + Serialize;
    fn kind(&self) -> Self::Kind;
    /// A human label for tooltips ("lsn 4-7", "vote for me? term 3").
    fn label(&self) -> String;
    /// A client's request: its operation, and whether it reads or changes data (the
    /// service-time model queues requests and times them by kind).
    fn request(&self) -> Option<(OpId, OpKind)>;
    /// A reply to a client: the operation it answers.
    fn reply_to(&self) -> Option<OpId>;
    /// The refusal a node's full request queue answers with.
    fn overloaded(op: OpId) -> Self;
}

/// The handler context: the node's local time and where its commands and events go.
#[derive(Debug)]
pub struct Ctx<'a, P: Protocol> {
    pub now: Micros,
    pub commands: &'a mut Vec<Command<P>>,
    pub events: &'a mut Vec<P::Event>,
}

impl<P: Protocol> Ctx<'_, P> {
    pub fn send(&mut self, to: Addr, msg: P::Msg) {
        self.commands.push(Command::Send { to, msg });
    }

    pub fn set_timer(&mut self, timer: P::Timer, after: Micros) {
        self.commands.push(Command::SetTimer { timer, after });
    }

    pub fn emit(&mut self, event: P::Event) {
        self.events.push(event);
    }
}

/// What a node asks the world to do.
#[derive(Clone, Debug)]
pub enum Command<P: Protocol> {
    Send { to: Addr, msg: P::Msg },
    SetTimer { timer: P::Timer, after: Micros },
}

/// An operation a client is about to invoke: what it does, where (if the caller chose),
/// and the model's particulars (an acknowledgement policy, a read level).
#[derive(Clone, Debug)]
pub struct OpSpec<M> {
    pub kind: OpKind,
    pub key: Text,
    /// A write's (or compare-and-set's new) value.
    pub value: Option<Text>,
    /// A compare-and-set's expected value (`None`: the key must be absent).
    pub expected: Option<Text>,
    /// The node to send it to; `None`: the model routes it.
    pub target: Option<NodeId>,
    pub manual: bool,
    pub meta: M,
}

/// A replication model. Node handlers are associated functions so that a model's node
/// type needs no trait of its own; world-level hooks have defaults that do nothing.
pub trait Protocol:
    Copy + Clone + Debug + Default + PartialEq + Eq + Hash + PartialOrd + Ord + 'static
{
    type Node: Clone + Debug;
    type Msg: Message;
    type Timer: Copy + Debug + PartialEq + Eq + PartialOrd + Ord + Hash;
    /// Observable steps inside a node (recorded in the trace).
    type Event: Copy + Debug + PartialEq + Eq + Hash + Serialize;
    /// Model-level records for the trace (an operator's promotion, a handover).
    type Note: Copy + Debug + PartialEq + Eq + Hash + Serialize;
    /// Timers of the model itself, outside any node (a failover monitor's tick).
    type WorldTimer: Copy + Debug + PartialEq + Eq + PartialOrd + Ord + Hash;
    /// The model's own actions (a forced promotion, a policy), logged and replayed like
    /// the kernel's.
    type Action: Clone + Debug + PartialEq + Hash + Serialize + serde::de::DeserializeOwned;
    /// What the model keeps outside the nodes: its settings and observers.
    type Model: Clone + Debug;
    /// What a client session keeps (tokens, whom it takes for the primary).
    type Session: Clone + Debug;
    /// The model's part of each history record.
    type OpMeta: Clone + Debug + Default + PartialEq + Serialize;
    /// The model's parts of a snapshot, of each node's view, of the settings view and of
    /// the run summary (flattened into the kernel's).
    type View: Debug + Serialize;
    type NodeView: Debug + Serialize;
    type ConfigView: Debug + Serialize;
    type Summary: Debug + Serialize;

    /// The model's name in scenario files and views.
    const NAME: &'static str;

    fn model(scenario: &Scenario) -> Self::Model;
    /// A new node (`incarnation` counts how often its slot was reused).
    fn node(world: &World<Self>, id: NodeId, incarnation: u32) -> Self::Node;
    fn session(world: &World<Self>) -> Self::Session;

    fn start(node: &mut Self::Node, ctx: &mut Ctx<Self>);
    fn on_message(node: &mut Self::Node, ctx: &mut Ctx<Self>, from: Addr, msg: Self::Msg);
    fn on_timer(node: &mut Self::Node, ctx: &mut Ctx<Self>, timer: Self::Timer);
    /// Loses volatile state (the node stops; the kernel keeps it down until restart).
    fn crash(node: &mut Self::Node);
    /// Loses everything, even what was durable; it will come back as `incarnation`.
    fn lose_disk(node: &mut Self::Node, incarnation: u32);
    fn restart(node: &mut Self::Node, ctx: &mut Ctx<Self>);

    /// The world is built: nodes and clients exist.
    fn started(_world: &mut World<Self>) {}
    /// A node emitted `event` (called in order, before its commands are carried out).
    fn node_event(_world: &mut World<Self>, _node: NodeId, _event: Self::Event) {}
    /// A node handler's effects are all carried out: the model's deferred work.
    fn settle(_world: &mut World<Self>) {}
    /// Every sampling period (50 ms of simulated time).
    fn tick(_world: &mut World<Self>) {}
    fn world_timer(_world: &mut World<Self>, _timer: Self::WorldTimer) {}
    /// A fault took `node` away (crash, pause, isolation, a minority side of a partition).
    fn disrupted(_world: &mut World<Self>, _node: NodeId) {}
    /// `node` is about to crash (its volatile state is still there to look at).
    fn crashing(_world: &mut World<Self>, _node: NodeId) {}
    /// A node was added: the model takes it in.
    fn host_added(_world: &mut World<Self>, _node: NodeId) {}
    /// An operator asked to remove `node`: the model shuts it down (`World::shut_down`)
    /// now or once the cluster has let it go.
    fn remove_host(world: &mut World<Self>, node: NodeId) -> Result<(), ActionError> {
        world.shut_down(node);
        Ok(())
    }
    /// Carries out one of the model's own actions.
    fn act(world: &mut World<Self>, action: &Self::Action) -> Result<Acted, ActionError>;
    /// The model's action for a timed fault the kernel does not know (a promotion).
    fn timed_fault(fault: &TimedFault) -> Result<Self::Action, ActionError> {
        Err(ActionError(format!(
            "{:?} is not an action of the {} model",
            fault.action,
            Self::NAME
        )))
    }

    /// Chooses the node an operation goes to and fills in its particulars (policy, level,
    /// session tokens, what its read promises) before it is recorded.
    fn route(world: &mut World<Self>, client: ClientId, op: &mut OpSpec<Self::OpMeta>) -> NodeId;
    /// What a read of this operation promises (from the particulars `route` filled in).
    fn promise(meta: &Self::OpMeta) -> ReadPromise;
    /// The request message for an operation (built again for a resend).
    fn request(world: &World<Self>, client: ClientId, op: &Op<Self::OpMeta>) -> Self::Msg;
    /// A node answered a client: the model completes the operation
    /// (`World::complete_op`) or sends it on (`World::resend_op`).
    fn reply(world: &mut World<Self>, client: ClientId, from: NodeId, msg: Self::Msg);
    /// An operation sent to `tried` timed out.
    fn timed_out(_world: &mut World<Self>, _client: ClientId, _tried: NodeId) {}

    /// How far a node is behind the freshest data: (entries, microseconds).
    fn lag(world: &World<Self>, node: NodeId) -> Option<(u64, Micros)>;
    /// Whether the cluster can serve (a primary exists, a quorum is up): part of settled.
    fn available(world: &World<Self>) -> bool;
    /// Members in the order a scenario exported from the run lists them.
    fn export_order(world: &World<Self>) -> Vec<NodeId> {
        world.members()
    }
    /// A small key telling a write's policy apart, for write latency by policy (`None`:
    /// not charted), and its label.
    fn policy(meta: &Self::OpMeta) -> Option<u32>;
    fn policy_label(meta: &Self::OpMeta) -> String;
    fn facts(world: &World<Self>, settled: bool) -> ModelFacts;
    fn view(world: &World<Self>) -> Self::View;
    fn node_view(world: &World<Self>, node: NodeId, tail: usize) -> Self::NodeView;
    fn config_view(world: &World<Self>) -> Self::ConfigView;
    fn summary(world: &World<Self>) -> Self::Summary;
}
