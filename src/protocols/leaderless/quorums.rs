//! What an observer outside the nodes keeps of the latest operations for the page to draw
//! R + W > N: for each recent write, the replicas it reached (every node that stored it,
//! through the coordinator, a hint replay or a read repair) and the ones that counted for
//! its acknowledgement; for each recent read, the replicas its coordinator asked. Fed by
//! the nodes' trace events, bounded, and read by nothing that decides behaviour.
//!
//! Also the operator's action on this model: setting the cluster's consistency levels.

use super::messages::NodeEvent;
use super::settings::Level;
use super::Leaderless;
use crate::kernel::actions::Acted;
use crate::kernel::ids::bit;
use crate::kernel::{ActionError, NodeId, OpId, World};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Operations remembered (the page shows the latest, or those of a selected key).
const KEPT: usize = 24;

/// The leaderless model's own actions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum RingAction {
    /// The levels operations use unless they name their own (Cassandra's
    /// `CONSISTENCY` in cqlsh; Riak's bucket `r` / `w`). `None` leaves a level as it is.
    SetConsistency {
        #[serde(default)]
        write: Option<Level>,
        #[serde(default)]
        read: Option<Level>,
    },
}

/// One recent operation's replica sets, bit masks by node id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quorum {
    pub op: OpId,
    pub write: bool,
    pub key: crate::kernel::Text,
    pub coordinator: NodeId,
    /// The key's N replicas when the operation began.
    pub replicas: u32,
    /// A read: the replicas asked. A write: the replicas that counted for its "ok".
    pub asked: u32,
    /// A write: every node that stored it so far.
    pub reached: u32,
    pub acknowledged: bool,
}

/// The recent operations, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Recent(pub VecDeque<Quorum>);

impl Recent {
    fn push(&mut self, q: Quorum) {
        if self.0.len() == KEPT {
            self.0.pop_front();
        }
        self.0.push_back(q);
    }

    fn find(&mut self, op: OpId) -> Option<&mut Quorum> {
        self.0.iter_mut().rev().find(|q| q.op == op)
    }
}

fn mask(nodes: &[NodeId]) -> u32 {
    nodes.iter().fold(0, |m, &n| m | bit(n))
}

impl World<Leaderless> {
    /// Updates the recent operations' sets with what `node` recorded.
    pub(crate) fn note_quorum(&mut self, node: NodeId, event: &NodeEvent) {
        match *event {
            NodeEvent::Stamped { op, .. } => {
                if let Some(key) = self.history.get(op).map(|o| o.key.clone()) {
                    let replicas = mask(&self.replicas_of(&key));
                    self.model.recent.push(Quorum {
                        op,
                        write: true,
                        key,
                        coordinator: node,
                        replicas,
                        asked: 0,
                        reached: 0,
                        acknowledged: false,
                    });
                }
            }
            NodeEvent::ReadAsked { op, contacted } => {
                if let Some(key) = self.history.get(op).map(|o| o.key.clone()) {
                    let replicas = mask(&self.replicas_of(&key));
                    self.model.recent.push(Quorum {
                        op,
                        write: false,
                        key,
                        coordinator: node,
                        replicas,
                        asked: contacted,
                        reached: 0,
                        acknowledged: false,
                    });
                }
            }
            NodeEvent::Stored { op, .. } => {
                if let Some(q) = self.model.recent.find(op) {
                    q.reached |= bit(node);
                }
            }
            NodeEvent::Acknowledged { op, by, .. } => {
                if let Some(q) = self.model.recent.find(op) {
                    q.asked = by;
                    q.acknowledged = true;
                }
            }
            _ => {}
        }
    }

    /// Sets the cluster's consistency levels, refusing those the scenario's checks refuse
    /// (ANY for reads, THREE with two replicas, LOCAL_QUORUM without regions).
    pub(crate) fn set_consistency(
        &mut self,
        write: Option<Level>,
        read: Option<Level>,
    ) -> Result<Acted, ActionError> {
        let mut spec = self.model.spec().clone();
        if let Some(w) = write {
            spec.write_consistency = w;
        }
        if let Some(r) = read {
            spec.read_consistency = r;
        }
        let regions = self.nodes.iter().any(|s| s.region.is_some());
        spec.check(self.members().len(), regions)
            .map_err(|e| ActionError(e.to_string()))?;
        self.scenario.leaderless = Some(spec.clone());
        self.update_params(|p| p.spec = spec);
        self.configured("consistency");
        Ok(Acted::Done)
    }
}
