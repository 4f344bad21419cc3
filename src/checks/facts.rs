//! What the checkers are told about a run, gathered from outside the nodes: the history,
//! the final log (where every surviving write sits), what is decided, each replica's store
//! for the divergence check, and what the leadership observer saw. Plain data, so every
//! checker can be tested with hand-made facts.

use crate::history::Op;
use crate::protocol::{Lsn, NodeId, OpId, Term, Text, Version};
use crate::time::Micros;
use crate::world::{LostWrite, SplitBrain};
use std::collections::BTreeMap;

/// A place in the order of writes: (term, LSN). Along one log terms never decrease, so for
/// entries of the final log this is the log's order; an entry a deposed primary wrote in
/// an old term sorts before what a newer primary wrote at a lower LSN.
pub type Pos = (Term, Lsn);

/// One up replica's visible data, for the divergence check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeStore {
    pub node: NodeId,
    /// Key → the operation whose write the store holds.
    pub store: BTreeMap<Text, OpId>,
}

#[derive(Clone, Debug)]
pub struct RunFacts<'a> {
    pub ops: &'a [Op],
    /// Every client write in the final log (up to `decided`, or all of it when settled):
    /// operation → its position.
    pub surviving: BTreeMap<OpId, Pos>,
    /// Positions up to here can no longer change (the authority's commit index), and the
    /// term of the entry there: no later log can hold an entry of an older term past it.
    pub decided: Lsn,
    pub decided_term: Term,
    /// The cluster was healed and quiet: the final log is final as a whole, and replicas
    /// are expected to agree.
    pub settled: bool,
    /// Raft's promises apply: Raft failover throughout, nobody promoted by force.
    pub raft: bool,
    /// The authority first (the primary, else the most up-to-date node), then every other
    /// up member; only filled when settled.
    pub stores: Vec<NodeStore>,
    /// What the leadership observer saw.
    pub split_brains: &'a [SplitBrain],
    pub truncations: &'a [LostWrite],
    pub now: Micros,
}

impl RunFacts<'_> {
    /// Whether the write of `op` is in the final log.
    pub fn survives(&self, op: OpId) -> bool {
        self.surviving.contains_key(&op)
    }

    /// Whether a write at `pos` that is not in the final log can still get there: no, once
    /// its position is decided, or once the cluster has committed an entry of a newer term
    /// (logs never go back to an older term), or when the run is settled.
    pub fn decided(&self, pos: Pos) -> bool {
        self.settled || pos.1 <= self.decided || pos.0 < self.decided_term
    }

    /// A version's place in the order of writes (0, 0 for "no value").
    pub fn pos_of(version: Option<&Version>) -> Pos {
        version.map_or((0, 0), |v| (v.term, v.lsn))
    }

    /// Where an acknowledged write sits: its place in the final log if it survived,
    /// else where the primary put it.
    pub fn write_pos(&self, op: &Op) -> Option<Pos> {
        self.surviving
            .get(&op.id)
            .copied()
            .or_else(|| Some((op.term?, op.lsn?)))
    }
}
