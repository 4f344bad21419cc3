//! Pairing each invoke with its process's next completion into an [`Operation`], checking
//! that they match, and naming every problem by the events' places.

use super::{Action, Event, EventType, Function, HistoryError, Operation, Outcome, Places, Value};

/// Where a process stands while pairing.
#[derive(Clone, Copy)]
enum Open {
    /// No operation open.
    Idle,
    /// Its invoke at this index awaits a completion.
    At(usize),
    /// One of its events could not be read: its pairing is not judged until it next invokes.
    Unknown,
}

/// Pairs invokes with completions. `events` yields each event, or for one that could not
/// be parsed the process it named (if any).
pub(super) fn pair<'a>(
    events: impl Iterator<Item = Result<&'a Event, Option<u64>>>,
    places: &Places,
) -> (Vec<Operation>, Vec<HistoryError>) {
    let mut open = Processes::default();
    let mut invokes: Vec<Option<&Event>> = Vec::new();
    // Operations by the index of their invoke, so they come out in invocation order.
    let mut by_call: Vec<Option<Operation>> = Vec::new();
    let mut errors = Vec::new();
    for (i, event) in events.enumerate() {
        let event = match event {
            Ok(event) => event,
            Err(process) => {
                invokes.push(None);
                by_call.push(None);
                if let Some(p) = process {
                    open.set(p, Open::Unknown);
                }
                continue;
            }
        };
        invokes.push(Some(event));
        by_call.push(None);
        check_shape(event, i, places, &mut errors);
        let p = event.process;
        if event.kind == EventType::Invoke {
            if let Open::At(earlier) = open.get(p) {
                errors.push(HistoryError::at(
                    places.at(i),
                    format!(
                        "process {p} invokes while its operation at {} is still open",
                        places.at(earlier)
                    ),
                ));
            }
            open.set(p, Open::At(i));
            continue;
        }
        let call = match open.get(p) {
            Open::At(call) => call,
            Open::Unknown => continue,
            Open::Idle => {
                errors.push(HistoryError::at(
                    places.at(i),
                    format!("process {p} completes an operation it never invoked"),
                ));
                continue;
            }
        };
        open.set(p, Open::Idle);
        let Some(invoke) = invokes[call] else {
            continue;
        };
        match completed(invoke, call, event, i, places) {
            Ok(op) => by_call[call] = Some(op),
            Err(e) => errors.push(e),
        }
    }
    for &(p, state) in &open.0 {
        if let Open::At(call) = state {
            if let Some(invoke) = invokes[call] {
                by_call[call] = Some(operation(invoke, call, None, Outcome::Info, p));
            }
        }
    }
    (by_call.into_iter().flatten().collect(), errors)
}

/// Each process's state, sorted by process number (a history has few processes).
#[derive(Default)]
struct Processes(Vec<(u64, Open)>);

impl Processes {
    fn get(&self, p: u64) -> Open {
        match self.0.binary_search_by_key(&p, |&(q, _)| q) {
            Ok(i) => self.0[i].1,
            Err(_) => Open::Idle,
        }
    }

    fn set(&mut self, p: u64, state: Open) {
        match self.0.binary_search_by_key(&p, |&(q, _)| q) {
            Ok(i) => self.0[i].1 = state,
            Err(i) => self.0.insert(i, (p, state)),
        }
    }
}

/// Checks what one event must satisfy on its own (events built in code skip the parser).
fn check_shape(event: &Event, i: usize, places: &Places, errors: &mut Vec<HistoryError>) {
    if (event.f == Function::Cas) != event.cas_new.is_some() {
        let message = if event.f == Function::Cas {
            "a cas value is [expected, new]"
        } else {
            "only a cas value is a pair"
        };
        errors.push(HistoryError::at(places.field(i, "value"), message));
    }
    if event.result.is_some() && (event.f != Function::Cas || event.kind == EventType::Invoke) {
        errors.push(HistoryError::at(
            places.field(i, "result"),
            "only a cas completion has a result",
        ));
    }
    if event.key == Some(Value::Nil) {
        errors.push(HistoryError::at(
            places.field(i, "key"),
            "a key is an integer or a string (leave it out for one register)",
        ));
    }
}

/// The operation an invoke and its completion make, if they match.
fn completed(
    invoke: &Event,
    call: usize,
    done: &Event,
    i: usize,
    places: &Places,
) -> Result<Operation, HistoryError> {
    if done.f != invoke.f {
        return Err(HistoryError::at(
            places.field(i, "f"),
            format!(
                "completes a {} but {} invoked a {}",
                done.f.name(),
                places.at(call),
                invoke.f.name()
            ),
        ));
    }
    if done.key != invoke.key {
        let on = |key: &Option<Value>| key.as_ref().map_or("no key".to_string(), |k| k.to_string());
        return Err(HistoryError::at(
            places.field(i, "key"),
            format!(
                "completes an operation on {} but {} invoked it on {}",
                on(&done.key),
                places.at(call),
                on(&invoke.key)
            ),
        ));
    }
    let outcome = match done.kind {
        EventType::Ok => Outcome::Ok,
        EventType::Fail => Outcome::Fail,
        _ => Outcome::Info,
    };
    let same_value = done.value == invoke.value && done.cas_new == invoke.cas_new;
    if outcome == Outcome::Ok && invoke.f != Function::Read && !same_value {
        let shown = |e: &Event| match &e.cas_new {
            Some(new) => format!("[{}, {new}]", e.value),
            None => e.value.to_string(),
        };
        return Err(HistoryError::at(
            places.field(i, "value"),
            format!(
                "completes with {} but {} invoked {} {}",
                shown(done),
                places.at(call),
                invoke.f.name(),
                shown(invoke)
            ),
        ));
    }
    let mut op = operation(invoke, call, Some((done, i)), outcome, invoke.process);
    match &mut op.action {
        Action::Read { returned } if outcome == Outcome::Ok => *returned = Some(done.value.clone()),
        Action::Cas { result, .. } if outcome == Outcome::Ok => {
            *result = Some(done.result.unwrap_or(true))
        }
        _ => {}
    }
    Ok(op)
}

fn operation(
    invoke: &Event,
    call: usize,
    done: Option<(&Event, usize)>,
    outcome: Outcome,
    process: u64,
) -> Operation {
    let action = match invoke.f {
        Function::Read => Action::Read { returned: None },
        Function::Write => Action::Write(invoke.value.clone()),
        Function::Cas => Action::Cas {
            expected: invoke.value.clone(),
            new: invoke.cas_new.clone().unwrap_or_default(),
            result: None,
        },
    };
    Operation {
        process,
        key: invoke.key.clone(),
        action,
        outcome,
        call,
        completion: done.map(|(_, i)| i),
        op: invoke.op.or(done.and_then(|(e, _)| e.op)),
        node: done.and_then(|(e, _)| e.node).or(invoke.node),
    }
}
