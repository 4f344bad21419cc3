//! The Jepsen-style record of every client operation: an `invoke`, then `ok`, `fail` or
//! `info` (outcome unknown: a timed-out write may or may not have happened), with the node
//! that served it and what it returned. The model adds its particulars (`M`: a policy, a
//! read level).
//!
//! The [`StalenessOracle`] watches acknowledged writes from outside the nodes and judges
//! each completed read as it completes (the live STALE tag): a read is *stale* when it
//! returned an older version than one whose write had already been acknowledged to a
//! client before the read was invoked. Versions are ordered by their place in the model's
//! order of writes ([`Pos`]); the checkers in `crate::checks` judge the finished history
//! again, against the cluster's final state.

use crate::kernel::time::{Micros, MICROS_PER_MS};
use crate::kernel::{ClientId, NodeId, OpId, Pos, Text};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a read's level promises, for the checkers (set by the model when the read is
/// invoked, judged against what the read returned).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadPromise {
    /// Never older than a write acknowledged before it began (linearizable).
    pub fresh: bool,
    /// Never a value whose write a failover can undo (majority-committed).
    pub committed: bool,
    /// Never older than the session's own acknowledged writes.
    pub own_writes: bool,
    /// Never older than what the session has read.
    pub monotonic: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OpKind {
    Read,
    Write,
    /// Compare-and-set: write `value` if the key holds `expected`.
    Cas,
}

impl OpKind {
    /// Writes and compare-and-sets go through the primary's log.
    pub fn mutates(self) -> bool {
        self != OpKind::Read
    }
}

/// Jepsen's completion types, plus `pending` for an operation still in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pending,
    Ok,
    Fail,
    Info,
}

/// Why an operation failed or has an unknown outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OpError {
    Timeout,
    NotPrimary,
    /// The node's request queue was full.
    Overloaded,
    /// Too few replicas were up for the consistency level: nothing was written
    /// (Cassandra's UnavailableException).
    Unavailable,
    /// The model does not do this operation (compare-and-set without consensus).
    Unsupported,
}

/// A value a read returned, and which write put it there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub value: Text,
    /// The operation that wrote it.
    pub op: OpId,
    /// Its place in the model's order of writes.
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Op<M> {
    pub id: OpId,
    pub client: ClientId,
    pub kind: OpKind,
    pub key: Text,
    /// The value a write wrote (a compare-and-set's new value).
    pub value: Option<Text>,
    /// A compare-and-set's expected value (`None`: the key must be absent).
    pub expected: Option<Text>,
    /// A compare-and-set's answer: whether the compare held and the value was set.
    pub swapped: Option<bool>,
    /// The node the request was first sent to.
    pub asked: NodeId,
    /// The node it was last sent to (after redirects).
    pub node: NodeId,
    /// The node whose answer completed it.
    pub served_by: Option<NodeId>,
    pub invoked_at: Micros,
    pub completed_at: Option<Micros>,
    pub outcome: Outcome,
    /// What a read returned (`None`: the key had no value there).
    pub read: Option<Version>,
    /// Where a write landed in the model's order of writes.
    pub written: Option<Pos>,
    pub error: Option<OpError>,
    /// A read that missed an already-acknowledged write.
    pub stale: bool,
    /// For a stale read: how long the newest missed write had been acknowledged.
    pub staleness: Option<Micros>,
    /// Entered by hand on the page rather than by the workload.
    pub manual: bool,
    /// An acknowledged write that a quorum had when it was acknowledged (what the model
    /// keeps through any failover).
    pub durable: bool,
    /// What a read's level promises (for the checkers).
    #[serde(skip)]
    pub promise: ReadPromise,
    /// Times it was sent on to another node (a redirect).
    pub redirects: u32,
    /// An acknowledged write the cluster has since let go: acknowledged, then lost.
    pub lost: bool,
    /// Places of the invocation and the completion in the order the history saw them
    /// (several can share a microsecond: this says which came first).
    #[serde(skip)]
    pub invoke_seq: u64,
    #[serde(skip)]
    pub complete_seq: u64,
    /// The model's particulars (a policy, a read level, what counted).
    #[serde(flatten)]
    pub meta: M,
}

impl<M> Op<M> {
    pub fn latency(&self) -> Option<Micros> {
        self.completed_at.map(|c| c - self.invoked_at)
    }
}

/// Running totals of the history, kept as operations complete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub writes_ok: u64,
    pub writes_failed: u64,
    pub writes_unknown: u64,
    pub reads_ok: u64,
    pub reads_failed: u64,
    pub stale_reads: u64,
    pub pending: u64,
    /// Requests refused because a node's queue was full.
    pub overloaded: u64,
}

/// How old an operation is when the checkers judge it; it leaves the window at twice this.
pub const HISTORY_WINDOW: Micros = 30_000 * MICROS_PER_MS;

/// Under a heavy load the window is counted too: an operation is judged once this many
/// newer ones exist, whatever its age, and leaves at twice this (so the window holds at
/// most about 2 × [`WINDOW_OPS`] operations, ~330 bytes each).
pub const WINDOW_OPS: usize = 50_000;

/// The operations of a run, indexed by id (ids are dense from 1): a window of the most
/// recent ones, for the views and the checkers. Older operations are *retired* once the
/// checkers have judged them (`crate::observe::window`), so memory stays bounded on long
/// runs; the running [`Counters`] count every operation ever made.
#[derive(Clone, Debug)]
pub struct History<M> {
    /// Operations `retired + 1 ..`, in id order.
    ops: Vec<Op<M>>,
    /// Operations up to this id have left the window.
    retired: OpId,
    /// Operations up to this id have been judged by the checkers (`retired` or later).
    judged: OpId,
    counters: Counters,
    /// The next place in the order of invocations and completions.
    seq: u64,
}

impl<M> Default for History<M> {
    fn default() -> History<M> {
        History {
            ops: Vec::new(),
            retired: 0,
            judged: 0,
            counters: Counters::default(),
            seq: 0,
        }
    }
}

impl<M> History<M> {
    pub fn invoke(&mut self, mut op: Op<M>) -> OpId {
        op.id = self.retired + self.ops.len() as OpId + 1;
        op.invoke_seq = self.seq;
        self.seq += 1;
        let id = op.id;
        self.ops.push(op);
        self.counters.pending += 1;
        id
    }

    /// Counts an operation that has just left `pending` (call once, after setting its outcome).
    pub fn count_completion(&mut self, id: OpId) {
        let seq = self.seq;
        let Some(op) = self.index(id).and_then(|i| self.ops.get_mut(i)) else {
            return;
        };
        if op.outcome != Outcome::Pending {
            op.complete_seq = seq;
            self.seq += 1;
        }
        let op = &*op;
        let c = &mut self.counters;
        match (op.kind.mutates(), op.outcome) {
            (_, Outcome::Pending) => return,
            (true, Outcome::Ok) => c.writes_ok += 1,
            (true, Outcome::Fail) => c.writes_failed += 1,
            (true, Outcome::Info) => c.writes_unknown += 1,
            (false, Outcome::Ok) => c.reads_ok += 1,
            (false, _) => c.reads_failed += 1,
        }
        c.stale_reads += u64::from(op.stale);
        c.overloaded += u64::from(op.error == Some(OpError::Overloaded));
        c.pending -= 1;
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    fn index(&self, id: OpId) -> Option<usize> {
        id.checked_sub(self.retired + 1).map(|i| i as usize)
    }

    /// The operation, while it is in the window.
    pub fn get(&self, id: OpId) -> Option<&Op<M>> {
        self.index(id).and_then(|i| self.ops.get(i))
    }

    /// The operation, if it has not completed yet.
    pub fn pending_mut(&mut self, id: OpId) -> Option<&mut Op<M>> {
        self.get_mut(id).filter(|o| o.outcome == Outcome::Pending)
    }

    pub fn get_mut(&mut self, id: OpId) -> Option<&mut Op<M>> {
        self.index(id).and_then(|i| self.ops.get_mut(i))
    }

    /// The operations in the window, oldest first.
    pub fn ops(&self) -> &[Op<M>] {
        &self.ops
    }

    /// Operations ever invoked (retired ones included).
    pub fn len(&self) -> usize {
        (self.retired as usize) + self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Operations up to this id have left the window.
    pub fn retired(&self) -> OpId {
        self.retired
    }

    /// Operations up to this id have been judged by the checkers.
    pub fn judged(&self) -> OpId {
        self.judged
    }

    /// Marks the operations up to `id` judged.
    pub fn set_judged(&mut self, id: OpId) {
        self.judged = self
            .judged
            .max(id.min(self.retired + self.ops.len() as OpId));
    }

    /// Drops the judged operations up to `id` from the window.
    pub fn retire_through(&mut self, id: OpId) {
        let id = id.min(self.judged);
        if id > self.retired {
            self.ops.drain(..(id - self.retired) as usize);
            self.retired = id;
        }
    }

    /// The most recent `n` operations, newest last.
    pub fn recent(&self, n: usize) -> &[Op<M>] {
        &self.ops[self.ops.len().saturating_sub(n)..]
    }
}

/// One acknowledged write, as the oracle remembers it. Writes are appended in
/// acknowledgement order, so `acked_at` never decreases along a key's list.
#[derive(Clone, Copy, Debug)]
struct AckedWrite {
    acked_at: Micros,
    /// The newest version acknowledged for this key up to and including this write.
    max_pos: Pos,
}

/// Remembers every acknowledged write per key and judges reads against them in
/// logarithmic time.
#[derive(Clone, Debug, Default)]
pub struct StalenessOracle {
    acked: BTreeMap<Text, Vec<AckedWrite>>,
}

/// The oracle's verdict on one read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadVerdict {
    pub stale: bool,
    pub staleness: Option<Micros>,
}

impl StalenessOracle {
    pub fn write_acknowledged(&mut self, key: &Text, pos: Pos, at: Micros) {
        match self.acked.get_mut(key) {
            Some(writes) => {
                let last = writes.last().expect("lists are never empty");
                debug_assert!(last.acked_at <= at);
                let max_pos = last.max_pos.max(pos);
                writes.push(AckedWrite {
                    acked_at: at,
                    max_pos,
                });
            }
            None => {
                let first = AckedWrite {
                    acked_at: at,
                    max_pos: pos,
                };
                self.acked.insert(key.clone(), vec![first]);
            }
        }
    }

    /// Forgets the detail of writes acknowledged before `horizon`, keeping per key the last
    /// of them (which carries the newest version among them): reads invoked after the
    /// horizon are still judged stale exactly, and their staleness is at least the one
    /// reported (it is measured from that last write when an older one was missed too).
    pub fn compact(&mut self, horizon: Micros) {
        for writes in self.acked.values_mut() {
            let old = writes.partition_point(|w| w.acked_at < horizon);
            if old > 1 {
                writes.drain(..old - 1);
            }
        }
    }

    /// Acknowledged writes remembered (for the memory figures).
    pub fn remembered(&self) -> usize {
        self.acked.values().map(Vec::len).sum()
    }

    /// Judges a read of `key` invoked at `invoked_at` that returned the version at
    /// `returned` ((0, 0) for "no value"): stale when some write acknowledged before the
    /// invocation is newer; the staleness is measured from the first such write.
    pub fn judge_read(&self, key: &Text, invoked_at: Micros, returned: Pos) -> ReadVerdict {
        let missed_since = self.acked.get(key).and_then(|writes| {
            let before = writes.partition_point(|w| w.acked_at <= invoked_at);
            let writes = &writes[..before];
            let first_newer = writes.partition_point(|w| w.max_pos <= returned);
            writes.get(first_newer).map(|w| w.acked_at)
        });
        ReadVerdict {
            stale: missed_since.is_some(),
            staleness: missed_since.map(|t| invoked_at - t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_missing_an_acknowledged_write_is_stale() {
        let mut oracle = StalenessOracle::default();
        let k: Text = "x".into();
        oracle.write_acknowledged(&k, (1, 3), 1_000);
        oracle.write_acknowledged(&k, (1, 5), 2_000);
        assert_eq!(
            oracle.judge_read(&k, 2_500, (1, 3)),
            ReadVerdict {
                stale: true,
                staleness: Some(500)
            }
        );
        assert_eq!(
            oracle.judge_read(&k, 2_500, (0, 0)),
            ReadVerdict {
                stale: true,
                staleness: Some(1_500)
            }
        );
        assert!(!oracle.judge_read(&k, 2_500, (1, 5)).stale);
        // A write acknowledged after the read began does not make it stale.
        assert!(!oracle.judge_read(&k, 1_500, (1, 3)).stale);
        assert!(!oracle.judge_read(&"y".into(), 9_000, (0, 0)).stale);
    }

    #[test]
    fn versions_are_ordered_by_term_first() {
        // A deposed primary's entry at LSN 9 of term 1 is older than the new primary's
        // acknowledged write at LSN 6 of term 2: reading it is stale.
        let mut oracle = StalenessOracle::default();
        let k: Text = "x".into();
        oracle.write_acknowledged(&k, (2, 6), 1_000);
        assert!(oracle.judge_read(&k, 2_000, (1, 9)).stale);
        assert!(!oracle.judge_read(&k, 2_000, (2, 6)).stale);
    }
}
