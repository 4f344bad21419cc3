//! Checkers that judge a history from outside the system that produced it (Jepsen's
//! checkers, TigerBeetle's state checker, stateright's properties): they read what clients
//! saw and, for the lab's own runs, the cluster's final log as an observer outside the
//! nodes would; never a node's private bookkeeping.
//!
//! - `history`: Jepsen's history format (invoke / ok / fail / info), read from JSON;
//! - `linearizable`: a WGL linearizability checker for read / write / cas registers;
//! - `anomalies`: the report the lab's checkers add to (kinds, counts, examples, promises);
//! - `facts`: what the lab's checkers are told about a run;
//! - `outcomes`: lost acknowledged writes, dirty reads, stale reads;
//! - `sessions`: read your writes, monotonic reads, monotonic writes, writes follow reads;
//! - `replicas`: divergence after quiescence, split brain;
//! - `archive`: what is kept of operations that left the history's window, judged again at
//!   the end (lost writes, dirty reads found late).

pub mod anomalies;
pub mod archive;
pub mod facts;
#[doc(hidden)]
pub mod gen;
pub mod history;
pub mod linearizable;
pub mod outcomes;
pub mod replicas;
pub mod sessions;

pub use anomalies::{Kind, Report};
pub use facts::RunFacts;

/// Runs every checker over the facts of one run (linearizability is run by the caller,
/// which knows which operations promise it).
pub fn judge<M>(facts: &RunFacts<M>) -> Report {
    let judged = facts.ops.iter().filter(|o| facts.subject(o)).count();
    let mut report = Report {
        settled: facts.settled,
        operations: judged as u64,
        ..Report::default()
    };
    outcomes::lost_writes(facts, &mut report);
    outcomes::dirty_reads(facts, &mut report);
    outcomes::stale_reads(facts, &mut report);
    sessions::check(facts, &mut report);
    if !facts.segment {
        replicas::divergence(facts, &mut report);
        replicas::split_brain(facts, &mut report);
    }
    report
}
