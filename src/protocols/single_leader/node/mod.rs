//! A database node of a single-leader cluster, as a pure state machine.
//!
//! The primary appends client writes to its write-ahead log, flushes them (fsync, group
//! commit), and ships batches to every replica with Raft-shaped `Append` messages
//! (`lead.rs`). A replica appends what it receives, flushes it, applies it to its key/value
//! store, and reports its three positions (received, flushed, applied) like a PostgreSQL
//! standby's write / flush / replay LSNs (`follow.rs`). Elections (`election.rs`), reads at
//! each consistency level (`reads.rs`) and membership changes (`membership.rs`) have their
//! own files; this one holds the node's state and what every role shares: the stores and
//! how entries reach them, crash and restart.
//!
//! Two stores: `kv`, what reads see (applied entries; on the primary only what its
//! [`Visibility`] setting makes visible), and `committed`, the store as of Raft's commit
//! index (entries on a majority of voters), which `majority` and linearizable reads return.
//!
//! Durable state is the log up to `flushed`, the term and the vote; everything else is
//! volatile and is lost by [`Node::crash`].

use crate::config::{DiskSpec, ReplicationSpec};
use crate::kernel::rng::SimRng;
use crate::kernel::time::Micros;
use crate::protocols::single_leader::ack::{AckPolicy, Visibility};
use crate::protocols::single_leader::failover::{FailoverMode, FailoverSpec};
use crate::protocols::single_leader::membership::Membership;
use crate::protocols::single_leader::messages::{
    ClientId, Condition, Ctx, Entry, Lsn, NodeEvent, NodeId, OpId, Payload, Positions, Term, Text,
    Timer, Version,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod election;
mod follow;
mod lead;
mod membership;
mod reads;
pub mod wal;
pub use reads::ReadState;
use wal::{apply_entry, Wal};

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
    pub visibility: Visibility,
    pub failover: FailoverMode,
    pub election_timeout: Micros,
    pub pre_vote: bool,
    /// The configuration the cluster was started with (before any change in the log).
    pub bootstrap: Membership,
    /// WAL retention (see `ReplicationSpec`): entries always kept, whether replicas have
    /// slots, the most a slot holds, how many recyclable entries make a checkpoint.
    pub wal_keep: Lsn,
    pub slots: bool,
    pub max_slot_keep: Lsn,
    pub checkpoint_every: Lsn,
    /// Batches in flight to one replica before waiting for its acknowledgement.
    pub max_inflight: Lsn,
}

impl NodeParams {
    pub fn new(
        disk: &DiskSpec,
        repl: &ReplicationSpec,
        failover: &FailoverSpec,
        nodes: usize,
    ) -> NodeParams {
        NodeParams {
            fsync: disk.fsync.micros(),
            apply_per_entry: disk.apply.micros(),
            batch_delay: repl.batch_delay.micros(),
            max_batch: repl.max_batch as usize,
            heartbeat: repl.heartbeat.micros(),
            resend_after: repl.resend_after.micros(),
            standby_timeout: repl.standby_timeout.micros(),
            semi_sync_fallback: repl.semi_sync_fallback.map(|d| d.micros()),
            visibility: repl.visibility,
            failover: failover.mode,
            election_timeout: failover.election_timeout.micros(),
            pre_vote: failover.pre_vote,
            bootstrap: Membership::bootstrap(nodes),
            wal_keep: Lsn::from(repl.wal_keep_size),
            slots: repl.replication_slots,
            max_slot_keep: Lsn::from(repl.max_slot_wal_keep_size),
            checkpoint_every: Lsn::from(repl.checkpoint_every),
            max_inflight: Lsn::from(repl.max_inflight),
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
    /// It lost its disk and asks to be re-admitted (the incarnation it came back as).
    #[serde(skip)]
    pub amnesiac: Option<u32>,
    /// Its replication slot gave up: it fell more than `max_slot_keep` behind, its WAL
    /// may be recycled, and it is re-seeded from a base backup when it returns.
    pub slot_lost: bool,
}

/// A write waiting for its acknowledgement condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingWrite {
    pub op: OpId,
    pub client: ClientId,
    pub ack: AckPolicy,
    /// Local time the primary appended it.
    pub since: Micros,
    /// False for a compare-and-set whose compare failed.
    pub swapped: bool,
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
    /// The LSN of this leadership's first entry (its no-op).
    pub term_start: Lsn,
    /// The newest value of every key in the log, visible or not: what a compare-and-set
    /// compares against (later writes queue behind earlier ones, as row locks make them).
    head: BTreeMap<Text, Text>,
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
    /// The write-ahead log and its checkpoint (`wal.rs`).
    pub wal: Wal,
    pub positions: Positions,
    /// Visible data: key → latest applied version.
    pub kv: BTreeMap<Text, Version>,
    /// Raft's commit index as this node knows it: the highest LSN stored on a majority of
    /// voters by a primary of its own term (MongoDB's majority commit point).
    pub commit: Lsn,
    /// The store as of `committed_upto` (never past `commit`), kept only once a read has
    /// asked for it (`committed_live`: most runs never make a majority read).
    pub committed: BTreeMap<Text, Version>,
    pub committed_upto: Lsn,
    committed_live: bool,
    /// Who this node believes is the primary.
    pub primary_hint: Option<NodeId>,
    pub leader: Option<Leader>,
    /// Reads waiting and the read-index / staleness bookkeeping.
    pub reads: ReadState,
    /// Who this node voted for in `term` (durable, like the term).
    pub voted_for: Option<NodeId>,
    /// The configuration in force: the latest in the log, else the bootstrap one.
    pub config: Membership,
    /// The LSN of the entry that set `config` (0: the bootstrap configuration).
    pub config_lsn: Lsn,
    /// Votes a candidate has received in its term (or, while `pre_voting`, pre-votes).
    pub votes: BTreeSet<NodeId>,
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
    /// Lost its disk and not yet re-admitted (the incarnation it came back as): it votes
    /// for no one and never stands, like a MongoDB member in initial sync, because it has
    /// forgotten the votes it cast.
    pub amnesiac: Option<u32>,
    election_seq: u64,
    rng: SimRng,
    params: NodeParams,
    flush: Stage,
    apply: Stage,
}

impl Node {
    /// A node of a new cluster; a primary ships to every other member of the bootstrap
    /// configuration from the start.
    pub fn new(id: NodeId, role: Role, params: NodeParams, rng: SimRng) -> Node {
        let mut node = Node {
            id,
            role,
            term: 1,
            wal: Wal::default(),
            positions: Positions::default(),
            kv: BTreeMap::new(),
            commit: 0,
            committed: BTreeMap::new(),
            committed_upto: 0,
            committed_live: false,
            primary_hint: None,
            leader: (role == Role::Primary).then(Leader::default),
            reads: ReadState::default(),
            voted_for: None,
            config: params.bootstrap,
            config_lsn: 0,
            votes: BTreeSet::new(),
            pre_voting: false,
            matched: 0,
            last_heard_primary: 0,
            election_deadline: None,
            discarded: Vec::new(),
            amnesiac: None,
            election_seq: 0,
            rng,
            params,
            flush: Stage::default(),
            apply: Stage::default(),
        };
        node.sync_peers(0);
        node
    }

    /// Replaces the node's settings (an operator changed them while it runs).
    pub fn set_params(&mut self, params: NodeParams) {
        self.params = params;
    }

    pub fn last_lsn(&self) -> Lsn {
        self.wal.last_lsn()
    }

    pub fn term_at(&self, lsn: Lsn) -> Term {
        self.wal.term_at(lsn)
    }

    /// The entry at `lsn`, if its WAL is still kept.
    pub fn entry(&self, lsn: Lsn) -> Option<&Entry> {
        self.wal.get(lsn)
    }

    /// Entries past the flushed position: what a crash would lose.
    pub fn unflushed(&self) -> impl Iterator<Item = &Entry> {
        self.wal.from(self.positions.flushed + 1)
    }

    /// Whether this node may stand for election and vote: a voter that remembers its votes.
    pub fn electable(&self) -> bool {
        self.config.is_voter(self.id) && self.amnesiac.is_none()
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

    pub fn on_message(
        &mut self,
        ctx: &mut Ctx,
        from: crate::protocols::single_leader::messages::Addr,
        msg: crate::protocols::single_leader::messages::Message,
    ) {
        use crate::protocols::single_leader::messages::{Addr, Message};
        match (msg, from) {
            (Message::Request { op, request }, Addr::Client(client)) => {
                self.on_request(ctx, client, op, request)
            }
            (Message::Append(append), Addr::Node(primary)) => self.on_append(ctx, primary, append),
            (Message::AppendAck(ack), Addr::Node(replica)) => self.on_append_ack(ctx, replica, ack),
            (Message::Snapshot(s), Addr::Node(primary)) => self.on_snapshot(ctx, primary, *s),
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

    fn on_request(
        &mut self,
        ctx: &mut Ctx,
        client: ClientId,
        op: OpId,
        request: crate::protocols::single_leader::messages::Request,
    ) {
        use crate::protocols::single_leader::messages::Request;
        match request {
            Request::Read { key, need, .. } => self.on_read(ctx, client, op, key, need),
            Request::Write {
                key,
                value,
                condition,
                ack,
                term,
            } => self.on_write(ctx, client, op, key, value, condition, ack, term),
        }
    }

    /// Loses volatile state: unflushed log entries, both stores (rebuilt from the log on
    /// restart), pending stages and the primary's replica bookkeeping.
    pub fn crash(&mut self) {
        self.wal.truncate_after(self.positions.flushed);
        self.positions.received = self.positions.flushed;
        self.positions.applied = 0;
        self.kv.clear();
        self.committed.clear();
        self.committed_upto = 0;
        self.committed_live = false;
        self.commit = self.commit.min(self.last_lsn());
        self.flush = Stage::default();
        self.apply = Stage::default();
        self.reads.reset(0);
        self.matched = 0;
        self.votes.clear();
        self.election_deadline = None;
        self.config_from_log();
        if self.role == Role::Candidate {
            self.role = Role::Replica;
        }
        // A primary's bookkeeping is volatile; it leads nothing until it restarts.
        if let Some(leader) = &mut self.leader {
            leader.pending.clear();
            leader.transfer = None;
        }
    }

    /// A crash that also loses the disk: nothing survives, not even the term or the vote.
    /// The node comes back knowing it forgot (its data directory is empty): until the
    /// primary re-admits it, it votes for no one (`amnesiac`, the `incarnation` it is now).
    pub fn crash_and_lose_disk(&mut self, incarnation: u32) {
        self.crash();
        self.wal.reset();
        self.positions = Positions::default();
        self.commit = 0;
        self.term = 1;
        self.voted_for = None;
        self.role = Role::Replica;
        self.leader = None;
        self.primary_hint = None;
        self.config_from_log();
        // A node that was the whole cluster has nothing to protect: it starts afresh.
        let alone = self.config.voters == 1u32.checked_shl(self.id).unwrap_or(0);
        self.amnesiac = (!alone).then_some(incarnation);
    }

    /// Recovery after a crash: replay the durable log into the stores, then resume. With
    /// failover (Raft elections or a monitor) a primary comes back as a replica, as a
    /// restarted Raft node is a follower: the cluster may have moved on while it was down.
    /// Without failover it carries on as primary in its term.
    pub fn restart(&mut self, ctx: &mut Ctx) {
        self.kv = self.wal.store_at(self.positions.flushed);
        self.positions.applied = self.positions.flushed;
        self.advance_committed_store();
        self.reads.reset(ctx.now);
        let was_primary = self.role == Role::Primary;
        if was_primary && self.params.failover == FailoverMode::Off {
            // Nobody else takes over: it carries on as primary (PostgreSQL after crash
            // recovery). What it shipped was flushed, so its log still matches theirs.
            if let Some(leader) = &mut self.leader {
                for peer in leader.peers.values_mut() {
                    peer.last_progress = ctx.now;
                    peer.last_heard = ctx.now;
                    peer.connected = true;
                    peer.sent = peer.sent.min(self.positions.flushed);
                }
                leader.head = self.wal.head();
            }
            self.start(ctx);
            return;
        }
        self.leader = None;
        self.role = Role::Replica;
        self.primary_hint = None;
        if was_primary {
            ctx.emit(NodeEvent::SteppedDown { term: self.term });
        }
        self.start(ctx);
    }

    /// Appends an entry to this node's own log (as primary) and notes a configuration.
    fn append_own(&mut self, ctx: &mut Ctx, payload: Payload, op: OpId) -> Lsn {
        let lsn = self.last_lsn() + 1;
        if let (Some(leader), Some((key, value))) = (
            &mut self.leader,
            match &payload {
                Payload::Set { key, value } => Some((key, value)),
                _ => None,
            },
        ) {
            leader.head.insert(key.clone(), value.clone());
        }
        self.wal.push(Entry {
            lsn,
            term: self.term,
            payload,
            op,
            written_at: ctx.now,
        });
        self.positions.received = lsn;
        self.note_config(ctx, lsn);
        ctx.emit(NodeEvent::Appended { lsn });
        lsn
    }

    /// What a compare-and-set against the newest value in the log finds.
    fn compare(&self, key: &Text, condition: &Condition) -> bool {
        let head = self.leader.as_ref().and_then(|l| l.head.get(key));
        condition.holds(head)
    }

    /// Makes entries visible up to `upto` (the primary: what its visibility allows; a
    /// replica: what it has applied).
    fn apply_through(&mut self, ctx: &mut Ctx, upto: Lsn) {
        if upto <= self.positions.applied {
            return;
        }
        for e in self.wal.from(self.positions.applied + 1) {
            if e.lsn > upto {
                break;
            }
            apply_entry(&mut self.kv, e);
        }
        self.positions.applied = upto;
        ctx.emit(NodeEvent::Applied { upto });
        self.advance_committed_store();
        self.serve_parked(ctx);
        self.maybe_checkpoint(ctx);
    }

    /// The primary makes visible what its visibility setting allows: everything flushed
    /// (after commit), or only what has met its acknowledgement condition and, for entries
    /// inherited from earlier terms, been committed (after sync).
    fn apply_visible(&mut self, ctx: &mut Ctx) {
        let Some(leader) = &self.leader else {
            return;
        };
        let flushed = self.positions.flushed;
        let upto = match self.params.visibility {
            Visibility::AfterCommit => flushed,
            Visibility::AfterSync => {
                let unacked = leader.pending.keys().next().map_or(Lsn::MAX, |&l| l - 1);
                let inherited = if self.commit + 1 >= leader.term_start {
                    Lsn::MAX
                } else {
                    self.commit
                };
                flushed.min(unacked).min(inherited)
            }
        };
        self.apply_through(ctx, upto);
    }

    /// Raises the commit index (never past the log) and brings the committed store up.
    fn learn_commit(&mut self, ctx: &mut Ctx, commit: Lsn) {
        let commit = commit.min(self.last_lsn());
        if commit <= self.commit {
            return;
        }
        let config_was_uncommitted = self.config_lsn > self.commit;
        self.commit = commit;
        self.advance_committed_store();
        if config_was_uncommitted && self.config_lsn <= commit && self.role == Role::Primary {
            ctx.emit(NodeEvent::ConfigCommitted {
                lsn: self.config_lsn,
                membership: self.config,
            });
        }
        if self.role == Role::Primary {
            self.apply_visible(ctx);
            self.serve_confirmed_reads(ctx);
            self.next_membership_step(ctx);
        } else {
            self.serve_parked(ctx);
        }
    }

    /// The committed store follows the commit index as far as this node has the entries:
    /// flushed on the primary, applied on a replica.
    fn advance_committed_store(&mut self) {
        if !self.committed_live {
            return;
        }
        let have = if self.role == Role::Primary {
            self.positions.flushed
        } else {
            self.positions.applied
        };
        let upto = self.commit.min(have);
        if self.committed_upto < self.wal.base() {
            // Its entries were recycled: start from the checkpoint (never past the commit).
            self.committed = self.wal.checkpoint().kv.clone();
            self.committed_upto = self.wal.base();
        }
        for e in self.wal.from(self.committed_upto + 1) {
            if e.lsn > upto {
                break;
            }
            apply_entry(&mut self.committed, e);
        }
        self.committed_upto = self.committed_upto.max(upto);
    }
}

impl Node {
    /// The position up to which this node may recycle its WAL now: only entries it has
    /// applied and that are committed (a checkpoint is never rolled back), minus
    /// `wal_keep`, and on a primary nothing a replica's slot still holds.
    fn recycle_floor(&self) -> Lsn {
        let mut floor = self
            .positions
            .applied
            .min(self.positions.flushed)
            .min(self.commit)
            .min(self.last_lsn().saturating_sub(self.params.wal_keep));
        if let (Some(leader), true) = (&self.leader, self.params.slots) {
            for peer in leader.peers.values().filter(|p| !p.slot_lost) {
                floor = floor.min(peer.acked.flushed);
            }
        }
        floor
    }

    /// A checkpoint, once enough WAL can go: the store as of the floor is kept, and the
    /// entries up to it recycled. A slot that would hold more than `max_slot_keep` entries
    /// is given up first (PostgreSQL invalidates it), so one lost replica cannot make the
    /// primary keep its WAL forever.
    pub(super) fn maybe_checkpoint(&mut self, ctx: &mut Ctx) {
        let last = self.last_lsn();
        let max_keep = self.params.max_slot_keep;
        if let Some(leader) = &mut self.leader {
            for (&replica, peer) in leader.peers.iter_mut() {
                if !peer.slot_lost && last.saturating_sub(peer.acked.flushed) > max_keep {
                    peer.slot_lost = true;
                    ctx.emit(NodeEvent::SlotLost { replica });
                }
            }
        }
        let floor = self.recycle_floor();
        if floor >= self.wal.base() + self.params.checkpoint_every {
            self.wal.recycle(floor);
            ctx.emit(NodeEvent::Checkpointed { upto: floor });
        }
    }

    /// Starts keeping the committed store (built from the log the first time a read needs it).
    fn keep_committed_store(&mut self) {
        if !self.committed_live {
            self.committed_live = true;
            self.committed.clear();
            self.committed_upto = 0;
            self.advance_committed_store();
        }
    }
}
