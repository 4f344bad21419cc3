//! What the nodes of a single-leader cluster and its clients say to each other: log
//! entries, client requests and replies, Raft-shaped appends and votes, the timers a node
//! sets and the observable steps it reports ([`NodeEvent`]). A node never touches the
//! network or a clock: a handler gets a [`Ctx`] and pushes commands into it.

use super::ack::AckPolicy;
use super::consistency::{ReadConsistency, ReadNeed};
pub use super::log::{Condition, Entry, Lsn, Payload, Positions, Term, Version};
use super::SingleLeader;
use crate::clients::history::OpKind;
use crate::kernel::time::Micros;
pub use crate::kernel::{Addr, ClientId, NodeId, OpId, Text};
use serde::Serialize;

/// The handler context of a single-leader node.
pub type Ctx<'a> = crate::kernel::Ctx<'a, SingleLeader>;

/// A client's request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Request {
    Write {
        key: Text,
        value: Text,
        /// A compare-and-set's compare (`Always` for a plain write).
        condition: Condition,
        ack: AckPolicy,
        /// The highest term the client has seen: a primary of a lower term learns it has
        /// been replaced and refuses (the client side of term fencing).
        term: Term,
    },
    Read {
        key: Text,
        need: ReadNeed,
        /// The level the need came from (for views; nodes act on `need`).
        level: ReadConsistency,
    },
}

/// Why a node refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rejection {
    /// Writes go to the primary; the hint says who the node believes that is.
    NotPrimary { primary_hint: Option<NodeId> },
    /// The replica cannot meet the read's consistency level now (too far behind, or
    /// staler than the bound); the client retries at the primary.
    Behind {
        applied: Lsn,
        primary_hint: Option<NodeId>,
    },
    /// The node's request queue is full (service-time model).
    Overloaded,
}

/// A node's answer to a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reply {
    Written {
        lsn: Lsn,
        term: Term,
        /// False for a compare-and-set whose compare failed (nothing was changed).
        swapped: bool,
    },
    Value {
        version: Option<Version>,
        /// The position the answering store had reached.
        applied: super::consistency::Token,
    },
    Rejected(Rejection),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    Append(Append),
    AppendAck(AppendAck),
    Request {
        op: OpId,
        request: Request,
    },
    Reply {
        op: OpId,
        reply: Reply,
    },
    /// A candidate asks for a vote (Raft's RequestVote).
    VoteRequest(VoteRequest),
    /// The answer to a vote request (`pre`: to a pre-vote).
    Vote {
        term: Term,
        granted: bool,
        pre: bool,
    },
    /// A primary handing over (planned switchover): "you are caught up, stand now"
    /// (Raft's TimeoutNow).
    TimeoutNow {
        term: Term,
    },
    /// A base backup for a replica too far behind (boxed: it carries a store).
    Snapshot(Box<InstallSnapshot>),
}

/// A candidate's request for votes: its new term and how up to date its log is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VoteRequest {
    pub term: Term,
    pub last_lsn: Lsn,
    pub last_term: Term,
    /// A pre-vote (Raft §9.6): "would you vote for me in `term`?", changing nothing.
    pub pre: bool,
}

/// Log shipping (and, with no entries, a heartbeat), shaped like Raft's AppendEntries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Append {
    pub term: Term,
    pub prev_lsn: Lsn,
    pub prev_term: Term,
    pub entries: Vec<Entry>,
    /// The primary's commit index (entries on a majority of voters).
    pub commit: Lsn,
    /// The primary's flushed position (replicas estimate how far behind they are from it).
    pub flushed: Lsn,
    /// The latest read-index round the primary has started (linearizable reads).
    pub round: u64,
    /// The primary's clock when it sent this (replicas estimate their staleness from it,
    /// like MongoDB's `lastWriteDate`; clock skew distorts it, as in real systems).
    pub sent_at: Micros,
    /// The primary's last LSN: a replica whose log runs past it (a deposed primary's
    /// unreplicated suffix) discards the excess, as pg_rewind would.
    pub last: Lsn,
}

/// A base backup for a replica the primary's WAL no longer reaches (PostgreSQL's
/// `pg_basebackup`, MongoDB's initial sync, Raft's InstallSnapshot): the primary's
/// checkpoint, the store as of its position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InstallSnapshot {
    pub term: Term,
    pub checkpoint: super::log::Checkpoint,
    pub commit: Lsn,
    pub flushed: Lsn,
    pub round: u64,
    pub sent_at: Micros,
}

/// A replica's report of its positions; `accepted: false` asks for a resend from
/// `positions.received`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AppendAck {
    pub term: Term,
    pub positions: Positions,
    pub accepted: bool,
    /// The latest read-index round this replica has seen from this primary.
    pub round: u64,
    /// The replica lost its disk and asks to be re-admitted (the incarnation it is).
    pub amnesiac: Option<u32>,
}

/// The kind of a message, for views and the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MsgKind {
    Append,
    /// A base backup (InstallSnapshot).
    Snapshot,
    Heartbeat,
    Ack,
    Nack,
    Write,
    Read,
    Reply,
    VoteRequest,
    Vote,
    TimeoutNow,
}

impl Message {
    pub fn kind(&self) -> MsgKind {
        match self {
            Message::Append(a) if a.entries.is_empty() => MsgKind::Heartbeat,
            Message::Append(_) => MsgKind::Append,
            Message::Snapshot(_) => MsgKind::Snapshot,
            Message::AppendAck(a) if a.accepted => MsgKind::Ack,
            Message::AppendAck(_) => MsgKind::Nack,
            Message::Request {
                request: Request::Write { .. },
                ..
            } => MsgKind::Write,
            Message::Request { .. } => MsgKind::Read,
            Message::Reply { .. } => MsgKind::Reply,
            Message::VoteRequest(_) => MsgKind::VoteRequest,
            Message::Vote { .. } => MsgKind::Vote,
            Message::TimeoutNow { .. } => MsgKind::TimeoutNow,
        }
    }

    /// A short human label ("lsn 4-7", "ack r7 f7 a5", "write k1=v") for tooltips.
    pub fn label(&self) -> String {
        match self {
            Message::Append(a) => match (a.entries.first(), a.entries.last()) {
                (Some(a), Some(b)) if a.lsn == b.lsn => format!("lsn {}", a.lsn),
                (Some(a), Some(b)) => format!("lsn {}-{}", a.lsn, b.lsn),
                _ => "heartbeat".into(),
            },
            Message::Snapshot(s) => format!(
                "base backup to lsn {} ({} keys)",
                s.checkpoint.upto,
                s.checkpoint.kv.len()
            ),
            Message::AppendAck(a) => format!(
                "{} recv {} flush {} apply {}",
                if a.accepted { "ack" } else { "nack" },
                a.positions.received,
                a.positions.flushed,
                a.positions.applied
            ),
            Message::Request {
                request:
                    Request::Write {
                        key,
                        value,
                        condition,
                        ..
                    },
                ..
            } => match condition {
                Condition::Always => format!("write {key}={value}"),
                Condition::Equals(old) => format!("cas {key} {old}→{value}"),
                Condition::Absent => format!("cas {key} nil→{value}"),
            },
            Message::Request {
                request: Request::Read { key, .. },
                ..
            } => format!("read {key}"),
            Message::Reply { reply, .. } => match reply {
                Reply::Written {
                    lsn, swapped: true, ..
                } => format!("ok lsn {lsn}"),
                Reply::Written { lsn, .. } => format!("cas failed (lsn {lsn})"),
                Reply::Value {
                    version: Some(v), ..
                } => format!("= {} (lsn {})", v.value, v.lsn),
                Reply::Value { version: None, .. } => "= nil".into(),
                Reply::Rejected(Rejection::NotPrimary { .. }) => "not primary".into(),
                Reply::Rejected(Rejection::Behind { .. }) => "behind: go to primary".into(),
                Reply::Rejected(Rejection::Overloaded) => "overloaded".into(),
            },
            Message::VoteRequest(v) if v.pre => format!("would you vote for me? term {}", v.term),
            Message::VoteRequest(v) => format!("vote for me? term {}", v.term),
            Message::Vote { term, granted, pre } => format!(
                "{}{} term {term}",
                if *pre { "pre-vote " } else { "" },
                if *granted { "yes" } else { "no" }
            ),
            Message::TimeoutNow { term } => format!("take over after term {term}"),
        }
    }
}

/// Timers a node can set. The world ignores a timer set before the node's last crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// An fsync finished.
    Flush,
    /// A batch of entries finished applying.
    Apply,
    /// Time to ship gathered entries.
    Ship,
    /// Periodic heartbeat / resend check of the primary of `term` (a timer of an earlier
    /// leadership is ignored).
    Heartbeat { term: Term },
    /// A replica checks whether it has heard from a primary recently enough; only the
    /// latest-armed check (`seq`) counts.
    Election { seq: u64 },
    /// A write has waited `semiSyncFallback` for its replicas.
    AckWait,
}

/// Observable steps inside a node, recorded in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum NodeEvent {
    Appended {
        lsn: Lsn,
    },
    Received {
        upto: Lsn,
    },
    Flushed {
        upto: Lsn,
    },
    Applied {
        upto: Lsn,
    },
    /// Entries from `from` on were discarded (they conflicted with the primary's log).
    Truncated {
        from: Lsn,
        discarded: u32,
    },
    /// No primary heard from for the election timeout: a candidate in a new term.
    ElectionStarted {
        term: Term,
    },
    /// Voted for `candidate` in `term`.
    Voted {
        candidate: NodeId,
        term: Term,
    },
    /// Won an election (or was promoted) and now leads `term`.
    BecamePrimary {
        term: Term,
    },
    /// Stopped leading: saw a higher term, or lost contact with a majority.
    SteppedDown {
        term: Term,
    },
    /// A write reached its acknowledgement condition and the client is told; `by` is the
    /// bit mask (by node id) of the replicas that counted; `durable`: those replicas and
    /// the primary had flushed it and form a majority of the voters (Raft then keeps it
    /// through any failover).
    Acknowledged {
        op: OpId,
        lsn: Lsn,
        by: u32,
        durable: bool,
    },
    /// Semi-sync gave up waiting and fell back to asynchronous acknowledgement (MySQL).
    SemiSyncOff,
    /// Enough replicas caught up and semi-sync is back on.
    SemiSyncOn,
    /// A checkpoint: the store as of `upto` is on disk and the WAL up to it recycled.
    Checkpointed {
        upto: Lsn,
    },
    /// The primary stopped keeping WAL for `replica`: it fell more than
    /// `maxSlotWalKeepSize` behind (PostgreSQL's slot `wal_status = lost`).
    SlotLost {
        replica: NodeId,
    },
    /// A replica was re-seeded from the primary's base backup up to `upto`.
    Reseeded {
        upto: Lsn,
    },
    /// A configuration entry was appended here and is now in force on this node.
    ConfigChanged {
        lsn: Lsn,
        membership: super::membership::Membership,
    },
    /// The primary's configuration entry at `lsn` committed (the next change may start).
    ConfigCommitted {
        lsn: Lsn,
        membership: super::membership::Membership,
    },
}

impl crate::kernel::Message for Message {
    type Kind = MsgKind;

    fn kind(&self) -> MsgKind {
        Message::kind(self)
    }

    fn label(&self) -> String {
        Message::label(self)
    }

    fn request(&self) -> Option<(OpId, OpKind)> {
        match self {
            Message::Request {
                op,
                request: Request::Read { .. },
            } => Some((*op, OpKind::Read)),
            Message::Request {
                op,
                request: Request::Write { condition, .. },
            } => Some((
                *op,
                if condition.is_cas() {
                    OpKind::Cas
                } else {
                    OpKind::Write
                },
            )),
            _ => None,
        }
    }

    fn reply_to(&self) -> Option<OpId> {
        match self {
            Message::Reply { op, .. } => Some(*op),
            _ => None,
        }
    }

    fn overloaded(op: OpId) -> Message {
        Message::Reply {
            op,
            reply: Reply::Rejected(Rejection::Overloaded),
        }
    }
}
