//! Adding and removing nodes, the way real systems do it: the kernel hosts the machine
//! (starts it, or shuts it down), and the cluster changes its membership through the
//! primary's log, one change at a time (`super::membership`). A new node joins as a
//! learner and votes once caught up; a leaving node is shut down once the configuration
//! without it has committed.
//!
//! The world holds the operator's intent (which hosted nodes should be members, which are
//! leaving) and reconciles it with the primary's configuration whenever that could move:
//! after an operator action, when a configuration commits, when a primary takes over (a
//! change the old primary had not committed may have been lost with it).

use super::membership::{MemberChange, Membership};
use super::node::Role;
use super::SingleLeader;
use crate::kernel::{ActionError, NodeId, NodeStatus, World};

impl World<SingleLeader> {
    /// Asks the cluster to remove a replica (through the primary's log); the node is shut
    /// down once the configuration without it has committed. A node that never became a
    /// member goes at once.
    pub(super) fn leave(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        let (name, primary) = (slot.name.clone(), slot.node.role == Role::Primary);
        if primary {
            return Err(ActionError(format!(
                "{name} is the primary; only replicas can be removed (switch over first)"
            )));
        }
        if self.model.leaving.contains(&id) {
            return Err(ActionError(format!("{name} is already leaving")));
        }
        let staying = self
            .members()
            .into_iter()
            .filter(|m| *m != id && !self.model.leaving.contains(m))
            .count();
        if staying == 0 {
            return Err(ActionError("a cluster needs at least one node".into()));
        }
        let ack = self.scenario.replication.ack_policy;
        if let Some(why) = ack.unmet_in(staying) {
            return Err(ActionError(format!(
                "{name} cannot be removed: the acknowledgement policy would then be unmeetable \
                 ({why}); lower the policy first"
            )));
        }
        self.model.leaving.insert(id);
        let in_config = self
            .primary()
            .is_none_or(|p| self.nodes[p as usize].node.config.contains(id));
        if !in_config {
            self.let_go(id);
        }
        self.reconcile_membership();
        Ok(())
    }

    /// Brings the primary's configuration one step closer to the operator's intent: the
    /// lowest hosted node missing from it joins, else the lowest leaving one is removed.
    /// Nothing happens without a primary, or while its last change is uncommitted.
    pub(super) fn reconcile_membership(&mut self) {
        let Some(p) = self.primary() else {
            return;
        };
        let node = &self.nodes[p as usize].node;
        if node.change_in_progress() {
            return;
        }
        let config = node.config;
        // Leaving nodes the configuration never took in (or already let go) just go.
        let strays: Vec<NodeId> = self
            .model
            .leaving
            .iter()
            .copied()
            .filter(|&m| !config.contains(m))
            .collect();
        for m in strays {
            self.let_go(m);
        }
        let change = (0..self.nodes.len() as NodeId)
            .find(|&m| {
                self.nodes[m as usize].status != NodeStatus::Removed
                    && !self.model.leaving.contains(&m)
                    && !config.contains(m)
            })
            .map(MemberChange::Add)
            .or_else(|| {
                // A leaving node that has since become primary stays until it hands over.
                self.model
                    .leaving
                    .iter()
                    .find(|&&m| config.contains(m) && m != p)
                    .map(|&m| MemberChange::Remove(m))
            });
        if let Some(change) = change {
            let mut result = Ok(());
            self.with_node(p, |n, ctx| result = n.propose_change(ctx, change));
            if let Err(e) = result {
                self.fault_errors
                    .push(format!("membership {change:?}: {e}"));
            }
        }
    }

    /// A configuration committed: nodes leaving that it no longer names are shut down, and
    /// the next change may start.
    pub(super) fn config_committed(&mut self, membership: Membership) {
        let gone: Vec<NodeId> = self
            .model
            .leaving
            .iter()
            .copied()
            .filter(|&m| !membership.contains(m))
            .collect();
        for id in gone {
            self.let_go(id);
        }
        self.reconcile_membership();
    }

    /// The machine goes (`World::shut_down`), and clients learn its address stopped
    /// answering: those that took it for the primary look elsewhere.
    fn let_go(&mut self, id: NodeId) {
        self.model.leaving.remove(&id);
        self.shut_down(id);
        for c in 0..self.clients.len() as crate::kernel::ClientId {
            self.rediscover(c, id);
        }
    }
}
