//! The write-ahead log's vocabulary: log sequence numbers and terms, entries and what they
//! do to the store, the compare of a compare-and-set, stored versions, and the positions a
//! replica reports. Every other part of the model speaks in these.

use super::membership::Membership;
use crate::kernel::time::Micros;
use crate::kernel::{OpId, Text};
use serde::Serialize;
use std::collections::BTreeMap;

/// Log sequence number: position of an entry in the write-ahead log, from 1.
pub type Lsn = u64;
/// Epoch / term of a primary's reign (the fencing token once failover exists).
pub type Term = u64;

/// One write-ahead log entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    pub lsn: Lsn,
    pub term: Term,
    pub payload: Payload,
    /// The client operation that wrote it (0 for entries no client asked for).
    pub op: OpId,
    /// Primary's local clock when it was appended.
    pub written_at: Micros,
}

/// What an entry does to the store when it is applied.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Payload {
    /// Sets `key` to `value`: a plain write, or a compare-and-set whose compare held.
    Set { key: Text, value: Text },
    /// A compare-and-set whose compare failed: it changes nothing, but its place in the
    /// log is what its answer ("the value was not what you expected") means.
    Unchanged { key: Text },
    /// The first entry of a new primary's term (Raft's no-op): once it commits, so does
    /// everything before it, and the primary may serve linearizable reads.
    Noop,
    /// A membership change: who votes and who only follows from this entry on (Raft's
    /// single-server change; takes effect when appended).
    Config(Membership),
}

impl Entry {
    /// The key and value this entry sets, if it sets one.
    pub fn set(&self) -> Option<(&Text, &Text)> {
        match &self.payload {
            Payload::Set { key, value } => Some((key, value)),
            _ => None,
        }
    }

    /// The key a client operation touched (for the page's log strip).
    pub fn key(&self) -> Option<&Text> {
        match &self.payload {
            Payload::Set { key, .. } | Payload::Unchanged { key } => Some(key),
            _ => None,
        }
    }
}

/// The compare of a compare-and-set: what the key must hold for the write to happen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Condition {
    /// A plain write: always.
    #[default]
    Always,
    /// The key holds exactly this value.
    Equals(Text),
    /// The key has never been written.
    Absent,
}

impl Condition {
    /// A compare against `expected` (`None`: the key must be absent).
    pub fn compare(expected: Option<Text>) -> Condition {
        expected.map_or(Condition::Absent, Condition::Equals)
    }

    pub fn holds(&self, current: Option<&Text>) -> bool {
        match self {
            Condition::Always => true,
            Condition::Equals(v) => current == Some(v),
            Condition::Absent => current.is_none(),
        }
    }

    pub fn is_cas(&self) -> bool {
        *self != Condition::Always
    }
}

/// A stored value and the log position that wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub value: Text,
    pub lsn: Lsn,
    pub term: Term,
    pub op: OpId,
}

/// Replication positions a replica reports, like pg_stat_replication's
/// write / flush / replay LSNs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Positions {
    pub received: Lsn,
    pub flushed: Lsn,
    pub applied: Lsn,
}

/// The store as of a log position: what a checkpoint wrote to disk, and what a base backup
/// (Raft's InstallSnapshot) carries to a replica too far behind for the WAL to reach.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The last position folded in (0: none).
    pub upto: Lsn,
    /// The store as of `upto`.
    pub kv: BTreeMap<Text, Version>,
    /// The configuration in force at `upto` and the position that set it (0: bootstrap).
    pub config: Option<(Lsn, Membership)>,
    /// Where each term began, up to `upto`: (term, first position of it).
    pub terms: Vec<(Term, Lsn)>,
}
