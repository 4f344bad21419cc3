//! Membership changes on a node (see `crate::membership`): the configuration a node uses
//! is the latest one in its log; a primary proposes one change at a time, promotes a
//! learner once it has caught up, and re-admits a node that lost its disk by demoting it to
//! a learner first (so that it can never cast a second vote in a term it forgot).

use super::{Node, PeerProgress, Role};
use crate::protocols::single_leader::membership::{MemberChange, Membership};
use crate::protocols::single_leader::messages::{Ctx, Lsn, NodeEvent, NodeId, Payload};

impl Node {
    /// Takes up the configuration in the entry just appended at `lsn`, if it holds one.
    pub(super) fn note_config(&mut self, ctx: &mut Ctx, lsn: Lsn) {
        let Some(&Payload::Config(m)) = self.entry(lsn).map(|e| &e.payload) else {
            return;
        };
        self.config = m;
        self.config_lsn = lsn;
        if m.readmits.is_some() && m.readmits == self.amnesiac.map(|inc| (self.id, inc)) {
            self.amnesiac = None; // demoted to a learner since the loss: safe to follow on
        }
        ctx.emit(NodeEvent::ConfigChanged { lsn, membership: m });
        self.sync_peers(ctx.now);
    }

    /// The configuration from the latest one in the log (after a truncation or a crash).
    pub(super) fn config_from_log(&mut self) {
        (self.config_lsn, self.config) = self
            .wal
            .latest_config()
            .unwrap_or((0, self.params.bootstrap));
    }

    /// A primary ships to every member of its configuration, voter or learner.
    pub(super) fn sync_peers(&mut self, now: crate::kernel::time::Micros) {
        let me = self.id;
        let members: Vec<NodeId> = self.config.members().filter(|&m| m != me).collect();
        let Some(leader) = &mut self.leader else {
            return;
        };
        leader.peers.retain(|id, _| members.contains(id));
        for m in members {
            leader.peers.entry(m).or_insert(PeerProgress {
                last_progress: now,
                last_heard: now,
                connected: true,
                ..PeerProgress::default()
            });
        }
    }

    /// Whether a configuration change is still uncommitted (then no other may start).
    pub fn change_in_progress(&self) -> bool {
        self.config_lsn > self.commit
    }

    /// An operator's change, proposed through this primary's log. Refused (with the
    /// reason) when this node is not primary, when a change is still uncommitted, or when
    /// the change makes no sense.
    pub fn propose_change(&mut self, ctx: &mut Ctx, change: MemberChange) -> Result<(), String> {
        if self.role != Role::Primary {
            return Err(format!("n{} is not the primary", self.id));
        }
        if self.change_in_progress() {
            return Err("a membership change is still being committed".into());
        }
        let next = match change {
            MemberChange::Add(id) if self.config.contains(id) => {
                return Err(format!("n{id} is already a member"))
            }
            MemberChange::Add(id) => self.config.with_learner(id),
            MemberChange::Remove(id) if id == self.id => {
                return Err(format!("n{id} is the primary; hand over first"))
            }
            MemberChange::Remove(id) if !self.config.contains(id) => {
                return Err(format!("n{id} is not a member"))
            }
            MemberChange::Remove(id) => self.config.without(id),
        };
        self.append_config(ctx, next);
        Ok(())
    }

    fn append_config(&mut self, ctx: &mut Ctx, next: Membership) {
        self.append_own(ctx, Payload::Config(next), 0);
        self.start_flush(ctx);
        self.schedule_ship(ctx);
    }

    /// The primary's own changes, one at a time: re-admit a node that lost its disk (as a
    /// learner), then promote learners that have caught up (everything committed is theirs).
    pub(super) fn next_membership_step(&mut self, ctx: &mut Ctx) {
        if self.role != Role::Primary || self.change_in_progress() {
            return;
        }
        let Some(leader) = &self.leader else {
            return;
        };
        let commit = self.commit;
        let readmit = leader
            .peers
            .iter()
            .filter_map(|(&id, p)| p.amnesiac.map(|inc| (id, inc)))
            .find(|&asked| self.config.readmits != Some(asked));
        if let Some((id, inc)) = readmit {
            let next = Membership {
                readmits: Some((id, inc)),
                ..self.config.with_learner(id)
            };
            if let Some(p) = self.leader.as_mut().and_then(|l| l.peers.get_mut(&id)) {
                p.amnesiac = None; // asked once; it says so again if it still needs it
            }
            self.append_config(ctx, next);
            return;
        }
        let caught_up = leader.peers.iter().find_map(|(&id, p)| {
            (self.config.is_learner(id) && p.acked.flushed >= commit.max(self.config_lsn))
                .then_some(id)
        });
        if let Some(id) = caught_up {
            self.append_config(ctx, self.config.with_voter(id));
        }
    }
}
