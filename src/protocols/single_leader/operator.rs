//! What an operator does to a single-leader cluster beyond the kernel's faults: promote a
//! replica by force, hand over in a planned switchover, and change the model's settings
//! while it runs (the acknowledgement policy, the semi-sync fallback, the visibility point,
//! failover). Each is recorded in the trace. Also what a crash costs: writes acknowledged
//! before the primary's own flush that no other node holds.

use super::ack::{AckPolicy, Visibility};
use super::failover::{FailoverMode, FailoverSpec};
use super::messages::{Entry, Message, Term};
use super::node::{NodeParams, Role};
use super::SingleLeader;
use crate::config::ConfigError;
use crate::kernel::time::{Dur, Micros};
use crate::kernel::{ActionError, NodeId, NodeStatus, World};
use serde::Serialize;

/// A model-level record in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(
    tag = "note",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Note {
    Promoted { node: NodeId },
    Switchover { from: NodeId, to: NodeId },
}

impl World<SingleLeader> {
    /// Makes a replica primary at once, in a new term, without an election (an operator's
    /// forced promotion; also what the naive monitor does). What the old primary had that
    /// this replica lacks is discarded when they meet.
    pub fn promote(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        if slot.node.role == Role::Primary {
            return Err(ActionError(format!("{} is already primary", slot.name)));
        }
        if !slot.node.config.is_voter(id) {
            return Err(ActionError(format!(
                "{} is not a voting member yet (a learner still catching up): it cannot lead",
                slot.name
            )));
        }
        self.note(Note::Promoted { node: id });
        self.model.leadership.raft_throughout = false; // no votes: Raft's guarantees are off
        let term = self.fresh_term();
        self.with_node(id, |n, ctx| n.force_primary(ctx, Some(term)));
        Ok(())
    }

    /// A planned switchover to `id`: the primary stops taking writes, waits until `id`
    /// has its whole log, then hands over (no acknowledged write is lost).
    pub fn switchover(&mut self, id: NodeId) -> Result<(), ActionError> {
        let Some(primary) = self.primary() else {
            return Err(ActionError("there is no primary to hand over".into()));
        };
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up || slot.node.role != Role::Replica {
            return Err(ActionError(format!(
                "{} is not a running replica",
                slot.name
            )));
        }
        self.note(Note::Switchover {
            from: primary,
            to: id,
        });
        self.with_node(primary, |n, ctx| n.begin_transfer(ctx, id));
        Ok(())
    }

    /// A term no node has used yet: what an operator promoting a node by hand picks (the
    /// next timeline in PostgreSQL's archive).
    fn fresh_term(&self) -> Term {
        self.nodes.iter().map(|s| s.node.term).max().unwrap_or(0) + 1
    }

    /// Sets the cluster's acknowledgement policy (for workload writes and plain `write`);
    /// refused when the cluster has fewer replicas than it names.
    pub fn set_ack_policy(&mut self, ack: AckPolicy) -> Result<(), ActionError> {
        self.check_ack_policy(&ack)?;
        self.scenario.replication.ack_policy = ack;
        self.configured("ackPolicy");
        Ok(())
    }

    /// Refuses a policy that names more replicas than the cluster has (counting those not
    /// on their way out): every write under it would wait until its client gave up.
    pub(super) fn check_ack_policy(&self, ack: &AckPolicy) -> Result<(), ActionError> {
        match ack.unmet_in(self.staying_members()) {
            Some(why) => Err(ActionError(format!(
                "acknowledgement policy: {why}; add replicas first, or ask for fewer"
            ))),
            None => Ok(()),
        }
    }

    /// How many nodes the cluster has, not counting those being removed.
    pub(super) fn staying_members(&self) -> usize {
        self.members()
            .iter()
            .filter(|m| !self.model.leaving.contains(m))
            .count()
    }

    /// `None`: block until enough replicas confirm; `Some(wait)`: fall back to async after
    /// waiting that long (MySQL `rpl_semi_sync_source_timeout`).
    pub fn set_semi_sync_fallback(&mut self, wait: Option<Micros>) {
        self.scenario.replication.semi_sync_fallback = wait.map(Dur);
        self.replication_changed();
        self.configured("semiSyncFallback");
    }

    /// When writes become visible at the primary (MySQL `rpl_semi_sync_source_wait_point`).
    pub fn set_visibility(&mut self, visibility: Visibility) {
        self.scenario.replication.visibility = visibility;
        self.replication_changed();
        self.configured("visibility");
    }

    /// Every node takes up the scenario's replication settings.
    fn replication_changed(&mut self) {
        let s = &self.scenario;
        self.model.params = NodeParams::new(&s.disk, &s.replication, &s.failover, s.nodes.len());
        for slot in &mut self.nodes {
            slot.node.set_params(self.model.params.clone());
        }
    }

    /// Switches how a lost primary is replaced (Raft elections, the naive monitor, or no
    /// failover); checked like the scenario's `failover` field.
    pub fn set_failover(&mut self, spec: FailoverSpec) -> Result<(), ConfigError> {
        let mut candidate = self.scenario.clone();
        candidate.failover = spec;
        candidate.validate_settings()?;
        let was = self.scenario.failover.mode;
        self.scenario.failover = spec;
        self.model.leadership.raft_throughout &= spec.mode == FailoverMode::Raft;
        self.replication_changed();
        for id in 0..self.nodes.len() as NodeId {
            // Replicas (re)arm their election timers under the new settings.
            self.with_node(id, |n, ctx| n.failover_changed(ctx));
        }
        if spec.mode == FailoverMode::Naive && was != FailoverMode::Naive {
            self.start_monitor();
        }
        self.configured("failover");
        Ok(())
    }

    /// `id` is about to crash: what it has not flushed is lost if no other node has a copy
    /// (or one on its way) to carry it on.
    pub(super) fn note_crash_losses(&mut self, id: NodeId) {
        let node = &self.nodes[id as usize].node;
        let orphans: Vec<Entry> = node
            .unflushed()
            .filter(|e| {
                let same = |x: &Entry| x.lsn == e.lsn && x.op == e.op;
                let held = self.nodes.iter().enumerate().any(|(i, s)| {
                    i != id as usize
                        && s.status != NodeStatus::Removed
                        && s.node.wal.holds(e.lsn, e.term, e.op)
                });
                let in_flight = self
                    .flights()
                    .any(|f| matches!(&f.msg, Message::Append(a) if a.entries.iter().any(same)));
                !held && !in_flight
            })
            .cloned()
            .collect();
        self.note_discarded(id, &orphans, true);
    }
}
