//! The world's side of the service-time model (see `service.rs`): client requests queue at
//! a node and reach its state machine when a worker has spent their service time on them.

use super::{EventKind, NodeStatus, World};
use crate::protocol::{Addr, Message, NodeId, OpId, Rejection, Reply};
use crate::service::{Admission, Queued};

impl World {
    /// A client request arrived at `node` while the service model is on.
    pub(super) fn admit(&mut self, node: NodeId, from: Addr, msg: Message) {
        let Some(spec) = self.scenario.service else {
            return self.with_node(node, |n, ctx| n.on_message(ctx, from, msg));
        };
        let slot = &mut self.nodes[node as usize];
        match slot.service.admit(&spec, Queued { from, msg }) {
            Admission::Start { slot, after } => self.schedule(
                after,
                EventKind::Served {
                    node,
                    generation: self.nodes[node as usize].service.generation,
                    slot,
                },
            ),
            Admission::Queued => {}
            Admission::Refused(q) => {
                if let Message::Request { op, .. } = q.msg {
                    let reply = Message::Reply {
                        op,
                        reply: Reply::Rejected(Rejection::Overloaded),
                    };
                    self.send(Addr::Node(node), q.from, reply);
                }
            }
        }
    }

    /// A worker spent the service time: the request reaches the node.
    pub(super) fn served(&mut self, node: NodeId, generation: u32, slot: u32) {
        let state = &mut self.nodes[node as usize];
        if generation != state.service.generation || state.status != NodeStatus::Up {
            return;
        }
        if let Some(Queued { from, msg }) = state.service.finish(slot) {
            self.with_node(node, |n, ctx| n.on_message(ctx, from, msg));
        }
    }

    /// `node` replied to `op`: the worker holding it takes the next waiting request.
    pub(super) fn replied(&mut self, node: NodeId, op: OpId) {
        let Some(spec) = self.scenario.service else {
            return;
        };
        let service = &mut self.nodes[node as usize].service;
        if let Some((slot, after)) = service.replied(&spec, op) {
            let generation = service.generation;
            self.schedule(
                after,
                EventKind::Served {
                    node,
                    generation,
                    slot,
                },
            );
        }
    }

    /// Hands every queued request straight to its node (the model was switched off or
    /// changed) and forgets the queues' pending completions.
    pub(super) fn flush_service_queues(&mut self) {
        for id in 0..self.nodes.len() as NodeId {
            let queued = self.nodes[id as usize].service.drain();
            for Queued { from, msg } in queued {
                self.with_node(id, |n, ctx| n.on_message(ctx, from, msg));
            }
        }
    }
}
