//! The Jepsen history format: operations on read / write / cas registers, each an `invoke`
//! event followed by an `ok`, `fail` or `info` completion from the same process, written as
//! a JSON array of Jepsen's operation maps or as JSON Lines. See `docs/history-format.md`.
//!
//! This module owns the types ([`Value`], [`Event`], [`History`], [`Operation`]), the
//! builders, the array form written back by [`History::to_json`], and the entry points:
//! [`History::from_json`] (reading is in `parse`, every problem named by its path such as
//! `[17].type` or `line 4.value`) and [`History::operations`], which pairs each invoke with
//! its completion for the checkers (in `pairing`).

mod pairing;
mod parse;

use crate::protocols::single_leader::messages::Text;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value as Json;
use std::fmt;

/// A register's value, or a key. `Nil` (JSON `null`) is the initial value of every register.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    #[default]
    Nil,
    Int(i64),
    Str(Text),
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Nil => s.serialize_unit(),
            Value::Int(n) => s.serialize_i64(*n),
            Value::Str(text) => s.serialize_str(text),
        }
    }
}

/// As JSON: `null`, `3`, `"abc"`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("null"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(text) => f.write_str(&Json::from(&**text).to_string()),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(n.into())
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Int(n.into())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s.into())
    }
}

impl From<Text> for Value {
    fn from(s: Text) -> Value {
        Value::Str(s)
    }
}

/// `None` is `Nil`: a read that found no value.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Nil, Into::into)
    }
}

/// Jepsen's event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    Invoke,
    /// It happened, and returned what the event says.
    Ok,
    /// It did not happen.
    Fail,
    /// Outcome unknown: it may take effect at any time after its invoke, or never.
    Info,
}

/// The register operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    Read,
    Write,
    /// Compare-and-set: `[expected, new]`.
    Cas,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Read => "read",
            Function::Write => "write",
            Function::Cas => "cas",
        }
    }
}

/// One line of a history: an invocation or a completion.
///
/// For a cas, `value` is the expected value and `cas_new` the new one (JSON
/// `"value": [expected, new]`); for every other function `cas_new` is `None`. For a read,
/// the invoke's value is ignored and an `ok` completion's value is what it read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub process: u64,
    pub kind: EventType,
    pub f: Function,
    /// The register; `None` for a history of one register.
    pub key: Option<Value>,
    pub value: Value,
    pub cas_new: Option<Value>,
    /// A cas completion's `result`: `Some(false)` means the compare failed (no effect).
    pub result: Option<bool>,
    /// Nanoseconds, kept but never used for ordering (the order is the history's).
    pub time: Option<i64>,
    /// The node that served it (a lab extension).
    pub node: Option<u32>,
    /// The lab's operation id (a lab extension).
    pub op: Option<u64>,
}

/// Builders, so a history can be written in code:
///
/// ```
/// use replica_lab::checks::history::{Event, History};
/// let mut h = History::new();
/// let w = Event::invoke_write(0, "x", 3);
/// let r = Event::invoke_read(1, "x");
/// h.push(w.clone());
/// h.push(r.clone());
/// h.push(w.ok());
/// h.push(r.ok_read(3));
/// assert_eq!(History::from_json(&h.to_json()).unwrap(), h);
/// ```
impl Event {
    fn invoke(
        process: u64,
        f: Function,
        key: Value,
        value: Value,
        cas_new: Option<Value>,
    ) -> Event {
        Event {
            process,
            kind: EventType::Invoke,
            f,
            key: Some(key),
            value,
            cas_new,
            result: None,
            time: None,
            node: None,
            op: None,
        }
    }

    pub fn invoke_read(process: u64, key: impl Into<Value>) -> Event {
        Event::invoke(process, Function::Read, key.into(), Value::Nil, None)
    }

    pub fn invoke_write(process: u64, key: impl Into<Value>, value: impl Into<Value>) -> Event {
        Event::invoke(process, Function::Write, key.into(), value.into(), None)
    }

    pub fn invoke_cas(
        process: u64,
        key: impl Into<Value>,
        expected: impl Into<Value>,
        new: impl Into<Value>,
    ) -> Event {
        let new = Some(new.into());
        Event::invoke(process, Function::Cas, key.into(), expected.into(), new)
    }

    fn completion(&self, kind: EventType) -> Event {
        Event {
            kind,
            result: None,
            time: None,
            ..self.clone()
        }
    }

    /// The `ok` completion of this invoke (a write, a cas that succeeded).
    pub fn ok(&self) -> Event {
        self.completion(EventType::Ok)
    }

    /// The `ok` completion of this read invoke, returning `value`.
    pub fn ok_read(&self, value: impl Into<Value>) -> Event {
        Event {
            value: value.into(),
            ..self.ok()
        }
    }

    /// The `ok` completion of this cas invoke saying the compare failed (`result: false`).
    pub fn cas_failed(&self) -> Event {
        Event {
            result: Some(false),
            ..self.ok()
        }
    }

    /// The `fail` completion: it did not happen.
    pub fn fail(&self) -> Event {
        self.completion(EventType::Fail)
    }

    /// The `info` completion: outcome unknown.
    pub fn info(&self) -> Event {
        self.completion(EventType::Info)
    }

    /// The same event on the history's one unnamed register.
    pub fn without_key(self) -> Event {
        Event { key: None, ..self }
    }

    pub fn with_node(self, node: u32) -> Event {
        Event {
            node: Some(node),
            ..self
        }
    }

    pub fn with_op(self, op: u64) -> Event {
        Event {
            op: Some(op),
            ..self
        }
    }

    pub fn with_time(self, time: i64) -> Event {
        Event {
            time: Some(time),
            ..self
        }
    }
}

/// Jepsen's operation map.
impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("process", &self.process)?;
        map.serialize_entry("type", &self.kind)?;
        map.serialize_entry("f", &self.f)?;
        if let Some(key) = &self.key {
            map.serialize_entry("key", key)?;
        }
        match &self.cas_new {
            Some(new) => map.serialize_entry("value", &[&self.value, new])?,
            None => map.serialize_entry("value", &self.value)?,
        }
        if let Some(result) = self.result {
            map.serialize_entry("result", &result)?;
        }
        if let Some(time) = self.time {
            map.serialize_entry("time", &time)?;
        }
        if let Some(node) = self.node {
            map.serialize_entry("node", &node)?;
        }
        if let Some(op) = self.op {
            map.serialize_entry("op", &op)?;
        }
        map.end()
    }
}

/// A problem with a history, at a path such as `[17].type` or `line 4.value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryError {
    pub path: String,
    pub message: String,
}

impl HistoryError {
    pub(super) fn at(path: impl Into<String>, message: impl Into<String>) -> HistoryError {
        HistoryError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for HistoryError {}

/// Every event of a run, in real-time order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct History {
    pub events: Vec<Event>,
}

/// How a completion turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Fail,
    /// Unknown: an `info` completion, or no completion by the end of the history.
    Info,
}

/// What an operation did to its register, as far as the history says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `returned` is what an `ok` read returned (`None` when the outcome is not `ok`).
    Read {
        returned: Option<Value>,
    },
    Write(Value),
    /// `result` is an `ok` completion's result (`Some(false)`: the compare failed); `None`
    /// for `fail` and `info`.
    Cas {
        expected: Value,
        new: Value,
        result: Option<bool>,
    },
}

/// An invoke paired with its completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub process: u64,
    pub key: Option<Value>,
    pub action: Action,
    pub outcome: Outcome,
    /// Index in [`History::events`] of the invoke.
    pub call: usize,
    /// Index of the completion (`None`: the history ends with it still open).
    pub completion: Option<usize>,
    /// The lab's operation id, from the invoke or else the completion.
    pub op: Option<u64>,
    /// The serving node, from the completion or else the invoke.
    pub node: Option<u32>,
}

impl Operation {
    pub fn f(&self) -> Function {
        match self.action {
            Action::Read { .. } => Function::Read,
            Action::Write(_) => Function::Write,
            Action::Cas { .. } => Function::Cas,
        }
    }

    /// Where it returned, for an `ok` operation; otherwise it never returned (a `fail` did
    /// not happen, an `info` may take effect at any later time).
    pub fn returned_at(&self) -> Option<usize> {
        match self.outcome {
            Outcome::Ok => self.completion,
            Outcome::Fail | Outcome::Info => None,
        }
    }
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Appends an event and returns its index.
    pub fn push(&mut self, event: Event) -> usize {
        self.events.push(event);
        self.events.len() - 1
    }

    /// Parses a JSON array of events, or JSON Lines (one event object per line, blank lines
    /// ignored). Every problem found is returned, each named by its path.
    pub fn from_json(text: &str) -> Result<History, Vec<HistoryError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (objects, places) = if text.trim_start().starts_with('[') {
            (parse::array(text)?, Places::Array)
        } else {
            let (objects, lines) = parse::lines(text)?;
            (objects, Places::Lines(lines))
        };
        let mut errors = Vec::new();
        let parsed: Vec<Result<Event, Option<u64>>> = objects
            .iter()
            .enumerate()
            .map(|(i, json)| parse::event(json, &places.at(i), &mut errors))
            .collect();
        let slots = parsed
            .iter()
            .map(|p| p.as_ref().map_err(|process| *process));
        let (_, pairing_errors) = pairing::pair(slots, &places);
        errors.extend(pairing_errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(History {
            events: parsed.into_iter().flatten().collect(),
        })
    }

    /// The JSON array form, one event per line; [`History::from_json`] reads it back.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, event) in self.events.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            // Serialising these plain maps cannot fail.
            out.push_str(&serde_json::to_string(event).unwrap_or_default());
        }
        out.push_str("\n]\n");
        out
    }

    /// Pairs each invoke with its process's next completion, in order of invocation.
    /// Problems (a completion with no open invoke, a second invoke while one is open, a
    /// completion that does not match its invoke, a malformed cas) are all returned.
    pub fn operations(&self) -> Result<Vec<Operation>, Vec<HistoryError>> {
        let (ops, errors) = pairing::pair(self.events.iter().map(Ok), &Places::Array);
        if errors.is_empty() {
            Ok(ops)
        } else {
            Err(errors)
        }
    }
}

/// How events are named in messages: `[4]` in an array, `line 5` in JSON Lines.
pub(super) enum Places {
    Array,
    Lines(Vec<usize>),
}

impl Places {
    pub(super) fn at(&self, i: usize) -> String {
        match self {
            Places::Array => format!("[{i}]"),
            Places::Lines(lines) => format!("line {}", lines.get(i).copied().unwrap_or(0)),
        }
    }

    pub(super) fn field(&self, i: usize, field: &str) -> String {
        format!("{}.{field}", self.at(i))
    }
}

/// Runs the Rust example of `docs/history-format.md` as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../docs/history-format.md")]
struct HistoryFormatDoc;

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        History::from_json(text)
            .expect_err("a bad history")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn pairs_operations_in_invoke_order() {
        let text = r#"[{"process": 0, "type": "invoke", "f": "write", "value": 1},
                       {"process": 1, "type": "invoke", "f": "read"},
                       {"process": 1, "type": "ok", "f": "read", "value": 1, "node": 2},
                       {"process": 0, "type": "info", "f": "write", "value": 1}]"#;
        let ops = History::from_json(text).unwrap().operations().unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!((ops[0].call, ops[0].completion), (0, Some(3)));
        assert_eq!(ops[0].outcome, Outcome::Info);
        assert_eq!(ops[0].returned_at(), None);
        assert_eq!(
            ops[1].action,
            Action::Read {
                returned: Some(Value::Int(1))
            }
        );
        assert_eq!((ops[1].returned_at(), ops[1].node), (Some(2), Some(2)));
    }

    #[test]
    fn an_invoke_never_completed_is_info() {
        let h = History {
            events: vec![Event::invoke_cas(3, "k", 1, 2)],
        };
        let ops = h.operations().unwrap();
        assert_eq!((ops[0].outcome, ops[0].completion), (Outcome::Info, None));
    }

    #[test]
    fn values_print_as_json() {
        assert_eq!(Value::from("a\"b").to_string(), r#""a\"b""#);
        assert_eq!(Value::from(None::<i64>).to_string(), "null");
        assert!(Value::Nil < Value::Int(-5) && Value::Int(7) < Value::from(""));
    }

    #[test]
    fn malformed_json_is_one_error_with_its_position() {
        let e = errors("[{\"process\": 0,\n \"type\": }]");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("[0].type: expected value at line 2 column"),
            "{e:?}"
        );
        let e = errors("{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n{\"process\": 0,");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("line 2: EOF while parsing"), "{e:?}");
        assert!(e[0].ends_with("at column 14"), "{e:?}");
    }
}
