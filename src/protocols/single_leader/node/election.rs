//! Raft-style leader election on a node: the election timer, standing as a candidate,
//! voting (one vote per term, only for a log at least as up to date), winning, and
//! stepping down when a higher term appears or the majority goes quiet (CheckQuorum).
//!
//! The term is the fencing token: every message carries it, lower terms are refused, and a
//! primary that sees a higher one stops being primary at once.

use super::{Leader, Node, PeerProgress, Role};
use crate::protocols::single_leader::failover::FailoverMode;
use crate::protocols::single_leader::messages::{
    Addr, Ctx, Message, NodeEvent, NodeId, Payload, Term, Timer, VoteRequest,
};

impl Node {
    /// A majority of the voters in this node's configuration.
    pub fn majority(&self) -> usize {
        self.config.majority()
    }

    /// Arms the election timer for a fresh random timeout in [t, 2t) (Raft's randomised
    /// timeouts make split votes rare). Only with Raft failover.
    pub(super) fn arm_election_timer(&mut self, ctx: &mut Ctx) {
        if self.params.failover != FailoverMode::Raft {
            self.election_deadline = None;
            return;
        }
        let t = self.params.election_timeout;
        let after = t + self.rng.below(t.max(1));
        self.election_seq += 1;
        self.election_deadline = Some(ctx.now + after);
        ctx.set_timer(
            Timer::Election {
                seq: self.election_seq,
            },
            after,
        );
    }

    /// The election timer fired: stand unless a primary was heard from meanwhile.
    pub(super) fn on_election_timer(&mut self, ctx: &mut Ctx) {
        if self.role == Role::Primary || self.params.failover != FailoverMode::Raft {
            self.election_deadline = None;
            return;
        }
        let quiet = ctx.now.saturating_sub(self.last_heard_primary);
        if !self.electable() || (self.role == Role::Replica && quiet < self.params.election_timeout)
        {
            // Heard from the primary (or may not stand: a learner, a node that forgot its
            // votes): wait again from that moment.
            self.pre_voting = false;
            self.arm_election_timer(ctx);
            return;
        }
        if self.params.pre_vote {
            // A candidate whose election ran out of time asks again before standing in a
            // new term (etcd's pre-candidate), as a follower would.
            self.role = Role::Replica;
            self.start_pre_vote(ctx);
        } else {
            self.start_election(ctx);
        }
    }

    /// Asks whether a majority would vote for it in the next term, changing no one's term.
    fn start_pre_vote(&mut self, ctx: &mut Ctx) {
        self.pre_voting = true;
        self.votes.clear();
        self.votes.insert(self.id);
        self.arm_election_timer(ctx);
        self.ask_for_votes(ctx, self.term + 1, true);
        self.count_votes(ctx);
    }

    fn ask_for_votes(&self, ctx: &mut Ctx, term: Term, pre: bool) {
        let request = VoteRequest {
            term,
            last_lsn: self.last_lsn(),
            last_term: self.term_at(self.last_lsn()),
            pre,
        };
        for peer in self.config.voter_ids() {
            if peer != self.id {
                ctx.send(Addr::Node(peer), Message::VoteRequest(request));
            }
        }
    }

    fn start_election(&mut self, ctx: &mut Ctx) {
        self.term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.primary_hint = None;
        self.pre_voting = false;
        self.votes.clear();
        self.votes.insert(self.id);
        ctx.emit(NodeEvent::ElectionStarted { term: self.term });
        self.arm_election_timer(ctx);
        self.ask_for_votes(ctx, self.term, false);
        self.count_votes(ctx);
    }

    pub(super) fn on_vote_request(&mut self, ctx: &mut Ctx, candidate: NodeId, v: VoteRequest) {
        let my_last = (self.term_at(self.last_lsn()), self.last_lsn());
        let up_to_date = (v.last_term, v.last_lsn) >= my_last;
        if v.pre {
            // Would vote: a newer term, an up-to-date log, and no live primary heard
            // lately. Nothing changes here either way.
            let quiet = ctx.now.saturating_sub(self.last_heard_primary);
            let following = self.role == Role::Primary
                || (self.role == Role::Replica
                    && self.primary_hint.is_some()
                    && quiet < self.params.election_timeout);
            let granted = v.term > self.term && up_to_date && !following && self.electable();
            let reply = Message::Vote {
                term: self.term,
                granted,
                pre: true,
            };
            ctx.send(Addr::Node(candidate), reply);
            return;
        }
        if v.term > self.term {
            self.step_down(ctx, v.term);
        }
        let free = self.voted_for.is_none_or(|c| c == candidate);
        let granted = v.term == self.term
            && free
            && up_to_date
            && self.role != Role::Primary
            && self.electable();
        if granted {
            self.voted_for = Some(candidate);
            self.last_heard_primary = ctx.now;
            ctx.emit(NodeEvent::Voted {
                candidate,
                term: self.term,
            });
        }
        let reply = Message::Vote {
            term: self.term,
            granted,
            pre: false,
        };
        ctx.send(Addr::Node(candidate), reply);
    }

    pub(super) fn on_vote(
        &mut self,
        ctx: &mut Ctx,
        voter: NodeId,
        term: Term,
        granted: bool,
        pre: bool,
    ) {
        if term > self.term {
            self.step_down(ctx, term);
            return;
        }
        let counting = if pre {
            self.pre_voting && self.role == Role::Replica
        } else {
            self.role == Role::Candidate && term == self.term
        };
        if counting && granted && self.config.is_voter(voter) {
            self.votes.insert(voter);
            self.count_votes(ctx);
        }
    }

    fn count_votes(&mut self, ctx: &mut Ctx) {
        if self.votes.len() < self.majority() {
            return;
        }
        if self.role == Role::Candidate {
            self.become_primary(ctx);
        } else if self.pre_voting && self.role == Role::Replica {
            self.start_election(ctx);
        }
    }

    /// Takes over as primary in the current term: ships from its own log end (replicas
    /// that disagree are walked back by the append consistency check) and appends a no-op
    /// of its term, whose commit commits everything it inherited (Raft §8).
    pub fn become_primary(&mut self, ctx: &mut Ctx) {
        self.role = Role::Primary;
        self.primary_hint = Some(self.id);
        self.election_deadline = None;
        self.votes.clear();
        self.reads.reset_rounds();
        let last = self.last_lsn();
        let flushed = self.positions.flushed;
        let now = ctx.now;
        let mut leader = Leader {
            term_start: last + 1,
            head: self.wal.head(),
            ..Leader::default()
        };
        for peer in self.config.members() {
            if peer != self.id {
                leader.peers.insert(
                    peer,
                    PeerProgress {
                        sent: flushed,
                        last_progress: now,
                        last_heard: now,
                        connected: true,
                        ..PeerProgress::default()
                    },
                );
            }
        }
        self.leader = Some(leader);
        ctx.emit(NodeEvent::BecamePrimary { term: self.term });
        self.append_own(ctx, Payload::Noop, 0);
        self.start_flush(ctx);
        self.schedule_ship(ctx);
        self.advance_commit(ctx);
        self.apply_visible(ctx);
        self.send_heartbeats(ctx);
        ctx.set_timer(Timer::Heartbeat { term: self.term }, self.params.heartbeat);
    }

    /// Adopts `term` (if newer) and becomes a replica: a primary drops its leader state
    /// (writes waiting for acknowledgement are never answered: their clients time out
    /// with an unknown outcome).
    pub(super) fn step_down(&mut self, ctx: &mut Ctx, term: Term) {
        if term > self.term {
            self.term = term;
            self.voted_for = None;
        }
        let was = self.role;
        self.role = Role::Replica;
        self.votes.clear();
        self.pre_voting = false;
        if was == Role::Primary {
            self.leader = None;
            self.primary_hint = None;
            self.matched = 0;
            ctx.emit(NodeEvent::SteppedDown { term: self.term });
        }
        if was != Role::Replica || self.election_deadline.is_none() {
            self.last_heard_primary = ctx.now;
            self.arm_election_timer(ctx);
        }
    }

    /// CheckQuorum: a Raft primary that has not heard from a majority (itself included)
    /// within an election timeout stops accepting writes and steps down.
    pub(super) fn check_quorum(&mut self, ctx: &mut Ctx) {
        if self.params.failover != FailoverMode::Raft {
            return;
        }
        let now = ctx.now;
        let timeout = self.params.election_timeout;
        let Some(leader) = &self.leader else {
            return;
        };
        let heard = 1 + leader
            .peers
            .iter()
            .filter(|(&id, p)| {
                self.config.is_voter(id) && now.saturating_sub(p.last_heard) < timeout
            })
            .count();
        if heard < self.majority() {
            self.step_down(ctx, self.term);
        }
    }

    /// The failover settings changed: a replica re-arms (or drops) its election timer.
    pub fn failover_changed(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Primary {
            self.last_heard_primary = ctx.now;
            self.arm_election_timer(ctx);
        }
    }

    /// Forced promotion (an operator, or the naive monitor): leads a new term at once,
    /// without votes. The term comes from the operator, who picks one no node has used
    /// (as `pg_promote` picks the next timeline from the archive); a handover without
    /// elections just takes the next one.
    pub fn force_primary(&mut self, ctx: &mut Ctx, term: Option<Term>) {
        if self.role == Role::Primary {
            return;
        }
        self.amnesiac = None; // the operator vouches for it
        self.term = term.unwrap_or(self.term + 1).max(self.term + 1);
        self.voted_for = Some(self.id);
        self.become_primary(ctx);
    }

    /// Starts a planned switchover to `target`: writes are refused (pointing at it) until
    /// it has the whole log, then it is told to stand. Abandoned after an election timeout.
    pub fn begin_transfer(&mut self, ctx: &mut Ctx, target: NodeId) {
        if let Some(leader) = &mut self.leader {
            leader.transfer = Some((target, ctx.now));
        }
        self.continue_transfer(ctx);
    }

    pub(super) fn continue_transfer(&mut self, ctx: &mut Ctx) {
        let last = self.last_lsn();
        let term = self.term;
        let timeout = self.params.election_timeout;
        let Some(leader) = &mut self.leader else {
            return;
        };
        let Some((target, since)) = leader.transfer else {
            return;
        };
        if ctx.now.saturating_sub(since) > 2 * timeout {
            leader.transfer = None; // the target never caught up: keep leading
            return;
        }
        let caught_up = leader
            .peers
            .get(&target)
            .is_some_and(|p| p.acked.received >= last);
        if caught_up && self.positions.flushed >= last {
            ctx.send(Addr::Node(target), Message::TimeoutNow { term });
        }
    }

    /// The primary says this node has its whole log: stand for election now.
    pub(super) fn on_timeout_now(&mut self, ctx: &mut Ctx, term: Term) {
        if term != self.term || self.role != Role::Replica || !self.electable() {
            return;
        }
        if self.params.failover == FailoverMode::Raft {
            self.start_election(ctx);
        } else {
            // No elections: the handover is a promotion of the caught-up target (a
            // PostgreSQL switchover: the old primary stops, the standby is promoted).
            self.force_primary(ctx, None);
        }
    }
}
