//! The anomaly report: every kind a checker can name, how often it was found, whether the
//! run's configuration promised it could not happen, and the first few examples with the
//! operations, times and nodes involved. The runner prints it, the page's anomaly panel
//! shows it, and the swarm test asserts on it.

use crate::kernel::time::Micros;
use crate::protocols::single_leader::messages::{NodeId, OpId};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many examples of each kind a report keeps.
pub const EXAMPLES_KEPT: usize = 5;

/// Every anomaly the checkers can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A read missed a write acknowledged before it began (that the cluster kept).
    StaleRead,
    /// A session read older than its own acknowledged write.
    ReadYourWrites,
    /// A session read older than what it had already read.
    MonotonicReads,
    /// A session's later write survived while its earlier one did not, or came first.
    MonotonicWrites,
    /// A session's write survived while the write it had read did not, or came first.
    WritesFollowReads,
    /// An acknowledged write that the cluster's final state does not hold.
    LostAcknowledgedWrite,
    /// A read returned a value whose write never committed.
    DirtyRead,
    /// Replicas that still differ after the cluster healed and went quiet.
    Divergence,
    /// Two primaries at once: in one term, or acknowledging writes in different terms.
    SplitBrain,
    /// A key's history that no sequential register could have produced.
    NotLinearizable,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::StaleRead,
        Kind::ReadYourWrites,
        Kind::MonotonicReads,
        Kind::MonotonicWrites,
        Kind::WritesFollowReads,
        Kind::LostAcknowledgedWrite,
        Kind::DirtyRead,
        Kind::Divergence,
        Kind::SplitBrain,
        Kind::NotLinearizable,
    ];

    /// The camelCase name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::StaleRead => "staleRead",
            Kind::ReadYourWrites => "readYourWrites",
            Kind::MonotonicReads => "monotonicReads",
            Kind::MonotonicWrites => "monotonicWrites",
            Kind::WritesFollowReads => "writesFollowReads",
            Kind::LostAcknowledgedWrite => "lostAcknowledgedWrite",
            Kind::DirtyRead => "dirtyRead",
            Kind::Divergence => "divergence",
            Kind::SplitBrain => "splitBrain",
            Kind::NotLinearizable => "notLinearizable",
        }
    }
}

/// One instance of an anomaly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Example {
    /// The operations involved, in the order the text names them.
    pub ops: Vec<OpId>,
    /// When it happened (or was found), simulated microseconds.
    pub at: Micros,
    pub nodes: Vec<NodeId>,
    /// What happened, in a sentence.
    pub text: String,
    /// The configuration promised this could not happen.
    pub promised: bool,
}

/// Everything found of one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Found {
    pub count: u64,
    /// How many of them the configuration promised against (a broken promise).
    pub promised: u64,
    /// The first few (broken promises first).
    pub examples: Vec<Example>,
}

/// The report: kinds found (absent kinds were not found), and what was judged.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Found anomalies by kind name.
    pub found: BTreeMap<&'static str, Found>,
    /// The cluster was healed and quiet: absence from its state is final, and replicas
    /// are expected to agree.
    pub settled: bool,
    /// Kinds not judged this time, and why ("divergence": "the cluster is not quiet").
    pub not_judged: BTreeMap<&'static str, String>,
    /// The linearizability check's verdict over writes and linearizable reads
    /// ("linearizable", "not-linearizable", "unknown"), if there was anything to check.
    pub linearizability: Option<String>,
    /// Operations judged.
    pub operations: u64,
}

impl Report {
    pub fn add(&mut self, kind: Kind, example: Example) {
        let found = self.found.entry(kind.name()).or_default();
        found.count += 1;
        found.promised += u64::from(example.promised);
        if found.examples.len() < EXAMPLES_KEPT {
            found.examples.push(example);
        } else if example.promised {
            // Broken promises are the examples worth showing: replace an ordinary one.
            if let Some(slot) = found.examples.iter_mut().rev().find(|e| !e.promised) {
                *slot = example;
            }
        }
    }

    pub fn count(&self, kind: Kind) -> u64 {
        self.found.get(kind.name()).map_or(0, |f| f.count)
    }

    /// Broken promises of every kind.
    pub fn broken_promises(&self) -> u64 {
        self.found.values().map(|f| f.promised).sum()
    }

    /// Counts by kind name (the summary's short form).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.found
            .iter()
            .map(|(k, f)| (k.to_string(), f.count))
            .collect()
    }

    pub fn not_judged(&mut self, kind: Kind, why: &str) {
        self.not_judged.insert(kind.name(), why.to_string());
    }

    /// One line per kind found: "staleRead 12 (3 broken promises)".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .found
            .iter()
            .map(|(k, f)| match f.promised {
                0 => format!("{k} {}", f.count),
                p => format!("{k} {} ({p} broken promises)", f.count),
            })
            .collect();
        if parts.is_empty() {
            parts.push("none".into());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(promised: bool, at: Micros) -> Example {
        Example {
            ops: vec![1],
            at,
            nodes: vec![0],
            text: String::new(),
            promised,
        }
    }

    #[test]
    fn a_report_keeps_counts_and_prefers_broken_promises_as_examples() {
        let mut r = Report::default();
        for at in 0..7 {
            r.add(Kind::StaleRead, ex(false, at));
        }
        r.add(Kind::StaleRead, ex(true, 99));
        let f = &r.found["staleRead"];
        assert_eq!((f.count, f.promised), (8, 1));
        assert_eq!(f.examples.len(), EXAMPLES_KEPT);
        assert!(f.examples.iter().any(|e| e.at == 99));
        assert_eq!(r.broken_promises(), 1);
        assert_eq!(r.describe(), "staleRead 8 (1 broken promises)");
        assert_eq!(r.count(Kind::DirtyRead), 0);
    }
}
