//! A database node of a single-leader cluster, as a pure state machine.
//!
//! The primary appends client writes to its write-ahead log, flushes them (fsync, group
//! commit), and ships batches to every replica with Raft-shaped `Append` messages
//! (`prev_lsn` / `prev_term` consistency check). A replica appends what it receives, flushes
//! it, applies it to its key/value store, and reports its three positions (received, flushed,
//! applied) like a PostgreSQL standby's write / flush / replay LSNs. The primary tracks every
//! replica's positions and resends from the acknowledged position when a batch went missing.
//!
//! Durable state is the log up to `flushed` and the term; everything else is volatile and is
//! lost by [`Node::crash`].

use crate::ack::{ack_set, AckPolicy, ReplicaView};
use crate::config::{DiskSpec, ReplicationSpec};
use crate::failover::{FailoverMode, FailoverSpec};
use crate::rng::SimRng;

mod election;
mod reads;
use crate::protocol::{
    Addr, Append, AppendAck, ClientId, Ctx, Entry, Lsn, Message, NodeEvent, NodeId, OpId,
    Positions, Rejection, Reply, Request, Term, Text, Timer, Version,
};
use crate::time::Micros;
pub use reads::ReadState;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Primary,
    Replica,
    /// Standing for election (Raft).
    Candidate,
}

/// Timing parameters of a node, from the scenario.
#[derive(Clone, Debug)]
pub struct NodeParams {
    pub fsync: Micros,
    pub apply_per_entry: Micros,
    pub batch_delay: Micros,
    pub max_batch: usize,
    pub heartbeat: Micros,
    pub resend_after: Micros,
    pub standby_timeout: Micros,
    pub semi_sync_fallback: Option<Micros>,
    pub failover: FailoverMode,
    pub election_timeout: Micros,
    pub pre_vote: bool,
}

impl NodeParams {
    pub fn new(disk: &DiskSpec, repl: &ReplicationSpec, failover: &FailoverSpec) -> NodeParams {
        NodeParams {
            fsync: disk.fsync.micros(),
            apply_per_entry: disk.apply.micros(),
            batch_delay: repl.batch_delay.micros(),
            max_batch: repl.max_batch as usize,
            heartbeat: repl.heartbeat.micros(),
            resend_after: repl.resend_after.micros(),
            standby_timeout: repl.standby_timeout.micros(),
            semi_sync_fallback: repl.semi_sync_fallback.map(|d| d.micros()),
            failover: failover.mode,
            election_timeout: failover.election_timeout.micros(),
            pre_vote: failover.pre_vote,
        }
    }
}

/// What the primary knows of one replica.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerProgress {
    /// Highest LSN shipped to it.
    pub sent: Lsn,
    /// Positions it last reported.
    pub acked: Positions,
    /// Local time its report last advanced (or shipping restarted).
    #[serde(skip)]
    pub last_progress: Micros,
    /// Local time anything was last heard from it.
    #[serde(skip)]
    pub last_heard: Micros,
    /// Heard from within the standby timeout (as of the last check).
    pub connected: bool,
}

/// A write waiting for its acknowledgement condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingWrite {
    pub op: OpId,
    pub client: ClientId,
    pub ack: AckPolicy,
    /// Local time the primary appended it.
    pub since: Micros,
}

/// State only a primary has.
#[derive(Clone, Debug, Default)]
pub struct Leader {
    pub peers: BTreeMap<NodeId, PeerProgress>,
    pub pending: BTreeMap<Lsn, PendingWrite>,
    /// MySQL-style fallback: semi-sync switched off after a timeout.
    pub semi_sync_off: bool,
    /// A planned switchover in progress: the target and when it began (local time).
    /// Writes are refused meanwhile, pointing at the target.
    pub transfer: Option<(NodeId, Micros)>,
    ship_scheduled: bool,
}

/// An in-progress disk stage (fsync or apply): the LSN it will reach when its timer fires.
#[derive(Clone, Copy, Debug, Default)]
struct Stage {
    target: Option<Lsn>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    pub role: Role,
    pub term: Term,
    /// The write-ahead log; `log[i].lsn == i + 1`.
    pub log: Vec<Entry>,
    pub positions: Positions,
    /// Visible data: key → latest applied version.
    pub kv: BTreeMap<Text, Version>,
    /// Highest LSN the primary says is committed (carried for later commit rules).
    pub commit: Lsn,
    /// Who this node believes is the primary.
    pub primary_hint: Option<NodeId>,
    pub leader: Option<Leader>,
    /// Reads waiting and the read-index / staleness bookkeeping.
    pub reads: ReadState,
    /// Who this node voted for in `term` (durable, like the term).
    pub voted_for: Option<NodeId>,
    /// Every member of the cluster, this node included (the world keeps it current).
    pub members: std::collections::BTreeSet<NodeId>,
    /// Votes a candidate has received in its term (or, while `pre_voting`, pre-votes).
    pub votes: std::collections::BTreeSet<NodeId>,
    /// Asking for pre-votes before standing (Raft §9.6).
    pub pre_voting: bool,
    /// The highest LSN known to match the current primary's log (positions reported to it
    /// never go past this, so a stale suffix is never counted for a newer primary).
    pub matched: Lsn,
    /// Local time this node last heard from a primary of its term (or granted a vote).
    pub last_heard_primary: Micros,
    /// Local time at which this replica will stand for election if it hears nothing.
    pub election_deadline: Option<Micros>,
    /// The entries the last truncation discarded (shown on the page).
    pub discarded: Vec<Entry>,
    election_seq: u64,
    rng: SimRng,
    params: NodeParams,
    flush: Stage,
    apply: Stage,
}

impl Node {
    /// Replaces the node's settings (an operator changed them while it runs).
    pub fn set_params(&mut self, params: NodeParams) {
        self.params = params;
    }

    pub fn new(id: NodeId, role: Role, params: NodeParams, rng: SimRng) -> Node {
        Node {
            id,
            role,
            term: 1,
            log: Vec::new(),
            positions: Positions::default(),
            kv: BTreeMap::new(),
            commit: 0,
            primary_hint: None,
            leader: (role == Role::Primary).then(Leader::default),
            reads: ReadState::default(),
            voted_for: None,
            members: std::collections::BTreeSet::new(),
            votes: std::collections::BTreeSet::new(),
            pre_voting: false,
            matched: 0,
            last_heard_primary: 0,
            election_deadline: None,
            discarded: Vec::new(),
            election_seq: 0,
            rng,
            params,
            flush: Stage::default(),
            apply: Stage::default(),
        }
    }

    pub fn last_lsn(&self) -> Lsn {
        self.log.len() as Lsn
    }

    pub fn term_at(&self, lsn: Lsn) -> Term {
        if lsn == 0 {
            0
        } else {
            self.log.get(lsn as usize - 1).map_or(0, |e| e.term)
        }
    }

    pub fn entry(&self, lsn: Lsn) -> Option<&Entry> {
        lsn.checked_sub(1).and_then(|i| self.log.get(i as usize))
    }

    /// Starts the node's periodic work: a primary's heartbeat, a replica's election timer.
    pub fn start(&mut self, ctx: &mut Ctx) {
        self.last_heard_primary = ctx.now;
        match self.role {
            Role::Primary => {
                self.primary_hint = Some(self.id);
                ctx.set_timer(Timer::Heartbeat { term: self.term }, self.params.heartbeat);
            }
            Role::Replica | Role::Candidate => self.arm_election_timer(ctx),
        }
    }

    /// A primary starts shipping to a new replica (operator added it).
    pub fn add_peer(&mut self, peer: NodeId, now: Micros) {
        if let Some(leader) = &mut self.leader {
            leader.peers.entry(peer).or_insert(PeerProgress {
                last_progress: now,
                last_heard: now,
                connected: true,
                ..PeerProgress::default()
            });
        }
    }

    pub fn remove_peer(&mut self, peer: NodeId) {
        if let Some(leader) = &mut self.leader {
            leader.peers.remove(&peer);
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: Addr, msg: Message) {
        match (msg, from) {
            (Message::Request { op, request }, Addr::Client(client)) => {
                self.on_request(ctx, client, op, request)
            }
            (Message::Append(append), Addr::Node(primary)) => self.on_append(ctx, primary, append),
            (Message::AppendAck(ack), Addr::Node(replica)) => self.on_append_ack(ctx, replica, ack),
            (Message::VoteRequest(v), Addr::Node(candidate)) => {
                self.on_vote_request(ctx, candidate, v)
            }
            (Message::Vote { term, granted, pre }, Addr::Node(voter)) => {
                self.on_vote(ctx, voter, term, granted, pre)
            }
            (Message::TimeoutNow { term }, Addr::Node(_)) => self.on_timeout_now(ctx, term),
            // Replies go to clients; anything else is misaddressed and ignored.
            _ => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::Flush => self.finish_flush(ctx),
            Timer::Apply => self.finish_apply(ctx),
            Timer::Ship => {
                if let Some(leader) = &mut self.leader {
                    leader.ship_scheduled = false;
                }
                self.ship(ctx);
            }
            Timer::Heartbeat { term } if term == self.term => self.heartbeat(ctx),
            Timer::Heartbeat { .. } => {}
            Timer::Election { seq } if seq == self.election_seq => self.on_election_timer(ctx),
            Timer::Election { .. } => {}
            Timer::AckWait => self.check_semi_sync_timeout(ctx),
        }
    }

    /// Loses volatile state: unflushed log entries, the applied data (rebuilt from the
    /// log on restart), pending stages and the primary's replica bookkeeping.
    pub fn crash(&mut self) {
        self.log.truncate(self.positions.flushed as usize);
        self.positions.received = self.positions.flushed;
        self.positions.applied = 0;
        self.kv.clear();
        self.flush = Stage::default();
        self.apply = Stage::default();
        self.reads.reset(0);
        self.matched = 0;
        self.votes.clear();
        self.election_deadline = None;
        if self.role == Role::Candidate {
            self.role = Role::Replica;
        }
        if let Some(leader) = &mut self.leader {
            let peers = leader.peers.keys().copied().collect::<Vec<_>>();
            *leader = Leader::default();
            for peer in peers {
                leader.peers.insert(peer, PeerProgress::default());
            }
        }
    }

    /// A crash that also loses the disk: nothing survives, not even the term or the vote
    /// (so the node may vote twice in a term: why real systems fsync both).
    pub fn crash_and_lose_disk(&mut self) {
        self.crash();
        self.log.clear();
        self.positions = Positions::default();
        self.commit = 0;
        self.term = 1;
        self.voted_for = None;
        self.role = Role::Replica;
        self.leader = None;
        self.primary_hint = None;
    }

    /// Recovery after a crash: replay the durable log into the store, then resume.
    pub fn restart(&mut self, ctx: &mut Ctx) {
        for e in &self.log {
            apply_entry(&mut self.kv, e);
        }
        self.positions.applied = self.positions.flushed;
        self.reads.reset(ctx.now);
        if let Some(leader) = &mut self.leader {
            for peer in leader.peers.values_mut() {
                peer.last_progress = ctx.now;
                peer.last_heard = ctx.now;
                peer.connected = true;
            }
        }
        self.start(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx, client: ClientId, op: OpId, request: Request) {
        match request {
            Request::Read { key, need, .. } => self.on_read(ctx, client, op, key, need),
            Request::Write {
                key,
                value,
                ack,
                term,
            } => {
                if term > self.term {
                    self.step_down(ctx, term);
                }
                let transfer = self.leader.as_ref().and_then(|l| l.transfer);
                let Some(leader) = self.leader.as_mut().filter(|_| transfer.is_none()) else {
                    let hint = transfer.map(|t| t.0).or(self.primary_hint);
                    let reply = Reply::Rejected(Rejection::NotPrimary {
                        primary_hint: hint.filter(|&h| h != self.id || transfer.is_none()),
                    });
                    ctx.send(Addr::Client(client), Message::Reply { op, reply });
                    return;
                };
                let lsn = self.log.len() as Lsn + 1;
                let since = ctx.now;
                if ack.local_flush {
                    leader.pending.insert(
                        lsn,
                        PendingWrite {
                            op,
                            client,
                            ack,
                            since,
                        },
                    );
                }
                if let (Some(wait), false) = (self.params.semi_sync_fallback, ack.is_async()) {
                    ctx.set_timer(Timer::AckWait, wait);
                }
                self.log.push(Entry {
                    lsn,
                    term: self.term,
                    key,
                    value,
                    op,
                    written_at: ctx.now,
                });
                self.positions.received = lsn;
                ctx.emit(NodeEvent::Appended { lsn });
                if !ack.local_flush {
                    // `synchronous_commit = off`: answered before the fsync.
                    ctx.emit(NodeEvent::Acknowledged { op, lsn, by: 0 });
                    let reply = Reply::Written {
                        lsn,
                        term: self.term,
                    };
                    ctx.send(Addr::Client(client), Message::Reply { op, reply });
                }
                self.start_flush(ctx);
                self.schedule_ship(ctx);
            }
        }
    }

    /// Entries past the flushed position: what a crash would lose.
    pub fn unflushed(&self) -> &[Entry] {
        &self.log[self.positions.flushed as usize..]
    }

    fn on_append(&mut self, ctx: &mut Ctx, primary: NodeId, append: Append) {
        let Append {
            term,
            prev_lsn,
            prev_term,
            entries,
            commit,
            round,
            sent_at,
            last,
        } = append;
        if term < self.term {
            // A deposed primary: tell it the newer term so it steps down (Raft).
            let msg = Message::AppendAck(AppendAck {
                term: self.term,
                positions: self.positions,
                accepted: false,
                round: self.reads.seen_round,
            });
            ctx.send(Addr::Node(primary), msg);
            return;
        }
        if term > self.term || self.role != Role::Replica {
            self.step_down(ctx, term);
        }
        if self.primary_hint != Some(primary) {
            self.matched = 0;
        }
        self.primary_hint = Some(primary);
        self.last_heard_primary = ctx.now;
        self.pre_voting = false;
        self.heard_from_primary(commit, round, sent_at);
        let reply_to = Addr::Node(primary);
        if prev_lsn > self.last_lsn() || self.term_at(prev_lsn) != prev_term {
            // A gap (a batch was lost): ask for a resend from the end of the log. A
            // divergent entry: ask from before the first entry of its term, so a whole
            // stale suffix is walked back in one round trip (Raft's fast backup).
            let received = if prev_lsn > self.last_lsn() {
                self.last_lsn()
            } else {
                let bad = self.term_at(prev_lsn);
                let first = self.log[..prev_lsn as usize]
                    .iter()
                    .rposition(|e| e.term != bad)
                    .map_or(0, |i| i + 1);
                first as Lsn
            };
            let positions = Positions {
                received,
                ..self.positions
            };
            let msg = Message::AppendAck(AppendAck {
                term: self.term,
                positions,
                accepted: false,
                round: self.reads.seen_round,
            });
            ctx.send(reply_to, msg);
            return;
        }
        let mut appended = false;
        let matched = prev_lsn + entries.len() as Lsn;
        for e in entries {
            match self.entry(e.lsn) {
                Some(mine) if mine.term == e.term => continue,
                Some(_) => {
                    self.truncate_from(ctx, e.lsn);
                }
                None => {}
            }
            self.log.push(e);
            appended = true;
        }
        if matched == last && self.entry(last + 1).is_some_and(|e| e.term < term) {
            // It has the primary's whole log and more from an older term: the more can
            // never be the primary's (entries it adds later carry its own term).
            self.truncate_from(ctx, last + 1);
            appended = true;
        }
        self.matched = self.matched.max(matched);
        self.commit = self.commit.max(commit.min(self.last_lsn()));
        if appended {
            self.positions.received = self.last_lsn();
            ctx.emit(NodeEvent::Received {
                upto: self.positions.received,
            });
            self.start_flush(ctx);
        }
        self.report(ctx);
    }

    /// Discards the log from `lsn` on (it diverged from the primary's, like pg_rewind or
    /// a MongoDB rollback); applied data past it is rolled back by replaying the rest.
    fn truncate_from(&mut self, ctx: &mut Ctx, lsn: Lsn) {
        let keep = lsn.saturating_sub(1);
        self.discarded = self.log.split_off(keep as usize);
        self.positions.received = self.positions.received.min(keep);
        self.positions.flushed = self.positions.flushed.min(keep);
        if self.positions.applied > keep {
            self.kv.clear();
            for e in &self.log {
                apply_entry(&mut self.kv, e);
            }
            self.positions.applied = keep;
        }
        self.flush = Stage::default();
        self.apply = Stage::default();
        ctx.emit(NodeEvent::Truncated {
            from: lsn,
            discarded: self.discarded.len() as u32,
        });
    }

    fn on_append_ack(&mut self, ctx: &mut Ctx, replica: NodeId, ack: AppendAck) {
        let AppendAck {
            term,
            positions,
            accepted,
            round,
        } = ack;
        if term > self.term {
            self.step_down(ctx, term);
            return;
        }
        if term == self.term {
            self.on_round_ack(ctx, replica, round);
        }
        let now = ctx.now;
        let Some(peer) = self.leader.as_mut().and_then(|l| l.peers.get_mut(&replica)) else {
            return;
        };
        peer.last_heard = now;
        peer.connected = true;
        if accepted {
            let before = peer.acked;
            peer.acked.received = peer.acked.received.max(positions.received);
            peer.acked.flushed = peer.acked.flushed.max(positions.flushed);
            peer.acked.applied = peer.acked.applied.max(positions.applied);
            peer.sent = peer.sent.max(peer.acked.received);
            if peer.acked != before {
                peer.last_progress = now;
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
    }

    fn start_flush(&mut self, ctx: &mut Ctx) {
        if self.flush.target.is_none() && self.positions.received > self.positions.flushed {
            self.flush.target = Some(self.positions.received);
            ctx.set_timer(Timer::Flush, self.params.fsync);
        }
    }

    fn finish_flush(&mut self, ctx: &mut Ctx) {
        let Some(target) = self.flush.target.take() else {
            return;
        };
        let upto = target.min(self.last_lsn());
        if upto > self.positions.flushed {
            self.positions.flushed = upto;
            ctx.emit(NodeEvent::Flushed { upto });
        }
        if self.role == Role::Primary {
            // A primary's commit is visible as soon as it is durable locally.
            self.apply_through(ctx, self.positions.flushed);
            self.acknowledge_writes(ctx);
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
            ctx.set_timer(Timer::Apply, after);
        }
    }

    fn finish_apply(&mut self, ctx: &mut Ctx) {
        if let Some(target) = self.apply.target.take() {
            self.apply_through(ctx, target.min(self.positions.flushed));
            self.report(ctx);
        }
        self.start_apply(ctx);
    }

    fn apply_through(&mut self, ctx: &mut Ctx, upto: Lsn) {
        if upto <= self.positions.applied {
            return;
        }
        for i in self.positions.applied..upto {
            apply_entry(&mut self.kv, &self.log[i as usize]);
        }
        self.positions.applied = upto;
        ctx.emit(NodeEvent::Applied { upto });
        self.serve_parked(ctx);
    }

    /// Tells clients whose writes have met their acknowledgement condition: flushed on the
    /// primary itself, plus the replicas their policy asks for (or nothing more, once
    /// semi-sync has fallen back to asynchronous). Also turns semi-sync back on when a
    /// replica has caught up.
    fn acknowledge_writes(&mut self, ctx: &mut Ctx) {
        let flushed = self.positions.flushed;
        let last = self.last_lsn();
        let term = self.term;
        let Some(leader) = &mut self.leader else {
            return;
        };
        let oldest = leader.pending.keys().next().copied();
        if !leader.semi_sync_off && oldest.is_none_or(|lsn| lsn > flushed) {
            return; // nothing the primary has flushed is waiting
        }
        let replicas: Vec<ReplicaView> = leader
            .peers
            .iter()
            .map(|(&id, p)| ReplicaView {
                id,
                acked: p.acked,
                connected: p.connected,
            })
            .collect();
        if leader.semi_sync_off && replicas.iter().any(|r| r.acked.received >= last) {
            leader.semi_sync_off = false;
            ctx.emit(NodeEvent::SemiSyncOn);
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
        for (lsn, by) in ready {
            let w = leader.pending.remove(&lsn).expect("pending write");
            ctx.emit(NodeEvent::Acknowledged { op: w.op, lsn, by });
            let reply = Reply::Written { lsn, term };
            ctx.send(Addr::Client(w.client), Message::Reply { op: w.op, reply });
        }
    }

    /// A write has waited the fallback time: if it (or an older one) is still waiting for
    /// replicas, semi-sync gives up and acknowledges asynchronously (MySQL), until a replica
    /// catches up.
    fn check_semi_sync_timeout(&mut self, ctx: &mut Ctx) {
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

    fn schedule_ship(&mut self, ctx: &mut Ctx) {
        if let Some(leader) = &mut self.leader {
            if !leader.ship_scheduled {
                leader.ship_scheduled = true;
                ctx.set_timer(Timer::Ship, self.params.batch_delay);
            }
        }
    }

    /// Sends every replica the next batch of entries it has not been sent.
    fn ship(&mut self, ctx: &mut Ctx) {
        let last = self.last_lsn();
        let max_batch = self.params.max_batch as Lsn;
        let Some(leader) = &mut self.leader else {
            return;
        };
        let mut more = false;
        for (&peer, progress) in leader.peers.iter_mut() {
            if progress.sent >= last {
                continue;
            }
            let from = progress.sent + 1;
            let to = last.min(progress.sent + max_batch);
            let entries = self.log[from as usize - 1..to as usize].to_vec();
            let prev_lsn = progress.sent;
            let prev_term = if prev_lsn == 0 {
                0
            } else {
                self.log[prev_lsn as usize - 1].term
            };
            progress.sent = to;
            more |= to < last;
            let msg = Message::Append(Append {
                term: self.term,
                prev_lsn,
                prev_term,
                entries,
                commit: self.positions.flushed,
                round: self.reads.round,
                sent_at: ctx.now,
                last,
            });
            ctx.send(Addr::Node(peer), msg);
        }
        if more {
            leader.ship_scheduled = true;
            ctx.set_timer(Timer::Ship, self.params.batch_delay);
        }
    }

    /// A primary's periodic tick: resend to replicas whose progress stalled (a lost batch),
    /// and keep idle replicas informed with an empty append.
    fn heartbeat(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Primary {
            return;
        }
        let now = ctx.now;
        let last = self.last_lsn();
        let resend_after = self.params.resend_after;
        let standby_timeout = self.params.standby_timeout;
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
                if progress.sent < last {
                    resend = true;
                } else {
                    idle.push((peer, progress.sent));
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
            ctx.set_timer(Timer::Heartbeat { term: self.term }, self.params.heartbeat);
        }
    }

    /// An empty append: tells the replica the primary is alive, its commit position and
    /// its latest read-index round.
    fn heartbeat_to(&self, ctx: &mut Ctx, peer: NodeId, sent: Lsn) {
        let msg = Message::Append(Append {
            term: self.term,
            prev_lsn: sent,
            prev_term: self.term_at(sent),
            entries: Vec::new(),
            commit: self.positions.flushed,
            round: self.reads.round,
            sent_at: ctx.now,
            last: self.last_lsn(),
        });
        ctx.send(Addr::Node(peer), msg);
    }

    /// Heartbeats to every replica at once (a read-index round).
    fn send_heartbeats(&self, ctx: &mut Ctx) {
        if let Some(leader) = &self.leader {
            for (&peer, progress) in &leader.peers {
                self.heartbeat_to(ctx, peer, progress.sent);
            }
        }
    }

    /// A replica reports its positions to the primary.
    fn report(&mut self, ctx: &mut Ctx) {
        if let Some(primary) = self.primary_hint.filter(|_| self.role == Role::Replica) {
            let m = self.matched;
            let positions = Positions {
                received: self.positions.received.min(m),
                flushed: self.positions.flushed.min(m),
                applied: self.positions.applied.min(m),
            };
            let msg = Message::AppendAck(AppendAck {
                term: self.term,
                positions,
                accepted: true,
                round: self.reads.seen_round,
            });
            ctx.send(Addr::Node(primary), msg);
        }
    }
}

/// Makes one log entry visible in the store.
fn apply_entry(kv: &mut BTreeMap<Text, Version>, e: &Entry) {
    let version = Version {
        value: e.value.clone(),
        lsn: e.lsn,
        term: e.term,
        op: e.op,
    };
    match kv.get_mut(&e.key) {
        Some(slot) => *slot = version,
        None => {
            kv.insert(e.key.clone(), version);
        }
    }
}
