//! The world's side of the service-time model (see `service.rs`): client requests queue at
//! a node and reach its state machine when a worker has spent their service time on them.

use super::ids::{Addr, NodeId, OpId};
use super::protocol::{Message, Protocol};
use super::service::{Admission, Queued};
use super::world::{EventKind, NodeStatus, World};

impl<P: Protocol> World<P> {
    /// A client request arrived at `node` while the service model is on.
    pub(super) fn admit(&mut self, node: NodeId, from: Addr, msg: P::Msg) {
        let Some(spec) = self.scenario.service else {
            return self.with_node(node, |n, ctx| P::on_message(n, ctx, from, msg));
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
                if let Some((op, _)) = q.msg.request() {
                    self.send(Addr::Node(node), q.from, P::Msg::overloaded(op));
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
            self.with_node(node, |n, ctx| P::on_message(n, ctx, from, msg));
        }
    }

    /// `from` replied to `op`: the worker holding it takes the next waiting request.
    pub(super) fn replied(&mut self, from: Addr, op: OpId) {
        let (Some(spec), Addr::Node(node)) = (self.scenario.service, from) else {
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
                self.with_node(id, |n, ctx| P::on_message(n, ctx, from, msg));
            }
        }
    }
}
