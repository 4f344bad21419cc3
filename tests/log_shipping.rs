//! Scenario tests of single-leader log shipping: what reaches the replicas, in which order,
//! the three positions, lag, loss recovery and membership changes.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::clients::history::{OpError, Outcome};
use replica_lab::protocols::single_leader::node::Role;

const QUIET: &str = r#"{"nodes": 4, "workload": {"clients": 0},
    "network": {"latency": "10ms"}, "disk": {"fsync": "1ms", "apply": "100us"}}"#;

#[test]
fn a_write_is_logged_shipped_and_applied_everywhere_in_order() {
    let mut w = world(QUIET, 1);
    let a = w.write("x", "1").unwrap();
    let b = w.write("y", "2").unwrap();
    let c = w.write("x", "3").unwrap();
    for op in [a, b, c] {
        let done = run_until_done(&mut w, op, 1_000);
        assert_eq!(done.outcome, Outcome::Ok);
    }
    assert_eq!(w.op(a).unwrap().written, Some((1, 1)));
    assert_eq!(w.op(c).unwrap().written, Some((1, 3)));
    w.run_for(ms(200));
    for id in 0..4 {
        let node = w.node(id);
        assert_eq!(node.last_lsn(), 3, "node {id}");
        assert_eq!(node.positions.applied, 3, "node {id}");
        assert_eq!(&*node.kv["x"].value, "3");
        assert_eq!(&*node.kv["y"].value, "2");
        let keys: Vec<&str> = kept(node)
            .into_iter()
            .filter_map(|e| e.key())
            .map(|k| &**k)
            .collect();
        assert_eq!(keys, ["x", "y", "x"]);
    }
    assert_log_matching(&w);
}

#[test]
fn async_ack_comes_after_the_primary_flush_and_before_replicas_apply() {
    let mut w = world(QUIET, 2);
    let op = w.write("x", "1").unwrap();
    let done = run_until_done(&mut w, op, 1_000);
    // client→primary 10ms, fsync 1ms, primary→client 10ms; replicas are 10ms further away.
    assert_eq!(done.latency(), Some(ms(21)));
    assert_eq!(w.node(0).positions.flushed, 1);
    for r in 1..4 {
        assert_eq!(applied(&w, r), 0, "replica {r} cannot have applied yet");
    }
}

#[test]
fn replica_positions_advance_received_then_flushed_then_applied() {
    let mut w = world(
        r#"{"nodes": 2, "workload": {"clients": 0}, "network": {"latency": "10ms"},
            "disk": {"fsync": "5ms", "apply": "3ms"}, "replication": {"batchDelay": "0ms"}}"#,
        3,
    );
    w.write("x", "1").unwrap();
    // The write reaches the primary at 10 ms; like PostgreSQL's walsender it ships only
    // what it has flushed: the append leaves at 15 ms and arrives at 25 ms.
    w.run_until(ms(24), u64::MAX);
    assert_eq!(w.node(1).positions.received, 0);
    w.run_until(ms(25), u64::MAX);
    let p = w.node(1).positions;
    assert_eq!((p.received, p.flushed, p.applied), (1, 0, 0));
    w.run_until(ms(30), u64::MAX);
    let p = w.node(1).positions;
    assert_eq!((p.received, p.flushed, p.applied), (1, 1, 0));
    w.run_until(ms(33), u64::MAX);
    let p = w.node(1).positions;
    assert_eq!((p.received, p.flushed, p.applied), (1, 1, 1));
    // The primary learns the replica's positions one link delay later.
    w.run_until(ms(43), u64::MAX);
    let peer = &w.node(0).leader.as_ref().unwrap().peers[&1];
    assert_eq!(peer.acked.applied, 1);
}

#[test]
fn a_slow_replica_lags_in_entries_and_milliseconds_then_catches_up() {
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "network": {"latency": "5ms"},
            "links": [{"from": 0, "to": 2, "latency": "300ms"}]}"#,
        4,
    );
    for i in 0..5 {
        w.write(&format!("k{i}"), "v").unwrap();
    }
    w.run_for(ms(100));
    assert_eq!(w.lag(1), Some((0, 0)), "the near replica has caught up");
    let (entries, micros) = w.lag(2).unwrap();
    assert_eq!(entries, 5);
    assert!((ms(85)..=ms(95)).contains(&micros), "lag {micros}us");
    w.run_for(ms(400));
    assert_eq!(w.lag(2), Some((0, 0)));
}

#[test]
fn reading_a_lagging_replica_after_an_acknowledged_write_is_a_stale_read() {
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "network": {"latency": "5ms"},
            "links": [{"from": 0, "to": 2, "latency": "300ms"}]}"#,
        5,
    );
    let first = w.write("x", "old").unwrap();
    run_until_done(&mut w, first, 1_000);
    w.run_for(ms(400)); // everyone has "old"
    let second = w.write("x", "new").unwrap();
    let acked = run_until_done(&mut w, second, 1_000);
    assert_eq!(acked.outcome, Outcome::Ok);

    let fresh = w.read(1, "x").unwrap();
    let stale = w.read(2, "x").unwrap();
    let fresh = run_until_done(&mut w, fresh, 1_000);
    let stale = run_until_done(&mut w, stale, 1_000);
    assert_eq!(fresh.read.as_ref().map(|v| &*v.value), Some("new"));
    assert!(!fresh.stale);
    assert_eq!(stale.read.as_ref().map(|v| &*v.value), Some("old"));
    assert!(stale.stale, "the lagging replica served an old value");
    assert!(stale.staleness.unwrap() < ms(50));

    // Once the slow replica has applied the write, it serves the new value.
    w.run_for(ms(600));
    let later = w.read(2, "x").unwrap();
    let later = run_until_done(&mut w, later, 1_000);
    assert_eq!(later.read.as_ref().map(|v| &*v.value), Some("new"));
    assert!(!later.stale);
    assert_eq!(w.summary().stale_reads, 1);
}

#[test]
fn lost_batches_are_resent_and_every_replica_converges() {
    let mut w = world(
        r#"{"nodes": 4, "network": {"latency": {"kind": "uniform", "min": "5ms", "max": "30ms"},
            "loss": 0.3, "reorder": true},
            "workload": {"clients": 4, "rate": 50, "readFraction": 0.2, "stopAfter": "3s"}}"#,
        6,
    );
    w.run_for(ms(10_000));
    let last = w.node(0).last_lsn();
    assert!(last > 100, "the workload wrote {last} entries");
    for r in 1..4 {
        assert_eq!(w.node(r).positions.applied, last, "replica {r} converged");
    }
    assert_log_matching(&w);
    let dropped = w.summary().events; // sanity: something ran
    assert!(dropped > 1_000);
}

#[test]
fn writes_sent_to_a_replica_are_refused_with_a_hint() {
    let mut w = world(QUIET, 7);
    let op = w.write_to(2, "x", "1").unwrap();
    let done = run_until_done(&mut w, op, 1_000);
    assert_eq!(done.outcome, Outcome::Fail);
    assert_eq!(done.error, Some(OpError::NotPrimary));
    assert_eq!(w.node(2).last_lsn(), 0);
}

#[test]
fn an_added_replica_joins_as_a_learner_catches_up_and_votes_and_a_removed_one_stops_receiving() {
    let mut w = world(QUIET, 8);
    for i in 0..40 {
        w.write(&format!("k{i}"), "v").unwrap();
    }
    w.run_for(ms(200));
    let new = w.add_replica().unwrap();
    assert_eq!(new, 4);
    assert_eq!(w.node(new).role, Role::Replica);
    let primary = w.node(0);
    assert!(
        primary.config.is_learner(new),
        "it joins as a learner: {}",
        primary.config.describe()
    );
    assert_eq!(primary.config.majority(), 3, "a learner does not count");
    w.run_for(ms(500));
    // The join and the promotion are two entries of the log (one change at a time).
    assert_eq!(w.node(new).positions.applied, 42);
    assert!(w.node(0).config.is_voter(new), "caught up: now it votes");
    assert_eq!(w.node(0).config.majority(), 3);
    assert_eq!(w.node(new).config, w.node(0).config);
    assert_log_matching(&w);

    w.remove_replica(1).unwrap();
    assert!(w.is_leaving(1));
    w.run_for(ms(100));
    assert!(!w.members().contains(&1), "gone once the change committed");
    assert!(!w.node(0).config.contains(1));
    w.write("after", "removal").unwrap();
    w.run_for(ms(200));
    assert_eq!(
        w.node(1).last_lsn(),
        42,
        "a removed replica receives nothing more, not even its removal"
    );
    assert_eq!(w.node(new).last_lsn(), 44);
    assert!(
        w.remove_replica(0).is_err(),
        "the primary cannot be removed"
    );
}

#[test]
fn membership_changes_go_one_at_a_time_and_stay_between_one_and_nine_nodes() {
    let mut w = world(r#"{"nodes": 1, "workload": {"clients": 0}}"#, 9);
    for _ in 0..8 {
        w.add_replica().unwrap();
    }
    assert_eq!(w.members().len(), 9);
    assert!(w.add_replica().unwrap_err().0.contains("at most 9"));
    // Eight joins and eight promotions, each committed before the next starts.
    w.run_for(ms(3_000));
    let config = w.node(0).config;
    assert_eq!(config.voter_count(), 9, "{}", config.describe());
    let changes: Vec<_> = kept(w.node(0)).into_iter().filter(|e| e.op == 0).collect();
    assert_eq!(changes.len(), 16);
    for id in 1..9 {
        w.remove_replica(id).unwrap();
    }
    w.run_for(ms(2_000));
    assert_eq!(w.members(), vec![0]);
    assert_eq!(w.node(0).config.voter_count(), 1);
}

#[test]
fn a_crashed_replica_keeps_its_flushed_log_and_catches_up_after_restart() {
    let mut w = world(QUIET, 10);
    for i in 0..10 {
        w.write(&format!("k{i}"), "v").unwrap();
    }
    w.run_for(ms(200));
    w.crash(3).unwrap();
    assert_eq!(w.node(3).last_lsn(), 10, "flushed entries are durable");
    assert!(w.node(3).kv.is_empty(), "the store is volatile");
    for i in 10..20 {
        w.write(&format!("k{i}"), "v").unwrap();
    }
    w.run_for(ms(200));
    assert_eq!(w.node(3).last_lsn(), 10, "a crashed node receives nothing");
    w.restart(3).unwrap();
    assert_eq!(
        w.node(3).positions.applied,
        10,
        "recovery replays the durable log"
    );
    w.run_for(ms(1_000));
    assert_eq!(w.node(3).positions.applied, 20);
    assert_log_matching(&w);
}
