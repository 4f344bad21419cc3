//! The replication models the kernel runs, each behind `crate::kernel::Protocol`: today
//! the single-leader model (PostgreSQL, MySQL, MongoDB, Raft); the leaderless (Dynamo,
//! Cassandra) and multi-primary models join here.

pub mod single_leader;

pub use single_leader::SingleLeader;
