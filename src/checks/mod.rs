//! Checkers that judge a history from outside the system that produced it (TigerBeetle's
//! state checker, stateright's properties, Jepsen's checkers): nothing here reads a node's
//! private state or trusts what a node said about itself beyond its answers to clients.
//!
//! - `anomalies`: the report every checker adds to (kinds, counts, examples, promises);
//! - `facts`: what the checkers are told about a run;
//! - `outcomes`: lost acknowledged writes, dirty reads, stale reads;
//! - `sessions`: read your writes, monotonic reads, monotonic writes, writes follow reads;
//! - `replicas`: divergence after quiescence, split brain.

pub mod anomalies;
pub mod facts;
pub mod outcomes;
pub mod replicas;
pub mod sessions;

pub use anomalies::{Kind, Report};
pub use facts::RunFacts;

/// Runs every checker over the facts of one run.
pub fn judge(facts: &RunFacts) -> Report {
    let mut report = Report {
        settled: facts.settled,
        operations: facts.ops.len() as u64,
        ..Report::default()
    };
    outcomes::lost_writes(facts, &mut report);
    outcomes::dirty_reads(facts, &mut report);
    outcomes::stale_reads(facts, &mut report);
    sessions::check(facts, &mut report);
    replicas::divergence(facts, &mut report);
    replicas::split_brain(facts, &mut report);
    report
}
