//! Adding and removing machines. The kernel starts a new node (or reuses the slot of one
//! that left) and hands it to the model, which decides how it joins the cluster; removing
//! one is asked of the model, which shuts the machine down when the cluster lets it go.

use super::geo::Region;
use super::ids::NodeId;
use super::protocol::Protocol;
use super::service::ServiceQueue;
use super::trace::TraceEvent;
use super::world::{ActionError, NodeSlot, NodeStatus, World};
use crate::config::MAX_NODES;

impl<P: Protocol> World<P> {
    /// Starts an empty node and asks the model to take it in; returns its id.
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
            node: P::node(self, id, incarnation),
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
        self.with_node(id, |node, ctx| P::start(node, ctx));
        P::host_added(self, id);
        Ok(id)
    }

    /// Asks the model to remove a node from the cluster (it decides when the machine goes).
    pub fn remove_replica(&mut self, id: NodeId) -> Result<(), ActionError> {
        self.member_mut(id)?;
        if self.members().len() <= 1 {
            return Err(ActionError("a cluster needs at least one node".into()));
        }
        P::remove_host(self, id)
    }
}
