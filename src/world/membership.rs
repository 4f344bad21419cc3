//! Adding and removing nodes, the way real systems do it: the world hosts the machine
//! (starts it, or shuts it down), and the cluster changes its membership through the
//! primary's log, one change at a time (`crate::membership`). A new node joins as a
//! learner and votes once caught up; a leaving node is shut down once the configuration
//! without it has committed.
//!
//! The world holds the operator's intent (which hosted nodes should be members, which are
//! leaving) and reconciles it with the primary's configuration whenever that could move:
//! after an operator action, when a configuration commits, when a primary takes over (a
//! change the old primary had not committed may have been lost with it).

use super::{node_rng, ActionError, NodeSlot, NodeStatus, World};
use crate::config::MAX_NODES;
use crate::geo::Region;
use crate::membership::{MemberChange, Membership};
use crate::node::{Node, Role};
use crate::protocol::{Addr, NodeId};
use crate::service::ServiceQueue;
use crate::trace::{DropReason, TraceEvent};

impl World {
    /// Starts an empty node and asks the cluster to take it in as a learner; the primary
    /// streams it the whole log (a new standby's initial catch-up) and makes it a voter
    /// once it has caught up.
    pub fn add_replica(&mut self) -> Result<NodeId, ActionError> {
        if self.members().len() >= MAX_NODES {
            return Err(ActionError(format!(
                "a cluster has at most {MAX_NODES} nodes"
            )));
        }
        let id = self
            .nodes
            .iter()
            .position(|s| s.status == NodeStatus::Removed)
            .unwrap_or(self.nodes.len()) as NodeId;
        let incarnation = self.nodes.get(id as usize).map_or(0, |s| s.incarnation + 1);
        let slot = NodeSlot {
            node: Node::new(
                id,
                Role::Replica,
                self.params.clone(),
                node_rng(self.seed, id, incarnation),
            ),
            name: format!("n{id}"),
            region: None,
            status: NodeStatus::Up,
            incarnation,
            clock_offset: 0,
            service: ServiceQueue::default(),
            held: Vec::new(),
        };
        if (id as usize) < self.nodes.len() {
            self.nodes[id as usize] = slot;
        } else {
            self.nodes.push(slot);
        }
        self.leaving.remove(&id);
        self.record(TraceEvent::NodeAdded { node: id });
        if self.nodes.iter().any(|s| s.region.is_some()) {
            // Join the region with the fewest members, so presets stay balanced.
            let used = self.regions_in_use();
            let region = (0..used.max(1) as Region).min_by_key(|&r| {
                self.members()
                    .iter()
                    .filter(|&&m| self.nodes[m as usize].region == Some(r))
                    .count()
            });
            self.nodes[id as usize].region = region;
            self.apply_region_links();
        }
        self.with_node(id, |node, ctx| node.start(ctx));
        self.reconcile_membership();
        Ok(id)
    }

    /// Asks the cluster to remove a replica (through the primary's log); the node is shut
    /// down once the configuration without it has committed. A node that never became a
    /// member goes at once.
    pub fn remove_replica(&mut self, id: NodeId) -> Result<(), ActionError> {
        let Some(slot) = self
            .nodes
            .get(id as usize)
            .filter(|s| s.status != NodeStatus::Removed)
        else {
            return Err(ActionError(format!("there is no node {id}")));
        };
        if slot.node.role == Role::Primary {
            return Err(ActionError(format!(
                "{} is the primary; only replicas can be removed (switch over first)",
                slot.name
            )));
        }
        if self.leaving.contains(&id) {
            return Err(ActionError(format!("{} is already leaving", slot.name)));
        }
        let staying = self
            .members()
            .into_iter()
            .filter(|m| *m != id && !self.leaving.contains(m))
            .count();
        if staying == 0 {
            return Err(ActionError("a cluster needs at least one node".into()));
        }
        self.leaving.insert(id);
        let in_config = self
            .primary()
            .is_none_or(|p| self.nodes[p as usize].node.config.contains(id));
        if !in_config {
            self.shut_down(id);
        }
        self.reconcile_membership();
        Ok(())
    }

    /// Whether `id` is on its way out of the cluster.
    pub fn is_leaving(&self, id: NodeId) -> bool {
        self.leaving.contains(&id)
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
            .leaving
            .iter()
            .copied()
            .filter(|&m| !config.contains(m))
            .collect();
        for m in strays {
            self.shut_down(m);
        }
        let change = (0..self.nodes.len() as NodeId)
            .find(|&m| {
                self.nodes[m as usize].status != NodeStatus::Removed
                    && !self.leaving.contains(&m)
                    && !config.contains(m)
            })
            .map(MemberChange::Add)
            .or_else(|| {
                // A leaving node that has since become primary stays until it hands over.
                self.leaving
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
            .leaving
            .iter()
            .copied()
            .filter(|&m| !membership.contains(m))
            .collect();
        for id in gone {
            self.shut_down(id);
        }
        self.reconcile_membership();
    }

    /// The machine goes away: it stops, and messages to and from it vanish.
    fn shut_down(&mut self, id: NodeId) {
        self.leaving.remove(&id);
        let slot = &mut self.nodes[id as usize];
        if slot.status == NodeStatus::Removed {
            return;
        }
        slot.status = NodeStatus::Removed;
        slot.incarnation += 1;
        slot.service.clear();
        slot.held.clear();
        let gone = self
            .flights
            .discard(|f| f.from == Addr::Node(id) || f.to == Addr::Node(id));
        for msg in gone {
            self.record(TraceEvent::Dropped {
                msg,
                reason: DropReason::ReceiverDown,
            });
        }
        self.record(TraceEvent::NodeRemoved { node: id });
        // Clients learn the machine is gone (its address stops answering at once).
        for c in 0..self.clients.len() as crate::protocol::ClientId {
            self.rediscover(c, id);
        }
    }
}
