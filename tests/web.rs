//! Browser tests of the binding (`wasm-pack test --headless --chrome`): the golden scenario
//! gives the very trace hash the native test pins, bad input becomes a JS `Error` with a
//! clear message, and the handle's methods work from JavaScript's side.
#![cfg(target_arch = "wasm32")]

use replica_lab::{Scenario, World};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("scenarios/golden.json");
const GOLDEN_HASH: &str = include_str!("scenarios/golden.hash");

#[wasm_bindgen_test]
fn wasm_computes_the_native_golden_hash() {
    let scenario = Scenario::from_json(GOLDEN).unwrap();
    let mut world = World::new(&scenario, scenario.seed.unwrap()).unwrap();
    world.run_until(scenario.until.unwrap().micros(), u64::MAX);
    assert_eq!(format!("{:016x}", world.trace_hash()), GOLDEN_HASH.trim());
}

#[wasm_bindgen_test]
fn wasm_computes_the_native_failover_lesson_hash() {
    let text = include_str!("../www/scenarios/failover.json");
    let scenario = Scenario::from_json(text).unwrap();
    let mut world = World::new(&scenario, scenario.seed.unwrap()).unwrap();
    world.run_until(scenario.until.unwrap().micros(), u64::MAX);
    let pinned = include_str!("scenarios/failover.hash");
    assert_eq!(format!("{:016x}", world.trace_hash()), pinned.trim());
}

use replica_lab::wasm::Lab;
use wasm_bindgen::{JsCast, JsValue};

fn error_message(result: Result<Lab, wasm_bindgen::JsError>) -> String {
    let err = JsValue::from(result.expect_err("an error"));
    err.dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

/// Advances to `t` as the page does: a call may stop at its wall-clock budget, and the
/// next goes on.
fn advance(lab: &mut Lab, t: f64) {
    while lab.now() < t {
        lab.advance_to(t, u32::MAX).unwrap();
    }
}

#[wasm_bindgen_test]
fn the_handle_hashes_the_golden_run_like_native() {
    let mut lab = Lab::new(GOLDEN, 20261122.0).unwrap();
    let until = 5_000_000.0;
    while lab.now() < until {
        lab.advance_to(until, 10_000).unwrap();
    }
    assert_eq!(lab.trace_hash(), GOLDEN_HASH.trim());
}

#[wasm_bindgen_test]
fn bad_scenarios_become_errors_that_name_the_field() {
    let cases = [
        (r#"{"nodes": 0}"#, "nodes: a cluster has 1 to 9 nodes"),
        (
            r#"{"network": {"latency": "-5ms"}}"#,
            "network.latency: -5ms is negative",
        ),
        (
            r#"{"network": {"loss": 1.5}}"#,
            "network.loss: must be between 0 and 1",
        ),
        (
            r#"{"nodez": 3}"#,
            r#"nodez: unknown field "nodez"; did you mean "nodes"?"#,
        ),
        (
            r#"{"nodes": 3"#,
            "nodes: the text ends inside an object (a `}` is missing)",
        ),
        (
            r#"["x", "y", 3, 7]"#,
            r#"scenario: expected an object like {"nodes": 3, "workload": {"clients": 2}}, got an array"#,
        ),
    ];
    for (json, expected) in cases {
        let message = error_message(Lab::new(json, 1.0));
        assert!(message.contains(expected), "{json}: {message}");
    }
    for (seed, shown) in [
        (-1.0, "-1"),
        (f64::NAN, "NaN"),
        (1.5, "1.5"),
        (1e300, "1e+300"),
    ] {
        assert_eq!(
            error_message(Lab::new("{}", seed)),
            format!("seed: must be a whole number from 0 to 2^53-1, got {shown}")
        );
    }
}

#[wasm_bindgen_test]
fn a_manual_write_shows_up_in_every_snapshot_log() {
    let mut lab = Lab::new(r#"{"nodes": 3, "workload": {"clients": 0}}"#, 7.0).unwrap();
    let op = lab.write("x", "42").unwrap();
    advance(&mut lab, 1_000_000.0);
    let done = lab.op(op).unwrap();
    assert_eq!(get(&done, "outcome").as_string().as_deref(), Some("ok"));
    let snapshot = lab.snapshot(8, 8).unwrap();
    let nodes: js_sys::Array = get(&snapshot, "nodes").dyn_into().unwrap();
    assert_eq!(nodes.length(), 3);
    for node in nodes.iter() {
        let tail: js_sys::Array = get(&node, "tail").dyn_into().unwrap();
        assert_eq!(
            get(&tail.get(0), "value").as_string().as_deref(),
            Some("42")
        );
    }
    assert!(
        lab.remove_replica(0.into()).is_err(),
        "removing the primary is refused"
    );
    assert!(lab
        .set_all_links(r#"{"latency": "5ms", "loss": 2}"#)
        .is_err());
}

fn js_error(err: wasm_bindgen::JsError) -> String {
    JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .expect("a JS Error")
        .message()
        .into()
}

#[wasm_bindgen_test]
fn settings_change_from_javascript_and_the_charts_see_them() {
    let mut lab = Lab::new(include_str!("../www/scenarios/read-scaling.json"), 7.0).unwrap();
    lab.set_geography("three").unwrap();
    lab.set_ack_policy(r#"{"replicas": "all", "point": "applied"}"#)
        .unwrap();
    lab.set_workload(r#"{"readFrom": "nearest"}"#).unwrap();
    advance(&mut lab, 2_000_000.0);
    let snapshot = lab.snapshot(0, 0).unwrap();
    let config = get(&snapshot, "config");
    assert_eq!(
        get(&config, "ackLabel").as_string().as_deref(),
        Some("all applied")
    );
    assert_eq!(get(&config, "regions").as_f64(), Some(3.0));
    let nodes: js_sys::Array = get(&snapshot, "nodes").dyn_into().unwrap();
    assert_eq!(
        get(&nodes.get(1), "region").as_string().as_deref(),
        Some("eu-west")
    );
    assert!(get(&nodes.get(1), "opsPerSec").as_f64().unwrap() > 0.0);
    let metrics = lab.metrics(0.0).unwrap();
    let samples: js_sys::Array = get(&metrics, "samples").dyn_into().unwrap();
    assert_eq!(samples.length(), 20);
    assert_eq!(get(&metrics, "next").as_f64(), Some(20.0));

    // Bad settings are refused with a message, and change nothing.
    let cases = [
        (lab.set_geography("four").unwrap_err(), "unknown geography"),
        (
            lab.set_region(1.into(), "mars").unwrap_err(),
            "unknown region \"mars\"",
        ),
        (
            lab.set_workload(r#"{"rate": -2}"#).unwrap_err(),
            "workload.rate",
        ),
        (
            lab.set_service(r#"{"read": "1ms", "write": "1ms", "workers": 0}"#)
                .unwrap_err(),
            "service.workers",
        ),
        (
            lab.set_semi_sync_fallback(Some(-1.0)).unwrap_err(),
            "fallback wait",
        ),
    ];
    for (err, expected) in cases {
        let message = js_error(err);
        assert!(message.contains(expected), "{message}");
    }

    // The read-scaling experiment runs a separate world.
    let scenario = include_str!("../www/scenarios/read-scaling.json");
    let point = Lab::scaling_point(scenario, 7.0, 2.0, 5_000_000.0).unwrap();
    assert!(get(&point, "readsPerSec").as_f64().unwrap() > 300.0);
    assert!(Lab::scaling_point(scenario, 7.0, 9.0, 5_000_000.0).is_err());
}

#[wasm_bindgen_test]
fn faults_and_failover_from_javascript() {
    let mut lab = Lab::new(include_str!("../www/scenarios/backup-band.json"), 3.0).unwrap();
    advance(&mut lab, 1_000_000.0);
    lab.partition("[[0], [1, 2, 3]]").unwrap();
    let snapshot = lab.snapshot(0, 0).unwrap();
    let cuts: js_sys::Array = get(&snapshot, "cuts").dyn_into().unwrap();
    assert_eq!(cuts.length(), 6, "n0 cut from three nodes, both ways");
    advance(&mut lab, 6_000_000.0);
    let snapshot = lab.snapshot(0, 0).unwrap();
    let primary = get(&snapshot, "primary").as_f64().unwrap();
    assert_ne!(primary, 0.0, "the majority side elected a new primary");
    let failovers: js_sys::Array = get(&snapshot, "failovers").dyn_into().unwrap();
    assert!(failovers.length() >= 1);
    assert!(lab.heal().is_ok());
    lab.pause(1.into()).unwrap();
    lab.resume(1.into()).unwrap();

    let cases = [
        (
            lab.partition("[[0], [7]]").unwrap_err(),
            "there is no node 7",
        ),
        (
            lab.partition("zero and one").unwrap_err(),
            "partition: give groups of node ids, like [[0, 1], [2, 3]] (expected a value (a \
             number, text in quotes, true, false, null, an object or an array), got zero)",
        ),
        (
            lab.partition("[[0], []]").unwrap_err(),
            "groups[1]: a group is empty: every group of a partition has at least one node",
        ),
        (
            lab.partition("[[0, -1]]").unwrap_err(),
            "partition: give groups of node ids, like [[0, 1], [2, 3]] ([0][1]: must be a \
             whole number from 0, got -1)",
        ),
        (
            lab.set_failover(r#"{"mode": "chaos"}"#).unwrap_err(),
            r#"failover: mode: must be one of raft, naive, off; got "chaos""#,
        ),
        (
            lab.set_failover(r#"{"electionTimeout": "10ms"}"#)
                .unwrap_err(),
            "failover.electionTimeout: must be at least 3 times replication.heartbeat",
        ),
        (lab.resume(2.into()).unwrap_err(), "n2 is not paused"),
        (
            lab.promote(primary.into()).unwrap_err(),
            "is already primary",
        ),
    ];
    for (err, expected) in cases {
        let message = js_error(err);
        assert!(message.contains(expected), "{message}");
    }
    lab.set_failover(r#"{"mode": "naive", "electionTimeout": "2s"}"#)
        .unwrap();
    let config = get(&lab.snapshot(0, 0).unwrap(), "config");
    assert_eq!(
        get(&get(&config, "failover"), "mode")
            .as_string()
            .as_deref(),
        Some("naive")
    );
}

#[wasm_bindgen_test]
fn check_history_judges_histories_and_names_their_problems() {
    use replica_lab::wasm::{check_history, generate_history};
    let stale = r#"[
        {"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 1},
        {"process": 0, "type": "ok", "f": "write", "key": "x", "value": 1},
        {"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 2},
        {"process": 0, "type": "ok", "f": "write", "key": "x", "value": 2},
        {"process": 1, "type": "invoke", "f": "read", "key": "x", "value": null},
        {"process": 1, "type": "ok", "f": "read", "key": "x", "value": 1}]"#;
    let report = check_history(stale, JsValue::UNDEFINED).unwrap();
    assert_eq!(
        get(&report, "verdict").as_string().as_deref(),
        Some("not-linearizable")
    );
    let explanation = get(&report, "explanation");
    assert_eq!(get(&explanation, "prefixLength").as_f64(), Some(2.0));
    let blocked: js_sys::Array = get(&explanation, "blocked").dyn_into().unwrap();
    assert_eq!(
        get(&blocked.get(0), "reason").as_string().as_deref(),
        Some("read returned 1 but the register held 2")
    );
    assert!(get(&report, "ms").as_f64().unwrap() >= 0.0);

    let fine = stale.replace(r#""value": 1}]"#, r#""value": 2}]"#);
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"maxSteps".into(), &1000.into()).unwrap();
    js_sys::Reflect::set(&options, &"timeoutMs".into(), &5000.into()).unwrap();
    let report = check_history(&fine, options.into()).unwrap();
    assert_eq!(
        get(&report, "verdict").as_string().as_deref(),
        Some("linearizable")
    );
    assert_eq!(get(&report, "operations").as_f64(), Some(3.0));

    let generated = generate_history("etcd", 1.0).unwrap();
    let report = check_history(&generated, JsValue::NULL).unwrap();
    assert_eq!(
        get(&report, "verdict").as_string().as_deref(),
        Some("linearizable")
    );

    let bad = stale.replace(
        r#""type": "ok", "f": "read""#,
        r#""type": "okay", "f": "read""#,
    );
    let message = js_error(check_history(&bad, JsValue::UNDEFINED).unwrap_err());
    assert!(
        message.contains(r#"[5].type: expected invoke, ok, fail or info (got "okay")"#),
        "{message}"
    );
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"maxSteps".into(), &(-1).into()).unwrap();
    let message = js_error(check_history(stale, options.into()).unwrap_err());
    assert!(message.contains("maxSteps"), "{message}");
}

#[wasm_bindgen_test]
fn no_call_runs_the_world_for_longer_than_the_budget() {
    use replica_lab::wasm::BUDGET_MS;
    // Generous for a busy machine: the world checks the clock every few hundred events,
    // each a few microseconds, so a call ends within a millisecond or so of the budget.
    let limit = BUDGET_MS + 100.0;
    let mut lab = Lab::new(
        include_str!("../www/scenarios/bench-heavy-writes.json"),
        1.0,
    )
    .unwrap();
    let started = js_sys::Date::now();
    let ran = lab.advance_to(9e15, u32::MAX).unwrap();
    let took = js_sys::Date::now() - started;
    assert!(took < limit, "advanceTo ran {took} ms");
    assert!(ran > 0);
    let reached = lab.now();
    assert!(reached > 0.0 && reached < 9e15, "now {reached}");
    lab.advance_to(9e15, u32::MAX).unwrap();
    assert!(lab.now() > reached, "the next call goes on from there");

    let started = js_sys::Date::now();
    let ran = lab.step(1e12).unwrap();
    let took = js_sys::Date::now() - started;
    assert!(took < limit, "step ran {took} ms");
    assert!(ran > 0.0 && ran < 1e12);

    let scenario = include_str!("../www/scenarios/read-scaling.json");
    let mut run = ScalingRun::new(scenario, 7.0, 2.0, 5_000_000.0).unwrap();
    assert!(js_error(run.point().unwrap_err()).starts_with("the scaling run has not finished"));
    loop {
        let started = js_sys::Date::now();
        let done = run.advance();
        let took = js_sys::Date::now() - started;
        assert!(took < limit, "ScalingRun.advance ran {took} ms");
        if done {
            break;
        }
    }
    let whole = Lab::scaling_point(scenario, 7.0, 2.0, 5_000_000.0).unwrap();
    let piecewise = run.point().unwrap();
    for key in ["readsPerSec", "writesPerSec", "readP50Ms", "events"] {
        assert_eq!(
            get(&piecewise, key).as_f64(),
            get(&whole, key).as_f64(),
            "{key}"
        );
    }
}

#[wasm_bindgen_test]
fn stopping_at_the_budget_changes_nothing_in_the_run() {
    let mut lab = Lab::new(GOLDEN, 20261122.0).unwrap();
    advance(&mut lab, 5_000_000.0);
    assert_eq!(lab.trace_hash(), GOLDEN_HASH.trim());
}

use replica_lab::wasm::ScalingRun;

#[wasm_bindgen_test]
fn node_ids_seeds_and_counts_from_javascript_are_whole_numbers() {
    let mut lab = Lab::new(r#"{"nodes": 3, "workload": {"clients": 0}}"#, 1.0).unwrap();
    let before = lab.trace_hash();
    let not_ids = [
        (JsValue::from(-1), "-1"),
        (JsValue::from(1.5), "1.5"),
        (JsValue::from(f64::NAN), "NaN"),
        (JsValue::UNDEFINED, "undefined"),
        (JsValue::NULL, "null"),
        (JsValue::from_str("1"), "the text \"1\""),
    ];
    for (id, shown) in &not_ids {
        let want = format!("node: must be a node id (a whole number from 0), got {shown}");
        assert_eq!(js_error(lab.crash(id.clone()).unwrap_err()), want);
        assert_eq!(js_error(lab.read(id.clone(), "x").unwrap_err()), want);
        assert_eq!(
            js_error(lab.set_clock_offset(id.clone(), 0.0).unwrap_err()),
            want
        );
        let link = format!("from: must be a node id (a whole number from 0), got {shown}");
        assert_eq!(
            js_error(lab.set_link_up(id.clone(), 1.into(), false).unwrap_err()),
            link
        );
        let client = format!("client: must be a client id (a whole number from 0), got {shown}");
        assert_eq!(
            js_error(lab.set_client_region(id.clone(), "").unwrap_err()),
            client
        );
    }
    assert_eq!(lab.trace_hash(), before, "n0 was never touched");
    assert_eq!(
        js_error(lab.crash(7.into()).unwrap_err()),
        "there is no node 7"
    );

    for (n, shown) in [(-1.0, "-1"), (f64::NAN, "NaN"), (2.5, "2.5")] {
        assert_eq!(
            js_error(lab.step(n).unwrap_err()),
            format!("step: must be a number of events (a whole number from 0), got {shown}")
        );
    }
    assert_eq!(lab.step(3.0).unwrap(), 3.0);

    let seed = |e| js_error(e);
    let scenario = include_str!("../www/scenarios/read-scaling.json");
    assert_eq!(
        seed(Lab::scaling_point(scenario, f64::NAN, 1.0, 1e6).unwrap_err()),
        "seed: must be a whole number from 0 to 2^53-1, got NaN"
    );
    assert_eq!(
        seed(Lab::scaling_point(scenario, 1.0, -1.0, 1e6).unwrap_err()),
        "replicas: must be a number of replicas (a whole number from 0), got -1"
    );
    assert_eq!(
        seed(replica_lab::wasm::generate_history("etcd", -3.0).unwrap_err()),
        "seed: must be a whole number from 0 to 2^53-1, got -3"
    );

    assert_eq!(
        js_error(lab.set_clock_offset(1.into(), 1e20).unwrap_err()),
        "offset: must be whole microseconds within an hour of true time (-3600000000 to \
         3600000000; negative is behind), got 100000000000000000000"
    );
    lab.set_clock_offset(1.into(), -3_600_000_000.0).unwrap();
    assert_eq!(
        js_error(lab.set_ack_policy(r#"{"replicas": 3}"#).unwrap_err()),
        "acknowledgement policy: ANY 3 flushed asks 3 replicas to confirm each write, but the \
         cluster has 2 (3 nodes with the primary): every write would wait until its client \
         gave up; add replicas first, or ask for fewer"
    );
    assert_eq!(
        js_error(lab.set_workload("[3, 5]").unwrap_err()),
        r#"workload: expected an object like {"rate": 10}, got an array"#
    );
    // Actions as JSON are read the same way.
    let before = lab.trace_hash();
    assert_eq!(
        js_error(lab.act_json(r#"{"crash": [1]}"#).unwrap_err()),
        r#"action: crash: expected an object of its fields, like {"node": 1}, got an array"#
    );
    assert_eq!(
        js_error(lab.act_json(r#"{"crash": {"node": -1}}"#).unwrap_err()),
        "action: not a valid action: check its name and its fields"
    );
    assert_eq!(
        js_error(Lab::replay("{}", 1.0, r#"[[0, 0, "heal"]]"#).unwrap_err()),
        r#"actions: [0]: expected an object like {"at": 0, "after": 0, "action": "heal"}, got an array"#
    );
    assert_eq!(
        js_error(
            Lab::replay(
                "{}",
                1.0,
                r#"[{"at": 0, "after": 0, "action": {"crash": [0]}}]"#
            )
            .unwrap_err()
        ),
        r#"actions: [0].action.crash: expected an object of its fields, like {"node": 1}, got an array"#
    );
    assert_eq!(lab.trace_hash(), before, "refused actions change nothing");
    use replica_lab::wasm::check_history;
    let options = js_sys::Array::of1(&1000.into());
    assert_eq!(
        js_error(check_history("[]", options.into()).unwrap_err()),
        r#"checkHistory options: expected an object like {"maxSteps": 100000, "timeoutMs": 1000}, got an array"#
    );
}

mod common;

/// The scripted run computed in the browser has the hash pinned natively; its action log,
/// through JSON and `Lab.replay`, rebuilds it; and seeking back in the handle, then
/// running on, comes back to the same trace.
#[wasm_bindgen_test]
fn replaying_and_seeking_in_the_browser_give_the_native_trace() {
    let pinned = include_str!("scenarios/scripted.hash").trim();
    let original = common::scripted_run();
    assert_eq!(format!("{:016x}", original.trace_hash()), pinned);
    let log = serde_json::to_string(original.actions()).unwrap();
    let end = original.now() as f64;
    let mut lab = Lab::replay(GOLDEN, 20261122.0, &log).unwrap();
    while lab.now() < end {
        lab.advance_to(end, 10_000).unwrap();
    }
    assert_eq!(lab.trace_hash(), pinned);
    // Back to 1.2 s (between the actions), then on: the later actions happen again.
    lab.seek(1_200_000.0, u32::MAX).unwrap();
    assert_eq!(lab.now(), 1_200_000.0);
    assert_eq!(lab.horizon(), end);
    while lab.now() < end {
        lab.advance_to(end, 10_000).unwrap();
    }
    assert_eq!(lab.trace_hash(), pinned);
    assert_eq!(lab.actions().unwrap(), log);
    // The log on another seed does not fit: advancing says so.
    let mut other = Lab::replay(GOLDEN, 1.0, &log).unwrap();
    let mut failed = None;
    while other.now() < end && failed.is_none() {
        failed = other.advance_to(end, 10_000).err();
    }
    let failed: String = JsValue::from(failed.expect("a divergence"))
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message()
        .into();
    assert!(failed.contains("could not be replayed"), "{failed}");
    // A log that is not one is refused with a message.
    let err = Lab::replay(GOLDEN, 1.0, "[{\"at\": 1}]").unwrap_err();
    let message: String = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message()
        .into();
    assert!(message.starts_with("actions: "), "{message}");
}
