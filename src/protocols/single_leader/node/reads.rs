//! How a node serves reads at the consistency level each one asks for (see
//! `consistency.rs`): at once, after waiting until it has applied enough or is fresh
//! enough, by sending the client elsewhere, from its majority-committed snapshot, or — for
//! linearizable reads on the primary — Raft's read index (dissertation §6.4): once an entry
//! of its own term has committed, it takes its newest visible position as the read index,
//! confirms with a heartbeat round *of its current term* that a majority still follows it,
//! waits until the read index is committed, and answers from the committed store.

use super::{Node, Role};
use crate::kernel::time::Micros;
use crate::protocols::single_leader::consistency::{OnBehind, ReadNeed, Token};
use crate::protocols::single_leader::messages::{
    Addr, ClientId, Ctx, Lsn, Message, NodeId, OpId, Rejection, Reply, Text,
};
use std::collections::BTreeMap;

/// A read waiting for this node to apply up to `min` (and, for a bounded-staleness read
/// that waits, to be at most `max_staleness` behind).
#[derive(Clone, Debug)]
struct ParkedRead {
    client: ClientId,
    op: OpId,
    key: Text,
    min: Token,
    max_staleness: Option<Micros>,
}

/// A linearizable read waiting for its read-index round and its read index to commit.
#[derive(Clone, Debug)]
struct LinearRead {
    client: ClientId,
    op: OpId,
    key: Text,
    /// The round that confirms leadership for it (0: not started, the primary's term has
    /// no committed entry yet).
    round: u64,
    read_index: Lsn,
}

/// A node's read bookkeeping.
#[derive(Clone, Debug, Default)]
pub struct ReadState {
    parked: Vec<ParkedRead>,
    /// Primary: the latest read-index round started.
    pub round: u64,
    linear: Vec<LinearRead>,
    /// Primary: the highest round each replica has echoed in the current term.
    round_acks: BTreeMap<NodeId, u64>,
    /// Replica: the latest round seen from the current primary, echoed in its reports
    /// (reset when another primary appears, so an echo always answers this primary).
    pub seen_round: u64,
    /// Replica: the primary's flushed position, as last heard.
    pub primary_flushed: Lsn,
    /// Replica: the primary's clock when it sent the latest message received.
    pub primary_info_at: Micros,
    /// Replica: the primary's clock when it sent the first message showing this replica
    /// behind its flushed position.
    behind_since: Option<Micros>,
}

impl ReadState {
    /// Volatile: a crash forgets waiting reads and rounds.
    pub fn reset(&mut self, now: Micros) {
        *self = ReadState {
            primary_info_at: now,
            round: self.round,
            ..ReadState::default()
        };
    }

    /// A new leadership: echoes from earlier ones confirm nothing.
    pub fn reset_rounds(&mut self) {
        self.round_acks.clear();
        self.linear.clear();
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
        if need.primary_only && self.role != Role::Primary {
            let reply = Reply::Rejected(Rejection::NotPrimary {
                primary_hint: self.primary_hint.filter(|&p| p != self.id),
            });
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
            return;
        }
        if need.linearizable {
            self.start_linearizable_read(ctx, client, op, key);
            return;
        }
        if need.committed {
            self.keep_committed_store();
            self.serve_read(ctx, client, op, &key, true);
            return;
        }
        let too_stale = need
            .max_staleness
            .is_some_and(|max| self.staleness(ctx.now) > max);
        let behind = !self.has_applied(need.min);
        // The primary never sends a read elsewhere: it waits for its own flush.
        let redirect = need.on_behind == OnBehind::Redirect && self.role != Role::Primary;
        if (too_stale || behind) && redirect {
            let reply = Reply::Rejected(Rejection::Behind {
                applied: self.positions.applied,
                primary_hint: self.primary_hint,
            });
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
        } else if too_stale || behind {
            self.reads.parked.push(ParkedRead {
                client,
                op,
                key,
                min: need.min,
                max_staleness: need.max_staleness,
            });
        } else {
            self.serve_read(ctx, client, op, &key, false);
        }
    }

    /// Answers from the visible store, or from the committed one.
    fn serve_read(&self, ctx: &mut Ctx, client: ClientId, op: OpId, key: &Text, committed: bool) {
        let (store, upto) = if committed {
            (&self.committed, self.committed_upto)
        } else {
            (&self.kv, self.positions.applied)
        };
        let reply = Reply::Value {
            version: store.get(key).cloned(),
            applied: Token {
                term: self.term_at(upto),
                lsn: upto,
            },
        };
        ctx.send(Addr::Client(client), Message::Reply { op, reply });
    }

    /// Serves the parked reads that can now be served (after applying, or after hearing
    /// from the primary that this node is fresher than it thought).
    pub(super) fn serve_parked(&mut self, ctx: &mut Ctx) {
        let applied = self.positions.applied;
        if self.reads.primary_flushed <= applied {
            self.reads.behind_since = None;
        }
        if self.reads.parked.is_empty() {
            return;
        }
        let staleness = self.staleness(ctx.now);
        let parked = std::mem::take(&mut self.reads.parked);
        let (ready, waiting): (Vec<_>, Vec<_>) = parked.into_iter().partition(|r| {
            self.has_applied(r.min) && r.max_staleness.is_none_or(|max| staleness <= max)
        });
        self.reads.parked = waiting;
        for r in ready {
            self.serve_read(ctx, r.client, r.op, &r.key, false);
        }
    }

    /// Whether this node has applied the entry at `token` (or one a newer term wrote over
    /// it: the token's branch is gone, and waiting would not bring it back).
    pub fn has_applied(&self, token: Token) -> bool {
        token.lsn == 0
            || (self.positions.applied >= token.lsn && self.term_at(token.lsn) >= token.term)
    }

    /// How stale this node's data may be, as far as it can tell (times on the primary's
    /// clock): zero on the primary; on a replica that has applied all the primary had
    /// flushed when it last wrote, the age of that message; on one that is behind, the age
    /// of the oldest write it has not applied (or of the first message that told it).
    pub fn staleness(&self, now: Micros) -> Micros {
        if self.role == Role::Primary {
            return 0;
        }
        let r = &self.reads;
        let since = if r.primary_flushed > self.positions.applied {
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
    pub(super) fn heard_from_primary(&mut self, flushed: Lsn, round: u64, sent_at: Micros) {
        let r = &mut self.reads;
        r.primary_info_at = r.primary_info_at.max(sent_at);
        r.primary_flushed = r.primary_flushed.max(flushed);
        r.seen_round = r.seen_round.max(round);
        if r.primary_flushed > self.positions.applied {
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
        self.keep_committed_store();
        self.reads.linear.push(LinearRead {
            client,
            op,
            key,
            round: 0,
            read_index: 0,
        });
        self.serve_confirmed_reads(ctx);
    }

    /// Whether an entry of this primary's own term has committed (its no-op at least): only
    /// then does its commit index reflect everything committed before it led.
    fn own_term_committed(&self) -> bool {
        self.leader
            .as_ref()
            .is_some_and(|l| self.commit >= l.term_start)
    }

    /// The primary records a replica's echo of a read-index round (of the current term:
    /// the caller only passes acknowledgements carrying it).
    pub(super) fn on_round_ack(&mut self, ctx: &mut Ctx, replica: NodeId, round: u64) {
        let seen = self.reads.round_acks.entry(replica).or_insert(0);
        if round > *seen {
            *seen = round;
            self.serve_confirmed_reads(ctx);
        }
    }

    /// Starts rounds for linearizable reads that can have one now, and serves those whose
    /// round a majority of voters (the primary included) confirmed and whose read index has
    /// committed.
    pub(super) fn serve_confirmed_reads(&mut self, ctx: &mut Ctx) {
        if self.reads.linear.is_empty() || self.role != Role::Primary {
            return;
        }
        if self.own_term_committed() && self.reads.linear.iter().any(|r| r.round == 0) {
            self.reads.round += 1;
            let (round, read_index) = (self.reads.round, self.positions.applied.max(self.commit));
            for r in self.reads.linear.iter_mut().filter(|r| r.round == 0) {
                r.round = round;
                r.read_index = read_index;
            }
            self.send_heartbeats(ctx);
        }
        let me = self.id;
        let confirmed_round = {
            let mut echoes: Vec<u64> = self
                .config
                .voter_ids()
                .map(|v| {
                    if v == me {
                        u64::MAX
                    } else {
                        self.reads.round_acks.get(&v).copied().unwrap_or(0)
                    }
                })
                .collect();
            echoes.sort_unstable_by(|a, b| b.cmp(a));
            echoes
                .get(self.config.majority().saturating_sub(1))
                .copied()
                .unwrap_or(0)
        };
        let commit = self.commit;
        let ready =
            |r: &LinearRead| r.round > 0 && r.round <= confirmed_round && r.read_index <= commit;
        if !self.reads.linear.iter().any(ready) {
            return;
        }
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.reads.linear)
            .into_iter()
            .partition(ready);
        self.reads.linear = waiting;
        for r in ready {
            self.serve_read(ctx, r.client, r.op, &r.key, true);
        }
    }
}
