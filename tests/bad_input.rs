//! Bad scenarios and bad operator actions get a clear error that names what is wrong, and
//! never a panic; a failed action leaves the world as it was.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::config::{parse_failover, parse_service, parse_workload_patch, LinkSettings};
use replica_lab::protocols::single_leader::ack::{AckPoint, AckPolicy, AckSelect};
use replica_lab::Scenario;

fn error(json: &str) -> String {
    Scenario::from_json(json).unwrap_err().to_string()
}

/// The error without serde_json's " at line L column C", for exact comparison.
fn refusal(json: &str) -> String {
    without_position(error(json))
}

fn without_position(mut e: String) -> String {
    if let Some(at) = e.rfind(" at line ") {
        let tail = &e[at + " at line ".len()..];
        if tail.split(" column ").all(|n| n.parse::<u64>().is_ok()) {
            e.truncate(at);
        }
    }
    e
}

/// Asserts each scenario is refused with exactly this message (position aside).
fn refused(cases: &[(&str, &str)]) {
    for (json, want) in cases {
        assert_eq!(&refusal(json), want, "{json}");
    }
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
    refused(&[
        (
            r#"{"nodes": 3, "netwrok": {}}"#,
            r#"netwrok: unknown field "netwrok"; did you mean "network"?"#,
        ),
        (
            r#"{"network": {"lossy": 0.1}}"#,
            r#"network.lossy: unknown field "lossy"; did you mean "loss"?"#,
        ),
        (
            r#"{"nodes": [{"name": "a", "colour": "red"}]}"#,
            "nodes[0].colour: unknown field \"colour\"; the fields here are name, region, \
             clockOffset, clockBehind",
        ),
    ]);
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
            "network.latency.kind: must be one of constant, uniform, exponential; got \"gaussian\"",
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
            "replication.ackPolicy.replicas: replicas is a number, \"majority\" or \"all\" (got \"most\")",
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
            "workload.readFrom: must be one of primary, anyReplica, any, nearest; got \"fastest\"",
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
            "service: the field \"write\" is missing (it has no default)",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "crash"}]}"#,
            "faults[0].node: a crash fault needs a node, like \"node\": 1",
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
            "faults[0].action: must be one of crash, crashLoseDisk, restart, pause, resume, \
             isolate, reconnect, partition, heal, clock, promote, switchover; got \"explode\"",
        ),
        (
            r#"{"failover": {"electionTimeout": "50ms"}}"#,
            "failover.electionTimeout: must be at least 3 times replication.heartbeat (100ms), \
             so at least 300ms (got 50ms)",
        ),
        (
            r#"{"replication": {"maxBatch": 0}}"#,
            "replication.maxBatch: must be at least 1",
        ),
        (
            r#"{"replication": {"ackPolicy": "sometimes"}}"#,
            "replication.ackPolicy: unknown ack policy \"sometimes\"",
        ),
        (
            r#"{"seed": "abc"}"#,
            "seed: must be a whole number from 0, got the text \"abc\"",
        ),
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
    assert_eq!(
        LinkSettings::from_json(r#"{"loss": 0.1}"#)
            .unwrap_err()
            .to_string(),
        "the field \"latency\" is missing (it has no default)"
    );
    assert!(LinkSettings::from_json(r#"{"latency": "5ms"}"#).is_ok());
    let e = LinkSettings::from_json(r#"{"latency": "5 parsecs"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("(use us, ms, s, m or h)"),
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

#[test]
fn an_array_is_never_read_as_an_object() {
    refused(&[
        (
            r#"["x", "y", 3, 7]"#,
            r#"expected an object like {"nodes": 3, "workload": {"clients": 2}}, got an array"#,
        ),
        (
            r#"{"network": ["40ms", "5ms", 0.1]}"#,
            r#"network: expected an object like {"latency": "40ms"}, got an array"#,
        ),
        (
            r#"{"nodes": [{}, ["n1", "eu-west"]]}"#,
            r#"nodes[1]: expected an object like {"name": "n1", "region": "eu-west"}, got an array"#,
        ),
        (
            r#"{"links": [[0, 1, false, "300ms"]]}"#,
            r#"links[0]: expected an object like {"from": 0, "to": 1, "latency": "300ms"}, got an array"#,
        ),
        (
            r#"{"disk": ["2ms", "1ms"]}"#,
            r#"disk: expected an object like {"fsync": "2ms", "apply": "500us"}, got an array"#,
        ),
        (
            r#"{"replication": ["1ms", 32]}"#,
            r#"replication: expected an object like {"heartbeat": "100ms", "ackPolicy": "majority"}, got an array"#,
        ),
        (
            r#"{"workload": [3, 5]}"#,
            r#"workload: expected an object like {"clients": 3, "rate": 5}, got an array"#,
        ),
        (
            r#"{"service": ["2ms", "4ms"]}"#,
            r#"service: expected an object like {"read": "2ms", "write": "4ms"}, got an array"#,
        ),
        (
            r#"{"failover": ["naive"]}"#,
            r#"failover: expected an object like {"mode": "raft", "electionTimeout": "1s"}, got an array"#,
        ),
        (
            r#"{"faults": [["2s", "crash", 1]]}"#,
            r#"faults[0]: expected an object like {"at": "2s", "action": "crash", "node": 1}, got an array"#,
        ),
        (
            r#"{"workload": {"readConsistency": {"boundedStaleness": ["200ms"]}}}"#,
            r#"workload.readConsistency.boundedStaleness: expected an object like {"max": "200ms"}, got an array"#,
        ),
        (
            r#"{"replication": {"ackPolicy": [2, "first", "applied"]}}"#,
            "replication.ackPolicy: must be \"off\", \"async\", \"sync\" (or \"all\"), \
             \"majority\" or {\"replicas\": k, \"select\": \"first\"|\"any\", \"point\": \
             \"received\"|\"flushed\"|\"applied\"}, got an array",
        ),
        (
            r#"{"network": {"latency": ["20ms", "40ms"]}}"#,
            "network.latency: must be a latency: \"40ms\", or {\"kind\": \"uniform\", \"min\": \
             .., \"max\": ..}, or {\"kind\": \"exponential\", \"min\": .., \"mean\": ..}, got an \
             array",
        ),
        (
            r#"{"network": 40}"#,
            r#"network: expected an object like {"latency": "40ms"}, got 40"#,
        ),
    ]);
    // What the page sends while a lab runs.
    let page = [
        (
            LinkSettings::from_json(r#"["40ms"]"#).unwrap_err(),
            r#"expected an object like {"latency": "40ms", "loss": 0.01}, got an array"#,
        ),
        (
            parse_workload_patch("[3, 5]").unwrap_err(),
            r#"expected an object like {"rate": 10}, got an array"#,
        ),
        (
            parse_failover(r#"["naive", "2s"]"#).unwrap_err(),
            r#"expected an object like {"mode": "raft", "electionTimeout": "1s"}, got an array"#,
        ),
        (
            parse_service(r#"["2ms", "4ms"]"#).unwrap_err(),
            r#"expected an object like {"read": "2ms", "write": "4ms"}, got an array"#,
        ),
    ];
    for (e, want) in page {
        assert_eq!(e.to_string(), want);
    }
}

#[test]
fn parser_messages_are_written_for_people() {
    refused(&[
        (
            r#"{"seed": -5}"#,
            "seed: must be a whole number from 0, got -5",
        ),
        (
            r#"{"seed": 1.5}"#,
            "seed: must be a whole number from 0, got 1.5",
        ),
        (
            r#"{"eventLog": 5000000000}"#,
            "eventLog: must be a whole number from 0 to 4294967295, got 5000000000",
        ),
        (
            r#"{"network": {"loss": "x"}}"#,
            r#"network.loss: must be a number, got the text "x""#,
        ),
        (
            r#"{"network": {"reorder": 1}}"#,
            "network.reorder: must be true or false, got 1",
        ),
        (r#"{"name": 3}"#, "name: must be text in quotes, got 3"),
        (
            r#"{"failover": {"mode": "raf"}}"#,
            r#"failover.mode: must be one of raft, naive, off; got "raf""#,
        ),
        (
            r#"{"failover": {"mode": 3}}"#,
            "failover.mode: must be one of raft, naive, off; got 3",
        ),
        (
            r#"{"failover": {"mode": null}}"#,
            "failover.mode: must be one of raft, naive, off; got null",
        ),
        (
            r#"{"model": "x"}"#,
            r#"model: must be one of singleLeader, leaderless; got "x""#,
        ),
        (
            r#"{"replication": {"ackPolicy": {"replicas": 1, "select": "some"}}}"#,
            r#"replication.ackPolicy.select: must be one of first, any; got "some""#,
        ),
        (
            r#"{"links": [{"from": 0}]}"#,
            r#"links[0]: the field "to" is missing (it has no default)"#,
        ),
        (
            r#"{"links": {"from": 0, "to": 1}}"#,
            "links: expected an array, got an object",
        ),
        (
            r#"{"workload": {"clientRegions": "us-east"}}"#,
            r#"workload.clientRegions: expected an array, got the text "us-east""#,
        ),
        (
            r#"{"service": {"read": "1ms", "write": "1ms", "workers": 1.5}}"#,
            "service.workers: must be a whole number from 0, got 1.5",
        ),
        (
            r#"{"seed": 1, "seed": 2}"#,
            r#"seed: the field "seed" is given twice"#,
        ),
        (
            r#"{"nodes": 3,}"#,
            "a comma before a closing bracket (JSON allows no trailing comma)",
        ),
        (
            r#"{"nodes" 3}"#,
            "nodes: expected a `:` after the field name",
        ),
        (
            r#"{"nodes": 3"#,
            "nodes: the text ends inside an object (a `}` is missing)",
        ),
        (
            r#"{"nodes": x}"#,
            "nodes: expected a value (a number, text in quotes, true, false, null, an object \
             or an array), got x",
        ),
        ("", "the text ends where a value should be"),
    ]);
    assert!(error(r#"{"seed": -5}"#).ends_with(" at line 1 column 11"));
}

#[test]
fn an_ack_policy_needs_the_replicas_it_names() {
    refused(&[
        (
            r#"{"nodes": 3, "replication": {"ackPolicy": {"replicas": 3}}}"#,
            "replication.ackPolicy.replicas: ANY 3 flushed asks 3 replicas to confirm each \
             write, but the cluster has 2 (3 nodes with the primary): every write would wait \
             until its client gave up; ask for at most 2, or use \"majority\" or \"all\"",
        ),
        (
            r#"{"nodes": 1, "replication": {"ackPolicy": {"replicas": 1, "select": "first"}}}"#,
            "replication.ackPolicy.replicas: FIRST 1 flushed asks 1 replica to confirm each \
             write, but the cluster has 0 (1 node with the primary): every write would wait \
             until its client gave up; ask for at most 0, or use \"majority\" or \"all\"",
        ),
    ]);
    let ok = r#"{"nodes": 3, "replication": {"ackPolicy": {"replicas": 2}}}"#;
    assert!(Scenario::from_json(ok).is_ok());

    let mut w = world(r#"{"nodes": 3, "workload": {"clients": 0}}"#, 1);
    let any = |k| AckPolicy::replicas(k, AckSelect::Any, AckPoint::Flushed);
    let before = w.trace_hash();
    let e = w.set_ack_policy(any(3)).unwrap_err().0;
    assert_eq!(
        e,
        "acknowledgement policy: ANY 3 flushed asks 3 replicas to confirm each write, but the \
         cluster has 2 (3 nodes with the primary): every write would wait until its client \
         gave up; add replicas first, or ask for fewer"
    );
    assert!(w.write_with("x", "1", any(3)).unwrap_err().0 == e);
    assert_eq!(w.trace_hash(), before, "refusals change nothing");
    assert_eq!(w.history().len(), 0);

    // Removing a replica below the policy is refused until the policy is lowered.
    w.set_ack_policy(any(2)).unwrap();
    assert_eq!(
        w.remove_replica(2).unwrap_err().0,
        "n2 cannot be removed: the acknowledgement policy would then be unmeetable (ANY 2 \
         flushed asks 2 replicas to confirm each write, but the cluster has 1 (2 nodes with \
         the primary): every write would wait until its client gave up); lower the policy \
         first"
    );
    w.set_ack_policy(any(1)).unwrap();
    w.remove_replica(2).unwrap();
    assert!(w.set_ack_policy(any(2)).is_err(), "n2 is on its way out");
    // Policies that scale with the cluster are always possible.
    w.set_ack_policy(AckPolicy::majority()).unwrap();
    w.set_ack_policy(AckPolicy::all(AckPoint::Applied)).unwrap();

    // A cluster that grew may take a policy its scenario's node count could not.
    let mut w = world(r#"{"nodes": 2, "workload": {"clients": 0}}"#, 1);
    w.add_replica().unwrap();
    w.set_ack_policy(any(2)).unwrap();
    w.set_workload(&parse_workload_patch(r#"{"rate": 2}"#).unwrap())
        .expect("a live setting is not checked against the starting node count");
}

#[test]
fn partition_groups_are_neither_empty_nor_overlapping() {
    let f = |groups: &str| {
        format!(
            r#"{{"nodes": 3, "faults": [{{"at": "1s", "action": "partition", "groups": {groups}}}]}}"#
        )
    };
    refused(&[
        (
            &f("[]"),
            "faults[0].groups: a partition needs at least one group, like [[0], [1, 2]]",
        ),
        (
            &f("[[0], []]"),
            "faults[0].groups[1]: a group is empty: every group of a partition has at least one node",
        ),
        (
            &f("[[0, 1, 0], [2]]"),
            "faults[0].groups[0][2]: node 0 appears twice in group 0",
        ),
        (
            &f("[[0, 1], [2, 1]]"),
            "faults[0].groups[1][1]: node 1 is in two groups (0 and 1): a node is on one side \
             of a partition",
        ),
        (&f("[[0], [5]]"), "faults[0].groups[1][0]: node 5 does not exist"),
    ]);
    let mut w = world(r#"{"nodes": 3, "workload": {"clients": 0}}"#, 1);
    let before = w.trace_hash();
    let e = |w: &mut replica_lab::World, groups: &[Vec<u32>]| w.partition(groups).unwrap_err().0;
    assert_eq!(
        e(&mut w, &[vec![0], vec![]]),
        "groups[1]: a group is empty: every group of a partition has at least one node"
    );
    assert_eq!(
        e(&mut w, &[vec![0, 0], vec![1, 2]]),
        "groups[0][1]: node 0 appears twice in group 0"
    );
    assert_eq!(
        e(&mut w, &[vec![0, 1], vec![1, 2]]),
        "groups[1][0]: node 1 is in two groups (0 and 1): a node is on one side of a partition"
    );
    assert_eq!(
        e(&mut w, &[]),
        "groups: a partition needs at least one group, like [[0], [1, 2]]"
    );
    assert_eq!(e(&mut w, &[vec![0], vec![7]]), "there is no node 7");
    assert_eq!(w.trace_hash(), before, "refusals change nothing");
    w.partition(&[vec![0], vec![1, 2]]).unwrap();
}

#[test]
fn a_fault_takes_only_its_own_fields() {
    let f = |fault: &str| format!(r#"{{"nodes": 3, "faults": [{fault}]}}"#);
    refused(&[
        (
            &f(r#"{"at": "1s", "action": "crash", "node": 0, "groups": [[0]]}"#),
            "faults[0].groups: a crash fault takes no groups (only a partition does)",
        ),
        (
            &f(r#"{"at": "1s", "action": "heal", "node": 1}"#),
            "faults[0].node: a heal fault takes no node (it restores every cut link)",
        ),
        (
            &f(r#"{"at": "1s", "action": "partition", "node": 1, "groups": [[0], [1]]}"#),
            "faults[0].node: a partition fault takes no node (it takes groups, like [[0], [1, 2]])",
        ),
        (
            &f(r#"{"at": "1s", "action": "restart", "node": 1, "offset": "5ms"}"#),
            "faults[0].offset: a restart fault takes no offset (only a clock fault does)",
        ),
        (
            &f(r#"{"at": "1s", "action": "pause", "node": 1, "behind": true}"#),
            "faults[0].behind: a pause fault takes no behind (only a clock fault does)",
        ),
        (
            &f(r#"{"at": "1s", "action": "clock", "node": 1}"#),
            "faults[0].offset: a clock fault needs an offset, like \"250ms\"",
        ),
        (
            &f(r#"{"at": "1s", "crash": 0, "groups": [[0]]}"#),
            "faults[0].crash: unknown field \"crash\"; the fields here are at, action, node, \
             groups, offset, behind",
        ),
    ]);
    let ok = f(r#"{"at": "1s", "action": "clock", "node": 1, "offset": "5ms", "behind": true}"#);
    assert!(Scenario::from_json(&ok).is_ok());
}

#[test]
fn the_event_log_and_clock_offsets_are_bounded() {
    refused(&[
        (
            r#"{"eventLog": 10001}"#,
            "eventLog: at most 10000 recent trace events are kept for the page (got 10001); \
             every event is hashed whatever this says",
        ),
        (
            r#"{"nodes": [{}, {"clockOffset": "30000000s"}]}"#,
            "nodes[1].clockOffset: a clock is at most an hour (3600s) off true time, got 30000000s",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "clock", "node": 1, "offset": "2h"}]}"#,
            "faults[0].offset: a clock is at most an hour (3600s) off true time, got 7200s",
        ),
        (
            r#"{"faults": [{"at": "1s", "action": "clock", "node": 1, "offset": "61m", "behind": true}]}"#,
            "faults[0].offset: a clock is at most an hour (3600s) off true time, got 3660s",
        ),
    ]);
    assert!(
        Scenario::from_json(r#"{"eventLog": 10000, "nodes": [{"clockOffset": "60m"}]}"#).is_ok()
    );
    let mut w = world(r#"{"nodes": 2, "workload": {"clients": 0}}"#, 1);
    assert_eq!(
        w.set_clock_offset(1, -7_200_000_000).unwrap_err().0,
        "a clock is at most an hour (3600s) off true time, got -7200s"
    );
    w.set_clock_offset(1, -3_600_000_000).unwrap();
}

#[test]
fn timers_have_floors_that_keep_a_run_affordable() {
    refused(&[
        (
            r#"{"replication": {"heartbeat": "10us"}}"#,
            "replication.heartbeat: must be at least 1ms (got 10us) (MySQL and MariaDB refuse a \
             replication heartbeat period under 1ms; etcd's default is 100ms): shorter ones only \
             cost simulation time",
        ),
        (
            r#"{"replication": {"heartbeat": 0}}"#,
            "replication.heartbeat: must be at least 1ms (got 0ms) (MySQL and MariaDB refuse a \
             replication heartbeat period under 1ms; etcd's default is 100ms): shorter ones only \
             cost simulation time",
        ),
        (
            r#"{"replication": {"resendAfter": "500us"}}"#,
            "replication.resendAfter: must be at least 1ms (got 500us) (the primary checks at \
             each heartbeat; TCP itself waits at least 200ms before it retransmits)",
        ),
        (
            r#"{"replication": {"heartbeat": "200ms", "standbyTimeout": "100ms"}, "failover": {"electionTimeout": "1s"}}"#,
            "replication.standbyTimeout: must be at least replication.heartbeat (200ms) (got \
             100ms): a replica answers each heartbeat, so a shorter timeout counts it \
             disconnected between two (PostgreSQL's wal_sender_timeout must likewise exceed the \
             standby's wal_receiver_status_interval)",
        ),
        (
            r#"{"replication": {"heartbeat": "100ms"}, "failover": {"electionTimeout": "250ms"}}"#,
            "failover.electionTimeout: must be at least 3 times replication.heartbeat (100ms), \
             so at least 300ms (got 250ms): a replica must miss two heartbeats in a row before \
             it stands, or one late heartbeat starts an election (etcd refuses an \
             --election-timeout under 5 times its --heartbeat-interval)",
        ),
        (
            r#"{"workload": {"timeout": "100us"}}"#,
            "workload.timeout: must be at least 1ms (got 100us): a client gives up on an \
             operation after this long",
        ),
    ]);
    // At the floors a scenario is fine; a zero batch delay ships as soon as entries are
    // flushed, a zero fsync is a RAM disk.
    let floors = r#"{"replication": {"heartbeat": "1ms", "resendAfter": "1ms", "batchDelay": 0,
        "standbyTimeout": "1ms"}, "failover": {"electionTimeout": "3ms"},
        "disk": {"fsync": 0, "apply": 0}, "workload": {"timeout": "1ms"}}"#;
    assert!(Scenario::from_json(floors).is_ok());
    // The live setter re-checks the election timeout against the heartbeat.
    let mut w = world("{}", 1);
    assert!(w
        .set_failover(parse_failover(r#"{"electionTimeout": "299ms"}"#).unwrap())
        .unwrap_err()
        .to_string()
        .starts_with("failover.electionTimeout: must be at least 3 times"));
}

#[test]
fn every_scenario_file_parses() {
    let mut seen = 0;
    for dir in ["www/scenarios", "tests/scenarios"] {
        for entry in std::fs::read_dir(dir).expect("scenario folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("read");
                if let Err(e) = Scenario::from_json(&text) {
                    panic!("{}: {e}", path.display());
                }
                seen += 1;
            }
        }
    }
    assert!(seen >= 7, "found only {seen} scenario files");
}
