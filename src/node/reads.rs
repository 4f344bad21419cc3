//! How a node serves reads at the consistency level each one asks for (see
//! `consistency.rs`): at once, after waiting until it has applied enough, by sending the
//! client to the primary, or, for linearizable reads on the primary, after a read-index
//! round in which a majority confirms that it still leads (Raft §6.4).

use super::{Node, Role};
use crate::consistency::{OnBehind, ReadNeed};
use crate::protocol::{Addr, ClientId, Ctx, Lsn, Message, NodeId, OpId, Rejection, Reply, Text};
use crate::time::Micros;
use std::collections::BTreeMap;

/// A read waiting for this node to apply up to `min_lsn`.
#[derive(Clone, Debug)]
struct ParkedRead {
    client: ClientId,
    op: OpId,
    key: Text,
    min_lsn: Lsn,
}

/// A linearizable read waiting for a majority to confirm read-index round `round`.
#[derive(Clone, Debug)]
struct LinearRead {
    client: ClientId,
    op: OpId,
    key: Text,
    round: u64,
}

/// A node's read bookkeeping.
#[derive(Clone, Debug, Default)]
pub struct ReadState {
    parked: Vec<ParkedRead>,
    /// Primary: the latest read-index round started.
    pub round: u64,
    linear: Vec<LinearRead>,
    /// Primary: the highest round each replica has echoed.
    round_acks: BTreeMap<NodeId, u64>,
    /// Replica: the latest round seen from the primary, echoed in its reports.
    pub seen_round: u64,
    /// Replica: the primary's committed position, as last heard.
    pub primary_commit: Lsn,
    /// Replica: the primary's clock when it sent the latest message received.
    pub primary_info_at: Micros,
    /// Replica: the primary's clock when it sent the first message showing this replica
    /// behind its commit.
    behind_since: Option<Micros>,
}

impl ReadState {
    /// Volatile: a crash forgets waiting reads and rounds.
    pub fn reset(&mut self, now: Micros) {
        *self = ReadState {
            primary_info_at: now,
            ..ReadState::default()
        };
    }

    /// Reads this node holds (parked or waiting for a round).
    pub fn waiting(&self) -> usize {
        self.parked.len() + self.linear.len()
    }
}

impl Node {
    pub(super) fn on_read(
        &mut self,
        ctx: &mut Ctx,
        client: ClientId,
        op: OpId,
        key: Text,
        need: ReadNeed,
    ) {
        if need.linearizable {
            self.start_linearizable_read(ctx, client, op, key);
            return;
        }
        let too_stale = need
            .max_staleness
            .is_some_and(|max| self.staleness(ctx.now) > max);
        let behind = need.min_lsn > self.positions.applied;
        // The primary never sends a read elsewhere: it waits for its own flush.
        let redirect = need.on_behind == OnBehind::Redirect && self.role != Role::Primary;
        if too_stale || (behind && redirect) {
            let reply = Reply::Rejected(Rejection::Behind {
                applied: self.positions.applied,
                primary_hint: self.primary_hint,
            });
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
        } else if behind {
            self.reads.parked.push(ParkedRead {
                client,
                op,
                key,
                min_lsn: need.min_lsn,
            });
        } else {
            self.serve_read(ctx, client, op, &key);
        }
    }

    fn serve_read(&self, ctx: &mut Ctx, client: ClientId, op: OpId, key: &Text) {
        let reply = Reply::Value {
            version: self.kv.get(key).cloned(),
            applied: self.positions.applied,
        };
        ctx.send(Addr::Client(client), Message::Reply { op, reply });
    }

    /// After applying: serve the parked reads that can now be served.
    pub(super) fn serve_parked(&mut self, ctx: &mut Ctx) {
        let applied = self.positions.applied;
        if self.reads.primary_commit <= applied {
            self.reads.behind_since = None;
        }
        if self.reads.parked.iter().all(|r| r.min_lsn > applied) {
            return;
        }
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reads.parked)
            .into_iter()
            .partition(|r| r.min_lsn <= applied);
        self.reads.parked = waiting;
        for r in ready {
            self.serve_read(ctx, r.client, r.op, &r.key);
        }
    }

    /// How stale this node's data may be, as far as it can tell (times on the primary's
    /// clock): zero on the primary; on a replica that has applied all the primary had
    /// committed when it last wrote, the age of that message; on one that is behind, the
    /// age of the oldest write it has not applied (or of the first message that told it).
    pub fn staleness(&self, now: Micros) -> Micros {
        if self.role == Role::Primary {
            return 0;
        }
        let r = &self.reads;
        let since = if r.primary_commit > self.positions.applied {
            let oldest_missing = self.entry(self.positions.applied + 1).map(|e| e.written_at);
            oldest_missing
                .into_iter()
                .chain(r.behind_since)
                .min()
                .unwrap_or(r.primary_info_at)
        } else {
            r.primary_info_at
        };
        now.saturating_sub(since)
    }

    /// A replica notes what an append told it about the primary.
    pub(super) fn heard_from_primary(&mut self, commit: Lsn, round: u64, sent_at: Micros) {
        let r = &mut self.reads;
        r.primary_info_at = r.primary_info_at.max(sent_at);
        r.primary_commit = r.primary_commit.max(commit);
        r.seen_round = r.seen_round.max(round);
        if r.primary_commit > self.positions.applied {
            r.behind_since.get_or_insert(sent_at);
        } else {
            r.behind_since = None;
        }
    }

    fn start_linearizable_read(&mut self, ctx: &mut Ctx, client: ClientId, op: OpId, key: Text) {
        if self.role != Role::Primary {
            let reply = Reply::Rejected(Rejection::NotPrimary {
                primary_hint: self.primary_hint,
            });
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
            return;
        }
        self.reads.round += 1;
        let round = self.reads.round;
        self.reads.linear.push(LinearRead {
            client,
            op,
            key,
            round,
        });
        self.send_heartbeats(ctx);
        self.serve_confirmed_reads(ctx);
    }

    /// The primary records a replica's echo of a read-index round.
    pub(super) fn on_round_ack(&mut self, ctx: &mut Ctx, replica: NodeId, round: u64) {
        let seen = self.reads.round_acks.entry(replica).or_insert(0);
        if round > *seen {
            *seen = round;
            self.serve_confirmed_reads(ctx);
        }
    }

    /// Serves linearizable reads whose round a majority (the primary included) confirmed.
    fn serve_confirmed_reads(&mut self, ctx: &mut Ctx) {
        if self.reads.linear.is_empty() {
            return;
        }
        let peers: Vec<NodeId> = self
            .leader
            .as_ref()
            .map_or_else(Vec::new, |l| l.peers.keys().copied().collect());
        let cluster = peers.len() + 1;
        let majority = cluster / 2 + 1;
        let confirmed = |round: u64| {
            1 + peers
                .iter()
                .filter(|p| self.reads.round_acks.get(p).is_some_and(|&r| r >= round))
                .count()
                >= majority
        };
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reads.linear)
            .into_iter()
            .partition(|r| confirmed(r.round));
        self.reads.linear = waiting;
        for r in ready {
            self.serve_read(ctx, r.client, r.op, &r.key);
        }
    }
}
