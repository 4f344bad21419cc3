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
use super::facts::{Pos, RunFacts};
use crate::consistency::ReadConsistency;
use crate::history::{Op, OpKind, Outcome};
use crate::protocol::{ClientId, OpId, Text};
use std::collections::BTreeMap;

/// What a session has done so far, at one point of its history.
#[derive(Default)]
struct SessionState<'a> {
    /// Per key: the session's newest surviving acknowledged write.
    own_write: BTreeMap<&'a Text, (Pos, &'a Op)>,
    /// Per key: the newest version the session has read.
    read: BTreeMap<&'a Text, (Pos, &'a Op)>,
    /// The session's latest acknowledged write (any key).
    last_write: Option<&'a Op>,
    /// The newest version read (any key) and the read.
    newest_read: Option<(Pos, &'a Op)>,
}

/// The events of one session in time order: completions before invocations at equal
/// times (a client acts on an answer after it arrives).
fn session_events(ops: &[Op]) -> BTreeMap<ClientId, Vec<(u64, bool, &Op)>> {
    let mut by_client: BTreeMap<ClientId, Vec<(u64, bool, &Op)>> = BTreeMap::new();
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

pub fn check(facts: &RunFacts, report: &mut Report) {
    for (client, events) in session_events(facts.ops) {
        let mut s = SessionState::default();
        for (_, invoke, op) in events {
            if invoke {
                judge_invocation(facts, client, &s, op, report);
            } else {
                remember_completion(facts, &mut s, op);
            }
        }
    }
}

/// What the session had done before `op` began constrains what `op` may return (reads,
/// judged when they complete: the answer is known) and where it may land (writes).
fn judge_invocation(
    facts: &RunFacts,
    client: ClientId,
    s: &SessionState,
    op: &Op,
    report: &mut Report,
) {
    if op.outcome != Outcome::Ok {
        return;
    }
    let at = op.completed_at.unwrap_or(op.invoked_at);
    let nodes = op.served_by.into_iter().collect::<Vec<_>>();
    let level = op.consistency.unwrap_or_default();
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
        let returned = RunFacts::pos_of(op.read.as_ref());
        let value = op.read.as_ref().map_or("nothing", |v| &*v.value);
        if let Some(&(pos, w)) = s.own_write.get(&op.key) {
            if returned < pos {
                // A majority read carries no session token: it may miss the session's own
                // write (MongoDB needs a causal session for that).
                // Tokens are (term, LSN): they name one write only while each term has
                // one primary (Raft), so a naive manager's promotions break them too.
                let promised = facts.raft
                    && matches!(
                        level,
                        ReadConsistency::ReadYourWrites | ReadConsistency::Linearizable
                    );
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
            let both_survive =
                op.read.as_ref().is_none_or(|v| facts.survives(v.op)) && pos_survives(facts, r);
            if returned < pos {
                let promised = both_survive
                    && facts.raft
                    && matches!(
                        level,
                        ReadConsistency::Monotonic | ReadConsistency::Linearizable
                    );
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
    let Some(lsn) = op.lsn else { return };
    let survives = facts.survives(op.id);
    if !survives {
        return; // lost or undecided: the durability checks judge it
    }
    let mine = facts.write_pos(op).unwrap_or((0, lsn));
    if let Some(prev) = s.last_write {
        let prev_survives = facts.survives(prev.id);
        let prev_decided = facts.write_pos(prev).is_some_and(|p| facts.decided(p));
        let out_of_order = prev_survives && facts.write_pos(prev).is_some_and(|p| p > mine);
        if (!prev_survives && prev_decided) || out_of_order {
            let promised = facts.raft && prev.durable && op.durable;
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
        let dirty = read_write.is_some_and(|u| !facts.survives(u)) && facts.decided(pos);
        if dirty || pos > mine {
            let durable = read_write
                .and_then(|u| facts.ops.get(u.checked_sub(1)? as usize))
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
            let promised = facts.raft && durable && op.durable;
            add(Kind::WritesFollowReads, ops, text, promised);
        }
    }
}

fn pos_survives(facts: &RunFacts, read: &Op) -> bool {
    read.read.as_ref().is_none_or(|v| facts.survives(v.op))
}

fn remember_completion<'a>(facts: &RunFacts, s: &mut SessionState<'a>, op: &'a Op) {
    if op.kind == OpKind::Read {
        let pos = RunFacts::pos_of(op.read.as_ref());
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
