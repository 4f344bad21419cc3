//! The leaderless model (Dynamo, Cassandra, Riak): keys on a consistent-hash ring with
//! virtual nodes, N copies each on the next distinct nodes clockwise; any node coordinates
//! any request; writes carry the coordinator's timestamp and replicas keep the newest
//! (last-write-wins); reads merge by timestamp, with digest reads and blocking read
//! repair; hinted handoff within a hint window; strict or sloppy quorums. Consistency
//! levels are Cassandra's names, Riak's `n_val` / `r` / `w` beside them.
//!
//! `model` is where it meets the kernel ([`Leaderless`] implements `kernel::Protocol`);
//! the rest: `settings` (the scenario's `leaderless` object and the levels), `ring`,
//! `messages`, `node/` (the state machine: `write.rs` and `read.rs` the coordinator's
//! paths), `routing` (which node coordinates, and what a read promises), `facts` (the
//! final state for the checkers), `view` (what the page draws), `quorums` (the latest
//! operations' replica sets, for the page, and the action that sets the levels), `pbs` (the
//! PBS staleness curve: Monte Carlo over the WARS model with the scenario's own link
//! latencies).
//!
//! Not yet here: anti-entropy by Merkle trees, streaming token ranges when the ring
//! changes (see issue 11).

pub mod facts;
pub mod messages;
pub mod model;
pub mod node;
pub mod pbs;
pub mod quorums;
pub mod ring;
pub mod routing;
pub mod settings;
pub mod view;

/// The leaderless model (a marker type: the state is in the world and its nodes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Leaderless;

pub use model::Model;
