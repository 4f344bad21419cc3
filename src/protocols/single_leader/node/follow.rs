//! A replica following the primary's log: the append consistency check (Raft's
//! `prevLogIndex` / `prevLogTerm`), truncation of a divergent suffix (pg_rewind, a MongoDB
//! rollback), the flush and apply stages every node runs, and the position reports a
//! replica sends back (PostgreSQL's write / flush / replay LSNs).

use super::{Node, Role, Stage};
use crate::protocols::single_leader::messages::{
    Addr, Append, AppendAck, Ctx, InstallSnapshot, Lsn, Message, NodeEvent, NodeId, Positions,
};

impl Node {
    pub(super) fn on_append(&mut self, ctx: &mut Ctx, primary: NodeId, append: Append) {
        let Append {
            term,
            prev_lsn,
            prev_term,
            entries,
            commit,
            flushed,
            round,
            sent_at,
            last,
        } = append;
        if term < self.term {
            // A deposed primary: tell it the newer term so it steps down (Raft).
            let msg = Message::AppendAck(self.ack(self.positions, false));
            ctx.send(Addr::Node(primary), msg);
            return;
        }
        if term > self.term || self.role != Role::Replica {
            self.step_down(ctx, term);
        }
        if self.primary_hint != Some(primary) {
            // A new primary: nothing matched with it yet, no read-index round seen.
            self.matched = 0;
            self.reads.seen_round = 0;
        }
        // It leads this term: a vote for anyone else in it could elect a second leader.
        self.voted_for.get_or_insert(primary);
        self.primary_hint = Some(primary);
        self.last_heard_primary = ctx.now;
        self.pre_voting = false;
        self.heard_from_primary(flushed, round, sent_at);
        let reply_to = Addr::Node(primary);
        if prev_lsn <= self.wal.base() && prev_lsn > 0 && self.term_at(prev_lsn) != prev_term {
            // The primary disagrees with what this node has checkpointed (only possible
            // after a forced promotion): its data cannot be rewound, so it starts empty
            // and asks for everything (a base backup, since the primary has recycled).
            self.truncate_from(ctx, prev_lsn);
        }
        if prev_lsn > self.last_lsn() || self.term_at(prev_lsn) != prev_term {
            // A gap (a batch was lost): ask for a resend from the end of the log. A
            // divergent entry: ask from before the first entry of its term, so a whole
            // stale suffix is walked back in one round trip (Raft's fast backup).
            let received = if prev_lsn > self.last_lsn() {
                self.last_lsn()
            } else {
                // From before the first entry of the diverging term (but not into the
                // checkpoint: what it holds is committed).
                let first = self.wal.start_of_term_at(prev_lsn);
                first.saturating_sub(1).max(self.wal.base())
            };
            let positions = Positions {
                received,
                ..self.positions
            };
            ctx.send(reply_to, Message::AppendAck(self.ack(positions, false)));
            self.serve_parked(ctx);
            return;
        }
        let mut appended = false;
        let mut matched = prev_lsn + entries.len() as Lsn;
        for e in entries {
            if e.lsn <= self.last_lsn() {
                if self.term_at(e.lsn) == e.term {
                    continue;
                }
                self.truncate_from(ctx, e.lsn);
            }
            if e.lsn != self.last_lsn() + 1 {
                // Its data was reset below its checkpoint: it has nothing that matches.
                matched = self.last_lsn();
                break;
            }
            let lsn = e.lsn;
            self.wal.push(e);
            self.note_config(ctx, lsn);
            appended = true;
        }
        if matched == last && self.entry(last + 1).is_some_and(|e| e.term < term) {
            // It has the primary's whole log and more from an older term: the more can
            // never be the primary's (entries it adds later carry its own term).
            self.truncate_from(ctx, last + 1);
            appended = true;
        }
        self.matched = self.matched.max(matched);
        if appended {
            self.positions.received = self.last_lsn();
            ctx.emit(NodeEvent::Received {
                upto: self.positions.received,
            });
            self.start_flush(ctx);
        }
        // Only what matches the primary's log is known committed here.
        self.learn_commit(ctx, commit.min(self.matched));
        self.serve_parked(ctx);
        self.report(ctx);
    }

    /// Discards the log from `lsn` on (it diverged from the primary's, like pg_rewind or
    /// a MongoDB rollback); applied data past it is rolled back by replaying the rest.
    pub(super) fn truncate_from(&mut self, ctx: &mut Ctx, lsn: Lsn) {
        let mut keep = lsn.saturating_sub(1);
        if keep < self.wal.base() {
            // Only a forced promotion (no quorum) makes a primary disagree with entries
            // this node has checkpointed: its data cannot be rewound (pg_rewind needs the
            // WAL), so it starts empty and is re-seeded from a base backup.
            self.discarded = self.wal.from(0).cloned().collect();
            self.wal.reset();
            keep = 0;
        } else {
            self.discarded = self.wal.truncate_after(keep);
        }
        self.positions.received = self.positions.received.min(keep);
        self.positions.flushed = self.positions.flushed.min(keep);
        if self.positions.applied > keep {
            self.kv = self.wal.store_at(keep);
            self.positions.applied = keep;
        }
        if self.commit > keep {
            // Only a forced promotion (no quorum) can discard committed entries.
            self.commit = keep;
        }
        if self.committed_upto > keep {
            self.committed = self.wal.store_at(self.commit);
            self.committed_upto = self.commit;
        }
        if self.config_lsn > keep {
            self.config_from_log();
        }
        self.matched = self.matched.min(keep);
        self.flush = Stage::default();
        self.apply = Stage::default();
        ctx.emit(NodeEvent::Truncated {
            from: lsn,
            discarded: self.discarded.len() as u32,
        });
    }

    /// A base backup from the primary (InstallSnapshot): when it reaches further than this
    /// node's log matches, the node's data is replaced by it and the log starts after it.
    pub(super) fn on_snapshot(&mut self, ctx: &mut Ctx, primary: NodeId, s: InstallSnapshot) {
        let InstallSnapshot {
            term,
            checkpoint,
            commit,
            flushed,
            round,
            sent_at,
        } = s;
        if term < self.term {
            let msg = Message::AppendAck(self.ack(self.positions, false));
            ctx.send(Addr::Node(primary), msg);
            return;
        }
        if term > self.term || self.role != Role::Replica {
            self.step_down(ctx, term);
        }
        self.voted_for.get_or_insert(primary);
        self.primary_hint = Some(primary);
        self.last_heard_primary = ctx.now;
        self.pre_voting = false;
        self.heard_from_primary(flushed, round, sent_at);
        let upto = checkpoint.upto;
        let holds_it = upto <= self.positions.flushed
            && self.term_at(upto) == checkpoint.terms.last().map_or(0, |&(t, _)| t);
        if !holds_it {
            self.discarded.clear();
            self.wal.restore(checkpoint);
            self.kv = self.wal.store_at(upto);
            self.positions = Positions {
                received: upto,
                flushed: upto,
                applied: upto,
            };
            self.committed = self.kv.clone();
            self.committed_upto = upto;
            self.commit = upto;
            self.flush = Stage::default();
            self.apply = Stage::default();
            self.config_from_log();
            ctx.emit(NodeEvent::Reseeded { upto });
        }
        self.matched = self.matched.max(upto);
        self.learn_commit(ctx, commit.min(self.matched));
        self.serve_parked(ctx);
        self.report(ctx);
    }

    pub(super) fn start_flush(&mut self, ctx: &mut Ctx) {
        if self.flush.target.is_none() && self.positions.received > self.positions.flushed {
            self.flush.target = Some(self.positions.received);
            ctx.set_timer(
                crate::protocols::single_leader::messages::Timer::Flush,
                self.params.fsync,
            );
        }
    }

    pub(super) fn finish_flush(&mut self, ctx: &mut Ctx) {
        let Some(target) = self.flush.target.take() else {
            return;
        };
        let upto = target.min(self.last_lsn());
        if upto > self.positions.flushed {
            self.positions.flushed = upto;
            ctx.emit(NodeEvent::Flushed { upto });
        }
        if self.role == Role::Primary {
            self.schedule_ship(ctx);
            self.advance_commit(ctx);
            self.acknowledge_writes(ctx);
            self.apply_visible(ctx);
        } else {
            self.report(ctx);
            self.start_apply(ctx);
        }
        self.start_flush(ctx);
    }

    fn start_apply(&mut self, ctx: &mut Ctx) {
        let behind = self
            .positions
            .flushed
            .saturating_sub(self.positions.applied);
        if self.apply.target.is_none() && behind > 0 {
            self.apply.target = Some(self.positions.flushed);
            let after = self.params.apply_per_entry.saturating_mul(behind).max(1);
            ctx.set_timer(
                crate::protocols::single_leader::messages::Timer::Apply,
                after,
            );
        }
    }

    pub(super) fn finish_apply(&mut self, ctx: &mut Ctx) {
        if let Some(target) = self.apply.target.take() {
            self.apply_through(ctx, target.min(self.positions.flushed));
            self.report(ctx);
        }
        self.start_apply(ctx);
    }

    /// An acknowledgement carrying this node's term, latest round seen and disk state.
    pub(super) fn ack(&self, positions: Positions, accepted: bool) -> AppendAck {
        AppendAck {
            term: self.term,
            positions,
            accepted,
            round: self.reads.seen_round,
            amnesiac: self.amnesiac,
        }
    }

    /// A replica reports its positions to the primary.
    pub(super) fn report(&mut self, ctx: &mut Ctx) {
        if let Some(primary) = self.primary_hint.filter(|_| self.role == Role::Replica) {
            let m = self.matched;
            let positions = Positions {
                received: self.positions.received.min(m),
                flushed: self.positions.flushed.min(m),
                applied: self.positions.applied.min(m),
            };
            let msg = Message::AppendAck(self.ack(positions, true));
            ctx.send(Addr::Node(primary), msg);
        }
    }
}
