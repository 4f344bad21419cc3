//! Read consistency levels: what a read promises and what it asks of the node that serves
//! it. A client session keeps the tokens (the position of its last write, the highest
//! position it has read) and turns its level into a [`ReadNeed`] carried by each read
//! request. A position is a [`Token`], (term, LSN) like MongoDB's optime: after a failover
//! the same LSN can hold a different write on another branch of the log, so an LSN alone
//! would let a replica that never had the session's write serve it.
//!
//! | level | real names | the node serves it when |
//! |---|---|---|
//! | `eventual` | MongoDB read concern `local` on a secondary; PostgreSQL hot standby | always |
//! | `readYourWrites` | MongoDB causal session; a session LSN token | applied >= the session's last write |
//! | `monotonic` | MongoDB causal session (`afterClusterTime`) | applied >= the highest position read |
//! | `boundedStaleness` | MongoDB `maxStalenessSeconds`; Cosmos DB bounded staleness | its estimated staleness <= the bound |
//! | `majority` | MongoDB read concern `majority` | at once, from its majority-committed snapshot (never a value a failover can undo; may be old) |
//! | `linearizable` | MongoDB read concern `linearizable`; Raft read index | on the primary, once an entry of its term has committed, a majority has confirmed it still leads, and everything it could show is committed |
//!
//! A replica that is behind either waits until it has applied enough (`wait`) or tells the
//! client to go to the primary (`redirect`). A read addressed to the primary (read
//! preference `primary`, or a linearizable read) is refused by any other node, which names
//! the primary it knows of.

use super::log::{Lsn, Term};
use crate::config::error::object;
use crate::kernel::time::{Dur, Micros};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ReadConsistency {
    /// Whatever the node has applied.
    #[default]
    Eventual,
    ReadYourWrites,
    Monotonic,
    /// `{"boundedStaleness": {"max": "200ms"}}`
    #[serde(deserialize_with = "bounded_staleness")]
    BoundedStaleness {
        max: Dur,
    },
    /// Majority-committed data only (MongoDB `readConcern: "majority"`).
    Majority,
    Linearizable,
}

/// The bound of `{"boundedStaleness": {"max": "200ms"}}`, from an object only (serde would
/// also read `["200ms"]`).
fn bounded_staleness<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
    #[derive(Deserialize, Serialize)]
    #[serde(remote = "Self", deny_unknown_fields)]
    struct Bound {
        max: Dur,
    }
    crate::object_only!(Bound, r#"{"max": "200ms"}"#);
    object::<D, Bound>(d).map(|b| b.max)
}

/// What a replica does when it cannot serve a read yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnBehind {
    /// Hold the read until the replica has applied enough.
    #[default]
    Wait,
    /// Refuse; the client retries at the primary.
    Redirect,
}

/// A position in the log: the LSN and the term of the entry there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token {
    pub term: Term,
    pub lsn: Lsn,
}

/// What one read request asks of the node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReadNeed {
    /// Serve only once the node has applied this position (the entry there, of at least
    /// this term).
    pub min: Token,
    /// Serve only if the node's estimated staleness is at most this.
    pub max_staleness: Option<Micros>,
    /// Serve only on the primary, after a majority round (read index).
    pub linearizable: bool,
    /// Serve from the majority-committed snapshot.
    pub committed: bool,
    /// Only the primary may answer (read preference `primary`): others refuse.
    pub primary_only: bool,
    pub on_behind: OnBehind,
}

/// A client session's consistency tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Position of the session's last acknowledged write.
    pub last_write: Token,
    /// Highest applied position among the nodes that served this session's reads.
    pub max_seen: Token,
}

impl Session {
    /// The need a read at `level` carries for this session.
    pub fn need(&self, level: ReadConsistency, on_behind: OnBehind) -> ReadNeed {
        let mut need = ReadNeed {
            on_behind,
            ..ReadNeed::default()
        };
        match level {
            ReadConsistency::Eventual => {}
            ReadConsistency::ReadYourWrites => need.min = self.last_write,
            ReadConsistency::Monotonic => need.min = self.max_seen,
            ReadConsistency::BoundedStaleness { max } => need.max_staleness = Some(max.micros()),
            ReadConsistency::Majority => need.committed = true,
            ReadConsistency::Linearizable => {
                need.linearizable = true;
                need.primary_only = true;
            }
        }
        need
    }

    pub fn wrote(&mut self, at: Token) {
        self.last_write = self.last_write.max(at);
    }

    pub fn read_at(&mut self, applied: Token) {
        self.max_seen = self.max_seen.max(applied);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_asks_for_its_token() {
        let at = |term, lsn| Token { term, lsn };
        let s = Session {
            last_write: at(2, 7),
            max_seen: at(1, 4),
        };
        let need = |level| s.need(level, OnBehind::Wait).min;
        assert_eq!(need(ReadConsistency::Eventual), Token::default());
        assert_eq!(need(ReadConsistency::ReadYourWrites), at(2, 7));
        assert_eq!(need(ReadConsistency::Monotonic), at(1, 4));
        let bounded = ReadConsistency::BoundedStaleness { max: Dur::ms(200) };
        assert_eq!(
            s.need(bounded, OnBehind::Redirect).max_staleness,
            Some(200_000)
        );
        assert!(
            s.need(ReadConsistency::Linearizable, OnBehind::Wait)
                .linearizable
        );
    }

    #[test]
    fn parses_levels() {
        let l: ReadConsistency = serde_json::from_str(r#""readYourWrites""#).unwrap();
        assert_eq!(l, ReadConsistency::ReadYourWrites);
        let l: ReadConsistency =
            serde_json::from_str(r#"{"boundedStaleness": {"max": "150ms"}}"#).unwrap();
        assert_eq!(l, ReadConsistency::BoundedStaleness { max: Dur::ms(150) });
    }
}
