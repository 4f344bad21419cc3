//! Why a key is not linearizable, in a form a person can check by hand: the longest
//! linearizable prefix the search found (its last operations, with the register after
//! each), the operations that cannot be placed after it and why, and one paragraph saying so.

use super::problem::{Act, Placement, Problem};
use super::Impossible;
use crate::checks::history::{Action, Function, Operation, Outcome, Value};
use serde::Serialize;

/// How many of the prefix's last operations an explanation lists.
pub const PREFIX_SHOWN: usize = 20;

/// A minimal account of a violation on one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub key: Option<Value>,
    /// One paragraph of plain English.
    pub message: String,
    /// How many operations the longest linearizable prefix found places.
    pub prefix_length: usize,
    /// Its last operations (at most 20), in linearisation order.
    pub prefix: Vec<Placed>,
    /// The register after the prefix.
    pub register: Value,
    /// The operations that would have to come next, none of which can.
    pub blocked: Vec<Blocked>,
}

/// An operation of the prefix, with the register after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placed {
    pub op: OpRef,
    pub register: Value,
}

/// An operation that cannot be placed after the prefix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blocked {
    pub op: OpRef,
    pub reason: String,
}

/// Names an operation of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpRef {
    pub process: u64,
    pub f: Function,
    /// Such as `write 3`, `read 3`, `cas [3, 4]`, `cas [3, 4], compare failed`.
    pub description: String,
    /// Event index of the invoke.
    pub invoke: usize,
    /// Event index of the completion, if there is one.
    pub completion: Option<usize>,
    pub outcome: Outcome,
    /// The lab's operation id, when the history has one.
    pub op: Option<u64>,
}

impl OpRef {
    fn of(op: &Operation) -> OpRef {
        let description = match &op.action {
            Action::Read { returned: Some(v) } => format!("read {v}"),
            Action::Read { returned: None } => "read".to_string(),
            Action::Write(v) => format!("write {v}"),
            Action::Cas {
                expected,
                new,
                result,
            } => {
                let failed = if *result == Some(false) {
                    ", compare failed"
                } else {
                    ""
                };
                format!("cas [{expected}, {new}]{failed}")
            }
        };
        OpRef {
            process: op.process,
            f: op.f(),
            description,
            invoke: op.call,
            completion: op.completion,
            outcome: op.outcome,
            op: op.op,
        }
    }

    /// `process 2's read 3 (events 4 to 7)`.
    fn sentence(&self) -> String {
        let when = match (self.outcome, self.completion) {
            (Outcome::Ok, Some(done)) => format!("events {} to {done}", self.invoke),
            _ => format!("invoked at event {}, outcome unknown", self.invoke),
        };
        format!("process {}'s {} ({when})", self.process, self.description)
    }
}

/// `key "x"`, or `the register` for a history of one.
pub(super) fn register_name(key: &Option<Value>) -> String {
    match key {
        Some(k) => format!("key {k}"),
        None => "the register".to_string(),
    }
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What one key's explanation is made from.
pub(super) struct Context<'a> {
    pub key: &'a Option<Value>,
    pub ops: &'a [&'a Operation],
    pub problem: &'a Problem,
    pub values: &'a [Value],
}

impl Context<'_> {
    fn value(&self, id: u32) -> &Value {
        &self.values[id as usize]
    }

    fn op_ref(&self, problem_op: usize) -> OpRef {
        OpRef::of(self.ops[self.problem.ops[problem_op].source])
    }

    /// Explains the deepest prefix `placed`. With `proof`, the violation is already certain
    /// (the search may have been cut short) and the proven operation is the one blocked.
    pub fn explain(&self, placed: &Placement, proof: Option<Impossible>) -> Explanation {
        let register_id = placed.last().map_or(0, |&(_, state)| state);
        let blocked = match proof {
            Some(proof) => vec![Blocked {
                op: self.op_ref(proof.op),
                reason: self.impossible_reason(proof),
            }],
            None => self.blocked_after(placed, register_id),
        };
        let prefix = placed[placed.len().saturating_sub(PREFIX_SHOWN)..]
            .iter()
            .map(|&(op, state)| Placed {
                op: self.op_ref(op),
                register: self.value(state).clone(),
            })
            .collect::<Vec<_>>();
        let register = self.value(register_id).clone();
        let message = self.message(placed.len(), prefix.last(), &register, &blocked, proof);
        Explanation {
            key: self.key.clone(),
            message,
            prefix_length: placed.len(),
            prefix,
            register,
            blocked,
        }
    }

    /// The operations that returned, are not placed, and were invoked before the first
    /// of them returned: the only candidates for the next place.
    fn blocked_after(&self, placed: &Placement, register: u32) -> Vec<Blocked> {
        let finite = &self.problem.ops[..self.problem.finite];
        let mut is_placed = vec![false; self.problem.ops.len()];
        for &(op, _) in placed {
            is_placed[op] = true;
        }
        let pending = || (0..finite.len()).filter(|&i| !is_placed[i]);
        let Some(first_return) = pending().map(|i| finite[i].ret).min() else {
            return Vec::new();
        };
        pending()
            .filter(|&i| finite[i].call < first_return)
            .map(|i| Blocked {
                op: self.op_ref(i),
                reason: self.reason(finite[i].act, register),
            })
            .collect()
    }

    fn reason(&self, act: Act, register: u32) -> String {
        let held = self.value(register);
        if act.step(register).is_some() {
            // The search placed every candidate the register allowed; one that it allows
            // here led only to configurations already found to be dead ends.
            return format!(
                "it could take effect on {held}, but every way of going on from there fails"
            );
        }
        match act {
            Act::Read(v) => format!(
                "read returned {} but the register held {held}",
                self.value(v)
            ),
            Act::Cas(expected, _) => format!(
                "cas expected {} but the register held {held}",
                self.value(expected)
            ),
            Act::CasFailed(expected) => format!(
                "cas reported that the register did not hold {}, but it did",
                self.value(expected)
            ),
            Act::Write(_) => String::new(), // a write can always take effect
        }
    }

    fn impossible_reason(&self, proof: Impossible) -> String {
        let v = self.value(proof.value);
        let what = match self.problem.ops[proof.op].act {
            Act::Read(_) => format!("read returned {v}"),
            _ => format!("cas expected {v}"),
        };
        match proof.first_writer {
            None => format!("{what}, but no operation on this key (that did not fail) wrote {v}"),
            Some(event) => format!(
                "{what}, but the first operation that could write {v} was invoked at event \
                 {event}, after this one returned"
            ),
        }
    }

    fn message(
        &self,
        length: usize,
        last: Option<&Placed>,
        register: &Value,
        blocked: &[Blocked],
        proof: Option<Impossible>,
    ) -> String {
        let name = capitalised(&register_name(self.key));
        let mut text = format!("{name} is not linearizable. ");
        match last {
            Some(last) => text.push_str(&format!(
                "The longest linearizable prefix the search found places {length} operation{}, \
                 the last being {}, and leaves the register holding {register}. ",
                if length == 1 { "" } else { "s" },
                last.op.sentence()
            )),
            None => text.push_str("The register starts at null. "),
        }
        let reasons = blocked
            .iter()
            .map(|b| format!("{}: {}", b.op.sentence(), b.reason))
            .collect::<Vec<_>>()
            .join("; ");
        let next = if last.is_some() { "next" } else { "first" };
        text.push_str(&match (proof, blocked.len()) {
            (Some(_), _) => format!("This operation can never be placed: {reasons}."),
            (None, 1) => format!("The one operation that must come {next} cannot: {reasons}."),
            (None, n) => {
                format!("None of the {n} operations that could come {next} can: {reasons}.")
            }
        });
        text
    }
}
