//! Session guarantees per client (Terry et al., 1994), judged by the order of the final
//! log (term-aware positions, not LSNs alone):
//!
//! - read your writes: a read of a key sees the session's own earlier acknowledged write
//!   to it, or a later one;
//! - monotonic reads: a read of a key is never older than one the session already read;
//! - monotonic writes: the session's writes survive in the order it made them (a later
//!   write never survives an earlier lost one, nor lands before it);
//! - writes follow reads: a write the session makes after reading a value is ordered after
//!   that value's write, and does not survive it.
//!
//! "Earlier" means completed before the later operation was invoked. Writes lost or not yet
//! decided are left to the durability checks; each violation says whether the session's
//! consistency level promised it.

use super::anomalies::{Example, Kind, Report};
use super::facts::{pos_of, RunFacts};
use crate::clients::history::{Op, OpKind, Outcome};
use crate::kernel::{ClientId, OpId, Pos, Text};
use std::collections::BTreeMap;

/// What a session has done so far, at one point of its history.
struct SessionState<'a, M> {
    /// Per key: the session's newest surviving acknowledged write.
    own_write: BTreeMap<&'a Text, (Pos, &'a Op<M>)>,
    /// Per key: the newest version the session has read.
    read: BTreeMap<&'a Text, (Pos, &'a Op<M>)>,
    /// The session's latest acknowledged write (any key).
    last_write: Option<&'a Op<M>>,
    /// The newest version read (any key) and the read.
    newest_read: Option<(Pos, &'a Op<M>)>,
}

impl<M> Default for SessionState<'_, M> {
    fn default() -> Self {
        SessionState {
            own_write: BTreeMap::new(),
            read: BTreeMap::new(),
            last_write: None,
            newest_read: None,
        }
    }
}

/// The events of one session in time order: completions before invocations at equal
/// times (a client acts on an answer after it arrives).
type Events<'a, M> = BTreeMap<ClientId, Vec<(u64, bool, &'a Op<M>)>>;

fn session_events<M>(ops: &[Op<M>]) -> Events<'_, M> {
    let mut by_client: Events<'_, M> = BTreeMap::new();
    for op in ops {
        let events = by_client.entry(op.client).or_default();
        events.push((op.invoked_at, true, op));
        if op.outcome == Outcome::Ok {
            events.push((op.completed_at.unwrap_or(op.invoked_at), false, op));
        }
    }
    for events in by_client.values_mut() {
        // (time, invoked?) puts completions (false) first; the sort is stable for the rest.
        events.sort_by_key(|&(t, invoke, op)| (t, invoke, op.id));
    }
    by_client
}

pub fn check<M>(facts: &RunFacts<M>, report: &mut Report) {
    for (client, events) in session_events(facts.ops) {
        let mut s = SessionState::default();
        for (_, invoke, op) in events {
            if invoke {
                if facts.subject(op) {
                    judge_invocation(facts, client, &s, op, report);
                }
            } else {
                remember_completion(facts, &mut s, op);
            }
        }
    }
}

/// What the session had done before `op` began constrains what `op` may return (reads,
/// judged when they complete: the answer is known) and where it may land (writes).
fn judge_invocation<M>(
    facts: &RunFacts<M>,
    client: ClientId,
    s: &SessionState<M>,
    op: &Op<M>,
    report: &mut Report,
) {
    if op.outcome != Outcome::Ok {
        return;
    }
    let at = op.completed_at.unwrap_or(op.invoked_at);
    let nodes = op.served_by.into_iter().collect::<Vec<_>>();
    let mut add = |kind, ops: Vec<OpId>, text: String, promised| {
        report.add(
            kind,
            Example {
                ops,
                at,
                nodes: nodes.clone(),
                text,
                promised,
            },
        )
    };
    if op.kind == OpKind::Read {
        let returned = pos_of(op.read.as_ref());
        let value = op.read.as_ref().map_or("nothing", |v| &*v.value);
        if let Some(&(pos, w)) = s.own_write.get(&op.key) {
            if returned < pos {
                // Session tokens name one write only while the model's assumptions hold
                // (one primary per term), so a naive manager's promotions break them too.
                let promised = facts.consensus && op.promise.own_writes;
                let text = format!(
                    "c{client} read {} = {value} after its own write {}={} was acknowledged",
                    op.key,
                    w.key,
                    w.value.as_deref().unwrap_or("")
                );
                add(Kind::ReadYourWrites, vec![op.id, w.id], text, promised);
            }
        }
        if let Some(&(pos, r)) = s.read.get(&op.key) {
            let both_survive = op.read.as_ref().is_none_or(|v| facts.survives_version(v))
                && pos_survives(facts, r);
            if returned < pos {
                let promised = both_survive && facts.consensus && op.promise.monotonic;
                let before = r.read.as_ref().map_or("nothing", |v| &*v.value);
                let text = format!(
                    "c{client} read {} = {value}, older than the {before} it had already read",
                    op.key
                );
                add(Kind::MonotonicReads, vec![op.id, r.id], text, promised);
            }
        }
        return;
    }
    if !op.kind.mutates() || op.swapped == Some(false) {
        return;
    }
    let Some(written) = op.written else { return };
    let survives = facts.survives(op.id);
    if !survives {
        return; // lost or undecided: the durability checks judge it
    }
    let mine = facts.write_pos(op).unwrap_or(written);
    if let Some(prev) = s.last_write {
        let prev_survives = facts.survives(prev.id);
        let prev_decided = facts.write_pos(prev).is_some_and(|p| facts.decided(p));
        let out_of_order = prev_survives && facts.write_pos(prev).is_some_and(|p| p > mine);
        if (!prev_survives && prev_decided) || out_of_order {
            let promised = facts.consensus && prev.durable && op.durable;
            let text = format!(
                "c{client}'s write {}={} survived but its earlier write {}={} {}",
                op.key,
                op.value.as_deref().unwrap_or(""),
                prev.key,
                prev.value.as_deref().unwrap_or(""),
                if out_of_order {
                    "comes after it"
                } else {
                    "did not"
                }
            );
            add(Kind::MonotonicWrites, vec![op.id, prev.id], text, promised);
        }
    }
    if let Some((pos, r)) = s.newest_read {
        let read_write = r.read.as_ref().map(|v| v.op);
        let dirty =
            r.read.as_ref().is_some_and(|v| !facts.survives_version(v)) && facts.decided(pos);
        if dirty || pos > mine {
            let durable = read_write
                .and_then(|u| facts.op(u))
                .is_some_and(|u| u.durable);
            let text = format!(
                "c{client}'s write {}={} survived {} the {} it had read",
                op.key,
                op.value.as_deref().unwrap_or(""),
                if dirty { "while" } else { "before" },
                r.read.as_ref().map_or("", |v| &*v.value),
            );
            let mut ops = vec![op.id, r.id];
            ops.extend(read_write);
            let promised = facts.consensus && durable && op.durable;
            add(Kind::WritesFollowReads, ops, text, promised);
        }
    }
}

fn pos_survives<M>(facts: &RunFacts<M>, read: &Op<M>) -> bool {
    read.read.as_ref().is_none_or(|v| facts.survives_version(v))
}

fn remember_completion<'a, M>(facts: &RunFacts<M>, s: &mut SessionState<'a, M>, op: &'a Op<M>) {
    if op.kind == OpKind::Read {
        let pos = pos_of(op.read.as_ref());
        let newest = s.read.get(&op.key).is_none_or(|&(p, _)| pos > p);
        if newest {
            s.read.insert(&op.key, (pos, op));
        }
        if op.read.is_some() && s.newest_read.is_none_or(|(p, _)| pos > p) {
            s.newest_read = Some((pos, op));
        }
        return;
    }
    if op.swapped == Some(false) {
        // A failed compare-and-set read the key: it saw no newer value than its own slot.
        return;
    }
    s.last_write = Some(op);
    if facts.survives(op.id) {
        if let Some(pos) = facts.write_pos(op) {
            let newest = s.own_write.get(&op.key).is_none_or(|&(p, _)| pos > p);
            if newest {
                s.own_write.insert(&op.key, (pos, op));
            }
        }
    }
}

/// Session guarantees of a client history in Jepsen's format, where nothing records the
/// store's order of writes: only the order real time forces is used (a write that returned
/// before another was invoked is older), and values name their writes (a value written
/// more than once names none). Read your writes and monotonic reads can be judged this way;
/// monotonic writes and writes follow reads cannot, and are said to be not judged.
pub mod from_history {
    use crate::checks::history::{Action, History, HistoryError, Operation, Outcome, Value};
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// What the session checks found in a history.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionReport {
        pub read_your_writes: u64,
        pub monotonic_reads: u64,
        /// The first few violations.
        pub examples: Vec<SessionViolation>,
        pub not_judged: Vec<&'static str>,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionViolation {
        pub kind: &'static str,
        pub process: u64,
        /// Event indexes of the invokes: the read, then the operation it contradicts.
        pub invokes: Vec<usize>,
        /// The lab's operation ids, when the history has them.
        pub ops: Vec<u64>,
        pub text: String,
    }

    impl SessionReport {
        pub fn violations(&self) -> u64 {
            self.read_your_writes + self.monotonic_reads
        }
    }

    /// A write as reads can name it: where it was invoked and returned (if it did).
    #[derive(Clone, Copy)]
    struct Write {
        call: usize,
        returned: Option<usize>,
    }

    pub fn check(history: &History) -> Result<SessionReport, Vec<HistoryError>> {
        let ops = history.operations()?;
        // (key, value) → the one write of it (None: written more than once).
        let mut writes: BTreeMap<(Option<&Value>, &Value), Option<Write>> = BTreeMap::new();
        for op in &ops {
            let value = match &op.action {
                Action::Write(v) => v,
                Action::Cas { new, result, .. } if *result != Some(false) => new,
                _ => continue,
            };
            if op.outcome == Outcome::Fail {
                continue;
            }
            let w = Write {
                call: op.call,
                returned: op.returned_at(),
            };
            writes
                .entry((op.key.as_ref(), value))
                .and_modify(|slot| *slot = None)
                .or_insert(Some(w));
        }
        let named =
            |key: Option<&Value>, value: &Value| writes.get(&(key, value)).copied().flatten();
        let mut report = SessionReport {
            not_judged: vec!["monotonicWrites", "writesFollowReads"],
            ..SessionReport::default()
        };
        // Per process, in the order of the history (a process has one operation at a time).
        let mut by_process: BTreeMap<u64, Vec<&Operation>> = BTreeMap::new();
        for op in &ops {
            by_process.entry(op.process).or_default().push(op);
        }
        for (process, ops) in by_process {
            // Per key: the latest own write that returned, and the newest position read
            // (the largest invoke index of a write read; whether `nil` was passed).
            let mut own: BTreeMap<Option<&Value>, (&Operation, Write)> = BTreeMap::new();
            let mut read: BTreeMap<Option<&Value>, (&Operation, usize)> = BTreeMap::new();
            for op in ops {
                let key = op.key.as_ref();
                match &op.action {
                    Action::Read { returned: Some(v) } if op.outcome == Outcome::Ok => {
                        let w = named(key, v);
                        let nil = *v == Value::Nil;
                        // "Definitely older than `call`": returned before it was invoked.
                        let older = |call: usize| {
                            (nil && !writes.contains_key(&(key, &Value::Nil)))
                                || w.and_then(|w| w.returned).is_some_and(|r| r < call)
                        };
                        if let Some(&(mine, w_mine)) = own.get(&key) {
                            if (nil || w.is_some_and(|w| w.call != w_mine.call))
                                && older(w_mine.call)
                            {
                                report.read_your_writes += 1;
                                push(&mut report, "readYourWrites", process, op, mine, v);
                            }
                        }
                        if let Some(&(before, newest_call)) = read.get(&key) {
                            if older(newest_call) {
                                report.monotonic_reads += 1;
                                push(&mut report, "monotonicReads", process, op, before, v);
                            }
                        }
                        let call = w.map_or(0, |w| w.call);
                        if !nil && read.get(&key).is_none_or(|&(_, c)| call > c) {
                            read.insert(key, (op, call));
                        }
                    }
                    Action::Write(_) | Action::Cas { .. }
                        if op.returned_at().is_some()
                            && !matches!(
                                op.action,
                                Action::Cas {
                                    result: Some(false),
                                    ..
                                }
                            ) =>
                    {
                        let w = Write {
                            call: op.call,
                            returned: op.returned_at(),
                        };
                        own.insert(key, (op, w));
                    }
                    _ => {}
                }
            }
        }
        Ok(report)
    }

    fn push(
        report: &mut SessionReport,
        kind: &'static str,
        process: u64,
        read: &Operation,
        earlier: &Operation,
        value: &Value,
    ) {
        if report.examples.len() >= 5 {
            return;
        }
        let text = match kind {
            "readYourWrites" => format!(
                "process {process} read {value} (invoke [{}]) after its own write at [{}] had returned: that value is older",
                read.call, earlier.call
            ),
            _ => format!(
                "process {process} read {value} (invoke [{}]), older than what it read at [{}]",
                read.call, earlier.call
            ),
        };
        report.examples.push(SessionViolation {
            kind,
            process,
            invokes: vec![read.call, earlier.call],
            ops: read.op.into_iter().chain(earlier.op).collect(),
            text,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::from_history::check;
    use crate::checks::history::History;

    fn history(json: &str) -> History {
        History::from_json(json).unwrap()
    }

    #[test]
    fn a_process_that_reads_older_than_its_own_write_breaks_read_your_writes() {
        // p0 writes 1 (returns), p1 writes 2 after that, p1 reads 1: older than its own 2.
        let h = history(
            r#"[{"process": 0, "type": "invoke", "f": "write", "value": 1},
                {"process": 0, "type": "ok", "f": "write", "value": 1},
                {"process": 1, "type": "invoke", "f": "write", "value": 2},
                {"process": 1, "type": "ok", "f": "write", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": 1}]"#,
        );
        let r = check(&h).unwrap();
        assert_eq!((r.read_your_writes, r.monotonic_reads), (1, 0));
        assert_eq!(r.examples[0].invokes, vec![4, 2]);
        // Reading nothing after one's own write is older too.
        let h = history(
            r#"[{"process": 1, "type": "invoke", "f": "write", "value": 2},
                {"process": 1, "type": "ok", "f": "write", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": null}]"#,
        );
        assert_eq!(check(&h).unwrap().read_your_writes, 1);
    }

    #[test]
    fn going_back_in_time_breaks_monotonic_reads_but_concurrent_writes_do_not() {
        let h = history(
            r#"[{"process": 0, "type": "invoke", "f": "write", "value": 1},
                {"process": 0, "type": "ok", "f": "write", "value": 1},
                {"process": 0, "type": "invoke", "f": "write", "value": 2},
                {"process": 0, "type": "ok", "f": "write", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": 1}]"#,
        );
        let r = check(&h).unwrap();
        assert_eq!((r.read_your_writes, r.monotonic_reads), (0, 1));
        // Writes 1 and 2 overlap: either order is possible, so 2 then 1 proves nothing.
        let h = history(
            r#"[{"process": 0, "type": "invoke", "f": "write", "value": 1},
                {"process": 2, "type": "invoke", "f": "write", "value": 2},
                {"process": 0, "type": "ok", "f": "write", "value": 1},
                {"process": 2, "type": "ok", "f": "write", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": 2},
                {"process": 1, "type": "invoke", "f": "read", "value": null},
                {"process": 1, "type": "ok", "f": "read", "value": 1}]"#,
        );
        assert_eq!(check(&h).unwrap().violations(), 0);
    }
}
