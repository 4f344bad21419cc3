//! The leaderless clients' side: which node coordinates an operation (the driver's
//! load-balancing policy: token-aware, nearest or random), at which consistency level, and
//! what a read at that level promises.
//!
//! A read promises freshness (never older than a write acknowledged before it began, and
//! linearizability with it) only under a strict quorum with R + W > N and blocking read
//! repair: the read and write sets then overlap in at least one replica, and a read that
//! saw a newer version has written it to a read quorum before answering. A sloppy quorum,
//! R + W <= N, or no read repair promise nothing.

use super::messages::Message;
use super::settings::{CoordinatorChoice, Level, QuorumMode, ReadRepair};
use super::Leaderless;
use crate::clients::history::{Op, OpKind, ReadPromise};
use crate::kernel::geo;
use crate::kernel::protocol::OpSpec;
use crate::kernel::time::Micros;
use crate::kernel::{ClientId, NodeId, Text, World};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// What a leaderless client session keeps: nodes that recently failed it, so a
/// token-aware client tries the key's next replica.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    pub avoid: BTreeMap<NodeId, Micros>,
}

/// The model's part of a history record.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The operation's consistency level (Cassandra's name).
    #[serde(serialize_with = "level_name")]
    pub level: Option<Level>,
    /// For a write: its level (what write latency is charted by).
    #[serde(skip)]
    pub write_level: Option<Level>,
    /// For an acknowledged write: the replicas that had it when it was acknowledged (a bit
    /// mask; node ids in JSON).
    #[serde(serialize_with = "node_list")]
    pub acked_by: Option<u32>,
    #[serde(skip)]
    pub promise: ReadPromise,
    /// A write at a level a failure of a minority of replicas cannot undo (a strict
    /// QUORUM or more).
    #[serde(skip)]
    pub durable_level: bool,
}

fn level_name<S: Serializer>(level: &Option<Level>, s: S) -> Result<S::Ok, S::Error> {
    match level {
        Some(l) => s.serialize_str(l.name()),
        None => s.serialize_none(),
    }
}

fn node_list<S: Serializer>(mask: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match mask {
        Some(m) => s.collect_seq((0..32u32).filter(|i| m & (1 << i) != 0)),
        None => s.serialize_none(),
    }
}

/// Fills in the level and promise and picks the coordinator.
pub(super) fn route(
    world: &mut World<Leaderless>,
    client: ClientId,
    op: &mut OpSpec<Meta>,
) -> NodeId {
    let params = world.model.params.clone();
    let spec = &params.spec;
    let n = params.n();
    let strict = spec.quorum == QuorumMode::Strict;
    if op.kind.mutates() {
        let level = op.meta.level.unwrap_or(spec.write_consistency);
        op.meta.level = Some(level);
        op.meta.write_level = Some(level);
        op.meta.durable_level = strict && level != Level::Any && level.count(n) > n / 2;
    } else {
        let level = op.meta.level.unwrap_or(spec.read_consistency);
        op.meta.level = Some(level);
        let overlap = level.count(n) + spec.write_consistency.count(n) > n;
        let fresh = strict && overlap && spec.read_repair == ReadRepair::Blocking;
        op.meta.promise = ReadPromise {
            fresh,
            committed: fresh,
            own_writes: fresh,
            monotonic: fresh,
        };
    }
    if let Some(node) = op.target {
        return node;
    }
    let members: Vec<NodeId> = world
        .members()
        .into_iter()
        .filter(|&m| params.ring.contains(m))
        .collect();
    if members.is_empty() {
        return 0;
    }
    let now = world.now;
    let avoid_for = spec.down_after.micros();
    let session = &world.clients[client as usize].session;
    let avoided = |m: NodeId| {
        session
            .avoid
            .get(&m)
            .is_some_and(|&t| now.saturating_sub(t) < avoid_for)
    };
    match spec.coordinator {
        CoordinatorChoice::TokenAware => {
            let replicas = params.ring.replicas(&op.key, n);
            replicas
                .iter()
                .copied()
                .find(|&r| !avoided(r))
                .or(replicas.first().copied())
                .unwrap_or(members[0])
        }
        CoordinatorChoice::Nearest => {
            let region = world.clients[client as usize].region;
            let len = members.len() as u32;
            let tie = |m: NodeId| (m + len - client % len) % len;
            *members
                .iter()
                .filter(|&&m| !avoided(m))
                .min_by_key(|&&m| {
                    let at = world.nodes[m as usize].region;
                    (geo::client_extra(region, at), tie(m))
                })
                .unwrap_or(&members[0])
        }
        CoordinatorChoice::Random => {
            let i = world.model.rng.below(members.len() as u64) as usize;
            members[i]
        }
    }
}

/// The request for an operation.
pub(super) fn request(op: &Op<Meta>) -> Message {
    let level = op.meta.level.unwrap_or(Level::One);
    match op.kind {
        OpKind::Write => Message::Write {
            op: op.id,
            key: op.key.clone(),
            value: op.value.clone().unwrap_or_else(|| Text::from("")),
            level,
        },
        OpKind::Read => Message::Read {
            op: op.id,
            key: op.key.clone(),
            level,
        },
        OpKind::Cas => Message::Cas { op: op.id },
    }
}
