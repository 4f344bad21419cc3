//! The single-leader model (PostgreSQL, MySQL, MongoDB replica sets, Raft): one primary
//! takes every write into its write-ahead log and ships it to replicas; writes are
//! acknowledged by policy (`ack`), reads served at a consistency level (`consistency`),
//! a lost primary replaced by election or a monitor (`failover`), members changed through
//! the log (`membership`).
//!
//! `model` is where it meets the kernel ([`SingleLeader`] implements `kernel::Protocol`);
//! the rest: `node/` (the state machine), `messages`, `routing` (where clients send what,
//! and what answers mean), `leadership` (failovers, discarded writes, split brain, the naive
//! monitor), `cluster` (membership intent), `operator` (promotions, handovers, settings),
//! `verdict` (the final state for the checkers), `view` (what the page draws).

pub mod ack;
pub mod actions;
mod cluster;
pub mod consistency;
pub mod failover;
pub mod leadership;
pub mod log;
pub mod membership;
pub mod messages;
mod model;
pub mod node;
mod operator;
pub mod routing;
mod verdict;
pub mod view;

/// The single-leader model (a marker type: the state is in the world and its nodes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SingleLeader;

pub use leadership::WorldTimer;
pub use model::Model;
pub use operator::Note;
