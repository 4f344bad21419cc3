//! The names every part of the simulation shares: nodes, clients, operations, message
//! endpoints, text, and a version's place in a model's order of writes.

use serde::Serialize;
use std::rc::Rc;

pub type NodeId = u32;
pub type ClientId = u32;
/// Identifies one client operation in the history (dense, from 1).
pub type OpId = u64;
/// Cheaply clonable text for keys and values (a world lives on one thread, so `Rc`).
pub type Text = Rc<str>;
/// A version's place in the order of writes, as its model orders them: compared as a pair
/// (the single-leader model uses (term, LSN); a model of timestamps, (timestamp, node)).
pub type Pos = (u64, u64);

/// A message endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Addr {
    Node(NodeId),
    Client(ClientId),
}

/// A bit mask with the bit of `id` set (none for ids beyond 31).
pub fn bit(id: NodeId) -> u32 {
    1u32.checked_shl(id).unwrap_or(0)
}
