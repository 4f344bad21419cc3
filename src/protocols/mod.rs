//! The replication models the kernel runs, each behind `crate::kernel::Protocol`: the
//! single-leader model (PostgreSQL, MySQL, MongoDB, Raft) and the leaderless model
//! (Dynamo, Cassandra, Riak); the multi-primary model joins here.

pub mod leaderless;
pub mod single_leader;

pub use leaderless::Leaderless;
pub use single_leader::SingleLeader;
