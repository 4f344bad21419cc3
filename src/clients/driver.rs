//! The world's side of the clients, common to every model: invoking an operation (the
//! page's manual ones, checked first, or the workload's next), sending its request and
//! arming its time-out, and completing it when the model has made sense of an answer:
//! recording the outcome, judging a read's staleness, updating the charts and the trace,
//! and scheduling a workload client's next operation. Where an operation goes and what an
//! answer means are the model's (`Protocol::route`, `Protocol::reply`).

use super::history::{Op, OpError, OpKind, Outcome, Version};
use super::workload::Client;
use crate::kernel::protocol::{OpSpec, Protocol};
use crate::kernel::trace::TraceEvent;
use crate::kernel::world::EventKind;
use crate::kernel::{ActionError, Addr, ClientId, NodeId, NodeStatus, OpId, Pos, Text, World};

/// What a model says an answer meant.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The write (or compare-and-set) took its place at `pos`; `swapped` is false for a
    /// compare-and-set whose compare failed.
    Written { pos: Pos, swapped: bool },
    /// The read returned `version` (`None`: the key had no value there).
    Read { version: Option<Version> },
    /// It did not happen.
    Failed(OpError),
}

impl<P: Protocol> World<P> {
    /// Checks a manual operation's input, then invokes it for the page's client.
    pub fn invoke_manual(&mut self, mut spec: OpSpec<P::OpMeta>) -> Result<OpId, ActionError> {
        let key = spec.key.trim();
        if key.is_empty() || key.len() > 64 {
            return Err(ActionError("a key is 1 to 64 characters".into()));
        }
        let too_long = |v: &Option<Text>| v.as_ref().is_some_and(|v| v.len() > 256);
        if too_long(&spec.value) || too_long(&spec.expected) {
            return Err(ActionError("a value is at most 256 characters".into()));
        }
        if let Some(node) = spec.target {
            if self
                .nodes
                .get(node as usize)
                .is_none_or(|s| s.status == NodeStatus::Removed)
            {
                return Err(ActionError(format!("there is no node {node}")));
            }
        }
        if key.len() != spec.key.len() {
            spec.key = Text::from(key);
        }
        spec.manual = true;
        let client = self.manual_client();
        Ok(self.invoke(client, spec))
    }

    /// A manual write of `key = value`, routed by the model, with its default policy.
    pub fn write(&mut self, key: &str, value: &str) -> Result<OpId, ActionError> {
        self.invoke_manual(OpSpec::write(key, value))
    }

    /// A manual write sent to a chosen node (one that does not take writes refuses it).
    pub fn write_to(&mut self, node: NodeId, key: &str, value: &str) -> Result<OpId, ActionError> {
        self.invoke_manual(OpSpec {
            target: Some(node),
            ..OpSpec::write(key, value)
        })
    }

    /// A manual compare-and-set: set `key` to `new` if it holds `expected` (`None`: if it
    /// has never been written).
    pub fn cas(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: &str,
    ) -> Result<OpId, ActionError> {
        self.invoke_manual(OpSpec {
            kind: OpKind::Cas,
            expected: expected.map(Text::from),
            ..OpSpec::write(key, new)
        })
    }

    /// A manual read of `key` from a chosen node, at the workload's level.
    pub fn read(&mut self, node: NodeId, key: &str) -> Result<OpId, ActionError> {
        self.invoke_manual(OpSpec {
            target: Some(node),
            ..OpSpec::read(key)
        })
    }

    /// The page's client, created on first use after the workload clients.
    fn manual_client(&mut self) -> ClientId {
        if let Some(c) = self.clients.iter().find(|c| c.manual) {
            return c.id;
        }
        let id = self.clients.len() as ClientId;
        let session = P::session(self);
        self.clients.push(Client::new(id, true, session, self.seed));
        id
    }

    /// Routes the operation (the model fills in its particulars), records its
    /// invocation, sends the request and arms its time-out.
    pub(crate) fn invoke(&mut self, client: ClientId, mut spec: OpSpec<P::OpMeta>) -> OpId {
        let node = P::route(self, client, &mut spec);
        let op = Op {
            id: 0,
            client,
            kind: spec.kind,
            key: spec.key,
            value: spec.value,
            expected: spec.expected,
            swapped: None,
            asked: node,
            node,
            served_by: None,
            invoked_at: self.now,
            completed_at: None,
            outcome: Outcome::Pending,
            read: None,
            written: None,
            error: None,
            stale: false,
            staleness: None,
            manual: spec.manual,
            durable: false,
            promise: P::promise(&spec.meta),
            redirects: 0,
            lost: false,
            invoke_seq: 0,
            complete_seq: 0,
            meta: spec.meta,
        };
        let (kind, key) = (op.kind, op.key.clone());
        let id = self.history.invoke(op);
        self.record(TraceEvent::Invoked {
            op: id,
            client,
            kind,
            key,
            node,
        });
        self.clients[client as usize].outstanding.insert(id);
        let msg = P::request(
            self,
            client,
            self.history
                .get(id)
                .expect("a new operation is in the window"),
        );
        self.send(Addr::Client(client), Addr::Node(node), msg);
        let key = (
            self.now + self.scenario.workload.timeout.micros(),
            self.next_seq(),
        );
        self.timeouts.insert(key, (client, id));
        self.timeout_of.insert(id, key);
        id
    }

    pub(crate) fn client_next(&mut self, c: ClientId) {
        if self
            .scenario
            .workload
            .stop_after
            .is_some_and(|stop| self.now >= stop.micros())
        {
            return;
        }
        let members = std::mem::take(&mut self.member_buf);
        self.member_buf = self.members_into(members);
        if self.clients[c as usize].idle {
            return;
        }
        let regions = std::mem::take(&mut self.region_buf);
        self.region_buf = self.regions_into(regions);
        let plan = self.clients[c as usize].plan(&self.workload);
        let value = plan
            .kind
            .mutates()
            .then(|| Text::from(format!("v{}", self.history.len() + 1)));
        let spec = OpSpec {
            kind: plan.kind,
            key: plan.key,
            value,
            expected: plan.expected,
            target: None,
            manual: false,
            meta: P::OpMeta::default(),
        };
        self.invoke(c, spec);
    }

    /// Sends a pending operation again, to `to` (the model follows a redirect).
    pub fn resend_op(&mut self, c: ClientId, op: OpId, to: NodeId) {
        let Some(record) = self.history.pending_mut(op) else {
            return;
        };
        record.redirects += 1;
        record.node = to;
        let msg = P::request(
            self,
            c,
            self.history
                .get(op)
                .expect("a pending operation is in the window"),
        );
        self.send(Addr::Client(c), Addr::Node(to), msg);
    }

    /// Completes a pending operation with what the model made of `from`'s answer.
    pub fn complete_op(&mut self, c: ClientId, op_id: OpId, from: NodeId, answer: Answer) {
        let now = self.now;
        let tracking = self.workload.tracks_values();
        let Some(op) = self.history.pending_mut(op_id) else {
            return; // a late reply to an operation that already timed out
        };
        op.served_by = Some(from);
        op.completed_at = Some(now);
        let client = &mut self.clients[c as usize];
        match answer {
            Answer::Written { pos, swapped } => {
                op.outcome = Outcome::Ok;
                op.written = Some(pos);
                if op.kind == OpKind::Cas {
                    op.swapped = Some(swapped);
                }
                if swapped {
                    if tracking {
                        client.saw(&op.key, op.value.as_ref());
                    }
                    let key = op.key.clone();
                    self.oracle.write_acknowledged(&key, pos, now);
                }
            }
            Answer::Read { version } => {
                op.outcome = Outcome::Ok;
                if tracking {
                    client.saw(&op.key, version.as_ref().map(|v| &v.value));
                }
                let returned = version.as_ref().map_or((0, 0), |v| v.pos);
                let verdict = self.oracle.judge_read(&op.key, op.invoked_at, returned);
                op.read = version;
                op.stale = verdict.stale;
                op.staleness = verdict.staleness;
            }
            Answer::Failed(error) => {
                // A write the node gave up waiting on may still have happened (a
                // coordinator's write timeout): its outcome is unknown, as a client's own
                // time-out makes it.
                op.outcome = if error == OpError::Timeout && op.kind.mutates() {
                    Outcome::Info
                } else {
                    Outcome::Fail
                };
                op.error = Some(error);
            }
        }
        self.complete(c, op_id);
    }

    pub(crate) fn client_timeout(&mut self, c: ClientId, op_id: OpId) {
        let now = self.now;
        let Some(op) = self.history.pending_mut(op_id) else {
            return;
        };
        op.completed_at = Some(now);
        op.error = Some(OpError::Timeout);
        // A read that timed out had no effect; a write's fate is unknown (Jepsen's info).
        op.outcome = if op.kind.mutates() {
            Outcome::Info
        } else {
            Outcome::Fail
        };
        let tried = op.node;
        P::timed_out(self, c, tried);
        self.complete(c, op_id);
    }

    fn complete(&mut self, c: ClientId, op_id: OpId) {
        if let Some(key) = self.timeout_of.remove(&op_id) {
            self.timeouts.remove(&key);
        }
        self.history.count_completion(op_id);
        let op = self
            .history
            .get(op_id)
            .expect("a just-completed operation is in the window");
        if op.outcome == Outcome::Ok {
            if let Some(latency) = op.latency() {
                self.metrics.completed(op.kind.mutates(), latency);
            }
            match (op.kind.mutates(), P::policy(&op.meta), op.latency()) {
                (true, Some(policy), Some(latency)) => {
                    let label = || P::policy_label(&op.meta);
                    self.metrics.write_completed(policy, label, latency)
                }
                (false, _, _) => self
                    .metrics
                    .read_completed(op.staleness.filter(|_| op.stale)),
                _ => {}
            }
        }
        let version = op.written.or(op.read.as_ref().map(|v| v.pos)).map(|p| p.1);
        self.record(TraceEvent::Completed {
            op: op_id,
            outcome: op.outcome,
            version,
            stale: op.stale,
        });
        let client = &mut self.clients[c as usize];
        client.outstanding.remove(&op_id);
        if !client.manual {
            if let Some(after) = client.think(&self.workload) {
                self.schedule(after, EventKind::ClientNext(c));
            }
        }
    }
}

impl<M: Default> OpSpec<M> {
    /// A write of `key = value`, routed by the model, with its defaults.
    pub fn write(key: &str, value: &str) -> OpSpec<M> {
        OpSpec {
            kind: OpKind::Write,
            key: Text::from(key),
            value: Some(Text::from(value)),
            expected: None,
            target: None,
            manual: false,
            meta: M::default(),
        }
    }

    /// A read of `key`, routed by the model, at its default level.
    pub fn read(key: &str) -> OpSpec<M> {
        OpSpec {
            kind: OpKind::Read,
            key: Text::from(key),
            value: None,
            expected: None,
            target: None,
            manual: false,
            meta: M::default(),
        }
    }
}
