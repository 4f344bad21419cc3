//! The world's side of the clients: the page's manual operations (write, compare-and-set,
//! read), the workload's next operation, sending requests and their time-outs, and what a
//! client does with each answer: record the outcome in the history, follow a redirect,
//! update its session tokens, or rediscover the primary.

use super::{ActionError, EventKind, NodeStatus, World, MAX_REDIRECTS};
use crate::ack::AckPolicy;
use crate::client::Client;
use crate::config::ReadTarget;
use crate::consistency::{ReadConsistency, Token};
use crate::history::{Op, OpError, OpKind, Outcome};
use crate::protocol::{
    Addr, ClientId, Condition, Message, NodeId, OpId, Rejection, Reply, Request, Text,
};
use crate::trace::TraceEvent;

/// A manual operation's particulars.
#[derive(Clone, Debug)]
enum Manual<'a> {
    Write {
        value: &'a str,
        ack: AckPolicy,
        condition: Condition,
    },
    Read(ReadConsistency),
}

impl World {
    /// A manual write of `key = value`, sent to the primary by the page's client, with the
    /// cluster's acknowledgement policy.
    pub fn write(&mut self, key: &str, value: &str) -> Result<OpId, ActionError> {
        let target = self.primary_member();
        self.write_to(target, key, value)
    }

    /// A manual write with its own acknowledgement policy (a per-operation override).
    pub fn write_with(
        &mut self,
        key: &str,
        value: &str,
        ack: AckPolicy,
    ) -> Result<OpId, ActionError> {
        let target = self.primary_member();
        let write = Manual::Write {
            value,
            ack,
            condition: Condition::Always,
        };
        self.manual_op(target, key, write)
    }

    /// A manual write sent to a chosen node (a replica refuses it: not the primary).
    pub fn write_to(&mut self, node: NodeId, key: &str, value: &str) -> Result<OpId, ActionError> {
        let write = Manual::Write {
            value,
            ack: self.scenario.replication.ack_policy,
            condition: Condition::Always,
        };
        self.manual_op(node, key, write)
    }

    /// A manual compare-and-set through the primary: set `key` to `new` if it holds
    /// `expected` (`None`: if it has never been written), with the cluster's policy.
    pub fn cas(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: &str,
    ) -> Result<OpId, ActionError> {
        if expected.is_some_and(|v| v.len() > 256) {
            return Err(ActionError("a value is at most 256 characters".into()));
        }
        let target = self.primary_member();
        let write = Manual::Write {
            value: new,
            ack: self.scenario.replication.ack_policy,
            condition: Condition::compare(expected.map(Text::from)),
        };
        self.manual_op(target, key, write)
    }

    /// A manual read of `key` from a chosen node, at the workload's consistency level.
    pub fn read(&mut self, node: NodeId, key: &str) -> Result<OpId, ActionError> {
        let level = self.scenario.workload.read_consistency;
        self.read_with(node, key, level)
    }

    /// A manual read at a chosen consistency level (a per-operation override); the page's
    /// client session keeps its own tokens. A linearizable read always goes to the primary.
    pub fn read_with(
        &mut self,
        node: NodeId,
        key: &str,
        level: ReadConsistency,
    ) -> Result<OpId, ActionError> {
        let node = if level == ReadConsistency::Linearizable {
            self.primary_member()
        } else {
            node
        };
        self.manual_op(node, key, Manual::Read(level))
    }

    /// Checks a manual operation's input, then invokes it.
    fn manual_op(&mut self, node: NodeId, key: &str, what: Manual) -> Result<OpId, ActionError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 64 {
            return Err(ActionError("a key is 1 to 64 characters".into()));
        }
        if matches!(what, Manual::Write { value, .. } if value.len() > 256) {
            return Err(ActionError("a value is at most 256 characters".into()));
        }
        if self
            .nodes
            .get(node as usize)
            .is_none_or(|s| s.status == NodeStatus::Removed)
        {
            return Err(ActionError(format!("there is no node {node}")));
        }
        let client = self.manual_client();
        let key = Text::from(key);
        let request = match what {
            Manual::Write {
                value,
                ack,
                condition,
            } => Request::Write {
                key,
                value: Text::from(value),
                condition,
                ack,
                term: self.clients[client as usize].term_seen,
            },
            Manual::Read(level) => self.read_request(client, key, level, false),
        };
        Ok(self.invoke(client, request, node, true))
    }

    /// A read request carrying what the client session's level asks of the node.
    fn read_request(
        &self,
        client: ClientId,
        key: Text,
        level: ReadConsistency,
        primary_only: bool,
    ) -> Request {
        let mut need = self.clients[client as usize]
            .session
            .need(level, self.scenario.workload.on_behind);
        need.primary_only |= primary_only;
        Request::Read { key, need, level }
    }

    /// The page's client, created on first use after the workload clients.
    fn manual_client(&mut self) -> ClientId {
        if let Some(c) = self.clients.iter().find(|c| c.manual) {
            return c.id;
        }
        let id = self.clients.len() as ClientId;
        let primary = self.primary_member();
        self.clients.push(Client::new(id, true, primary, self.seed));
        id
    }

    /// Records the operation's invocation, sends the request and arms its time-out.
    fn invoke(&mut self, client: ClientId, request: Request, node: NodeId, manual: bool) -> OpId {
        let mut op = Op {
            id: 0,
            client,
            kind: OpKind::Read,
            key: Text::from(""),
            value: None,
            expected: None,
            swapped: None,
            asked: node,
            node,
            served_by: None,
            invoked_at: self.now,
            completed_at: None,
            outcome: Outcome::Pending,
            read: None,
            lsn: None,
            term: None,
            error: None,
            stale: false,
            staleness: None,
            manual,
            ack: None,
            acked_by: None,
            durable: false,
            consistency: None,
            need: None,
            redirects: 0,
            lost: false,
            invoke_seq: 0,
            complete_seq: 0,
        };
        match &request {
            Request::Write {
                key,
                value,
                ack,
                condition,
                ..
            } => {
                op.kind = if condition.is_cas() {
                    OpKind::Cas
                } else {
                    OpKind::Write
                };
                op.key = key.clone();
                op.value = Some(value.clone());
                op.expected = match condition {
                    Condition::Equals(v) => Some(v.clone()),
                    _ => None,
                };
                op.ack = Some(*ack);
            }
            Request::Read { key, need, level } => {
                op.key = key.clone();
                op.consistency = Some(*level);
                op.need = Some(*need);
            }
        }
        let (kind, key) = (op.kind, op.key.clone());
        let op = self.history.invoke(op);
        self.record(TraceEvent::Invoked {
            op,
            client,
            kind,
            key,
            node,
        });
        self.clients[client as usize].outstanding.insert(op);
        self.send(
            Addr::Client(client),
            Addr::Node(node),
            Message::Request { op, request },
        );
        self.seq += 1;
        let key = (self.now + self.scenario.workload.timeout.micros(), self.seq);
        self.timeouts.insert(key, (client, op));
        self.timeout_of.insert(op, key);
        op
    }

    pub(super) fn client_next(&mut self, c: ClientId) {
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
        let plan =
            self.clients[c as usize].plan(&self.workload, &self.member_buf, &self.region_buf);
        let value = Text::from(format!("v{}", self.history.len() + 1));
        let request = match plan.kind {
            OpKind::Write | OpKind::Cas => Request::Write {
                key: plan.key,
                value,
                condition: if plan.kind == OpKind::Cas {
                    Condition::compare(plan.expected)
                } else {
                    Condition::Always
                },
                ack: self.scenario.replication.ack_policy,
                term: self.clients[c as usize].term_seen,
            },
            OpKind::Read => {
                let w = &self.scenario.workload;
                let primary_only = w.read_from == ReadTarget::Primary;
                self.read_request(c, plan.key, w.read_consistency, primary_only)
            }
        };
        self.invoke(c, request, plan.target, false);
    }

    pub(super) fn client_reply(&mut self, c: ClientId, from: Addr, op_id: OpId, reply: Reply) {
        let now = self.now;
        let Some(op) = self.history.pending_mut(op_id) else {
            return; // a late reply to an operation that already timed out
        };
        if let Addr::Node(n) = from {
            op.served_by = Some(n);
        }
        let client = &mut self.clients[c as usize];
        match reply {
            Reply::Written { lsn, term, swapped } => {
                op.outcome = Outcome::Ok;
                op.lsn = Some(lsn);
                op.term = Some(term);
                client.session.wrote(Token { term, lsn });
                client.term_seen = client.term_seen.max(term);
                if op.kind == OpKind::Cas {
                    op.swapped = Some(swapped);
                }
                let tracking = self.workload.tracks_values();
                if swapped && tracking {
                    client.saw(&op.key, op.value.as_ref());
                }
                if swapped {
                    let key = op.key.clone();
                    self.oracle.write_acknowledged(&key, (term, lsn), now);
                }
            }
            Reply::Value { version, applied } => {
                op.outcome = Outcome::Ok;
                client.session.read_at(applied);
                if self.workload.tracks_values() {
                    client.saw(&op.key, version.as_ref().map(|v| &v.value));
                }
                let returned = version.as_ref().map_or((0, 0), |v| (v.term, v.lsn));
                let verdict = self.oracle.judge_read(&op.key, op.invoked_at, returned);
                op.read = version;
                op.stale = verdict.stale;
                op.staleness = verdict.staleness;
            }
            Reply::Rejected(Rejection::Behind { primary_hint, .. }) => {
                // The replica cannot serve this read at its level: retry at the primary.
                let primary = primary_hint.unwrap_or(client.primary_hint);
                op.redirects += 1;
                op.node = primary;
                self.resend(c, op_id, primary);
                return;
            }
            Reply::Rejected(Rejection::Overloaded) => {
                op.outcome = Outcome::Fail;
                op.error = Some(OpError::Overloaded);
            }
            Reply::Rejected(Rejection::NotPrimary { primary_hint }) => {
                // Rediscovery: follow the node's hint (the request was refused, so trying
                // again is safe), a few times at most; without a hint, give up and try
                // another node next time.
                let tried = op.node;
                match primary_hint.filter(|&h| h != tried && op.redirects < MAX_REDIRECTS) {
                    Some(hint) => {
                        op.redirects += 1;
                        op.node = hint;
                        client.primary_hint = hint;
                        self.resend(c, op_id, hint);
                        return;
                    }
                    None => {
                        op.outcome = Outcome::Fail;
                        op.error = Some(OpError::NotPrimary);
                        op.completed_at = Some(now);
                        self.rediscover(c, tried);
                        self.complete(c, op_id);
                        return;
                    }
                }
            }
        }
        op.completed_at = Some(now);
        self.complete(c, op_id);
    }

    pub(super) fn client_timeout(&mut self, c: ClientId, op_id: OpId) {
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
        // The primary may be gone: a client that got no answer from the node it takes for
        // the primary looks elsewhere next time (for a read sent elsewhere, nothing moves).
        self.rediscover(c, tried);
        self.complete(c, op_id);
    }

    fn complete(&mut self, c: ClientId, op_id: OpId) {
        if let Some(key) = self.timeout_of.remove(&op_id) {
            self.timeouts.remove(&key);
        }
        self.history.count_completion(op_id);
        let op = &self.history.ops()[op_id as usize - 1];
        if op.outcome == Outcome::Ok {
            match (op.kind.mutates(), op.ack, op.latency()) {
                (true, Some(ack), Some(latency)) => self.metrics.write_completed(ack, latency),
                (false, _, _) => self
                    .metrics
                    .read_completed(op.staleness.filter(|_| op.stale)),
                _ => {}
            }
        }
        self.record(TraceEvent::Completed {
            op: op_id,
            outcome: op.outcome,
            lsn: op.lsn.or(op.read.as_ref().map(|v| v.lsn)),
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

    /// Sends an operation again, to `to` (a redirect).
    fn resend(&mut self, c: ClientId, op_id: OpId, to: NodeId) {
        let Some(op) = self.history.get(op_id) else {
            return;
        };
        let request = match op.kind {
            OpKind::Write | OpKind::Cas => Request::Write {
                key: op.key.clone(),
                value: op.value.clone().unwrap_or_default(),
                condition: match op.kind {
                    OpKind::Cas => Condition::compare(op.expected.clone()),
                    _ => Condition::Always,
                },
                ack: op.ack.unwrap_or_default(),
                term: self.clients[c as usize].term_seen,
            },
            OpKind::Read => Request::Read {
                key: op.key.clone(),
                need: op.need.unwrap_or_default(),
                level: op.consistency.unwrap_or_default(),
            },
        };
        let msg = Message::Request { op: op_id, request };
        self.send(Addr::Client(c), Addr::Node(to), msg);
    }

    /// A client whose primary did not answer tries the next member after it next time.
    pub(super) fn rediscover(&mut self, c: ClientId, tried: NodeId) {
        let client = &self.clients[c as usize];
        if client.primary_hint != tried {
            return; // it already moved on
        }
        let members = self.members();
        if let Some(next) = members
            .iter()
            .copied()
            .find(|&m| m > tried)
            .or(members.first().copied())
        {
            self.clients[c as usize].primary_hint = next;
        }
    }
}
