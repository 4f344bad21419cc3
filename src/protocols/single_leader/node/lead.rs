//! The primary's work: taking writes (and compare-and-sets) into its log, shipping batches
//! and heartbeats to every replica and learner, tracking their positions, advancing Raft's
//! commit index, and acknowledging each write when its policy is met — or, with MySQL's
//! semi-sync fallback, giving up on the replicas after a timeout until enough catch up.

use super::{Node, PendingWrite, Role};
use crate::protocols::single_leader::ack::{ack_set, AckPolicy, ReplicaView};
use crate::protocols::single_leader::messages::{
    Addr, Append, AppendAck, ClientId, Condition, Ctx, InstallSnapshot, Lsn, Message, NodeEvent,
    NodeId, OpId, Payload, Rejection, Reply, Term, Text, Timer,
};

impl Node {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_write(
        &mut self,
        ctx: &mut Ctx,
        client: ClientId,
        op: OpId,
        key: Text,
        value: Text,
        condition: Condition,
        ack: AckPolicy,
        term: Term,
    ) {
        if term > self.term {
            self.step_down(ctx, term);
        }
        let transfer = self.leader.as_ref().and_then(|l| l.transfer);
        if self.leader.is_none() || transfer.is_some() {
            let hint = transfer.map(|t| t.0).or(self.primary_hint);
            let reply = Reply::Rejected(Rejection::NotPrimary {
                primary_hint: hint.filter(|&h| h != self.id || transfer.is_none()),
            });
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
            return;
        }
        // A compare-and-set is decided against the newest value in the log and takes its
        // place in the log either way, so its answer is ordered like any write.
        let swapped = self.compare(&key, &condition);
        let payload = if swapped {
            Payload::Set { key, value }
        } else {
            Payload::Unchanged { key }
        };
        let lsn = self.last_lsn() + 1;
        let since = ctx.now;
        if ack.local_flush {
            let leader = self.leader.as_mut().expect("a primary");
            let pending = PendingWrite {
                op,
                client,
                ack,
                since,
                swapped,
            };
            leader.pending.insert(lsn, pending);
            if let (Some(wait), false) = (self.params.semi_sync_fallback, ack.is_async()) {
                ctx.set_timer(Timer::AckWait, wait);
            }
        }
        self.append_own(ctx, payload, op);
        if !ack.local_flush {
            // `synchronous_commit = off`: answered before the fsync.
            ctx.emit(NodeEvent::Acknowledged {
                op,
                lsn,
                by: 0,
                durable: false,
            });
            let reply = Reply::Written {
                lsn,
                term: self.term,
                swapped,
            };
            ctx.send(Addr::Client(client), Message::Reply { op, reply });
        }
        self.start_flush(ctx);
        self.schedule_ship(ctx);
    }

    /// The voters other than the primary, as the acknowledgement rule sees them (learners
    /// are still catching up and count for nothing, like a PostgreSQL standby that is not
    /// yet streaming).
    fn voter_replicas(&self) -> Vec<ReplicaView> {
        let Some(leader) = &self.leader else {
            return Vec::new();
        };
        leader
            .peers
            .iter()
            .filter(|(&id, _)| self.config.is_voter(id))
            .map(|(&id, p)| ReplicaView {
                id,
                acked: p.acked,
                connected: p.connected,
            })
            .collect()
    }

    /// Raft's commit rule: the highest LSN flushed on a majority of voters (the primary
    /// counting itself), if it is an entry of the primary's own term (the paper's Figure 8:
    /// an older term's entry commits only with one of the current term after it).
    pub(super) fn advance_commit(&mut self, ctx: &mut Ctx) {
        let Some(leader) = &self.leader else {
            return;
        };
        let mut flushed: Vec<Lsn> = self
            .config
            .voter_ids()
            .map(|v| {
                if v == self.id {
                    self.positions.flushed
                } else {
                    leader.peers.get(&v).map_or(0, |p| p.acked.flushed)
                }
            })
            .collect();
        if flushed.is_empty() {
            return;
        }
        flushed.sort_unstable_by(|a, b| b.cmp(a));
        let majority = self.config.majority();
        let candidate = flushed[majority.min(flushed.len()) - 1];
        if candidate > self.commit && self.term_at(candidate) == self.term {
            self.learn_commit(ctx, candidate);
        }
    }

    /// Tells clients whose writes have met their acknowledgement condition: flushed on the
    /// primary itself, plus the replicas their policy asks for (or nothing more, once
    /// semi-sync has fallen back to asynchronous). Also turns semi-sync back on once enough
    /// replicas have caught up (MySQL: `rpl_semi_sync_source_wait_for_replica_count`).
    pub(super) fn acknowledge_writes(&mut self, ctx: &mut Ctx) {
        let flushed = self.positions.flushed;
        let last = self.last_lsn();
        let term = self.term;
        let replicas = self.voter_replicas();
        let Some(leader) = &mut self.leader else {
            return;
        };
        let oldest = leader.pending.keys().next().copied();
        if !leader.semi_sync_off && oldest.is_none_or(|lsn| lsn > flushed) {
            return; // nothing the primary has flushed is waiting
        }
        if leader.semi_sync_off {
            // Back on once as many replicas as the waiting writes need have caught up.
            let caught_up = replicas
                .iter()
                .filter(|r| r.connected && r.acked.received >= last)
                .count();
            let needed = leader
                .pending
                .values()
                .map(|w| w.ack.needed(replicas.len() + 1, replicas.len()))
                .max()
                .unwrap_or(1);
            if caught_up >= needed.max(1) {
                leader.semi_sync_off = false;
                ctx.emit(NodeEvent::SemiSyncOn);
            }
        }
        let fallen_back = leader.semi_sync_off;
        let ready: Vec<(Lsn, u32)> = leader
            .pending
            .range(..=flushed)
            .filter_map(|(&lsn, w)| {
                let by = ack_set(&w.ack, lsn, &replicas).or(fallen_back.then_some(0))?;
                Some((lsn, by))
            })
            .collect();
        if ready.is_empty() {
            return;
        }
        let me = 1u32.checked_shl(self.id).unwrap_or(0);
        for (lsn, by) in ready {
            let w = leader.pending.remove(&lsn).expect("pending write");
            let durable = w.ack.point >= crate::protocols::single_leader::ack::AckPoint::Flushed
                && self.config.is_quorum(by | me);
            ctx.emit(NodeEvent::Acknowledged {
                op: w.op,
                lsn,
                by,
                durable,
            });
            let reply = Reply::Written {
                lsn,
                term,
                swapped: w.swapped,
            };
            ctx.send(Addr::Client(w.client), Message::Reply { op: w.op, reply });
        }
        self.apply_visible(ctx);
    }

    /// A write has waited the fallback time: if it (or an older one) is still waiting for
    /// replicas, semi-sync gives up and acknowledges asynchronously (MySQL), until enough
    /// replicas catch up.
    pub(super) fn check_semi_sync_timeout(&mut self, ctx: &mut Ctx) {
        let Some(wait) = self.params.semi_sync_fallback else {
            return;
        };
        let now = ctx.now;
        let Some(leader) = &mut self.leader else {
            return;
        };
        let overdue = leader
            .pending
            .values()
            .any(|w| !w.ack.is_async() && now.saturating_sub(w.since) >= wait);
        if overdue && !leader.semi_sync_off {
            leader.semi_sync_off = true;
            ctx.emit(NodeEvent::SemiSyncOff);
            self.acknowledge_writes(ctx);
        }
    }

    pub(super) fn schedule_ship(&mut self, ctx: &mut Ctx) {
        if let Some(leader) = &mut self.leader {
            if !leader.ship_scheduled {
                leader.ship_scheduled = true;
                ctx.set_timer(Timer::Ship, self.params.batch_delay);
            }
        }
    }

    /// Sends every replica the next batch of entries it has not been sent, of those the
    /// primary has flushed (PostgreSQL's walsender sends only flushed WAL, MySQL's dump
    /// thread only what is in the binary log: a replica never holds what the primary's own
    /// crash could take back).
    pub(super) fn ship(&mut self, ctx: &mut Ctx) {
        let last = self.positions.flushed;
        let max_batch = self.params.max_batch as Lsn;
        let Some(leader) = &mut self.leader else {
            return;
        };
        let base = self.wal.base();
        // Flow control: at most `max_inflight` batches beyond what a replica has
        // acknowledged receiving (Raft's MaxInflightMsgs), so a backlog is not all in
        // flight at once; acknowledgements open the window again.
        let window = max_batch.saturating_mul(self.params.max_inflight);
        let mut batches = Vec::new();
        let mut snapshots = Vec::new();
        for (&peer, progress) in leader.peers.iter_mut() {
            if progress.sent < base {
                // Its WAL is recycled: a base backup instead, once per round trip.
                snapshots.push(peer);
                progress.sent = base;
                continue;
            }
            let open = progress.acked.received.saturating_add(window);
            if progress.sent < last && progress.sent < open {
                let to = last.min(progress.sent + max_batch).min(open);
                batches.push((peer, progress.sent, to));
                progress.sent = to;
            }
        }
        let more = leader
            .peers
            .values()
            .any(|p| p.sent >= base && p.sent < last && p.sent < p.acked.received + window);
        if more {
            leader.ship_scheduled = true;
        }
        for &(peer, prev, to) in &batches {
            let entries = self.wal.range(prev, to);
            let msg = self.append_message(ctx, prev, entries);
            ctx.send(Addr::Node(peer), msg);
        }
        for peer in snapshots {
            let msg = Message::Snapshot(Box::new(InstallSnapshot {
                term: self.term,
                checkpoint: self.wal.checkpoint().clone(),
                commit: self.commit,
                flushed: self.positions.flushed,
                round: self.reads.round,
                sent_at: ctx.now,
            }));
            ctx.send(Addr::Node(peer), msg);
        }
        if more {
            ctx.set_timer(Timer::Ship, self.params.batch_delay);
        }
    }

    /// An append following `prev_lsn`, with the primary's commit index, flushed position,
    /// latest read-index round and clock.
    fn append_message(
        &self,
        ctx: &Ctx,
        prev_lsn: Lsn,
        entries: Vec<crate::protocols::single_leader::messages::Entry>,
    ) -> Message {
        Message::Append(Append {
            term: self.term,
            prev_lsn,
            prev_term: self.term_at(prev_lsn),
            entries,
            commit: self.commit,
            flushed: self.positions.flushed,
            round: self.reads.round,
            sent_at: ctx.now,
            last: self.last_lsn(),
        })
    }

    /// A primary's periodic tick: resend to replicas whose progress stalled (a lost batch),
    /// and keep idle replicas informed with an empty append.
    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Primary {
            return;
        }
        let now = ctx.now;
        let last = self.positions.flushed;
        let resend_after = self.params.resend_after;
        let standby_timeout = self.params.standby_timeout;
        let window = (self.params.max_batch as Lsn).saturating_mul(self.params.max_inflight);
        let mut resend = false;
        let mut membership_changed = false;
        let mut idle = Vec::new();
        if let Some(leader) = &mut self.leader {
            for (&peer, progress) in leader.peers.iter_mut() {
                let connected = now.saturating_sub(progress.last_heard) <= standby_timeout;
                membership_changed |= connected != progress.connected;
                progress.connected = connected;
                let stalled = progress.acked.received < progress.sent
                    && now.saturating_sub(progress.last_progress) >= resend_after;
                if stalled {
                    progress.sent = progress.acked.received;
                    progress.last_progress = now;
                }
                if progress.sent >= last {
                    idle.push((peer, progress.sent));
                } else if progress.sent >= progress.acked.received.saturating_add(window) {
                    // Its window is full: nothing ships, so a heartbeat from what it has.
                    idle.push((peer, progress.acked.received));
                } else {
                    resend = true;
                }
            }
        }
        for (peer, sent) in idle {
            self.heartbeat_to(ctx, peer, sent);
        }
        if resend {
            self.ship(ctx);
        }
        if membership_changed {
            // A FIRST-k synchronous set may now name different replicas.
            self.acknowledge_writes(ctx);
        }
        self.continue_transfer(ctx);
        self.check_quorum(ctx);
        if self.role == Role::Primary {
            self.next_membership_step(ctx);
            ctx.set_timer(Timer::Heartbeat { term: self.term }, self.params.heartbeat);
        }
    }

    /// An empty append: tells the replica the primary is alive, its commit position and
    /// its latest read-index round.
    pub(super) fn heartbeat_to(&self, ctx: &mut Ctx, peer: NodeId, sent: Lsn) {
        let msg = self.append_message(ctx, sent, Vec::new());
        ctx.send(Addr::Node(peer), msg);
    }

    /// Heartbeats to every replica at once (a read-index round).
    pub(super) fn send_heartbeats(&self, ctx: &mut Ctx) {
        if let Some(leader) = &self.leader {
            for (&peer, progress) in &leader.peers {
                self.heartbeat_to(ctx, peer, progress.sent);
            }
        }
    }

    pub(super) fn on_append_ack(&mut self, ctx: &mut Ctx, replica: NodeId, ack: AppendAck) {
        let AppendAck {
            term,
            positions,
            accepted,
            round,
            amnesiac,
        } = ack;
        if term > self.term {
            self.step_down(ctx, term);
            return;
        }
        if term < self.term {
            return; // an answer to an earlier primary's message
        }
        self.on_round_ack(ctx, replica, round);
        let now = ctx.now;
        let Some(peer) = self.leader.as_mut().and_then(|l| l.peers.get_mut(&replica)) else {
            return;
        };
        peer.last_heard = now;
        peer.connected = true;
        peer.amnesiac = amnesiac;
        if accepted {
            let before = peer.acked;
            peer.acked.received = peer.acked.received.max(positions.received);
            peer.acked.flushed = peer.acked.flushed.max(positions.flushed);
            peer.acked.applied = peer.acked.applied.max(positions.applied);
            peer.sent = peer.sent.max(peer.acked.received);
            if peer.slot_lost && peer.acked.flushed >= self.wal.base() {
                peer.slot_lost = false; // back within the WAL kept: a slot again
            }
            if peer.acked != before {
                peer.last_progress = now;
                self.advance_commit(ctx);
                self.acknowledge_writes(ctx);
                self.continue_transfer(ctx);
            }
        } else {
            // Rewind to where the replica really is and ship from there (only ever back:
            // an older refusal arriving late must not undo a deeper rewind).
            peer.acked.received = peer.acked.received.min(positions.received);
            peer.acked.flushed = peer.acked.flushed.min(positions.received);
            peer.acked.applied = peer.acked.applied.min(positions.received);
            peer.sent = peer.sent.min(positions.received);
            peer.last_progress = now;
            self.schedule_ship(ctx);
        }
        if amnesiac.is_some() {
            self.next_membership_step(ctx);
        }
    }
}
