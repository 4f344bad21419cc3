//! Generated histories of a linearizable register store, for the checker's tests and
//! benchmarks (native and in the browser, so both time the same histories).
//!
//! Each client runs one operation at a time. An operation gets a random invoke time, a
//! linearisation point after it and a return after that; the store applies the operations
//! in order of their points, so reads return the value at their point and a cas succeeds
//! exactly when the register then holds its expected value. Some outcomes are reported as
//! `info` (the operation took effect, or not, and possibly only after the `info` was
//! recorded) or `fail` (it did not take effect); as in Jepsen, a process whose operation
//! ended in `info` is replaced by a new process number.

use crate::checks::history::{Event, History, Value};
use crate::kernel::rng::{Ppm, SimRng};

/// The shape of a generated history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenOptions {
    pub seed: u64,
    pub clients: u32,
    pub operations: u32,
    /// Keys `0..keys` (integers); 1 is a single-register history without keys.
    pub keys: u32,
    /// Written values are drawn from `1..=values`; 0 gives every write a fresh value.
    pub values: u32,
    pub read: Ppm,
    /// Of the operations that are not reads, the share that are cas.
    pub cas: Ppm,
    pub info: Ppm,
    pub fail: Ppm,
    /// Mean time an operation takes (invoke to return), in arbitrary ticks.
    pub latency: u64,
}

impl GenOptions {
    /// The benchmark's big history: 10,000 operations of 10 clients on one register,
    /// fresh values, 5% `info` outcomes.
    pub fn big(seed: u64) -> GenOptions {
        GenOptions {
            seed,
            clients: 10,
            operations: 10_000,
            keys: 1,
            values: 0,
            read: 500_000,
            cas: 300_000,
            info: 50_000,
            fail: 20_000,
            latency: 100,
        }
    }

    /// Like Jepsen's etcd register test: 300 operations of 5 clients on one register,
    /// values 1 to 5, reads, writes and cas, many `info` outcomes (timeouts).
    pub fn etcd_like(seed: u64) -> GenOptions {
        GenOptions {
            seed,
            clients: 5,
            operations: 300,
            keys: 1,
            values: 5,
            read: 400_000,
            cas: 500_000,
            info: 150_000,
            fail: 0,
            latency: 100,
        }
    }

    /// The presets by name, as the browser benchmark asks for them: `big`, `etcd`.
    pub fn preset(name: &str, seed: u64) -> Option<GenOptions> {
        match name {
            "big" => Some(GenOptions::big(seed)),
            "etcd" => Some(GenOptions::etcd_like(seed)),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write(i64),
    Cas(i64, i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Ok,
    Fail,
    /// Took effect (or not) unknown to the client.
    Info {
        took_effect: bool,
    },
}

/// One generated operation before the store has run it.
struct Planned {
    process: u64,
    key: u32,
    kind: Kind,
    invoke: u64,
    point: u64,
    ret: u64,
    fate: Fate,
    /// Filled in by the store: a read's value, or whether a cas succeeded.
    read: Option<i64>,
    cas_succeeded: bool,
}

/// A linearizable history with the given shape.
pub fn linearizable_history(o: &GenOptions) -> History {
    let mut rng = SimRng::derive(o.seed, "checker-history", 0);
    let clients = o.clients.max(1);
    let mut clock: Vec<u64> = (0..clients).map(|_| rng.below(o.latency + 1)).collect();
    let mut process: Vec<u64> = (0..u64::from(clients)).collect();
    let mut fresh = 0i64;
    let mut planned = Vec::with_capacity(o.operations as usize);
    for _ in 0..o.operations {
        let c = (0..clients as usize).min_by_key(|&c| clock[c]).unwrap_or(0);
        let kind = if rng.chance(o.read) {
            Kind::Read
        } else if rng.chance(o.cas) {
            let expected = if o.values == 0 {
                // Usually a recent value, so that some cas operations succeed.
                (fresh - rng.below(3) as i64).max(0)
            } else {
                rng.below(u64::from(o.values) + 1) as i64
            };
            Kind::Cas(expected, next_value(&mut rng, &mut fresh, o.values))
        } else {
            Kind::Write(next_value(&mut rng, &mut fresh, o.values))
        };
        let invoke = clock[c];
        let span = 2 + rng.exponential(o.latency);
        let point = invoke + 1 + rng.below(span / 2);
        let ret = point + 1 + rng.below(span / 2);
        let fate = if rng.chance(o.info) {
            Fate::Info {
                took_effect: rng.chance(500_000),
            }
        } else if rng.chance(o.fail) {
            Fate::Fail
        } else {
            Fate::Ok
        };
        // An unknown outcome can take effect long after the client gave up on it.
        let point = match fate {
            Fate::Info { took_effect: true } if rng.chance(250_000) => ret + rng.below(span * 4),
            _ => point,
        };
        planned.push(Planned {
            process: process[c],
            key: rng.below(u64::from(o.keys.max(1))) as u32,
            kind,
            invoke,
            point,
            ret,
            fate,
            read: None,
            cas_succeeded: false,
        });
        clock[c] = ret + 1 + rng.below(o.latency / 4 + 1);
        if matches!(fate, Fate::Info { .. }) {
            process[c] += u64::from(clients);
        }
    }
    run_store(&mut planned, o.keys.max(1));
    events(&planned, o.keys > 1)
}

/// A value to write: fresh, or drawn from `1..=values`.
fn next_value(rng: &mut SimRng, fresh: &mut i64, values: u32) -> i64 {
    *fresh += 1;
    if values == 0 {
        *fresh
    } else {
        1 + rng.below(u64::from(values)) as i64
    }
}

/// Applies the operations that took effect in order of their linearisation points.
fn run_store(planned: &mut [Planned], keys: u32) {
    let mut order: Vec<(u64, usize)> = (0..planned.len())
        .filter(|&i| match planned[i].fate {
            Fate::Ok => true,
            Fate::Fail => false,
            Fate::Info { took_effect } => took_effect,
        })
        .map(|i| (planned[i].point, i))
        .collect();
    order.sort_unstable();
    let mut registers: Vec<Option<i64>> = vec![None; keys as usize];
    for (_, i) in order {
        let op = &mut planned[i];
        let register = &mut registers[op.key as usize];
        match op.kind {
            Kind::Read => op.read = *register,
            Kind::Write(v) => *register = Some(v),
            Kind::Cas(expected, new) => {
                op.cas_succeeded =
                    *register == Some(expected) || (expected == 0 && register.is_none());
                if op.cas_succeeded {
                    *register = Some(new);
                }
            }
        }
    }
}

/// The events in time order (an invoke before a completion at the same time).
fn events(planned: &[Planned], keyed: bool) -> History {
    // (time * 2 + 1 for a completion, operation): invokes sort first at equal times.
    let mut timed: Vec<(u64, usize)> = Vec::with_capacity(planned.len() * 2);
    for (i, op) in planned.iter().enumerate() {
        timed.push((op.invoke * 2, i));
        timed.push((op.ret * 2 + 1, i));
    }
    timed.sort_unstable();
    let mut history = History::new();
    for (at, i) in timed {
        let (time, completion) = (at / 2, at % 2);
        let op = &planned[i];
        let key = Value::Int(i64::from(op.key));
        let invoke = match op.kind {
            Kind::Read => Event::invoke_read(op.process, key),
            Kind::Write(v) => Event::invoke_write(op.process, key, v),
            Kind::Cas(expected, new) => {
                Event::invoke_cas(op.process, key, cas_value(expected), new)
            }
        };
        let event = if completion == 0 {
            invoke
        } else {
            match (op.fate, op.kind) {
                (Fate::Info { .. }, _) => invoke.info(),
                (Fate::Fail, _) => invoke.fail(),
                (Fate::Ok, Kind::Read) => invoke.ok_read(op.read),
                (Fate::Ok, Kind::Cas(..)) if !op.cas_succeeded => {
                    // Jepsen reports a failed compare as `fail`; the lab's form says more.
                    if i % 2 == 0 {
                        invoke.fail()
                    } else {
                        invoke.cas_failed()
                    }
                }
                (Fate::Ok, _) => invoke.ok(),
            }
        };
        let event = event.with_op(i as u64 + 1).with_time(time as i64 * 1000);
        history.push(if keyed { event } else { event.without_key() });
    }
    history
}

/// Expected value 0 stands for "never written" (`null`).
fn cas_value(expected: i64) -> Value {
    if expected == 0 {
        Value::Nil
    } else {
        Value::Int(expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_history_and_shapes_as_asked() {
        let o = GenOptions::etcd_like(3);
        let a = linearizable_history(&o);
        assert_eq!(a, linearizable_history(&o));
        assert_eq!(a.events.len(), 600);
        let ops = a.operations().unwrap();
        assert_eq!(ops.len(), 300);
        assert!(ops.iter().all(|op| op.key.is_none()));
        let keyed = linearizable_history(&GenOptions { keys: 3, ..o });
        assert!(keyed
            .operations()
            .unwrap()
            .iter()
            .all(|op| op.key.is_some()));
    }
}
