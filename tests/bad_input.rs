//! Bad scenarios and bad operator actions get a clear error that names what is wrong, and
//! never a panic; a failed action leaves the world as it was.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::config::LinkSettings;
use replica_lab::Scenario;

fn error(json: &str) -> String {
    Scenario::from_json(json).unwrap_err().to_string()
}

#[test]
fn zero_nodes_is_refused() {
    assert!(error(r#"{"nodes": 0}"#).starts_with("nodes: a cluster has 1 to 9 nodes (got 0)"));
    assert!(error(r#"{"nodes": []}"#).starts_with("nodes: a cluster has 1 to 9 nodes (got 0)"));
    assert!(error(r#"{"nodes": 12}"#).contains("got 12"));
    assert!(error(r#"{"nodes": -1}"#).contains("got -1"));
}

#[test]
fn negative_latency_is_refused_wherever_it_is_written() {
    assert!(error(r#"{"network": {"latency": "-5ms"}}"#)
        .starts_with("network.latency: -5ms is negative"));
    assert!(
        error(r#"{"network": {"latency": -5}}"#).starts_with("network.latency: -5ms is negative")
    );
    let e = error(r#"{"network": {"latency": {"kind": "uniform", "min": "-1ms", "max": "4ms"}}}"#);
    assert!(e.starts_with("network.latency"), "{e}");
    assert!(e.contains("negative"), "{e}");
    let e = error(r#"{"links": [{"from": 0, "to": 1, "latency": "-3s"}]}"#);
    assert!(e.starts_with("links[0].latency: -3s is negative"), "{e}");
}

#[test]
fn loss_outside_zero_to_one_is_refused() {
    assert!(error(r#"{"network": {"loss": 1.5}}"#)
        .starts_with("network.loss: must be between 0 and 1 (got 1.5)"));
    assert!(error(r#"{"network": {"loss": -0.1}}"#)
        .starts_with("network.loss: must be between 0 and 1"));
    assert!(error(r#"{"links": [{"from": 0, "to": 1, "loss": 7}]}"#)
        .starts_with("links[0].loss: must be between 0 and 1"));
}

#[test]
fn unknown_fields_are_named() {
    let e = error(r#"{"nodes": 3, "netwrok": {}}"#);
    assert!(e.contains("unknown field `netwrok`"), "{e}");
    let e = error(r#"{"network": {"lossy": 0.1}}"#);
    assert!(e.starts_with("network.lossy: unknown field `lossy`"), "{e}");
    let e = error(r#"{"nodes": [{"name": "a", "colour": "red"}]}"#);
    assert!(
        e.starts_with("nodes[0].colour: unknown field `colour`"),
        "{e}"
    );
}

#[test]
fn other_range_errors_name_their_field() {
    let cases = [
        (
            r#"{"links": [{"from": 0, "to": 9}]}"#,
            "links[0].to: node 9 does not exist",
        ),
        (
            r#"{"links": [{"from": 1, "to": 1}]}"#,
            "links[0].to: a link joins two different nodes",
        ),
        (
            r#"{"network": {"latency": {"kind": "uniform", "min": "9ms", "max": "2ms"}}}"#,
            "network.latency: uniform latency needs min <= max",
        ),
        (
            r#"{"network": {"latency": {"kind": "exponential", "min": "9ms", "mean": "2ms"}}}"#,
            "network.latency: exponential latency needs mean >= min",
        ),
        (
            r#"{"network": {"latency": {"kind": "gaussian"}}}"#,
            "network.latency.kind: unknown variant `gaussian`",
        ),
        (
            r#"{"network": {"latency": "5 parsecs"}}"#,
            "network.latency: unknown time unit",
        ),
        (
            r#"{"network": {"latency": {"kind": "uniform", "min": "1ms"}}}"#,
            "network.latency: uniform latency needs `max`",
        ),
        (
            r#"{"network": {"latency": {"kind": "constant", "value": "1ms", "mean": "2ms"}}}"#,
            "network.latency: this latency kind has no `min/max/mean`",
        ),
        (
            r#"{"replication": {"ackPolicy": {"replicas": 12}}}"#,
            "replication.ackPolicy.replicas: at most 8 replicas",
        ),
        (
            r#"{"replication": {"ackPolicy": {"replicas": "most"}}}"#,
            "replication.ackPolicy.replicas: replicas is a number",
        ),
        (
            r#"{"workload": {"readFraction": 2}}"#,
            "workload.readFraction: must be between 0 and 1",
        ),
        (
            r#"{"workload": {"rate": -1}}"#,
            "workload.rate: must be between 0 and 10000",
        ),
        (
            r#"{"workload": {"keys": 0}}"#,
            "workload.keys: must be between 1 and 100000",
        ),
        (
            r#"{"workload": {"clients": 1000}}"#,
            "workload.clients: at most 64 clients",
        ),
        (
            r#"{"workload": {"readFrom": "fastest"}}"#,
            "workload.readFrom: unknown variant `fastest`",
        ),
        (
            r#"{"nodes": [{}, {"region": "mars"}]}"#,
            "nodes[1].region: unknown region \"mars\" (known: us-east, eu-west, ap-south, us-west)",
        ),
        (
            r#"{"workload": {"clientRegions": ["eu-west", "moon"]}}"#,
            "workload.clientRegions[1]: unknown region \"moon\"",
        ),
        (
            r#"{"service": {"read": "1ms", "write": "2ms", "workers": 0}}"#,
            "service.workers: must be between 1 and 64 (got 0)",
        ),
        (
            r#"{"service": {"read": "1ms", "write": "2ms", "queueLimit": 99999}}"#,
            "service.queueLimit: must be at most 10000",
        ),
        (
            r#"{"service": {"read": "1ms"}}"#,
            "service: missing field `write`",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "crash"}]}"#,
            "faults[0].node: Crash needs a node",
        ),
        (
            r#"{"nodes": 3, "faults": [{"at": "1s", "action": "pause", "node": 7}]}"#,
            "faults[0].node: node 7 does not exist (nodes are 0 to 2)",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "partition"}]}"#,
            "faults[0].groups: a partition needs groups",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "explode", "node": 1}]}"#,
            "faults[0].action: unknown variant `explode`",
        ),
        (
            r#"{"failover": {"electionTimeout": "50ms"}}"#,
            "failover.electionTimeout: must be longer than replication.heartbeat (100ms)",
        ),
        (
            r#"{"replication": {"maxBatch": 0}}"#,
            "replication.maxBatch: must be at least 1",
        ),
        (
            r#"{"replication": {"ackPolicy": "sometimes"}}"#,
            "replication.ackPolicy: unknown ack policy \"sometimes\"",
        ),
        (r#"{"seed": "abc"}"#, "seed: invalid type"),
    ];
    for (json, expected) in cases {
        let e = error(json);
        assert!(
            e.starts_with(expected),
            "{json}\n  gave: {e}\n  want: {expected}"
        );
    }
}

#[test]
fn malformed_json_reports_line_and_column() {
    let e = error("{\n  \"nodes\": 3,\n  \"network\": {\"loss\": }\n}");
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn bad_link_settings_are_refused() {
    assert!(LinkSettings::from_json(r#"{"latency": "5ms", "loss": 2}"#)
        .unwrap_err()
        .to_string()
        .starts_with("loss: must be between 0 and 1"));
    assert!(LinkSettings::from_json(r#"{"loss": 0.1}"#)
        .unwrap_err()
        .to_string()
        .contains("missing field `latency`"));
    assert!(LinkSettings::from_json(r#"{"latency": "5ms"}"#).is_ok());
    let e = LinkSettings::from_json(r#"{"latency": "5 parsecs"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("(use us, ms, s or m)"),
        "no text position in page errors: {e}"
    );
}

#[test]
fn failed_actions_change_nothing() {
    let mut w = world(r#"{"nodes": 2, "workload": {"clients": 0}}"#, 1);
    let before = w.trace_hash();
    assert!(w.read(7, "x").is_err());
    assert!(w.write("", "v").is_err());
    assert!(w.write(&"k".repeat(65), "v").is_err());
    assert!(w.remove_replica(0).is_err());
    assert!(w.remove_replica(5).is_err());
    assert!(w.restart(1).is_err(), "restarting a running node");
    assert_eq!(w.trace_hash(), before);
    assert_eq!(w.history().len(), 0);
}
