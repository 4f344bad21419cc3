//! The run's history in Jepsen's format (`crate::checks::history`), the one format the
//! lab's checkers, the standalone `check` example and `checkHistory` in the page share: each
//! operation an `invoke` then `ok` / `fail` / `info`, in the order they happened, with its
//! process, key, value, node and the lab's operation id. Then the linearizability check of
//! the operations that promise it.

use crate::checks::anomalies::{Example, Kind, Report};
use crate::checks::history::{Event, History, Value};
use crate::checks::linearizable::{self, CheckOptions, Verdict};
use crate::clients::history::{Op, OpKind, Outcome};
use crate::kernel::{Protocol, World};

/// Search steps the linearizability check may spend per key before saying `unknown`
/// (a deterministic budget: the same run gets the same verdict everywhere).
pub const LINEARIZABILITY_STEPS: u64 = 2_000_000;

/// Processes for the page's client: it may have several operations outstanding, and a
/// Jepsen process has one at a time, so each gets a lane of its own from here on.
const MANUAL_LANES: u64 = 1_000_000;

impl<P: Protocol> World<P> {
    /// The history as Jepsen events: every operation (`all`), or only those whose
    /// linearizability the lab judges (writes, compare-and-sets, linearizable reads).
    /// Operations still pending count as `info` (they may yet take effect).
    pub fn jepsen_history(&self, all: bool) -> History {
        self.jepsen_history_of(
            self.history
                .ops()
                .iter()
                .filter(|o| all || o.kind.mutates() || promises_linearizability(*o)),
        )
    }

    /// These operations (in id order) as Jepsen events.
    pub fn jepsen_history_of<'a>(&self, ops: impl Iterator<Item = &'a Op<P::OpMeta>>) -> History
    where
        P::OpMeta: 'a,
    {
        let ops: Vec<&Op<P::OpMeta>> = ops.collect();
        // (place in the history's order, is a completion, op)
        let mut events: Vec<(u64, bool, &Op<P::OpMeta>)> = Vec::with_capacity(ops.len() * 2);
        for &op in &ops {
            events.push((op.invoke_seq, false, op));
            let seq = match op.outcome {
                Outcome::Pending => u64::MAX,
                _ => op.complete_seq,
            };
            events.push((seq, true, op));
        }
        events.sort_by_key(|&(seq, done, op)| (seq, done, op.id));
        let mut lanes: Vec<Option<u64>> = Vec::new(); // manual lanes → op outstanding
        let mut lane_of = std::collections::BTreeMap::new();
        let mut history = History::new();
        for (_, done, op) in events {
            let process = if self.clients[op.client as usize].manual {
                if done {
                    let lane = lane_of[&op.id];
                    lanes[lane as usize] = None;
                    MANUAL_LANES + lane
                } else {
                    let lane = lanes.iter().position(Option::is_none).unwrap_or_else(|| {
                        lanes.push(None);
                        lanes.len() - 1
                    }) as u64;
                    lanes[lane as usize] = Some(op.id);
                    lane_of.insert(op.id, lane);
                    MANUAL_LANES + lane
                }
            } else {
                u64::from(op.client)
            };
            let key = Value::Str(op.key.clone());
            let value = |v: &Option<crate::protocols::single_leader::messages::Text>| {
                v.clone().map_or(Value::Nil, Value::Str)
            };
            let invoke = match op.kind {
                OpKind::Read => Event::invoke_read(process, key),
                OpKind::Write => Event::invoke_write(process, key, value(&op.value)),
                OpKind::Cas => {
                    Event::invoke_cas(process, key, value(&op.expected), value(&op.value))
                }
            }
            .with_op(op.id)
            .with_time(op.invoked_at as i64 * 1000);
            let event = if !done {
                invoke
            } else {
                let event = match op.outcome {
                    Outcome::Ok if op.kind == OpKind::Read => invoke.ok_read(
                        op.read
                            .as_ref()
                            .map_or(Value::Nil, |v| Value::Str(v.value.clone())),
                    ),
                    Outcome::Ok if op.swapped == Some(false) => invoke.cas_failed(),
                    Outcome::Ok => invoke.ok(),
                    Outcome::Fail => invoke.fail(),
                    Outcome::Info | Outcome::Pending => invoke.info(),
                };
                let event = match op.completed_at {
                    Some(t) => event.with_time(t as i64 * 1000),
                    None => event,
                };
                match op.served_by {
                    Some(n) => event.with_node(n),
                    None => event,
                }
            };
            history.push(event);
        }
        history
    }

    /// Checks writes, compare-and-sets and linearizable reads for linearizability, per key,
    /// and adds what it finds to `report`. Skipped when no read promises it. `consensus`:
    /// the model's own assumptions held (then, with every acknowledged write durable, the
    /// registers are promised linearizable).
    pub(crate) fn judge_linearizability(&self, report: &mut Report, consensus: bool) {
        if !self.history.ops().iter().any(promises_linearizability) {
            report.not_judged(Kind::NotLinearizable, "no linearizable reads to judge");
            return;
        }
        let history = self.jepsen_history(false);
        let options = CheckOptions {
            max_steps: LINEARIZABILITY_STEPS,
            out_of_time: None,
        };
        let checked = match linearizable::check_linearizable(&history, &options) {
            Ok(r) => r,
            Err(problems) => {
                // The lab writes its own histories: a problem here is a bug, said plainly.
                let first = problems.first().map(|p| p.to_string()).unwrap_or_default();
                report.not_judged(
                    Kind::NotLinearizable,
                    &format!("the history did not pair up: {first}"),
                );
                return;
            }
        };
        report.linearizability = Some(
            match checked.verdict {
                Verdict::Linearizable => "linearizable",
                Verdict::NotLinearizable => "not-linearizable",
                Verdict::Unknown => "unknown",
            }
            .to_string(),
        );
        // A register is promised linearizable when the model's assumptions held and every
        // write that was acknowledged had a quorum (then no acknowledged write is lost, and
        // reads that confirm the leader in its own term cannot be stale).
        let durable_writes = self
            .history
            .ops()
            .iter()
            .filter(|o| o.kind.mutates() && o.outcome == Outcome::Ok)
            .all(|o| o.durable);
        let promised = consensus && durable_writes;
        for key in checked
            .key_results
            .iter()
            .filter(|k| k.verdict == Verdict::NotLinearizable)
        {
            let explained = checked.explanation.as_ref().filter(|e| e.key == key.key);
            let ops = explained.map_or_else(Vec::new, |e| {
                e.blocked
                    .iter()
                    .filter_map(|b| b.op.op)
                    .chain(e.prefix.iter().rev().take(2).filter_map(|p| p.op.op))
                    .collect()
            });
            report.add(
                Kind::NotLinearizable,
                Example {
                    ops,
                    at: self.now,
                    nodes: Vec::new(),
                    text: key.message.clone(),
                    promised,
                },
            );
        }
    }
}

/// A read whose level promises linearizability.
pub(crate) fn promises_linearizability<M>(op: &Op<M>) -> bool {
    op.kind == OpKind::Read && op.promise.fresh
}
