//! The single-leader clients' side: where each operation goes (writes and linearizable
//! reads to the node a session takes for the primary, other reads where the workload's
//! read preference says), what it carries (the acknowledgement policy, the term the client
//! has seen, the read level's need and session tokens), and what each answer means: a
//! result, a redirect to follow ("not primary, try n2"; "behind: ask the primary"), or a
//! failure after which the client looks for the primary elsewhere.

use super::ack::AckPolicy;
use super::consistency::{self, ReadConsistency, ReadNeed, Token};
use super::messages::{Condition, Message, Rejection, Reply, Request, Term};
use super::SingleLeader;
use crate::clients::driver::Answer;
use crate::clients::history::ReadPromise;
use crate::clients::history::{Op, OpError, OpKind, Version};
use crate::config::ReadTarget;
use crate::kernel::geo;
use crate::kernel::protocol::OpSpec;
use crate::kernel::{ClientId, NodeId, OpId, World};
use serde::{Serialize, Serializer};

/// How many times an operation follows "not primary, try n2" before it fails.
pub const MAX_REDIRECTS: u32 = 3;

/// What a single-leader client session keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The node this client sends writes to.
    pub primary_hint: NodeId,
    /// The highest primary term this client has seen acknowledge a write.
    pub term_seen: Term,
    /// Its consistency tokens.
    pub tokens: consistency::Session,
}

impl Session {
    pub fn new(primary: NodeId) -> Session {
        Session {
            primary_hint: primary,
            term_seen: 0,
            tokens: consistency::Session::default(),
        }
    }
}

/// The model's part of a history record.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// A write's acknowledgement policy (in words, as the page shows it).
    #[serde(serialize_with = "policy_words")]
    pub ack: Option<AckPolicy>,
    /// For an acknowledged write: the replicas that counted (a bit mask by node id; the
    /// node ids as a list in JSON).
    #[serde(serialize_with = "node_list")]
    pub acked_by: Option<u32>,
    /// A read's consistency level.
    pub consistency: Option<ReadConsistency>,
    /// What the read asked of the node (kept to resend it on a redirect).
    #[serde(skip)]
    pub need: Option<ReadNeed>,
    /// Where a primary last put the write in its log, as an observer saw it (the client
    /// may never hear: a timed-out write can still land).
    #[serde(skip)]
    pub landed: Option<(u64, u64)>,
}

fn policy_words<S: Serializer>(ack: &Option<AckPolicy>, s: S) -> Result<S::Ok, S::Error> {
    match ack {
        Some(a) => s.serialize_str(&a.describe()),
        None => s.serialize_none(),
    }
}

fn node_list<S: Serializer>(mask: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match mask {
        Some(m) => s.collect_seq((0..32u32).filter(|i| m & (1 << i) != 0)),
        None => s.serialize_none(),
    }
}

/// What a read at its level promises.
pub fn promise(meta: &Meta) -> ReadPromise {
    let level = meta.consistency.unwrap_or_default();
    let fresh = level == ReadConsistency::Linearizable;
    ReadPromise {
        fresh,
        committed: fresh || level == ReadConsistency::Majority,
        own_writes: fresh || level == ReadConsistency::ReadYourWrites,
        monotonic: fresh || level == ReadConsistency::Monotonic,
    }
}

impl World<SingleLeader> {
    /// Fills in an operation's policy, level and need, and picks its node: the one the
    /// caller chose, else (writes, linearizable reads) the primary as the session knows it,
    /// else where the workload's read preference points.
    pub(super) fn route(
        &mut self,
        client: ClientId,
        op: &mut OpSpec<super::routing::Meta>,
    ) -> NodeId {
        let wl = &self.scenario.workload;
        if op.kind.mutates() {
            op.meta.ack = Some(op.meta.ack.unwrap_or(self.scenario.replication.ack_policy));
            return match op.target {
                Some(node) => node,
                None if op.manual => self.primary_member(),
                None => self.clients[client as usize].session.primary_hint,
            };
        }
        let level = op.meta.consistency.unwrap_or(wl.read_consistency);
        let on_behind = wl.on_behind;
        let read_from = wl.read_from;
        let session = &self.clients[client as usize].session;
        let mut need = session.tokens.need(level, on_behind);
        // A workload read meant for the primary is refused by any other node.
        need.primary_only |= !op.manual && read_from == ReadTarget::Primary;
        op.meta.consistency = Some(level);
        op.meta.need = Some(need);
        let linearizable = level == ReadConsistency::Linearizable;
        match op.target {
            Some(_) if linearizable && op.manual => self.primary_member(),
            Some(node) => node,
            None if linearizable => self.clients[client as usize].session.primary_hint,
            None => self.read_target(client, read_from),
        }
    }

    /// Where a workload client's read goes under the read preference `target`.
    fn read_target(&mut self, client: ClientId, target: ReadTarget) -> NodeId {
        let members = std::mem::take(&mut self.member_buf);
        let members = self.members_into(members);
        let regions = std::mem::take(&mut self.region_buf);
        let regions = self.regions_into(regions);
        let c = &mut self.clients[client as usize];
        let primary = c.session.primary_hint;
        let chosen = match target {
            ReadTarget::Nearest if !members.is_empty() => {
                // One of the closest members, chosen at random among equals.
                let here = c.region;
                let cost = |n: NodeId| geo::client_extra(here, regions[n as usize]);
                let best = members.iter().map(|&n| cost(n)).min().unwrap_or(0);
                let ties = members.iter().filter(|&&n| cost(n) == best).count();
                let k = c.rng.below(ties as u64) as usize;
                members
                    .iter()
                    .copied()
                    .filter(|&n| cost(n) == best)
                    .nth(k)
                    .unwrap_or(primary)
            }
            ReadTarget::Primary => primary,
            ReadTarget::Any if !members.is_empty() => {
                members[c.rng.below(members.len() as u64) as usize]
            }
            ReadTarget::AnyReplica => {
                // The k-th member other than the primary, without building a list.
                let replicas = members.iter().filter(|&&n| n != primary).count();
                if replicas == 0 {
                    primary
                } else {
                    let k = c.rng.below(replicas as u64) as usize;
                    members
                        .iter()
                        .copied()
                        .filter(|&n| n != primary)
                        .nth(k)
                        .unwrap_or(primary)
                }
            }
            ReadTarget::Any | ReadTarget::Nearest => primary,
        };
        self.member_buf = members;
        self.region_buf = regions;
        chosen
    }

    /// The request an operation sends (again, on a redirect).
    pub(super) fn request_for(&self, client: ClientId, op: &Op<Meta>) -> Message {
        let request = match op.kind {
            OpKind::Write | OpKind::Cas => Request::Write {
                key: op.key.clone(),
                value: op.value.clone().unwrap_or_default(),
                condition: match op.kind {
                    OpKind::Cas => Condition::compare(op.expected.clone()),
                    _ => Condition::Always,
                },
                ack: op.meta.ack.unwrap_or_default(),
                term: self.clients[client as usize].session.term_seen,
            },
            OpKind::Read => Request::Read {
                key: op.key.clone(),
                need: op.meta.need.unwrap_or_default(),
                level: op.meta.consistency.unwrap_or_default(),
            },
        };
        Message::Request { op: op.id, request }
    }

    /// A node answered a client.
    pub(super) fn on_reply(&mut self, c: ClientId, from: NodeId, msg: Message) {
        let Message::Reply { op, reply } = msg else {
            return; // clients only ever receive replies
        };
        let Some(record) = self.history.pending_mut(op) else {
            return; // a late reply to an operation that already timed out
        };
        let (tried, redirects) = (record.node, record.redirects);
        let session = &mut self.clients[c as usize].session;
        let answer = match reply {
            Reply::Written { lsn, term, swapped } => {
                session.tokens.wrote(Token { term, lsn });
                session.term_seen = session.term_seen.max(term);
                Answer::Written {
                    pos: (term, lsn),
                    swapped,
                }
            }
            Reply::Value { version, applied } => {
                session.tokens.read_at(applied);
                Answer::Read {
                    version: version.map(|v| Version {
                        value: v.value,
                        op: v.op,
                        pos: (v.term, v.lsn),
                    }),
                }
            }
            Reply::Rejected(Rejection::Behind { primary_hint, .. }) => {
                // The replica cannot serve this read at its level: retry at the primary.
                let primary = primary_hint.unwrap_or(session.primary_hint);
                self.resend_op(c, op, primary);
                return;
            }
            Reply::Rejected(Rejection::Overloaded) => Answer::Failed(OpError::Overloaded),
            Reply::Rejected(Rejection::NotPrimary { primary_hint }) => {
                // Rediscovery: follow the node's hint (the request was refused, so trying
                // again is safe), a few times at most; without a hint, give up and try
                // another node next time.
                match primary_hint.filter(|&h| h != tried && redirects < MAX_REDIRECTS) {
                    Some(hint) => {
                        session.primary_hint = hint;
                        self.resend_op(c, op, hint);
                        return;
                    }
                    None => {
                        self.rediscover(c, tried);
                        Answer::Failed(OpError::NotPrimary)
                    }
                }
            }
        };
        self.complete_op(c, op, from, answer);
    }

    /// A client whose primary did not answer tries the next member after it next time.
    pub(crate) fn rediscover(&mut self, c: ClientId, tried: NodeId) {
        let client = &self.clients[c as usize];
        if client.session.primary_hint != tried {
            return; // it already moved on
        }
        let members = self.members();
        if let Some(next) = members
            .iter()
            .copied()
            .find(|&m| m > tried)
            .or(members.first().copied())
        {
            self.clients[c as usize].session.primary_hint = next;
        }
    }

    /// A manual write with its own acknowledgement policy (a per-operation override).
    pub fn write_with(
        &mut self,
        key: &str,
        value: &str,
        ack: AckPolicy,
    ) -> Result<OpId, crate::kernel::ActionError> {
        self.check_ack_policy(&ack)?;
        let mut spec: OpSpec<Meta> = OpSpec::write(key, value);
        spec.meta.ack = Some(ack);
        self.invoke_manual(spec)
    }

    /// A manual read at a chosen consistency level (a per-operation override); the page's
    /// client session keeps its own tokens. A linearizable read always goes to the primary.
    pub fn read_with(
        &mut self,
        node: NodeId,
        key: &str,
        level: ReadConsistency,
    ) -> Result<OpId, crate::kernel::ActionError> {
        let mut spec: OpSpec<Meta> = OpSpec::read(key);
        spec.target = Some(node);
        spec.meta.consistency = Some(level);
        self.invoke_manual(spec)
    }
}
