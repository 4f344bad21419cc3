//! The service-time model: each node has a few workers (like a connection pool in front of
//! a database's backends) and a bounded FIFO queue in front of them. A worker spends a fixed
//! time on a read or a write, then hands the request to the node, and stays taken until the
//! node replies: a write waiting for synchronous acknowledgements holds its backend, as in
//! PostgreSQL, so sync modes cost throughput, not only latency. A full queue turns requests
//! away as "overloaded". Replication traffic does not queue: it is the log shipping.
//!
//! This is what makes read scaling visible: reads spread over replicas add capacity, while
//! every write still passes through the primary's workers.

use super::ids::{Addr, OpId};
use super::protocol::Message;
use super::time::Micros;
use crate::clients::history::OpKind;
pub use crate::config::service::ServiceSpec;
use std::collections::VecDeque;

impl ServiceSpec {
    pub fn time_for(&self, kind: OpKind) -> Micros {
        match kind {
            OpKind::Read => self.read.micros(),
            OpKind::Write | OpKind::Cas => self.write.micros(),
        }
    }
}

/// A client request a node has accepted but not yet handled.
#[derive(Clone, Debug)]
pub struct Queued<M> {
    pub from: Addr,
    pub msg: M,
}

/// What a worker is doing.
#[derive(Clone, Debug)]
enum Work<M> {
    /// Spending the service time on a request.
    Serving(Queued<M>),
    /// The node has the request; the worker waits for its reply.
    Replying(OpId),
}

/// One node's queue and workers, for requests of message type `M`.
#[derive(Clone, Debug)]
pub struct ServiceQueue<M> {
    waiting: VecDeque<Queued<M>>,
    /// Workers by slot (a slot is free when `None`).
    serving: Vec<Option<Work<M>>>,
    /// Requests served since the node joined.
    pub served: u64,
    /// Requests turned away because the queue was full.
    pub refused: u64,
    /// Bumped whenever the queue is cleared, so completions scheduled before are ignored.
    pub generation: u32,
}

impl<M> Default for ServiceQueue<M> {
    fn default() -> ServiceQueue<M> {
        ServiceQueue {
            waiting: VecDeque::new(),
            serving: Vec::new(),
            served: 0,
            refused: 0,
            generation: 0,
        }
    }
}

/// What to do with a request that just arrived.
#[derive(Debug)]
pub enum Admission<M> {
    /// A worker took it: serve it in `slot` for `after` microseconds.
    Start { slot: u32, after: Micros },
    /// It waits in the queue.
    Queued,
    /// The queue is full.
    Refused(Queued<M>),
}

impl<M: Message> ServiceQueue<M> {
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    pub fn in_service(&self) -> usize {
        self.serving.iter().filter(|s| s.is_some()).count()
    }

    pub fn admit(&mut self, spec: &ServiceSpec, request: Queued<M>) -> Admission<M> {
        if let Some(slot) = self.free_slot(spec) {
            let after = Self::service_time(spec, &request);
            self.serving[slot] = Some(Work::Serving(request));
            return Admission::Start {
                slot: slot as u32,
                after,
            };
        }
        if self.waiting.len() >= spec.queue_limit as usize {
            self.refused += 1;
            return Admission::Refused(request);
        }
        self.waiting.push_back(request);
        Admission::Queued
    }

    /// A worker spent the service time: hands back the request for the node; the worker
    /// now waits for the node's reply.
    pub fn finish(&mut self, slot: u32) -> Option<Queued<M>> {
        let work = self.serving.get_mut(slot as usize)?;
        match work.take() {
            Some(Work::Serving(q)) => {
                if let Some((op, _)) = q.msg.request() {
                    *work = Some(Work::Replying(op));
                }
                Some(q)
            }
            other => {
                *work = other;
                None
            }
        }
    }

    /// The node replied to `op`: its worker is free and takes the next waiting request,
    /// returning (slot, service time) when one starts.
    pub fn replied(&mut self, spec: &ServiceSpec, op: OpId) -> Option<(u32, Micros)> {
        let slot = self
            .serving
            .iter()
            .position(|w| matches!(w, Some(Work::Replying(o)) if *o == op))?;
        self.served += 1;
        self.serving[slot] = None;
        let next = self.waiting.pop_front()?;
        let after = Self::service_time(spec, &next);
        self.serving[slot] = Some(Work::Serving(next));
        Some((slot as u32, after))
    }

    /// Forgets every waiting and in-service request (the node crashed or left).
    pub fn clear(&mut self) {
        self.drain();
    }

    /// Takes every request not yet handed to the node (in service, then waiting), leaving
    /// the queue empty; workers waiting for replies are let go.
    pub fn drain(&mut self) -> Vec<Queued<M>> {
        self.generation += 1;
        let mut all: Vec<Queued<M>> = self
            .serving
            .drain(..)
            .filter_map(|w| match w {
                Some(Work::Serving(q)) => Some(q),
                _ => None,
            })
            .collect();
        all.extend(self.waiting.drain(..));
        all
    }

    fn free_slot(&mut self, spec: &ServiceSpec) -> Option<usize> {
        if let Some(i) = self.serving.iter().position(Option::is_none) {
            return Some(i);
        }
        (self.serving.len() < spec.workers as usize).then(|| {
            self.serving.push(None);
            self.serving.len() - 1
        })
    }

    fn service_time(spec: &ServiceSpec, q: &Queued<M>) -> Micros {
        q.msg
            .request()
            .map_or(1, |(_, kind)| spec.time_for(kind).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::Dur;

    /// A stand-in message: a read request, or anything else.
    #[derive(Clone, Debug, Hash)]
    struct Req(Option<OpId>);

    impl Message for Req {
        type Kind = u8;
        fn kind(&self) -> u8 {
            0
        }
        fn label(&self) -> String {
            String::new()
        }
        fn request(&self) -> Option<(OpId, OpKind)> {
            self.0.map(|op| (op, OpKind::Read))
        }
        fn reply_to(&self) -> Option<OpId> {
            None
        }
        fn overloaded(op: OpId) -> Req {
            Req(Some(op))
        }
    }

    fn read(op: u64) -> Queued<Req> {
        Queued {
            from: Addr::Client(0),
            msg: Req(Some(op)),
        }
    }

    #[test]
    fn one_worker_serves_in_order_and_a_full_queue_refuses() {
        let spec = ServiceSpec {
            read: Dur::ms(2),
            write: Dur::ms(5),
            workers: 1,
            queue_limit: 1,
        };
        let mut q = ServiceQueue::default();
        assert!(matches!(
            q.admit(&spec, read(1)),
            Admission::Start {
                slot: 0,
                after: 2000
            }
        ));
        assert!(matches!(q.admit(&spec, read(2)), Admission::Queued));
        assert!(matches!(q.admit(&spec, read(3)), Admission::Refused(_)));
        assert_eq!((q.waiting(), q.in_service(), q.refused), (1, 1, 1));
        let done = q.finish(0).unwrap();
        assert_eq!(done.msg.0, Some(1));
        // The worker is held until the node replies to op 1.
        assert_eq!((q.waiting(), q.in_service()), (1, 1));
        assert_eq!(q.replied(&spec, 7), None);
        assert_eq!(q.replied(&spec, 1), Some((0, 2000)));
        let done = q.finish(0).unwrap();
        assert_eq!(done.msg.0, Some(2));
        assert_eq!(q.replied(&spec, 2), None);
        assert_eq!((q.served, q.in_service()), (2, 0));
    }
}
