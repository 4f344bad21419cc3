//! What leaderless nodes and clients say to each other: a client's request to its
//! coordinator and the coordinator's reply; the coordinator's mutations, data and digest
//! reads and read repairs to replicas; hints handed off; gossip. Also the nodes' timers and
//! the events they record in the trace.

use super::settings::Level;
use super::Leaderless;
use crate::clients::history::OpKind;
use crate::kernel::{NodeId, OpId, Pos, Text};
use serde::Serialize;

pub type Ctx<'a> = crate::kernel::protocol::Ctx<'a, Leaderless>;

/// A stored value: what was written, by which operation, at which timestamp. Under
/// last-write-wins the greater `pos` (timestamp, then the coordinator's id + 1) wins.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    pub value: Text,
    pub op: OpId,
    pub pos: Pos,
}

/// A cell's digest (Cassandra hashes the data; the lab hashes what identifies a version).
pub fn digest(cell: Option<&Cell>) -> u64 {
    match cell {
        None => 0,
        Some(c) => {
            let mut bytes = [0u8; 24];
            bytes[..8].copy_from_slice(&c.pos.0.to_le_bytes());
            bytes[8..16].copy_from_slice(&c.pos.1.to_le_bytes());
            bytes[16..].copy_from_slice(&c.op.to_le_bytes());
            super::ring::hash(&bytes) | 1
        }
    }
}

/// A coordinator's answer to a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reply {
    Written {
        pos: Pos,
    },
    Value {
        cell: Option<Cell>,
    },
    /// Too few replicas are up for the level: nothing was written (Cassandra's
    /// UnavailableException).
    Unavailable,
    /// Too few replicas answered in time: a write may or may not have happened.
    Timeout,
    Overloaded,
    /// Not an operation of this model (compare-and-set).
    Unsupported,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// Client → coordinator.
    Write {
        op: OpId,
        key: Text,
        value: Text,
        level: Level,
    },
    Read {
        op: OpId,
        key: Text,
        level: Level,
    },
    /// A compare-and-set: refused (it needs consensus: Cassandra's lightweight
    /// transactions run Paxos, not modelled here).
    Cas {
        op: OpId,
    },
    /// Coordinator → client.
    Reply {
        op: OpId,
        reply: Reply,
    },
    /// Coordinator → replica: store this (a fallback keeps it for `hint_for` too).
    Mutation {
        req: u64,
        key: Text,
        cell: Cell,
        hint_for: Option<NodeId>,
    },
    MutationAck {
        req: u64,
    },
    /// Coordinator → replica: the full data of a key, or only its digest.
    ReadData {
        req: u64,
        key: Text,
    },
    ReadDigest {
        req: u64,
        key: Text,
    },
    Data {
        req: u64,
        cell: Option<Cell>,
    },
    Digest {
        req: u64,
        digest: u64,
    },
    /// Coordinator → a contacted replica that lacked the newest version.
    Repair {
        req: u64,
        key: Text,
        cell: Cell,
    },
    RepairAck {
        req: u64,
    },
    /// Hints handed off to the replica they were kept for (numbered by the keeper).
    Hints {
        batch: Vec<(u64, Text, Cell)>,
    },
    HintsAck {
        upto: u64,
    },
    /// Gossip: "I am alive".
    Ping,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MsgKind {
    Request,
    Reply,
    Mutation,
    Ack,
    ReadData,
    ReadDigest,
    Data,
    Digest,
    Repair,
    Hints,
    Ping,
}

impl crate::kernel::Message for Message {
    type Kind = MsgKind;

    fn kind(&self) -> MsgKind {
        match self {
            Message::Write { .. } | Message::Read { .. } | Message::Cas { .. } => MsgKind::Request,
            Message::Reply { .. } => MsgKind::Reply,
            Message::Mutation { .. } => MsgKind::Mutation,
            Message::MutationAck { .. } | Message::RepairAck { .. } | Message::HintsAck { .. } => {
                MsgKind::Ack
            }
            Message::ReadData { .. } => MsgKind::ReadData,
            Message::ReadDigest { .. } => MsgKind::ReadDigest,
            Message::Data { .. } => MsgKind::Data,
            Message::Digest { .. } => MsgKind::Digest,
            Message::Repair { .. } => MsgKind::Repair,
            Message::Hints { .. } => MsgKind::Hints,
            Message::Ping => MsgKind::Ping,
        }
    }

    fn label(&self) -> String {
        match self {
            Message::Write {
                key, value, level, ..
            } => format!("write {key}={value} at {}", level.name()),
            Message::Read { key, level, .. } => format!("read {key} at {}", level.name()),
            Message::Cas { .. } => "compare-and-set".into(),
            Message::Reply { reply, .. } => match reply {
                Reply::Written { pos } => format!("ok (timestamp {})", pos.0),
                Reply::Value { cell: Some(c) } => format!("{} (timestamp {})", c.value, c.pos.0),
                Reply::Value { cell: None } => "no value".into(),
                Reply::Unavailable => "unavailable".into(),
                Reply::Timeout => "timed out".into(),
                Reply::Overloaded => "overloaded".into(),
                Reply::Unsupported => "not supported".into(),
            },
            Message::Mutation {
                key,
                cell,
                hint_for,
                ..
            } => match hint_for {
                Some(n) => format!("store {key}={} for n{n}", cell.value),
                None => format!("store {key}={} @{}", cell.value, cell.pos.0),
            },
            Message::MutationAck { .. } => "stored".into(),
            Message::RepairAck { .. } => "repaired".into(),
            Message::HintsAck { upto } => format!("hints to #{upto} applied"),
            Message::ReadData { key, .. } => format!("data of {key}?"),
            Message::ReadDigest { key, .. } => format!("digest of {key}?"),
            Message::Data { cell: Some(c), .. } => format!("{} @{}", c.value, c.pos.0),
            Message::Data { cell: None, .. } => "no value".into(),
            Message::Digest { digest, .. } => format!("digest {:04x}", digest & 0xffff),
            Message::Repair { key, cell, .. } => format!("repair {key}={}", cell.value),
            Message::Hints { batch } => format!("{} hint(s)", batch.len()),
            Message::Ping => "gossip".into(),
        }
    }

    fn request(&self) -> Option<(OpId, OpKind)> {
        match self {
            Message::Write { op, .. } => Some((*op, OpKind::Write)),
            Message::Cas { op } => Some((*op, OpKind::Cas)),
            Message::Read { op, .. } => Some((*op, OpKind::Read)),
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
            reply: Reply::Overloaded,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Gossip, hint replay and hint expiry.
    Gossip,
    WriteTimeout(u64),
    ReadTimeout(u64),
}

/// What a node records in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum NodeEvent {
    /// A coordinator stamped a write: its place in the order of writes.
    Stamped {
        op: OpId,
        pos: Pos,
    },
    /// A write reached its level at the coordinator (`by`: the replicas that counted, a
    /// bit mask; `hints`: hints that counted, for ANY).
    Acknowledged {
        op: OpId,
        by: u32,
        hints: u32,
    },
    /// A replica stored a version (`newer`: it replaced an older one).
    Stored {
        op: OpId,
        newer: bool,
    },
    HintStored {
        for_node: NodeId,
        op: OpId,
    },
    HintsReplayed {
        to: NodeId,
        count: u32,
    },
    /// Hints older than the hint window, dropped unreplayed.
    HintsDropped {
        for_node: NodeId,
        count: u32,
    },
    /// Digests disagreed: the coordinator asked the replicas for full data.
    DigestMismatch {
        op: OpId,
    },
    /// A read repaired `node` with the version of `op`.
    ReadRepair {
        node: NodeId,
        op: OpId,
    },
    /// A read's coordinator asked these replicas (a bit mask), the first for the data.
    ReadAsked {
        op: OpId,
        contacted: u32,
    },
    /// Too few replicas up for the level.
    Unavailable {
        op: OpId,
    },
    MarkedDown {
        peer: NodeId,
    },
    MarkedUp {
        peer: NodeId,
    },
}
