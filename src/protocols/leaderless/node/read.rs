//! The coordinator's read path (Cassandra's `StorageProxy.read` with digest reads and
//! blocking read repair): contact exactly as many replicas as the level needs, the
//! coordinator itself first when it is one; full data from the first, digests from the
//! others. Matching digests: answer. A mismatch: ask the digest replicas for their data too,
//! merge by timestamp (last write wins), and with `readRepair: blocking` write the newest
//! version back to the contacted replicas that lacked it, waiting for them, before
//! answering. Replicas that were not contacted are left as they are.

use super::write::met;
use super::Node;
use crate::kernel::ids::bit;
use crate::kernel::{Addr, NodeId, OpId, Text};
use crate::protocols::leaderless::messages::{digest, Cell, Ctx, Message, NodeEvent, Reply, Timer};
use crate::protocols::leaderless::settings::{Level, ReadRepair};
use std::collections::BTreeMap;

/// Where a read stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the data and the digests.
    Digests,
    /// Digests disagreed: waiting for every contacted replica's data.
    Full,
    /// Waiting for the repaired replicas (a bit mask) to confirm.
    Repairing(u32),
}

/// A read this node coordinates.
#[derive(Clone, Debug)]
pub struct PendingRead {
    pub op: OpId,
    pub client: Addr,
    pub key: Text,
    /// The replicas asked, the one asked for data first.
    pub contacted: Vec<NodeId>,
    pub data: BTreeMap<NodeId, Option<Cell>>,
    pub digests: BTreeMap<NodeId, u64>,
    pub phase: Phase,
    /// The newest version among the responses (once merged).
    pub merged: Option<Cell>,
}

impl Node {
    pub(super) fn coordinate_read(
        &mut self,
        ctx: &mut Ctx,
        client: Addr,
        op: OpId,
        key: Text,
        level: Level,
    ) {
        let super::write::Targets {
            naturals, targets, ..
        } = self.targets(&key);
        let home = self.params.region(self.id);
        // The coordinator first, then replicas in its region, then ring order.
        let mut candidates: Vec<NodeId> = targets.iter().map(|t| t.0).collect();
        candidates.sort_by_key(|&c| (c != self.id, self.params.region(c) != home));
        let mut contacted = Vec::new();
        for &c in &candidates {
            if met(&self.params, level, &naturals, &contacted, 0, home) {
                break;
            }
            let counts = level != Level::LocalQuorum || self.params.region(c) == home;
            if counts {
                contacted.push(c);
            }
        }
        if !met(&self.params, level, &naturals, &contacted, 0, home) {
            ctx.emit(NodeEvent::Unavailable { op });
            ctx.send(
                client,
                Message::Reply {
                    op,
                    reply: Reply::Unavailable,
                },
            );
            return;
        }
        let asked = contacted.iter().fold(0, |m, &c| m | bit(c));
        ctx.emit(NodeEvent::ReadAsked {
            op,
            contacted: asked,
        });
        let req = self.next_req();
        self.reads.insert(
            req,
            PendingRead {
                op,
                client,
                key: key.clone(),
                contacted: contacted.clone(),
                data: BTreeMap::new(),
                digests: BTreeMap::new(),
                phase: Phase::Digests,
                merged: None,
            },
        );
        ctx.set_timer(Timer::ReadTimeout(req), self.spec().read_timeout.micros());
        for (i, &c) in contacted.iter().enumerate() {
            if c == self.id {
                let cell = self.store.get(&key).cloned();
                if i == 0 {
                    self.read_data(ctx, req, c, cell);
                } else {
                    self.read_digest(ctx, req, c, digest(cell.as_ref()));
                }
            } else if i == 0 {
                let msg = Message::ReadData {
                    req,
                    key: key.clone(),
                };
                ctx.send(Addr::Node(c), msg);
            } else {
                let msg = Message::ReadDigest {
                    req,
                    key: key.clone(),
                };
                ctx.send(Addr::Node(c), msg);
            }
        }
    }

    pub(super) fn read_data(&mut self, ctx: &mut Ctx, req: u64, from: NodeId, cell: Option<Cell>) {
        if let Some(r) = self.reads.get_mut(&req) {
            if r.contacted.contains(&from) {
                r.data.insert(from, cell);
                self.advance_read(ctx, req);
            }
        }
    }

    pub(super) fn read_digest(&mut self, ctx: &mut Ctx, req: u64, from: NodeId, d: u64) {
        if let Some(r) = self.reads.get_mut(&req) {
            if r.contacted.contains(&from) {
                r.digests.insert(from, d);
                self.advance_read(ctx, req);
            }
        }
    }

    pub(super) fn repair_acked(&mut self, ctx: &mut Ctx, req: u64, from: NodeId) {
        if let Some(r) = self.reads.get_mut(&req) {
            if let Phase::Repairing(waiting) = r.phase {
                r.phase = Phase::Repairing(waiting & !bit(from));
                self.advance_read(ctx, req);
            }
        }
    }

    fn advance_read(&mut self, ctx: &mut Ctx, req: u64) {
        let repair = self.spec().read_repair;
        let Some(r) = self.reads.get_mut(&req) else {
            return;
        };
        match r.phase {
            Phase::Digests => {
                let first = r.contacted[0];
                let answered = r
                    .contacted
                    .iter()
                    .all(|c| r.data.contains_key(c) || r.digests.contains_key(c));
                if !answered || !r.data.contains_key(&first) {
                    return;
                }
                let data = r.data[&first].clone();
                let d = digest(data.as_ref());
                if r.digests.values().all(|&x| x == d) {
                    self.answer_read(ctx, req, data);
                    return;
                }
                ctx.emit(NodeEvent::DigestMismatch { op: r.op });
                r.phase = Phase::Full;
                let ask: Vec<NodeId> = r.digests.keys().copied().collect();
                let key = r.key.clone();
                for c in ask {
                    if c == self.id {
                        let cell = self.store.get(&key).cloned();
                        self.read_data(ctx, req, c, cell);
                    } else {
                        let msg = Message::ReadData {
                            req,
                            key: key.clone(),
                        };
                        ctx.send(Addr::Node(c), msg);
                    }
                }
            }
            Phase::Full => {
                if r.contacted.iter().any(|c| !r.data.contains_key(c)) {
                    return;
                }
                let merged = r.data.values().flatten().max_by_key(|c| c.pos).cloned();
                let Some(newest) = merged else {
                    self.answer_read(ctx, req, None);
                    return;
                };
                r.merged = Some(newest.clone());
                let stale: Vec<NodeId> = r
                    .data
                    .iter()
                    .filter(|(_, c)| c.as_ref().is_none_or(|c| c.pos < newest.pos))
                    .map(|(&n, _)| n)
                    .collect();
                if repair == ReadRepair::None || stale.is_empty() {
                    self.answer_read(ctx, req, Some(newest));
                    return;
                }
                let key = r.key.clone();
                let mut waiting = 0;
                for &n in &stale {
                    ctx.emit(NodeEvent::ReadRepair {
                        node: n,
                        op: newest.op,
                    });
                    if n == self.id {
                        self.store_cell(ctx, key.clone(), newest.clone());
                    } else {
                        waiting |= bit(n);
                        let msg = Message::Repair {
                            req,
                            key: key.clone(),
                            cell: newest.clone(),
                        };
                        ctx.send(Addr::Node(n), msg);
                    }
                }
                if let Some(r) = self.reads.get_mut(&req) {
                    r.phase = Phase::Repairing(waiting);
                }
                self.advance_read(ctx, req);
            }
            Phase::Repairing(waiting) => {
                if waiting == 0 {
                    let merged = r.merged.clone();
                    self.answer_read(ctx, req, merged);
                }
            }
        }
    }

    fn answer_read(&mut self, ctx: &mut Ctx, req: u64, cell: Option<Cell>) {
        if let Some(r) = self.reads.remove(&req) {
            let reply = Reply::Value { cell };
            ctx.send(r.client, Message::Reply { op: r.op, reply });
        }
    }

    pub(super) fn read_timed_out(&mut self, ctx: &mut Ctx, req: u64) {
        if let Some(r) = self.reads.remove(&req) {
            let reply = Reply::Timeout;
            ctx.send(r.client, Message::Reply { op: r.op, reply });
        }
    }
}
