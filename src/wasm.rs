//! The JavaScript binding: one opaque [`Lab`] handle around a world of whichever model the
//! scenario names ([`AnyWorld`], the one enum at the boundary; the core is generic). It
//! converts arguments and results (JSON text both ways, camelCase) and turns every error into
//! a JS `Error` with a readable message. No simulation logic lives here.

use crate::config::error::{check_variant_fields, humane, parse_json, without_position};
use crate::config::{LinkSettings, ModelKind, Scenario};
use crate::kernel::actions::{Acted, Action};
use crate::kernel::ids::{ClientId, NodeId};
use crate::kernel::time::{Dur, Micros};
use crate::kernel::timeline::Timeline;
use crate::kernel::world::{ActionError, World};
use crate::kernel::Protocol;
use crate::observe::experiments::ScalingRun as Experiment;
use crate::observe::view::SnapshotOptions;
use crate::protocols::leaderless::pbs::{self, PbsOptions};
use crate::protocols::single_leader::actions::OperatorAction;
use crate::protocols::{Leaderless, SingleLeader};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    // A Rust panic is printed to the console with its message; the page also catches the
    // resulting exception and shows a banner instead of freezing.
    console_error_panic_hook::set_once();
}

/// A result for JS: written as JSON and parsed by the engine's `JSON.parse` (one
/// serializer in the wasm instead of two, and one call into JS instead of one per field).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsError::new(&format!("internal: could not convert a result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("internal: could not convert a result"))
}

/// Microseconds from a JS number (a fraction is dropped), refusing NaN, negatives and
/// times beyond 9e15 (about 285 years).
fn micros(t: f64, what: &str) -> Result<u64, JsError> {
    if (0.0..=9.0e15).contains(&t) {
        Ok(t as u64)
    } else {
        Err(JsError::new(&format!(
            "{what} must be a time in microseconds (got {t})"
        )))
    }
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JS value as an error message quotes it: `-1`, `1.5`, `NaN`, `undefined`, `null`,
/// `the text "1"`, `true`, `an array`, `an object`.
fn described(v: &JsValue) -> String {
    if let Some(n) = v.as_f64() {
        js_number(n)
    } else if v.is_undefined() {
        "undefined".into()
    } else if v.is_null() {
        "null".into()
    } else if let Some(s) = v.as_string() {
        format!("the text {s:?}")
    } else if let Some(b) = v.as_bool() {
        b.to_string()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        "an object".into()
    }
}

/// A number as JavaScript writes it (`-1`, `1.5`, `NaN`, `1e+300`).
fn js_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{n}"))
}

/// A whole number from 0 to `max` from a JS number, else the error
/// `{what}: must be {noun} (a whole number from 0), got {value}` (the range is named only
/// for seeds: a node id too large is simply not a node).
fn whole(
    n: f64,
    max: f64,
    what: &str,
    noun: &str,
    shown: &dyn Fn() -> String,
) -> Result<u64, JsError> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= max {
        Ok(n as u64)
    } else {
        Err(JsError::new(&format!(
            "{what}: must be {noun}, got {}",
            shown()
        )))
    }
}

/// A node id from JS. wasm-bindgen would coerce `-1`, `1.5`, `NaN` or `undefined` to a
/// `u32` (so the action silently hit n0); this refuses anything but a whole number.
fn node_id(v: &JsValue, what: &str) -> Result<NodeId, JsError> {
    let n = v.as_f64().unwrap_or(f64::NAN);
    let noun = "a node id (a whole number from 0)";
    whole(n, f64::from(NodeId::MAX), what, noun, &|| described(v)).map(|n| n as NodeId)
}

/// A client id from JS, checked like a node id.
fn client_id(v: &JsValue) -> Result<ClientId, JsError> {
    let n = v.as_f64().unwrap_or(f64::NAN);
    let noun = "a client id (a whole number from 0)";
    whole(n, f64::from(ClientId::MAX), "client", noun, &|| {
        described(v)
    })
    .map(|n| n as ClientId)
}

/// A seed from JS: a whole number from 0 to 2^53-1 (what a JS number holds exactly).
fn seed_of(seed: f64) -> Result<u64, JsError> {
    let noun = "a whole number from 0 to 2^53-1";
    whole(seed, MAX_SAFE_INTEGER, "seed", noun, &|| js_number(seed))
}

/// Wall time one binding call may spend running the world (milliseconds): a frame at
/// 60 Hz is 16 ms, so a call never holds the page for more than about three frames. The
/// core knows nothing of it (it stays a pure function of scenario, seed and actions):
/// the world runs in chunks of [`CHUNK`] events and the clock is read between them.
pub const BUDGET_MS: f64 = 50.0;
/// Events run between two looks at the wall clock.
const CHUNK: u64 = 256;

/// Runs the timeline's events up to `t` (at most `max_events`) until the wall-clock
/// budget is spent; returns how many ran. `first` runs the first chunk (a seek starts with
/// restoring a checkpoint). Stopping between chunks changes nothing: running on later
/// gives exactly the trace of one uninterrupted run.
fn run_within_budget<P: Protocol>(
    timeline: &mut Timeline<P>,
    t: Micros,
    max_events: u64,
    first: impl FnOnce(&mut Timeline<P>, u64) -> u64,
) -> u64 {
    let started = js_sys::Date::now();
    let chunk = max_events.min(CHUNK);
    let mut ran = first(timeline, chunk);
    let mut last = ran;
    while last == chunk && ran < max_events && js_sys::Date::now() - started < BUDGET_MS {
        let chunk = (max_events - ran).min(CHUNK);
        last = timeline.run_until(t, chunk);
        ran += last;
        if last < chunk {
            break;
        }
    }
    ran
}

/// A run of one of the models. Every kernel-level call dispatches through [`each`]; a
/// model's own actions are built for their variant and refused by the others.
#[derive(Debug)]
enum AnyTimeline {
    SingleLeader(Box<Timeline<SingleLeader>>),
    Leaderless(Box<Timeline<Leaderless>>),
}

/// Runs `$body` with `$t` bound to the timeline, whatever its model.
macro_rules! each {
    ($timeline:expr, $t:ident => $body:expr) => {
        match $timeline {
            AnyTimeline::SingleLeader($t) => $body,
            AnyTimeline::Leaderless($t) => $body,
        }
    };
}

/// Carries out a kernel action on whichever model runs (the action is built in each
/// arm, for that model's action type).
macro_rules! act {
    ($lab:expr, $action:expr) => {
        each!(&mut $lab.run, t => t.act($action))
    };
}

/// One simulation run, driven from JavaScript.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Lab {
    run: AnyTimeline,
}

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// What an action made, for JS: an operation id, a node id, or undefined.
fn acted(r: Result<Acted, ActionError>) -> Result<JsValue, JsError> {
    match r.map_err(js_error)? {
        Acted::Done => Ok(JsValue::UNDEFINED),
        Acted::Op(id) => Ok(JsValue::from_f64(id as f64)),
        Acted::Node(id) => Ok(JsValue::from_f64(f64::from(id))),
    }
}

/// An operation's id from an action that starts one.
fn op_id(r: Result<Acted, ActionError>) -> Result<f64, JsError> {
    match r.map_err(js_error)? {
        Acted::Op(id) => Ok(id as f64),
        other => Err(JsError::new(&format!(
            "internal: expected an operation, got {other:?}"
        ))),
    }
}

fn done(r: Result<Acted, ActionError>) -> Result<(), JsError> {
    r.map(drop).map_err(js_error)
}

impl Lab {
    /// Carries out a single-leader action (the other models refuse it).
    fn operator(&mut self, action: OperatorAction) -> Result<Acted, ActionError> {
        match &mut self.run {
            AnyTimeline::SingleLeader(t) => t.act(Action::Model(action)),
            AnyTimeline::Leaderless(_) => Err(ActionError(
                "that is a single-leader setting; this scenario runs the leaderless model".into(),
            )),
        }
    }

    fn build(scenario: &Scenario, seed: u64) -> Result<AnyTimeline, JsError> {
        let bad = |e: crate::config::ConfigError| JsError::new(&format!("scenario: {e}"));
        Ok(match scenario.model {
            ModelKind::SingleLeader => AnyTimeline::SingleLeader(Box::new(Timeline::new(
                World::new(scenario, seed).map_err(bad)?,
            ))),
            ModelKind::Leaderless => AnyTimeline::Leaderless(Box::new(Timeline::new(
                World::new(scenario, seed).map_err(bad)?,
            ))),
        })
    }
}

#[wasm_bindgen]
impl Lab {
    /// Builds a run from scenario JSON text (see docs/scenario-format.md) and a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: &str, seed: f64) -> Result<Lab, JsError> {
        let seed = seed_of(seed)?;
        let scenario =
            Scenario::from_json(scenario).map_err(|e| JsError::new(&format!("scenario: {e}")))?;
        Ok(Lab {
            run: Lab::build(&scenario, seed)?,
        })
    }

    /// A run of `scenario` and `seed` with an action log ahead of it (the JSON `actions()`
    /// gives): it starts at time 0, and every action happens again at its very moment as
    /// the run reaches it, so the trace is the original's (seek to go straight to a moment).
    /// If an action cannot be carried out (a log from another run), `advanceTo` says so.
    pub fn replay(scenario: &str, seed: f64, actions: &str) -> Result<Lab, JsError> {
        let mut lab = Lab::new(scenario, seed)?;
        each!(&mut lab.run, t => {
            let bad = |e: crate::config::ConfigError| JsError::new(&format!("actions: {e}"));
            let entries: Vec<serde_json::Value> = parse_json(actions).map_err(bad)?;
            for (i, entry) in entries.iter().enumerate() {
                if !entry.is_object() {
                    let got = if entry.is_array() { "an array".to_string() } else { entry.to_string() };
                    return Err(bad(crate::config::ConfigError::at(
                        format!("[{i}]"),
                        format!(
                            r#"expected an object like {{"at": 0, "after": 0, "action": "heal"}}, got {got}"#
                        ),
                    )));
                }
                if let Some(action) = entry.get("action") {
                    check_variant_fields(action, &format!("[{i}].action")).map_err(bad)?;
                }
            }
            let log: Vec<_> = parse_json(actions).map_err(bad)?;
            **t = Timeline::with_log(t.world().clone(), log)
                .map_err(|e| JsError::new(&format!("actions: {e}")))?;
        });
        Ok(lab)
    }

    /// The scenario every field of which has its default value.
    #[wasm_bindgen(js_name = defaultScenario)]
    pub fn default_scenario() -> Result<JsValue, JsError> {
        to_js(&Scenario::default())
    }

    /// The scenario that rebuilds this run as it is now (every default filled in, and
    /// every setting changed since the start applied).
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        each!(&self.run, t => to_js(&t.world().current_scenario()))
    }

    /// Current simulated time in microseconds.
    pub fn now(&self) -> f64 {
        each!(&self.run, t => t.world().now() as f64)
    }

    pub fn seed(&self) -> f64 {
        each!(&self.run, t => t.world().seed() as f64)
    }

    /// Time of the next pending event, or undefined.
    #[wasm_bindgen(js_name = nextEventAt)]
    pub fn next_event_at(&self) -> Option<f64> {
        each!(&self.run, t => t.world().next_event_at().map(|t| t as f64))
    }

    /// Runs every event up to time `t` (microseconds), at most `maxEvents`, and for at
    /// most [`BUDGET_MS`] of wall time; returns how many ran. When all of them ran the
    /// clock is at `t`; when the cap or the budget stopped it, the clock stays at the last
    /// event (`now() < t`) and the next call goes on from there.
    #[wasm_bindgen(js_name = advanceTo)]
    pub fn advance_to(&mut self, t: f64, max_events: u32) -> Result<u32, JsError> {
        let to = micros(t, "advanceTo's time")?;
        each!(&mut self.run, t => {
            let ran = run_within_budget(t, to, u64::from(max_events), |t, n| t.run_until(to, n));
            match t.take_divergence() {
                Some(e) => Err(js_error(e)),
                None => Ok(ran as u32),
            }
        })
    }

    /// Runs `n` events (fewer if the queue empties or [`BUDGET_MS`] of wall time passes);
    /// returns how many ran.
    pub fn step(&mut self, n: f64) -> Result<f64, JsError> {
        let noun = "a number of events (a whole number from 0)";
        let n = whole(n, MAX_SAFE_INTEGER, "step", noun, &|| js_number(n))?;
        let started = js_sys::Date::now();
        let mut ran = 0u64;
        each!(&mut self.run, t => {
            while ran < n && t.step() {
                ran += 1;
                if ran % CHUNK == 0 && js_sys::Date::now() - started >= BUDGET_MS {
                    break;
                }
            }
            match t.take_divergence() {
                Some(e) => Err(js_error(e)),
                None => Ok(ran as f64),
            }
        })
    }

    /// Goes to moment `t` (microseconds) of this run, back or forward: the nearest
    /// checkpoint before it is restored and the run replayed to `t` (at most `maxEvents`,
    /// within [`BUDGET_MS`]; returns how many ran: when `now() < t` the caller goes on with
    /// `advanceTo(t, …)`). Actions after `t` stay ahead and happen again as time reaches
    /// them, until a new action forks the run.
    pub fn seek(&mut self, t: f64, max_events: u32) -> Result<u32, JsError> {
        let to = micros(t, "seek's time")?;
        each!(&mut self.run, t => {
            let ran = run_within_budget(t, to, u64::from(max_events), |t, n| t.seek(to, n)) as u32;
            match t.take_divergence() {
                Some(e) => Err(js_error(e)),
                None => Ok(ran),
            }
        })
    }

    /// The latest moment this run has reached (µs): how far a timeline can seek.
    pub fn horizon(&self) -> f64 {
        each!(&self.run, t => t.horizon() as f64)
    }

    /// The moments (µs) of the checkpoints kept.
    pub fn checkpoints(&self) -> Vec<f64> {
        each!(&self.run, t => t.checkpoint_times().into_iter().map(|c| c as f64).collect())
    }

    /// Every action of the run as JSON `[{at, after, action}]` (see docs/binding-api.md),
    /// the ones still ahead of the present included: with the scenario and the seed, it
    /// rebuilds the run (`Lab.replay`).
    pub fn actions(&self) -> Result<String, JsError> {
        each!(&self.run, t => serde_json::to_string(&t.actions()).map_err(js_error))
    }

    /// Carries out an action given as JSON (`{"crash": {"node": 1}}`, `"heal"`,
    /// `{"promote": {"node": 2}}`; docs/binding-api.md lists them); returns the operation
    /// or node it made, if any.
    #[wasm_bindgen(js_name = act)]
    pub fn act_json(&mut self, action: &str) -> Result<JsValue, JsError> {
        each!(&mut self.run, t => {
            let bad = |e| JsError::new(&format!("action: {}", without_position(e)));
            let value: serde_json::Value = parse_json(action).map_err(bad)?;
            check_variant_fields(&value, "").map_err(bad)?;
            let action = parse_json(action).map_err(bad)?;
            acted(t.act(action))
        })
    }

    /// A leaderless key's place on the ring (`at`, a fraction of the circle), its N
    /// replicas and its fallbacks; refused by the other models.
    #[wasm_bindgen(js_name = replicasOf)]
    pub fn replicas_of(&self, key: &str) -> Result<JsValue, JsError> {
        match &self.run {
            AnyTimeline::Leaderless(t) => to_js(&t.world().key_view(key)),
            AnyTimeline::SingleLeader(_) => Err(JsError::new(
                "replicasOf is for the leaderless model: every single-leader node holds every key",
            )),
        }
    }

    #[wasm_bindgen(js_name = eventsProcessed)]
    pub fn events_processed(&self) -> f64 {
        each!(&self.run, t => t.world().events_processed() as f64)
    }

    /// A snapshot of everything the page draws: `tail` log entries per node, `ops` recent
    /// operations.
    pub fn snapshot(&self, tail: u32, ops: u32) -> Result<JsValue, JsError> {
        let options = SnapshotOptions {
            tail: tail as usize,
            ops: ops as usize,
        };
        each!(&self.run, t => to_js(&t.world().snapshot(options)))
    }

    /// Trace records from index `cursor` on (at most `limit`).
    #[wasm_bindgen(js_name = eventsSince)]
    pub fn events_since(&self, cursor: f64, limit: u32) -> Result<JsValue, JsError> {
        let cursor = cursor.max(0.0) as u64;
        each!(&self.run, t => {
            let records: Vec<_> = t.world().trace().since(cursor, limit as usize).collect();
            to_js(&records)
        })
    }

    /// The trace fingerprint (16 hex digits).
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        each!(&self.run, t => format!("{:016x}", t.world().trace_hash()))
    }

    /// The run summary the headless runner prints.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        each!(&self.run, t => to_js(&t.world().summary()))
    }

    /// The PBS staleness curve of the leaderless ring as it is now (docs/pbs.md): points
    /// of `t` (ms after a write committed) and `p` (the chance a read started then returns
    /// it), `consistentAfter`, `kStaleness`. `options` is JSON (`""` for none):
    /// `{"replicationFactor", "writeConsistency", "readConsistency", "coordinator", "trials",
    /// "disk"}`,
    /// each optional, overriding the world's settings for the estimate only.
    pub fn pbs(&self, options: &str) -> Result<JsValue, JsError> {
        let options: PbsOptions = if options.trim().is_empty() {
            PbsOptions::default()
        } else {
            serde_json::from_str(options).map_err(|e| JsError::new(&format!("pbs: {e}")))?
        };
        match &self.run {
            AnyTimeline::Leaderless(t) => {
                let w = t.world();
                to_js(&pbs::curve_of(w, w.seed(), &options).map_err(js_error)?)
            }
            AnyTimeline::SingleLeader(_) => Err(JsError::new(
                "the staleness curve is of the leaderless model (R and W replicas of N); this \
                 scenario runs the single-leader model",
            )),
        }
    }

    /// Every checker's verdict on the history so far (see docs/binding-api.md): the
    /// anomalies found by kind, with counts, broken promises and examples naming the
    /// operations; judged as final once the cluster is healed and quiet.
    pub fn anomalies(&self) -> Result<JsValue, JsError> {
        each!(&self.run, t => {
            let w = t.world();
            to_js(&w.anomalies(w.looks_settled()))
        })
    }

    /// Writes `key = value` through the primary; returns the operation id.
    pub fn write(&mut self, key: &str, value: &str) -> Result<f64, JsError> {
        op_id(act!(
            self,
            Action::Write {
                key: key.into(),
                value: value.into(),
                node: None,
            }
        ))
    }

    /// Writes through the primary with its own acknowledgement policy, given as JSON:
    /// `"async"`, `"sync"`, `"majority"` or `{"replicas": 2, "select": "first", "point": "applied"}`.
    #[wasm_bindgen(js_name = writeWith)]
    pub fn write_with(&mut self, key: &str, value: &str, ack_policy: &str) -> Result<f64, JsError> {
        let ack = crate::config::parse_ack_policy(ack_policy)
            .map_err(|e| JsError::new(&format!("ack policy: {e}")))?;
        op_id(self.operator(OperatorAction::WriteWith {
            key: key.into(),
            value: value.into(),
            ack,
        }))
    }

    /// A compare-and-set through the primary: sets `key` to `value` if it holds
    /// `expected` (`undefined` or `null`: if it has never been written); the operation's
    /// `swapped` says whether it did.
    pub fn cas(
        &mut self,
        key: &str,
        expected: Option<String>,
        value: &str,
    ) -> Result<f64, JsError> {
        op_id(act!(
            self,
            Action::Cas {
                key: key.into(),
                expected: expected.map(Into::into),
                value: value.into(),
            }
        ))
    }

    /// Sends a write to a chosen node (a replica refuses it).
    #[wasm_bindgen(js_name = writeTo)]
    pub fn write_to(&mut self, node: JsValue, key: &str, value: &str) -> Result<f64, JsError> {
        let node = node_id(&node, "node")?;
        op_id(act!(
            self,
            Action::Write {
                key: key.into(),
                value: value.into(),
                node: Some(node),
            }
        ))
    }

    /// Reads `key` from a chosen node; returns the operation id.
    pub fn read(&mut self, node: JsValue, key: &str) -> Result<f64, JsError> {
        let node = node_id(&node, "node")?;
        op_id(act!(
            self,
            Action::Read {
                node,
                key: key.into(),
            }
        ))
    }

    /// Reads `key` from a chosen node at a consistency level given as JSON: `"eventual"`,
    /// `"readYourWrites"`, `"monotonic"`, `{"boundedStaleness": {"max": "200ms"}}` or
    /// `"linearizable"` (which always goes to the primary).
    #[wasm_bindgen(js_name = readWith)]
    pub fn read_with(
        &mut self,
        node: JsValue,
        key: &str,
        consistency: &str,
    ) -> Result<f64, JsError> {
        let node = node_id(&node, "node")?;
        let consistency = crate::config::parse_read_consistency(consistency)
            .map_err(|e| JsError::new(&format!("read consistency: {e}")))?;
        op_id(self.operator(OperatorAction::ReadWith {
            node,
            key: key.into(),
            consistency,
        }))
    }

    /// Sets the cluster's acknowledgement policy (same JSON as `writeWith`).
    #[wasm_bindgen(js_name = setAckPolicy)]
    pub fn set_ack_policy(&mut self, ack_policy: &str) -> Result<(), JsError> {
        let policy = crate::config::parse_ack_policy(ack_policy)
            .map_err(|e| JsError::new(&format!("ack policy: {e}")))?;
        done(self.operator(OperatorAction::SetAckPolicy { policy }))
    }

    /// With too few replicas confirming: `undefined` blocks (PostgreSQL); microseconds
    /// fall back to async after that long (MySQL `rpl_semi_sync_source_timeout`).
    #[wasm_bindgen(js_name = setSemiSyncFallback)]
    pub fn set_semi_sync_fallback(&mut self, wait: Option<f64>) -> Result<(), JsError> {
        let wait = wait.map(|t| micros(t, "the fallback wait")).transpose()?;
        done(self.operator(OperatorAction::SetSemiSyncFallback {
            wait: wait.map(Dur),
        }))
    }

    /// When writes become visible at the primary: `"afterSync"` (once acknowledged, MySQL's
    /// default) or `"afterCommit"` (at the local commit).
    #[wasm_bindgen(js_name = setVisibility)]
    pub fn set_visibility(&mut self, visibility: &str) -> Result<(), JsError> {
        let visibility = crate::config::parse_visibility(visibility)
            .map_err(|e| JsError::new(&format!("visibility: {e}")))?;
        done(self.operator(OperatorAction::SetVisibility { visibility }))
    }

    /// Changes the running workload from JSON: any of `clients`, `rate`, `readFraction`,
    /// `casFraction`, `keys`, `skew`, `readFrom`, `readConsistency`, `onBehind`, `timeout`.
    #[wasm_bindgen(js_name = setWorkload)]
    pub fn set_workload(&mut self, patch: &str) -> Result<(), JsError> {
        let patch = crate::config::parse_workload_patch(patch)
            .map_err(|e| JsError::new(&format!("workload: {e}")))?;
        done(act!(self, Action::SetWorkload { patch }))
    }

    /// Sets the service-time model from JSON `{"read": "2ms", "write": "4ms", "workers": 1,
    /// "queueLimit": 100}`, or `"off"`.
    #[wasm_bindgen(js_name = setService)]
    pub fn set_service(&mut self, service: &str) -> Result<(), JsError> {
        let service = crate::config::parse_service(service)
            .map_err(|e| JsError::new(&format!("service: {e}")))?;
        done(act!(self, Action::SetService { service }))
    }

    /// Spreads nodes and clients over regions: `"none"`, `"single"`, `"two"` or `"three"`.
    #[wasm_bindgen(js_name = setGeography)]
    pub fn set_geography(&mut self, preset: &str) -> Result<(), JsError> {
        let regions = crate::kernel::geo::preset_regions(preset).ok_or_else(|| {
            JsError::new(&format!(
                "unknown geography {preset:?} (choose none, single, two or three)"
            ))
        })?;
        done(act!(self, Action::SetGeography { regions }))
    }

    /// Places a node in a region (`""` for none).
    #[wasm_bindgen(js_name = setRegion)]
    pub fn set_region(&mut self, node: JsValue, region: &str) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        let region = region_of(region)?;
        done(act!(self, Action::SetRegion { node, region }))
    }

    /// Places a client in a region (`""` for none).
    #[wasm_bindgen(js_name = setClientRegion)]
    pub fn set_client_region(&mut self, client: JsValue, region: &str) -> Result<(), JsError> {
        let client = client_id(&client)?;
        let region = region_of(region)?;
        done(act!(self, Action::SetClientRegion { client, region }))
    }

    /// The regions and their one-way latencies: `{names, oneWayMs}`.
    pub fn regions() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Regions {
            names: [&'static str; 4],
            one_way_ms: Vec<Vec<f64>>,
        }
        to_js(&Regions {
            names: crate::kernel::geo::REGIONS,
            one_way_ms: crate::kernel::geo::table_ms(),
        })
    }

    /// Chart data: samples taken since `cursor` (pass back `next`), write latency by
    /// acknowledgement policy, and the staleness distribution.
    pub fn metrics(&self, cursor: f64) -> Result<JsValue, JsError> {
        each!(&self.run, t => to_js(&t.world().metrics_view(cursor.max(0.0) as u64)))
    }

    /// Runs a separate world of `scenario` with `replicas` replicas for `duration`
    /// microseconds and reports its throughput and latency (the read-scaling chart).
    /// It runs to the end in one call (at most 60 s simulated: a few milliseconds to a few
    /// tens of milliseconds with the page's settings, more for heavy scenarios);
    /// [`ScalingRun`] does the same within the wall-clock budget, over several calls.
    #[wasm_bindgen(js_name = scalingPoint)]
    pub fn scaling_point(
        scenario: &str,
        seed: f64,
        replicas: f64,
        duration: f64,
    ) -> Result<JsValue, JsError> {
        let mut run = ScalingRun::new(scenario, seed, replicas, duration)?;
        run.run.run(u64::MAX);
        run.point()
    }

    /// Freezes a node (a long GC pause): it handles nothing until resumed.
    pub fn pause(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::Pause { node }))
    }

    pub fn resume(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::Resume { node }))
    }

    /// Crashes a node and wipes its disk (it restarts empty, with no term or vote).
    #[wasm_bindgen(js_name = crashLoseDisk)]
    pub fn crash_lose_disk(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::CrashLoseDisk { node }))
    }

    /// Splits the cluster into groups given as JSON, e.g. `[[0, 1], [2, 3, 4]]`: links
    /// between groups are cut both ways.
    pub fn partition(&mut self, groups: &str) -> Result<(), JsError> {
        let groups: Vec<Vec<NodeId>> = parse_json(groups).map_err(|e| {
            JsError::new(&format!(
                "partition: give groups of node ids, like [[0, 1], [2, 3]] ({})",
                without_position(e)
            ))
        })?;
        done(act!(self, Action::Partition { groups }))
    }

    /// Cuts (`up = false`) or restores one link direction (a one-way partition).
    #[wasm_bindgen(js_name = setLinkUp)]
    pub fn set_link_up(&mut self, from: JsValue, to: JsValue, up: bool) -> Result<(), JsError> {
        let (from, to) = (node_id(&from, "from")?, node_id(&to, "to")?);
        done(act!(self, Action::SetLinkUp { from, to, up }))
    }

    /// Restores every cut link.
    pub fn heal(&mut self) -> Result<(), JsError> {
        done(act!(self, Action::Heal))
    }

    /// Sets a node's clock offset from true time (microseconds; negative = behind).
    #[wasm_bindgen(js_name = setClockOffset)]
    pub fn set_clock_offset(&mut self, node: JsValue, offset: f64) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        // The world refuses more than an hour too (`config::MAX_CLOCK_OFFSET` says why);
        // checking here first keeps NaN or 1e300 from being cast to an integer at all.
        let max = crate::config::MAX_CLOCK_OFFSET as f64;
        if !(offset.is_finite() && offset.fract() == 0.0 && offset.abs() <= max) {
            return Err(JsError::new(&format!(
                "offset: must be whole microseconds within an hour of true time (-{max} to \
                 {max}; negative is behind), got {}",
                js_number(offset)
            )));
        }
        done(act!(
            self,
            Action::SetClockOffset {
                node,
                offset: offset as i64,
            }
        ))
    }

    /// Makes a replica primary at once, without an election (forced promotion).
    pub fn promote(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(self.operator(OperatorAction::Promote { node }))
    }

    /// A planned switchover to `node`: waits until it has the whole log, then hands over.
    pub fn switchover(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(self.operator(OperatorAction::Switchover { node }))
    }

    /// Sets how a lost primary is replaced, from JSON `{"mode": "raft" | "naive" | "off",
    /// "electionTimeout": "1s"}`.
    #[wasm_bindgen(js_name = setFailover)]
    pub fn set_failover(&mut self, failover: &str) -> Result<(), JsError> {
        let failover = crate::config::parse_failover(failover)
            .map_err(|e| JsError::new(&format!("failover: {e}")))?;
        done(self.operator(OperatorAction::SetFailover { failover }))
    }

    /// Cuts every link between a node and the others (`true`) or restores them.
    pub fn isolate(&mut self, node: JsValue, isolated: bool) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::Isolate { node, isolated }))
    }

    /// The whole history in Jepsen's format (a JSON array of invoke / ok / fail / info
    /// events: docs/history-format.md), as the runner's `--history FILE` writes it and
    /// `cargo run --example check` and `checkHistory` read it.
    #[wasm_bindgen(js_name = historyJson)]
    pub fn history_json(&self) -> String {
        each!(&self.run, t => t.world().jepsen_history(true).to_json())
    }

    /// One operation of the history, or undefined.
    pub fn op(&self, id: f64) -> Result<JsValue, JsError> {
        each!(&self.run, t => match t.world().op(id as u64) {
            Some(op) => to_js(&crate::observe::view::OpView::of(op)),
            None => Ok(JsValue::UNDEFINED),
        })
    }

    #[wasm_bindgen(js_name = addReplica)]
    pub fn add_replica(&mut self) -> Result<NodeId, JsError> {
        match act!(self, Action::AddReplica).map_err(js_error)? {
            Acted::Node(id) => Ok(id),
            other => Err(JsError::new(&format!(
                "internal: expected a node, got {other:?}"
            ))),
        }
    }

    #[wasm_bindgen(js_name = removeReplica)]
    pub fn remove_replica(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::RemoveReplica { node }))
    }

    pub fn crash(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::Crash { node }))
    }

    pub fn restart(&mut self, node: JsValue) -> Result<(), JsError> {
        let node = node_id(&node, "node")?;
        done(act!(self, Action::Restart { node }))
    }

    /// Sets every node-to-node link from JSON `{latency, jitter?, loss?, reorder?}`.
    #[wasm_bindgen(js_name = setAllLinks)]
    pub fn set_all_links(&mut self, settings: &str) -> Result<(), JsError> {
        let link = link_settings(settings)?;
        done(act!(self, Action::SetAllLinks { link }))
    }

    /// Sets the link between two nodes, both directions unless `oneWay`.
    #[wasm_bindgen(js_name = setLink)]
    pub fn set_link(
        &mut self,
        from: JsValue,
        to: JsValue,
        settings: &str,
        one_way: bool,
    ) -> Result<(), JsError> {
        let (from, to) = (node_id(&from, "from")?, node_id(&to, "to")?);
        let link = link_settings(settings)?;
        done(act!(
            self,
            Action::SetLink {
                from,
                to,
                link,
                one_way,
            }
        ))
    }

    /// The current settings of one link direction.
    pub fn link(&self, from: JsValue, to: JsValue) -> Result<JsValue, JsError> {
        let (from, to) = (node_id(&from, "from")?, node_id(&to, "to")?);
        if from as usize >= crate::config::MAX_NODES || to as usize >= crate::config::MAX_NODES {
            return Err(JsError::new("there is no such link"));
        }
        each!(&self.run, t => to_js(&t.world().link(from, to)))
    }
}

/// A read-scaling measurement run over several calls, each within the wall-clock budget
/// ([`BUDGET_MS`]): `new ScalingRun(scenario, seed, replicas, duration)`, then
/// `advance()` until it returns true (one call per frame or timer tick), then `point()`.
/// The point is exactly the one `Lab.scalingPoint` gives for the same arguments.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ScalingRun {
    run: Experiment<SingleLeader>,
}

#[wasm_bindgen]
impl ScalingRun {
    #[wasm_bindgen(constructor)]
    pub fn new(
        scenario: &str,
        seed: f64,
        replicas: f64,
        duration: f64,
    ) -> Result<ScalingRun, JsError> {
        let scenario =
            Scenario::from_json(scenario).map_err(|e| JsError::new(&format!("scenario: {e}")))?;
        let seed = seed_of(seed)?;
        let noun = "a number of replicas (a whole number from 0)";
        let replicas = whole(replicas, f64::from(u32::MAX), "replicas", noun, &|| {
            js_number(replicas)
        })? as u32;
        let duration = micros(duration, "the duration")?;
        let run = match scenario.model {
            ModelKind::SingleLeader => Experiment::new(&scenario, seed, replicas, duration),
            ModelKind::Leaderless => {
                return Err(JsError::new(
                    "the read-scaling experiment runs single-leader scenarios only (for now)",
                ))
            }
        }
        .map_err(js_error)?;
        Ok(ScalingRun { run })
    }

    /// Runs on for at most [`BUDGET_MS`] of wall time; returns whether the run is done.
    pub fn advance(&mut self) -> bool {
        let started = js_sys::Date::now();
        while !self.run.run(CHUNK) {
            if js_sys::Date::now() - started >= BUDGET_MS {
                return false;
            }
        }
        true
    }

    /// Whether the run is done.
    pub fn done(&self) -> bool {
        self.run.done()
    }

    /// How far the run has got (simulated microseconds).
    pub fn now(&self) -> f64 {
        self.run.now() as f64
    }

    /// The measurement (`replicas`, `readsPerSec`, `writesPerSec`, `readP50Ms`, ...);
    /// refused until the run is done.
    pub fn point(&self) -> Result<JsValue, JsError> {
        if !self.run.done() {
            return Err(JsError::new(&format!(
                "the scaling run has not finished (at {} us): call advance() until it returns true",
                self.run.now()
            )));
        }
        to_js(&self.run.point())
    }
}

/// A region name checked here, so a bad one is refused before it is logged.
fn region_of(name: &str) -> Result<Option<String>, JsError> {
    if name.is_empty() {
        return Ok(None);
    }
    crate::kernel::geo::region(name)
        .map(|_| Some(name.to_string()))
        .ok_or_else(|| {
            JsError::new(&format!(
                "unknown region {name:?} (known: {})",
                crate::kernel::geo::REGIONS.join(", ")
            ))
        })
}

fn link_settings(settings: &str) -> Result<LinkSettings, JsError> {
    LinkSettings::from_json(settings).map_err(|e| JsError::new(&format!("link: {e}")))
}

/// `checkHistory`'s options: `{maxSteps?, timeoutMs?, sessions?}` (see docs/binding-api.md).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CheckHistoryOptions {
    max_steps: Option<f64>,
    timeout_ms: Option<f64>,
    #[serde(default)]
    sessions: bool,
}

/// Checks a history in the Jepsen format (docs/history-format.md) for linearizability and
/// returns the report the CLI prints (`verdict`, `keys`, `operations`, `steps`,
/// `explanation`, `keyResults`, `ms`). Options `{maxSteps?: number, timeoutMs?: number,
/// sessions?: boolean}` (defaults: unlimited steps, 10 000 ms; 0 is unlimited); running out
/// gives `"unknown"`. `sessions: true` adds the session checks' `sessions` object.
/// A bad history throws an `Error` listing every problem by path, one per line.
#[wasm_bindgen(js_name = checkHistory)]
pub fn check_history(text: &str, options: JsValue) -> Result<JsValue, JsError> {
    use crate::checks::history::History;
    use crate::checks::linearizable::{check_linearizable, CheckOptions};
    let started = js_sys::Date::now();
    let options: CheckHistoryOptions = if options.is_undefined() || options.is_null() {
        CheckHistoryOptions::default()
    } else if !options.is_object() || js_sys::Array::is_array(&options) {
        return Err(JsError::new(&format!(
            "checkHistory options: expected an object like {{\"maxSteps\": 100000, \
             \"timeoutMs\": 1000}}, got {}",
            described(&options)
        )));
    } else {
        let text = js_sys::JSON::stringify(&options)
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        serde_json::from_str(&text).map_err(|e| {
            let e = humane(&e.to_string());
            JsError::new(&format!("checkHistory options: {e}"))
        })?
    };
    let whole = |n: Option<f64>, what: &str| match n {
        None => Ok(None),
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9.0e15 => Ok(Some(n)),
        Some(n) => Err(JsError::new(&format!(
            "checkHistory options: {what} must be a whole number of at least 0 (got {n})"
        ))),
    };
    let options_sessions = options.sessions;
    let max_steps = whole(options.max_steps, "maxSteps")?.unwrap_or(0.0) as u64;
    let timeout = whole(options.timeout_ms, "timeoutMs")?.unwrap_or(10_000.0);
    let out_of_time = move || timeout > 0.0 && js_sys::Date::now() - started >= timeout;
    let problems = |errors: Vec<crate::checks::history::HistoryError>| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        JsError::new(&lines.join("\n"))
    };
    let history = History::from_json(text).map_err(problems)?;
    let options = CheckOptions {
        max_steps,
        out_of_time: Some(&out_of_time),
    };
    let report = check_linearizable(&history, &options).map_err(problems)?;
    let result = to_js(&report)?;
    if options_sessions {
        let sessions = crate::checks::sessions::from_history::check(&history).map_err(problems)?;
        js_sys::Reflect::set(&result, &JsValue::from_str("sessions"), &to_js(&sessions)?)
            .map_err(|_| JsError::new("internal: could not set sessions"))?;
    }
    let ms = JsValue::from_f64(js_sys::Date::now() - started);
    js_sys::Reflect::set(&result, &JsValue::from_str("ms"), &ms)
        .map_err(|_| JsError::new("internal: could not set ms"))?;
    Ok(result)
}

/// For the checker benchmark (`www/bench-checker.html`): the JSON text of a generated
/// linearizable history, preset `"big"` or `"etcd"` (as in benches/checker.rs).
#[doc(hidden)]
#[wasm_bindgen(js_name = generateHistory)]
pub fn generate_history(preset: &str, seed: f64) -> Result<String, JsError> {
    let options = crate::checks::gen::GenOptions::preset(preset, seed_of(seed)?)
        .ok_or_else(|| JsError::new(&format!("unknown preset {preset:?} (big or etcd)")))?;
    Ok(crate::checks::gen::linearizable_history(&options).to_json())
}
