//! The coordinator's write path (Cassandra's `StorageProxy.mutate`, Dynamo §4.5-4.6): stamp
//! the write with the coordinator's own clock; send it to every replica of the key it
//! takes for up (strict), or to the first N up nodes of the key's preference list, fallbacks
//! standing in for down replicas and told whom they keep it for (sloppy); keep a hint for a
//! replica it takes for down; refuse at once when too few can answer (Unavailable); answer
//! the client as soon as the level is met; at the write timeout, hint every replica that has
//! not answered, and tell the client "timed out" if the level was never met.

use super::{Node, Params};
use crate::kernel::geo::Region;
use crate::kernel::ids::bit;
use crate::kernel::{Addr, NodeId, OpId, Text};
use crate::protocols::leaderless::messages::{Cell, Ctx, Message, NodeEvent, Reply, Timer};
use crate::protocols::leaderless::settings::{Level, QuorumMode};

/// A write this node coordinates.
#[derive(Clone, Debug)]
pub struct PendingWrite {
    pub op: OpId,
    pub client: Addr,
    pub key: Text,
    pub cell: Cell,
    pub level: Level,
    /// Where it was sent, with the replica a fallback keeps it for.
    pub targets: Vec<(NodeId, Option<NodeId>)>,
    /// Targets that stored it (a bit mask by node id).
    pub acked: u32,
    /// Hints the coordinator kept at once (they count for ANY only).
    pub hints: u32,
    pub replied: bool,
}

/// Whether the nodes in `acked` (plus `hints` for ANY) meet `level` for a key whose N
/// replicas are `naturals`, seen from a coordinator in `home`.
pub fn met(
    params: &Params,
    level: Level,
    naturals: &[NodeId],
    acked: &[NodeId],
    hints: u32,
    home: Option<Region>,
) -> bool {
    let n = naturals.len();
    let quorum_in = |region: Option<Region>| {
        let replicas = naturals
            .iter()
            .filter(|&&r| params.region(r) == region)
            .count();
        let answered = acked
            .iter()
            .filter(|&&a| params.region(a) == region)
            .count();
        replicas > 0 && answered > replicas / 2
    };
    match level {
        Level::Any => acked.len() + hints as usize >= 1,
        Level::LocalQuorum => quorum_in(home),
        Level::EachQuorum => {
            let mut regions: Vec<Option<Region>> =
                naturals.iter().map(|&r| params.region(r)).collect();
            regions.sort_by_key(|r| r.map(crate::kernel::geo::name));
            regions.dedup();
            regions.into_iter().all(quorum_in)
        }
        _ => acked.len() >= level.count(n).max(1),
    }
}

/// Where a request for a key goes, as its coordinator sees the cluster.
pub(crate) struct Targets {
    /// The key's N replicas.
    pub naturals: Vec<NodeId>,
    /// The nodes it goes to, with the replica each stands in for (sloppy quorum).
    pub targets: Vec<(NodeId, Option<NodeId>)>,
    /// Replicas taken for down with no stand-in.
    pub uncovered: Vec<NodeId>,
}

impl Node {
    /// Where a request for `key` goes.
    pub(crate) fn targets(&self, key: &str) -> Targets {
        let n = self.params.n();
        let pref = self.params.ring.preference(key);
        let naturals: Vec<NodeId> = pref.iter().copied().take(n).collect();
        let mut targets = Vec::new();
        let mut uncovered = Vec::new();
        let mut fallbacks = pref.iter().copied().skip(n).filter(|&f| self.thinks_up(f));
        for &r in &naturals {
            if self.thinks_up(r) {
                targets.push((r, None));
            } else if self.spec().quorum == QuorumMode::Sloppy {
                match fallbacks.next() {
                    Some(f) => targets.push((f, Some(r))),
                    None => uncovered.push(r),
                }
            } else {
                uncovered.push(r);
            }
        }
        Targets {
            naturals,
            targets,
            uncovered,
        }
    }

    pub(super) fn coordinate_write(
        &mut self,
        ctx: &mut Ctx,
        client: Addr,
        op: OpId,
        key: Text,
        value: Text,
        level: Level,
    ) {
        let Targets {
            naturals,
            targets,
            uncovered,
        } = self.targets(&key);
        let home = self.params.region(self.id);
        let could: Vec<NodeId> = targets.iter().map(|t| t.0).collect();
        let hints_possible = if self.spec().hinted_handoff {
            uncovered.len() as u32
        } else {
            0
        };
        if !met(&self.params, level, &naturals, &could, hints_possible, home) {
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
        let ts = ctx.now.max(self.last_ts + 1);
        self.last_ts = ts;
        let pos = (ts, u64::from(self.id) + 1);
        ctx.emit(NodeEvent::Stamped { op, pos });
        let cell = Cell { value, op, pos };
        let req = self.next_req();
        let mut hints = 0;
        for &r in &uncovered {
            hints += u32::from(self.keep_hint(ctx, r, key.clone(), cell.clone()));
        }
        let mut pending = PendingWrite {
            op,
            client,
            key: key.clone(),
            cell: cell.clone(),
            level,
            targets: targets.clone(),
            acked: 0,
            hints,
            replied: false,
        };
        for &(t, hint_for) in &targets {
            if t == self.id {
                self.store_cell(ctx, key.clone(), cell.clone());
                pending.acked |= bit(t);
            } else {
                let msg = Message::Mutation {
                    req,
                    key: key.clone(),
                    cell: cell.clone(),
                    hint_for,
                };
                ctx.send(Addr::Node(t), msg);
            }
        }
        self.writes.insert(req, pending);
        self.check_write(ctx, req);
        ctx.set_timer(Timer::WriteTimeout(req), self.spec().write_timeout.micros());
    }

    pub(super) fn write_acked(&mut self, ctx: &mut Ctx, req: u64, from: NodeId) {
        if let Some(w) = self.writes.get_mut(&req) {
            if w.targets.iter().any(|t| t.0 == from) {
                w.acked |= bit(from);
            }
            self.check_write(ctx, req);
        }
    }

    /// Answers the client once the level is met; forgets the write once every target
    /// has it.
    fn check_write(&mut self, ctx: &mut Ctx, req: u64) {
        let Some(w) = self.writes.get(&req) else {
            return;
        };
        let naturals = self.params.ring.replicas(&w.key, self.params.n());
        let acked: Vec<NodeId> = w
            .targets
            .iter()
            .map(|t| t.0)
            .filter(|&t| w.acked & bit(t) != 0)
            .collect();
        let home = self.params.region(self.id);
        if !w.replied && met(&self.params, w.level, &naturals, &acked, w.hints, home) {
            let (op, client, pos) = (w.op, w.client, w.cell.pos);
            ctx.emit(NodeEvent::Acknowledged {
                op,
                by: w.acked,
                hints: w.hints,
            });
            ctx.send(
                client,
                Message::Reply {
                    op,
                    reply: Reply::Written { pos },
                },
            );
            if let Some(w) = self.writes.get_mut(&req) {
                w.replied = true;
            }
        }
        if let Some(w) = self.writes.get(&req) {
            if w.replied && acked.len() == w.targets.len() {
                self.writes.remove(&req);
            }
        }
    }

    pub(super) fn write_timed_out(&mut self, ctx: &mut Ctx, req: u64) {
        let Some(w) = self.writes.remove(&req) else {
            return;
        };
        for &(t, hint_for) in &w.targets {
            if w.acked & bit(t) == 0 {
                self.keep_hint(ctx, hint_for.unwrap_or(t), w.key.clone(), w.cell.clone());
            }
        }
        if !w.replied {
            ctx.send(
                w.client,
                Message::Reply {
                    op: w.op,
                    reply: Reply::Timeout,
                },
            );
        }
    }
}
