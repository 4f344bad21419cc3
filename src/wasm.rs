//! The JavaScript binding: one opaque [`Lab`] handle around a world of whichever model the
//! scenario names ([`AnyWorld`], the one enum at the boundary; the core is generic). It
//! converts arguments and results (serde-wasm-bindgen, camelCase) and turns every error into
//! a JS `Error` with a readable message. No simulation logic lives here.

use crate::config::{LinkSettings, ModelKind, Scenario};
use crate::kernel::ids::NodeId;
use crate::kernel::net::LinkSpec;
use crate::kernel::world::{ActionError, World};
use crate::observe::view::SnapshotOptions;
use crate::protocols::SingleLeader;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    // A Rust panic is printed to the console with its message; the page also catches the
    // resulting exception and shows a banner instead of freezing.
    console_error_panic_hook::set_once();
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: could not convert a result: {e}")))
}

fn action(r: Result<(), ActionError>) -> Result<(), JsError> {
    r.map_err(|e| JsError::new(&e.0))
}

/// Whole microseconds from a JS number, rejecting NaN, negatives and fractions of them.
fn micros(t: f64, what: &str) -> Result<u64, JsError> {
    if (0.0..=9.0e15).contains(&t) {
        Ok(t as u64)
    } else {
        Err(JsError::new(&format!(
            "{what} must be a time in microseconds (got {t})"
        )))
    }
}

/// A world of one of the models. Every kernel-level call dispatches through [`each`];
/// a model's own operator actions match their variant and refuse the others.
#[derive(Debug)]
enum AnyWorld {
    SingleLeader(World<SingleLeader>),
}

/// Runs `$body` with `$w` bound to the world, whatever its model.
macro_rules! each {
    ($world:expr, $w:ident => $body:expr) => {
        match $world {
            AnyWorld::SingleLeader($w) => $body,
        }
    };
}

/// One simulation run, driven from JavaScript.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Lab {
    world: AnyWorld,
}

impl Lab {
    /// The single-leader world, for that model's own actions (promote, ack policies, ...).
    fn single_leader(&mut self) -> Result<&mut World<SingleLeader>, JsError> {
        match &mut self.world {
            AnyWorld::SingleLeader(w) => Ok(w),
        }
    }
}

#[wasm_bindgen]
impl Lab {
    /// Builds a run from scenario JSON text (see docs/scenario-format.md) and a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: &str, seed: f64) -> Result<Lab, JsError> {
        if !(seed.is_finite()
            && seed >= 0.0
            && seed.fract() == 0.0
            && seed <= 9_007_199_254_740_991.0)
        {
            return Err(JsError::new(&format!(
                "seed must be a whole number from 0 to 2^53-1 (got {seed})"
            )));
        }
        let scenario =
            Scenario::from_json(scenario).map_err(|e| JsError::new(&format!("scenario: {e}")))?;
        let bad = |e: crate::config::ConfigError| JsError::new(&format!("scenario: {e}"));
        let world = match scenario.model {
            ModelKind::SingleLeader => {
                AnyWorld::SingleLeader(World::new(&scenario, seed as u64).map_err(bad)?)
            }
        };
        Ok(Lab { world })
    }

    /// The scenario every field of which has its default value.
    #[wasm_bindgen(js_name = defaultScenario)]
    pub fn default_scenario() -> Result<JsValue, JsError> {
        to_js(&Scenario::default())
    }

    /// The scenario that rebuilds this run as it is now (every default filled in, and
    /// every setting changed since the start applied).
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        each!(&self.world, w => to_js(&w.current_scenario()))
    }

    /// Current simulated time in microseconds.
    pub fn now(&self) -> f64 {
        each!(&self.world, w => w.now() as f64)
    }

    pub fn seed(&self) -> f64 {
        each!(&self.world, w => w.seed() as f64)
    }

    /// Time of the next pending event, or undefined.
    #[wasm_bindgen(js_name = nextEventAt)]
    pub fn next_event_at(&self) -> Option<f64> {
        each!(&self.world, w => w.next_event_at().map(|t| t as f64))
    }

    /// Runs every event up to time `t` (microseconds), at most `maxEvents`; returns how
    /// many ran. When the cap is hit the clock stays at the last event.
    #[wasm_bindgen(js_name = advanceTo)]
    pub fn advance_to(&mut self, t: f64, max_events: u32) -> Result<u32, JsError> {
        let t = micros(t, "advanceTo's time")?;
        each!(&mut self.world, w => Ok(w.run_until(t, u64::from(max_events)) as u32))
    }

    /// Runs exactly `n` events (fewer if the queue empties); returns how many ran.
    pub fn step(&mut self, n: u32) -> u32 {
        each!(&mut self.world, w => (0..n).take_while(|_| w.step()).count() as u32)
    }

    #[wasm_bindgen(js_name = eventsProcessed)]
    pub fn events_processed(&self) -> f64 {
        each!(&self.world, w => w.events_processed() as f64)
    }

    /// A snapshot of everything the page draws: `tail` log entries per node, `ops` recent
    /// operations.
    pub fn snapshot(&self, tail: u32, ops: u32) -> Result<JsValue, JsError> {
        let options = SnapshotOptions {
            tail: tail as usize,
            ops: ops as usize,
        };
        each!(&self.world, w => to_js(&w.snapshot(options)))
    }

    /// Trace records from index `cursor` on (at most `limit`).
    #[wasm_bindgen(js_name = eventsSince)]
    pub fn events_since(&self, cursor: f64, limit: u32) -> Result<JsValue, JsError> {
        let cursor = cursor.max(0.0) as u64;
        each!(&self.world, w => {
            let records: Vec<_> = w.trace().since(cursor, limit as usize).collect();
            to_js(&records)
        })
    }

    /// The trace fingerprint (16 hex digits).
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        each!(&self.world, w => format!("{:016x}", w.trace_hash()))
    }

    /// The run summary the headless runner prints.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        each!(&self.world, w => to_js(&w.summary()))
    }

    /// Every checker's verdict on the history so far (see docs/binding-api.md): the
    /// anomalies found by kind, with counts, broken promises and examples naming the
    /// operations; judged as final once the cluster is healed and quiet.
    pub fn anomalies(&self) -> Result<JsValue, JsError> {
        each!(&self.world, w => to_js(&w.anomalies(w.looks_settled())))
    }

    /// Writes `key = value` through the primary; returns the operation id.
    pub fn write(&mut self, key: &str, value: &str) -> Result<f64, JsError> {
        each!(&mut self.world, w => w.write(key, value).map(|id| id as f64).map_err(|e| JsError::new(&e.0)))
    }

    /// Writes through the primary with its own acknowledgement policy, given as JSON:
    /// `"async"`, `"sync"`, `"majority"` or `{"replicas": 2, "select": "first", "point": "applied"}`.
    #[wasm_bindgen(js_name = writeWith)]
    pub fn write_with(&mut self, key: &str, value: &str, ack_policy: &str) -> Result<f64, JsError> {
        let ack = crate::config::parse_ack_policy(ack_policy)
            .map_err(|e| JsError::new(&format!("ack policy: {e}")))?;
        self.single_leader()?
            .write_with(key, value, ack)
            .map(|id| id as f64)
            .map_err(|e| JsError::new(&e.0))
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
        each!(&mut self.world, w => w.cas(key, expected.as_deref(), value).map(|id| id as f64).map_err(|e| JsError::new(&e.0)))
    }

    /// Sends a write to a chosen node (a replica refuses it).
    #[wasm_bindgen(js_name = writeTo)]
    pub fn write_to(&mut self, node: NodeId, key: &str, value: &str) -> Result<f64, JsError> {
        each!(&mut self.world, w => w.write_to(node, key, value).map(|id| id as f64).map_err(|e| JsError::new(&e.0)))
    }

    /// Reads `key` from a chosen node; returns the operation id.
    pub fn read(&mut self, node: NodeId, key: &str) -> Result<f64, JsError> {
        each!(&mut self.world, w => w.read(node, key).map(|id| id as f64).map_err(|e| JsError::new(&e.0)))
    }

    /// Reads `key` from a chosen node at a consistency level given as JSON: `"eventual"`,
    /// `"readYourWrites"`, `"monotonic"`, `{"boundedStaleness": {"max": "200ms"}}` or
    /// `"linearizable"` (which always goes to the primary).
    #[wasm_bindgen(js_name = readWith)]
    pub fn read_with(
        &mut self,
        node: NodeId,
        key: &str,
        consistency: &str,
    ) -> Result<f64, JsError> {
        let level = crate::config::parse_read_consistency(consistency)
            .map_err(|e| JsError::new(&format!("read consistency: {e}")))?;
        self.single_leader()?
            .read_with(node, key, level)
            .map(|id| id as f64)
            .map_err(|e| JsError::new(&e.0))
    }

    /// Sets the cluster's acknowledgement policy (same JSON as `writeWith`).
    #[wasm_bindgen(js_name = setAckPolicy)]
    pub fn set_ack_policy(&mut self, ack_policy: &str) -> Result<(), JsError> {
        let ack = crate::config::parse_ack_policy(ack_policy)
            .map_err(|e| JsError::new(&format!("ack policy: {e}")))?;
        self.single_leader()?.set_ack_policy(ack);
        Ok(())
    }

    /// With too few replicas confirming: `undefined` blocks (PostgreSQL); microseconds
    /// fall back to async after that long (MySQL `rpl_semi_sync_source_timeout`).
    #[wasm_bindgen(js_name = setSemiSyncFallback)]
    pub fn set_semi_sync_fallback(&mut self, wait: Option<f64>) -> Result<(), JsError> {
        let wait = wait.map(|t| micros(t, "the fallback wait")).transpose()?;
        self.single_leader()?.set_semi_sync_fallback(wait);
        Ok(())
    }

    /// When writes become visible at the primary: `"afterSync"` (once acknowledged, MySQL's
    /// default) or `"afterCommit"` (at the local commit).
    #[wasm_bindgen(js_name = setVisibility)]
    pub fn set_visibility(&mut self, visibility: &str) -> Result<(), JsError> {
        let v = crate::config::parse_visibility(visibility)
            .map_err(|e| JsError::new(&format!("visibility: {e}")))?;
        self.single_leader()?.set_visibility(v);
        Ok(())
    }

    /// Changes the running workload from JSON: any of `clients`, `rate`, `readFraction`,
    /// `casFraction`, `keys`, `skew`, `readFrom`, `readConsistency`, `onBehind`, `timeout`.
    #[wasm_bindgen(js_name = setWorkload)]
    pub fn set_workload(&mut self, patch: &str) -> Result<(), JsError> {
        let patch = crate::config::parse_workload_patch(patch)
            .map_err(|e| JsError::new(&format!("workload: {e}")))?;
        each!(&mut self.world, w => w.set_workload(&patch).map_err(|e| JsError::new(&e.to_string())))
    }

    /// Sets the service-time model from JSON `{"read": "2ms", "write": "4ms", "workers": 1,
    /// "queueLimit": 100}`, or `"off"`.
    #[wasm_bindgen(js_name = setService)]
    pub fn set_service(&mut self, service: &str) -> Result<(), JsError> {
        let spec = crate::config::parse_service(service)
            .map_err(|e| JsError::new(&format!("service: {e}")))?;
        each!(&mut self.world, w => w.set_service(spec));
        Ok(())
    }

    /// Spreads nodes and clients over regions: `"none"`, `"single"`, `"two"` or `"three"`.
    #[wasm_bindgen(js_name = setGeography)]
    pub fn set_geography(&mut self, preset: &str) -> Result<(), JsError> {
        let k = crate::kernel::geo::preset_regions(preset).ok_or_else(|| {
            JsError::new(&format!(
                "unknown geography {preset:?} (choose none, single, two or three)"
            ))
        })?;
        each!(&mut self.world, w => w.set_geography(k));
        Ok(())
    }

    /// Places a node in a region (`""` for none).
    #[wasm_bindgen(js_name = setRegion)]
    pub fn set_region(&mut self, node: NodeId, region: &str) -> Result<(), JsError> {
        let region = region_of(region)?;
        each!(&mut self.world, w => w.set_region(node, region).map_err(|e| JsError::new(&e.message)))
    }

    /// Places a client in a region (`""` for none).
    #[wasm_bindgen(js_name = setClientRegion)]
    pub fn set_client_region(&mut self, client: u32, region: &str) -> Result<(), JsError> {
        let region = region_of(region)?;
        each!(&mut self.world, w => w.set_client_region(client, region).map_err(|e| JsError::new(&e.message)))
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
        each!(&self.world, w => to_js(&w.metrics_view(cursor.max(0.0) as u64)))
    }

    /// Runs a separate world of `scenario` with `replicas` replicas for `duration`
    /// microseconds and reports its throughput and latency (the read-scaling chart).
    #[wasm_bindgen(js_name = scalingPoint)]
    pub fn scaling_point(
        scenario: &str,
        seed: f64,
        replicas: u32,
        duration: f64,
    ) -> Result<JsValue, JsError> {
        let scenario =
            Scenario::from_json(scenario).map_err(|e| JsError::new(&format!("scenario: {e}")))?;
        let duration = micros(duration, "the duration")?;
        let point = crate::observe::experiments::scaling_point::<SingleLeader>(
            &scenario,
            seed as u64,
            replicas,
            duration,
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&point)
    }

    /// Freezes a node (a long GC pause): it handles nothing until resumed.
    pub fn pause(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.pause(node)))
    }

    pub fn resume(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.resume(node)))
    }

    /// Crashes a node and wipes its disk (it restarts empty, with no term or vote).
    #[wasm_bindgen(js_name = crashLoseDisk)]
    pub fn crash_lose_disk(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.crash_lose_disk(node)))
    }

    /// Splits the cluster into groups given as JSON, e.g. `[[0, 1], [2, 3, 4]]`: links
    /// between groups are cut both ways.
    pub fn partition(&mut self, groups: &str) -> Result<(), JsError> {
        let groups: Vec<Vec<NodeId>> = serde_json::from_str(groups).map_err(|_| {
            JsError::new("partition: give groups of node ids, like [[0, 1], [2, 3]]")
        })?;
        each!(&mut self.world, w => action(w.partition(&groups)))
    }

    /// Cuts (`up = false`) or restores one link direction (a one-way partition).
    #[wasm_bindgen(js_name = setLinkUp)]
    pub fn set_link_up(&mut self, from: NodeId, to: NodeId, up: bool) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.set_link_up(from, to, up)))
    }

    /// Restores every cut link.
    pub fn heal(&mut self) {
        each!(&mut self.world, w => w.heal());
    }

    /// Sets a node's clock offset from true time (microseconds; negative = behind).
    #[wasm_bindgen(js_name = setClockOffset)]
    pub fn set_clock_offset(&mut self, node: NodeId, offset: f64) -> Result<(), JsError> {
        if !offset.is_finite() {
            return Err(JsError::new("a clock offset is a number of microseconds"));
        }
        each!(&mut self.world, w => action(w.set_clock_offset(node, offset as i64)))
    }

    /// Makes a replica primary at once, without an election (forced promotion).
    pub fn promote(&mut self, node: NodeId) -> Result<(), JsError> {
        action(self.single_leader()?.promote(node))
    }

    /// A planned switchover to `node`: waits until it has the whole log, then hands over.
    pub fn switchover(&mut self, node: NodeId) -> Result<(), JsError> {
        action(self.single_leader()?.switchover(node))
    }

    /// Sets how a lost primary is replaced, from JSON `{"mode": "raft" | "naive" | "off",
    /// "electionTimeout": "1s"}`.
    #[wasm_bindgen(js_name = setFailover)]
    pub fn set_failover(&mut self, failover: &str) -> Result<(), JsError> {
        let spec = crate::config::parse_failover(failover)
            .map_err(|e| JsError::new(&format!("failover: {e}")))?;
        self.single_leader()?
            .set_failover(spec)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Cuts every link between a node and the others (`true`) or restores them.
    pub fn isolate(&mut self, node: NodeId, isolated: bool) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.isolate(node, isolated)))
    }

    /// One operation of the history, or undefined.
    pub fn op(&self, id: f64) -> Result<JsValue, JsError> {
        each!(&self.world, w => match w.op(id as u64) {
            Some(op) => to_js(&crate::observe::view::OpView::of(op)),
            None => Ok(JsValue::UNDEFINED),
        })
    }

    #[wasm_bindgen(js_name = addReplica)]
    pub fn add_replica(&mut self) -> Result<NodeId, JsError> {
        each!(&mut self.world, w => w.add_replica().map_err(|e| JsError::new(&e.0)))
    }

    #[wasm_bindgen(js_name = removeReplica)]
    pub fn remove_replica(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.remove_replica(node)))
    }

    pub fn crash(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.crash(node)))
    }

    pub fn restart(&mut self, node: NodeId) -> Result<(), JsError> {
        each!(&mut self.world, w => action(w.restart(node)))
    }

    /// Sets every node-to-node link from JSON `{latency, jitter?, loss?, reorder?}`.
    #[wasm_bindgen(js_name = setAllLinks)]
    pub fn set_all_links(&mut self, settings: &str) -> Result<(), JsError> {
        let spec = link_spec(settings)?;
        each!(&mut self.world, w => w.set_all_links(spec));
        Ok(())
    }

    /// Sets the link between two nodes, both directions unless `oneWay`.
    #[wasm_bindgen(js_name = setLink)]
    pub fn set_link(
        &mut self,
        from: NodeId,
        to: NodeId,
        settings: &str,
        one_way: bool,
    ) -> Result<(), JsError> {
        let spec = link_spec(settings)?;
        each!(&mut self.world, w => action(w.set_link(from, to, spec, one_way)))
    }

    /// The current settings of one link direction.
    pub fn link(&self, from: NodeId, to: NodeId) -> Result<JsValue, JsError> {
        if from as usize >= crate::config::MAX_NODES || to as usize >= crate::config::MAX_NODES {
            return Err(JsError::new("there is no such link"));
        }
        each!(&self.world, w => to_js(&w.link(from, to)))
    }
}

fn region_of(name: &str) -> Result<Option<crate::kernel::geo::Region>, JsError> {
    if name.is_empty() {
        return Ok(None);
    }
    crate::kernel::geo::region(name).map(Some).ok_or_else(|| {
        JsError::new(&format!(
            "unknown region {name:?} (known: {})",
            crate::kernel::geo::REGIONS.join(", ")
        ))
    })
}

fn link_spec(settings: &str) -> Result<LinkSpec, JsError> {
    let s = LinkSettings::from_json(settings).map_err(|e| JsError::new(&format!("link: {e}")))?;
    Ok(LinkSpec::from_settings(&s))
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
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("checkHistory options: {e}")))?
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
    let options = crate::checks::gen::GenOptions::preset(preset, seed as u64)
        .ok_or_else(|| JsError::new(&format!("unknown preset {preset:?} (big or etcd)")))?;
    Ok(crate::checks::gen::linearizable_history(&options).to_json())
}
