//! Linearizability of read / write / cas registers, one register per key, checked by the
//! WGL search with memoisation as Porcupine and Knossos do it (`search`, over the input
//! types of `problem`, with the memo of `memo`).
//!
//! This module owns the public API ([`check_linearizable`], [`CheckOptions`], [`Report`]),
//! splitting a history by key (linearizability is compositional: a history is linearizable
//! iff each key's sub-history is), turning each key's operations into the search's input
//! (values interned to small integers, `fail` operations and `info` reads dropped, provably
//! irrelevant `info` writes pruned), and a quick proof of impossibility for a read of a value
//! nothing could have written by then. `explain` turns a failed search into words.

mod explain;
mod memo;
mod problem;
mod search;

pub use explain::{Blocked, Explanation, OpRef, Placed};

use crate::checks::history::{Action, History, HistoryError, Operation, Outcome, Value};
use problem::{Act, Budget, Found, KeyOp, Problem, RanOut, NEVER};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// Limits on the search. The core never reads a clock (`std::time` traps on wasm32): the
/// caller passes one as `out_of_time`, which is asked every few thousand steps.
#[derive(Clone, Copy, Default)]
pub struct CheckOptions<'a> {
    /// Steps allowed per key; 0 is unlimited.
    pub max_steps: u64,
    /// Returns true once the caller's deadline has passed.
    pub out_of_time: Option<&'a dyn Fn() -> bool>,
}

impl fmt::Debug for CheckOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckOptions")
            .field("max_steps", &self.max_steps)
            .field("out_of_time", &self.out_of_time.map(|_| "fn"))
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Linearizable,
    NotLinearizable,
    /// The budget ran out before the search decided.
    Unknown,
}

/// What [`check_linearizable`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub verdict: Verdict,
    /// Keys (registers) checked.
    pub keys: usize,
    /// Operations in the history (invokes), of every outcome.
    pub operations: usize,
    /// Search steps over all keys.
    pub steps: u64,
    /// Why the history is not linearizable: the first such key, in key order.
    pub explanation: Option<Explanation>,
    /// Every key that is not linearizable or was not decided, in key order.
    pub key_results: Vec<KeyResult>,
}

/// The verdict on one key that is not linearizable or was not decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyResult {
    /// `null` for a history of one unnamed register.
    pub key: Option<Value>,
    pub verdict: Verdict,
    pub operations: usize,
    pub steps: u64,
    /// One paragraph: why it is not linearizable, or why it was not decided.
    pub message: String,
}

/// Checks every key of `history` (a register each, starting at `null`). A history whose
/// invokes and completions do not pair up is refused with the problems.
pub fn check_linearizable(
    history: &History,
    options: &CheckOptions<'_>,
) -> Result<Report, Vec<HistoryError>> {
    Ok(check_operations(&history.operations()?, options))
}

/// [`check_linearizable`] for operations already paired by [`History::operations`].
pub fn check_operations(ops: &[Operation], options: &CheckOptions<'_>) -> Report {
    // Sorted by key (a history has few keys: a sorted vector).
    let mut by_key: Vec<(Option<&Value>, Vec<&Operation>)> = Vec::new();
    for op in ops {
        let key = op.key.as_ref();
        match by_key.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => by_key[i].1.push(op),
            Err(i) => by_key.insert(i, (key, vec![op])),
        }
    }
    let mut report = Report {
        verdict: Verdict::Linearizable,
        keys: by_key.len(),
        operations: ops.len(),
        steps: 0,
        explanation: None,
        key_results: Vec::new(),
    };
    for (key, ops) in by_key {
        let key = key.cloned();
        let (steps, outcome) = check_key(&key, &ops, options);
        report.steps += steps;
        let (verdict, message) = match outcome {
            KeyOutcome::Linearizable => continue,
            KeyOutcome::Violation(explanation) => {
                let message = explanation.message.clone();
                if report.explanation.is_none() {
                    report.explanation = Some(*explanation);
                }
                (Verdict::NotLinearizable, message)
            }
            KeyOutcome::Undecided(why) => (Verdict::Unknown, undecided(&key, steps, why)),
        };
        report.verdict = match (report.verdict, verdict) {
            (Verdict::NotLinearizable, _) | (_, Verdict::NotLinearizable) => {
                Verdict::NotLinearizable
            }
            _ => Verdict::Unknown,
        };
        report.key_results.push(KeyResult {
            key,
            verdict,
            operations: ops.len(),
            steps,
            message,
        });
    }
    report
}

fn undecided(key: &Option<Value>, steps: u64, why: RanOut) -> String {
    let budget = match why {
        RanOut::Steps => "its step budget ran out",
        RanOut::Time => "the time allowed ran out",
    };
    format!(
        "{} was not decided: {budget} after {steps} steps of the search.",
        explain::capitalised(&explain::register_name(key))
    )
}

enum KeyOutcome {
    Linearizable,
    Violation(Box<Explanation>),
    Undecided(RanOut),
}

/// How many steps a search may take to find a prefix to show when a violation is already
/// proven without it.
const EXPLAIN_STEPS: u64 = 50_000;

fn check_key(
    key: &Option<Value>,
    ops: &[&Operation],
    options: &CheckOptions<'_>,
) -> (u64, KeyOutcome) {
    let (problem, values, proof) = prepare(ops);
    let mut budget = Budget::new(options.max_steps, options.out_of_time);
    if proof.is_none() && budget.timed_out() {
        return (0, KeyOutcome::Undecided(RanOut::Time));
    }
    if proof.is_some() {
        let limit = match options.max_steps {
            0 => EXPLAIN_STEPS,
            n => n.min(EXPLAIN_STEPS),
        };
        budget = Budget::new(limit, options.out_of_time);
    }
    let found = search::search(&problem, &mut budget);
    let context = explain::Context {
        key,
        ops,
        problem: &problem,
        values: &values,
    };
    let outcome = match (found, proof) {
        (Found::Linearizable, None) => KeyOutcome::Linearizable,
        (Found::GaveUp(_), None) => KeyOutcome::Undecided(budget.ran_out.unwrap_or(RanOut::Steps)),
        (Found::Violation(placed), None) => {
            KeyOutcome::Violation(Box::new(context.explain(&placed, None)))
        }
        // With a proof the search only looks for a prefix to show. (Were it to succeed,
        // one of the two would have a bug; the proof is the simpler, so it stands.)
        (Found::Violation(placed) | Found::GaveUp(placed), Some(proof)) => {
            KeyOutcome::Violation(Box::new(context.explain(&placed, Some(proof))))
        }
        (Found::Linearizable, Some(proof)) => {
            KeyOutcome::Violation(Box::new(context.explain(&Vec::new(), Some(proof))))
        }
    };
    (budget.steps, outcome)
}

/// One key's operations as the search sees them, and the interned values (index 0 is `Nil`).
/// Also returns a proof of impossibility, if one is found before pruning (so that it can
/// name `info` writes that pruning drops).
fn prepare(ops: &[&Operation]) -> (Problem, Vec<Value>, Option<Impossible>) {
    let mut values = Interner::new();
    let mut finite = Vec::new();
    let mut info = Vec::new();
    for (source, op) in ops.iter().enumerate() {
        let act = match (&op.action, op.outcome) {
            (_, Outcome::Fail) | (Action::Read { .. }, Outcome::Info) => continue,
            (Action::Read { returned }, Outcome::Ok) => {
                Act::Read(values.id(returned.as_ref().unwrap_or(&Value::Nil)))
            }
            (Action::Write(v), _) => Act::Write(values.id(v)),
            (
                Action::Cas {
                    expected,
                    new,
                    result,
                },
                _,
            ) => {
                let expected = values.id(expected);
                if *result == Some(false) {
                    Act::CasFailed(expected)
                } else {
                    Act::Cas(expected, values.id(new))
                }
            }
        };
        let ret = op.returned_at().unwrap_or(NEVER);
        let key_op = KeyOp {
            call: op.call,
            ret,
            act,
            source,
        };
        if ret == NEVER {
            info.push(key_op);
        } else {
            finite.push(key_op);
        }
    }
    let values = values.values;
    let proof = impossible_observation(&finite, &info, values.len());
    let info = prune_info(&finite, info, values.len());
    let finite_count = finite.len();
    finite.extend(info);
    let problem = Problem {
        ops: finite,
        finite: finite_count,
        values: values.len(),
    };
    (problem, values, proof)
}

/// Numbers a key's values densely from 0 (`Nil`), so the search compares integers.
struct Interner {
    /// Looked up only, never iterated: no order from it reaches the output.
    ids: HashMap<Value, u32>,
    values: Vec<Value>,
}

impl Interner {
    fn new() -> Interner {
        Interner {
            ids: HashMap::from([(Value::Nil, 0)]),
            values: vec![Value::Nil],
        }
    }

    fn id(&mut self, v: &Value) -> u32 {
        if let Some(&id) = self.ids.get(v) {
            return id;
        }
        self.values.push(v.clone());
        let id = self.values.len() as u32 - 1;
        self.ids.insert(v.clone(), id);
        id
    }
}

/// How many times pruning is repeated (each pass can free the next; any number is sound).
const PRUNE_PASSES: usize = 4;

/// Drops `info` writes and cas operations that provably cannot matter.
///
/// Dropping an `info` operation J is the choice "J never took effect" (equivalently: it took
/// effect after everything else, which its infinite return allows). That choice loses no
/// linearisation when:
///
/// * J is invoked after every returned operation returned: in any linearisation all of
///   those precede J, so J can be left out; or
/// * J would write a value `v` that no `ok` read returned and no cas (of any outcome)
///   expects, and no cas whose compare failed returned after J's invoke. Proof: take a
///   linearisation in which J takes effect at point p; the register holds `v` from p until
///   the next write or successful cas. Nothing placed in that interval could observe `v`: a
///   read there would have to return `v`, a successful cas there would have to expect `v`,
///   and an `info` cas there (expecting something else) did nothing, so it can be moved to
///   the end. Removing J makes the register hold its earlier value `u` in that interval
///   instead, which only a cas whose compare *failed* could notice (it asserts the register
///   does not hold its expected value, and `u` might be exactly that value: the
///   `info_write_explaining_a_failed_cas` test is such a history). Such a cas can lie in
///   the interval only if it returned after J's invoke, which the rule excludes.
///
/// Each pass only removes `info` operations, so the reads and failed compares the rules
/// look at never change; a cas removed in one pass no longer expects anything in the next.
fn prune_info(finite: &[KeyOp], mut info: Vec<KeyOp>, values: usize) -> Vec<KeyOp> {
    let last_return = finite.iter().map(|op| op.ret).max();
    info.retain(|op| last_return.is_some_and(|last| op.call < last));
    let last_failed_compare = finite
        .iter()
        .filter(|op| matches!(op.act, Act::CasFailed(_)))
        .map(|op| op.ret)
        .max();
    let mut observed = vec![false; values];
    for op in finite {
        match op.act {
            Act::Read(v) | Act::Cas(v, _) | Act::CasFailed(v) => observed[v as usize] = true,
            Act::Write(_) => {}
        }
    }
    for _ in 0..PRUNE_PASSES {
        let mut expected = observed.clone();
        for op in &info {
            if let Act::Cas(v, _) = op.act {
                expected[v as usize] = true;
            }
        }
        let before = info.len();
        info.retain(|op| {
            let written = match op.act {
                Act::Write(v) | Act::Cas(_, v) => v,
                Act::Read(_) | Act::CasFailed(_) => return true,
            };
            let failed_compare_after = last_failed_compare.is_some_and(|r| r > op.call);
            expected[written as usize] || failed_compare_after
        });
        if info.len() == before {
            break;
        }
    }
    info
}

/// A proof without search: an operation that observed a value (other than the initial
/// `null`) that nothing could have written before it returned.
#[derive(Clone, Copy, Debug)]
struct Impossible {
    /// Index into the problem's operations.
    op: usize,
    value: u32,
    /// Event index of the first invoke of an operation that could write the value.
    first_writer: Option<usize>,
}

/// The earliest-returning impossible observation, if any.
fn impossible_observation(finite: &[KeyOp], info: &[KeyOp], values: usize) -> Option<Impossible> {
    let mut first_writer = vec![NEVER; values];
    for op in finite.iter().chain(info) {
        if let Act::Write(v) | Act::Cas(_, v) = op.act {
            first_writer[v as usize] = first_writer[v as usize].min(op.call);
        }
    }
    finite
        .iter()
        .enumerate()
        .filter_map(|(i, op)| match op.act {
            Act::Read(v) | Act::Cas(v, _) if v != 0 && first_writer[v as usize] > op.ret => {
                let writer = first_writer[v as usize];
                Some(Impossible {
                    op: i,
                    value: v,
                    first_writer: (writer != NEVER).then_some(writer),
                })
            }
            _ => None,
        })
        .min_by_key(|proof| finite[proof.op].ret)
}
