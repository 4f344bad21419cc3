//! What the checkers are told about a run, gathered from outside the nodes: the history,
//! where every surviving write sits in the final order of writes, what is decided, each
//! replica's store for the divergence check, and what the model's observers saw. Plain
//! data, so every checker can be tested with hand-made facts.

use crate::clients::history::{Op, Version};
use crate::kernel::time::Micros;
use crate::kernel::{NodeId, OpId, Pos, Text};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the checkers are told about a run by its model (see `crate::checks::facts`).
#[derive(Clone, Debug, Default)]
pub struct ModelFacts {
    /// Every client write in the final order (up to `decided`, or all of it when settled).
    pub surviving: std::collections::BTreeMap<OpId, Pos>,
    pub decided: Pos,
    /// The model's own safety assumptions held throughout (Raft ran, nobody was promoted
    /// by force): its promises apply.
    pub consensus: bool,
    /// Each up member's visible data, the authority first (filled when settled).
    pub stores: Vec<NodeStore>,
    pub split_brains: Vec<SplitBrain>,
    pub discards: Vec<Discard>,
    /// The final order as epoch ranges, ascending (the authority's terms up to `decided`),
    /// for writes that left the history's window (`crate::checks::archive`).
    pub order: Vec<OrderRun>,
}

/// Positions `first..=last` of the final order are in `epoch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRun {
    pub epoch: u64,
    pub first: u64,
    pub last: u64,
}

/// One up replica's visible data, for the divergence check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeStore {
    pub node: NodeId,
    /// Key → the operation whose write the store holds.
    pub store: BTreeMap<Text, OpId>,
}

/// Two primaries at once: two nodes that won the same term or epoch (Raft's Election
/// Safety broken), or two primaries of different terms acknowledging writes over the same
/// stretch of time (a naive failover manager's split brain).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitBrain {
    pub at: Micros,
    pub nodes: [NodeId; 2],
    pub terms: [u64; 2],
    /// Both won the same term.
    pub same_term: bool,
    /// Both acknowledgements were durable (a quorum had each).
    pub durable: bool,
}

/// An acknowledged write some node threw away (the model's observer saw it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discard {
    pub op: OpId,
    pub node: NodeId,
    pub at: Micros,
}

#[derive(Clone, Debug)]
pub struct RunFacts<'a, M> {
    pub ops: &'a [Op<M>],
    /// Every client write in the final order (up to `decided`, or all of it when settled):
    /// operation → its position.
    pub surviving: BTreeMap<OpId, Pos>,
    /// The last decided position: nothing up to it can change, and no later write of an
    /// older epoch than its can still take a place.
    pub decided: Pos,
    /// The cluster was healed and quiet: the final order is final as a whole, and replicas
    /// are expected to agree.
    pub settled: bool,
    /// The model's promises apply (its safety assumptions held throughout).
    pub consensus: bool,
    /// The authority first, then every other up member; only filled when settled.
    pub stores: Vec<NodeStore>,
    pub split_brains: &'a [SplitBrain],
    pub discards: &'a [Discard],
    /// The final order as epoch ranges, for versions whose write left the window.
    pub order: &'a [OrderRun],
    pub now: Micros,
    /// Only operations with a greater id are judged (the ones before were judged when
    /// their segment was: `crate::observe::window`); the rest are context.
    pub judged_through: OpId,
    /// Judging one segment of a long run: the whole-cluster checks (divergence, split
    /// brain) wait for the end.
    pub segment: bool,
}

impl<'a, M> RunFacts<'a, M> {
    /// The facts of a run from its history and what its model said.
    pub fn new(ops: &'a [Op<M>], model: &'a ModelFacts, settled: bool, now: Micros) -> Self {
        RunFacts {
            ops,
            surviving: model.surviving.clone(),
            decided: model.decided,
            settled,
            consensus: model.consensus,
            stores: model.stores.clone(),
            split_brains: &model.split_brains,
            discards: &model.discards,
            order: &model.order,
            now,
            judged_through: 0,
            segment: false,
        }
    }

    /// Whether the write a read returned is in the final order: by its operation while it
    /// is among the facts' operations, by its position once it has left the window.
    pub fn survives_version(&self, v: &Version) -> bool {
        self.survives(v.op) || (self.op(v.op).is_none() && holds(self.order, v.pos))
    }

    /// Whether `op` is one this judgement is about (not one judged before).
    pub fn subject(&self, op: &Op<M>) -> bool {
        op.id > self.judged_through
    }

    /// The operation `id`, if it is among the facts' operations (ids are dense).
    pub fn op(&self, id: OpId) -> Option<&Op<M>> {
        let first = self.ops.first()?.id;
        self.ops.get(id.checked_sub(first)? as usize)
    }

    /// Whether the write of `op` is in the final order.
    pub fn survives(&self, op: OpId) -> bool {
        self.surviving.contains_key(&op)
    }

    /// Whether a write at `pos` that is not in the final order can still get there: no,
    /// once its position is decided, or once the cluster has decided a position of a newer
    /// epoch (logs never go back to an older one), or when the run is settled.
    pub fn decided(&self, pos: Pos) -> bool {
        self.settled || pos.1 <= self.decided.1 || pos.0 < self.decided.0
    }

    /// Where an acknowledged write sits: its place in the final order if it survived,
    /// else where it was put.
    pub fn write_pos(&self, op: &Op<M>) -> Option<Pos> {
        self.surviving.get(&op.id).copied().or(op.written)
    }
}

/// Whether the final order holds a write of `pos`'s epoch at its position.
pub fn holds(order: &[OrderRun], (epoch, index): Pos) -> bool {
    let i = order.partition_point(|r| r.last < index);
    order
        .get(i)
        .is_some_and(|r| r.first <= index && r.epoch == epoch)
}

/// A version's place in the order of writes ((0, 0) for "no value").
pub fn pos_of(version: Option<&Version>) -> Pos {
    version.map_or((0, 0), |v| v.pos)
}
