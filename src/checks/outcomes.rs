//! What became of each operation, judged against the final log: acknowledged writes the
//! cluster no longer holds (lost, whatever removed them: a truncation, a wiped disk, a
//! primary that never came back), reads of values whose write never committed (dirty), and
//! reads that missed a write acknowledged before they began (stale, with how stale in
//! milliseconds and in versions).

use super::anomalies::{Example, Kind, Report};
use super::facts::{pos_of, RunFacts};
use crate::clients::history::{Op, OpKind, Outcome};
use crate::kernel::time::Micros;
use crate::kernel::{Pos, Text};
use std::collections::BTreeMap;

/// An acknowledged write that set a value (not a compare-and-set whose compare failed).
fn acknowledged_set<M>(op: &Op<M>) -> bool {
    op.kind.mutates() && op.outcome == Outcome::Ok && op.swapped != Some(false)
}

/// A duration or a moment, for sentences: "0.6 ms", "1.25 s".
pub(crate) fn time(us: Micros) -> String {
    if us >= 1_000_000 {
        format!("{:.2} s", us as f64 / 1e6)
    } else {
        format!("{:.1} ms", us as f64 / 1000.0)
    }
}

pub fn lost_writes<M>(facts: &RunFacts<M>, report: &mut Report) {
    for op in facts
        .ops
        .iter()
        .filter(|o| acknowledged_set(*o) && facts.subject(o))
    {
        let Some(pos) = op.written else {
            continue;
        };
        if facts.survives(op.id) || !facts.decided(pos) {
            continue;
        }
        let how = facts.discards.iter().find(|t| t.op == op.id).map_or_else(
            || "no surviving node has it".to_string(),
            |t| format!("n{} discarded it at {}", t.node, time(t.at)),
        );
        let promised = op.durable && facts.consensus;
        let text = format!(
            "write {}={} (at {}, acknowledged {}) is gone: {how}",
            op.key,
            op.value.as_deref().unwrap_or(""),
            pos.1,
            if op.durable {
                "once a majority had it"
            } else {
                "before a majority had it"
            },
        );
        report.add(
            Kind::LostAcknowledgedWrite,
            Example {
                ops: vec![op.id],
                at: op.completed_at.unwrap_or(op.invoked_at),
                nodes: op.served_by.into_iter().collect(),
                text,
                promised,
            },
        );
    }
}

pub fn dirty_reads<M>(facts: &RunFacts<M>, report: &mut Report) {
    for op in facts.ops.iter().filter(|o| ok_read(*o) && facts.subject(o)) {
        let Some(v) = &op.read else { continue };
        if facts.survives_version(v) || !facts.decided(v.pos) {
            continue;
        }
        let promised = facts.consensus && op.promise.committed;
        let text = format!(
            "read {} returned {} (at {}, epoch {}), a write that never committed",
            op.key, v.value, v.pos.1, v.pos.0
        );
        report.add(
            Kind::DirtyRead,
            Example {
                ops: vec![op.id, v.op],
                at: op.completed_at.unwrap_or(op.invoked_at),
                nodes: op.served_by.into_iter().collect(),
                text,
                promised,
            },
        );
    }
}

fn ok_read<M>(op: &Op<M>) -> bool {
    op.kind == OpKind::Read && op.outcome == Outcome::Ok
}

/// One key's acknowledged surviving writes in acknowledgement order, with the running
/// newest position (so the first write newer than a version is a binary search away).
#[derive(Default)]
struct KeyWrites {
    acked_at: Vec<Micros>,
    running_max: Vec<Pos>,
    /// Positions of the writes, for counting versions missed.
    positions: Vec<Pos>,
    ops: Vec<u64>,
}

pub fn stale_reads<M>(facts: &RunFacts<M>, report: &mut Report) {
    // Surviving acknowledged writes by key, in acknowledgement order.
    let mut writes: BTreeMap<&Text, Vec<(&Op<M>, Pos)>> = BTreeMap::new();
    for op in facts.ops.iter().filter(|o| acknowledged_set(*o)) {
        if let (Some(pos), Some(_)) = (facts.surviving.get(&op.id), op.completed_at) {
            writes.entry(&op.key).or_default().push((op, *pos));
        }
    }
    let mut by_key: BTreeMap<&Text, KeyWrites> = BTreeMap::new();
    for (key, mut list) in writes {
        list.sort_by_key(|(op, _)| (op.completed_at, op.id));
        let mut w = KeyWrites::default();
        let mut max = (0, 0);
        for (op, pos) in list {
            max = max.max(pos);
            w.acked_at.push(op.completed_at.unwrap_or_default());
            w.running_max.push(max);
            w.positions.push(pos);
            w.ops.push(op.id);
        }
        by_key.insert(key, w);
    }
    for op in facts.ops.iter().filter(|o| ok_read(*o) && facts.subject(o)) {
        let Some(w) = by_key.get(&op.key) else {
            continue;
        };
        let before = w.acked_at.partition_point(|&t| t < op.invoked_at);
        let returned = pos_of(op.read.as_ref());
        let first_newer = w.running_max[..before].partition_point(|&m| m <= returned);
        if first_newer >= before {
            continue;
        }
        let missed: Vec<usize> = (first_newer..before)
            .filter(|&i| w.positions[i] > returned)
            .collect();
        let staleness = op.invoked_at - w.acked_at[first_newer];
        let text = format!(
            "read {} returned {} but {} newer write{} had been acknowledged, the first {} before it began",
            op.key,
            op.read.as_ref().map_or("nothing", |v| &v.value),
            missed.len(),
            if missed.len() == 1 { "" } else { "s" },
            time(staleness),
        );
        let mut ops = vec![op.id];
        ops.extend(missed.iter().take(3).map(|&i| w.ops[i]));
        report.add(
            Kind::StaleRead,
            Example {
                ops,
                at: op.invoked_at,
                nodes: op.served_by.into_iter().collect(),
                text,
                // One primary at a time is what makes a read index mean anything: a naive
                // manager's second primary, or a forced promotion, breaks it.
                promised: op.promise.fresh && facts.consensus,
            },
        );
    }
}
