//! Write acknowledgement policies: async, FIRST k / ANY k, majority, all; the replica ack
//! point (received / flushed / applied); and what happens with too few replicas (block, or
//! MySQL's fallback to async after a timeout and return once a replica catches up).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use replica_lab::clients::history::{OpError, Outcome};
use replica_lab::kernel::trace::TraceEvent;
use replica_lab::protocols::single_leader::ack::{AckPoint, AckPolicy, AckSelect};
use replica_lab::protocols::single_leader::messages::NodeEvent;

/// Primary n0; n1 is far (100 ms), n2 and n3 near (5 ms). No failover: these are
/// PostgreSQL / MySQL replication semantics with no election to replace the primary.
const ONE_FAR: &str = r#"{"nodes": 4, "workload": {"clients": 0}, "failover": {"mode": "off"},
    "network": {"latency": "5ms", "clientLatency": "1ms"}, "disk": {"fsync": "1ms", "apply": "1ms"},
    "links": [{"from": 0, "to": 1, "latency": "100ms"}]}"#;

fn mask(ids: &[u32]) -> u32 {
    ids.iter().map(|i| 1 << i).sum()
}

fn write_with(json: &str, ack: AckPolicy) -> replica_lab::Op {
    let mut w = world(json, 1);
    let op = w.write_with("x", "1", ack).unwrap();
    run_until_done(&mut w, op, 5_000)
}

#[test]
fn async_acknowledges_after_the_local_flush_counting_no_replica() {
    let op = write_with(ONE_FAR, AckPolicy::ASYNC);
    assert_eq!(op.outcome, Outcome::Ok);
    assert_eq!(op.latency(), Some(ms(3)), "1ms there, 1ms fsync, 1ms back");
    assert_eq!(op.meta.acked_by, Some(0));
}

#[test]
fn first_k_waits_for_the_priority_replica_even_when_it_is_slow() {
    let first1 = AckPolicy::replicas(1, AckSelect::First, AckPoint::Flushed);
    let op = write_with(ONE_FAR, first1);
    assert_eq!(
        op.meta.acked_by,
        Some(mask(&[1])),
        "n1 has the highest priority"
    );
    // 1 client + 1 batch delay + 100 ship + 1 fsync + 100 ack + 1 back
    assert_eq!(op.latency(), Some(ms(204)));
}

#[test]
fn any_k_takes_the_fastest_replicas() {
    let any1 = AckPolicy::replicas(1, AckSelect::Any, AckPoint::Flushed);
    let op = write_with(ONE_FAR, any1);
    assert_eq!(op.meta.acked_by, Some(mask(&[2])));
    assert_eq!(
        op.latency(),
        Some(ms(14)),
        "1 + 1 batch + 5 + 1 fsync + 5 + 1"
    );
    let any2 = AckPolicy::replicas(2, AckSelect::Any, AckPoint::Flushed);
    assert_eq!(write_with(ONE_FAR, any2).meta.acked_by, Some(mask(&[2, 3])));
}

#[test]
fn majority_of_four_needs_two_replicas_and_all_needs_every_one() {
    let op = write_with(ONE_FAR, AckPolicy::majority());
    assert_eq!(op.meta.acked_by, Some(mask(&[2, 3])));
    let op = write_with(ONE_FAR, AckPolicy::all(AckPoint::Flushed));
    assert_eq!(op.meta.acked_by, Some(mask(&[1, 2, 3])));
    assert!(op.latency().unwrap() >= ms(200));
}

#[test]
fn the_ack_point_moves_the_latency_received_then_flushed_then_applied() {
    let slow_disk = r#"{"nodes": 2, "workload": {"clients": 0},
        "network": {"latency": "5ms", "clientLatency": "1ms"}, "disk": {"fsync": "10ms", "apply": "20ms"}}"#;
    let at = |point| {
        write_with(slow_disk, AckPolicy::replicas(1, AckSelect::Any, point))
            .latency()
            .unwrap()
    };
    let (received, flushed, applied) = (
        at(AckPoint::Received),
        at(AckPoint::Flushed),
        at(AckPoint::Applied),
    );
    assert!(
        received < flushed && flushed < applied,
        "{received} {flushed} {applied}"
    );
    // Each later point adds the replica's next disk step: its fsync, then its apply.
    assert_eq!(flushed - received, ms(10), "the replica's fsync");
    assert_eq!(applied - flushed, ms(20), "the replica's apply");
}

#[test]
fn with_too_few_replicas_a_blocking_primary_never_acknowledges() {
    let mut w = world(ONE_FAR, 2);
    for r in 1..4 {
        w.crash(r).unwrap();
    }
    let op = w
        .write_with(
            "x",
            "1",
            AckPolicy::replicas(1, AckSelect::Any, AckPoint::Flushed),
        )
        .unwrap();
    let done = run_until_done(&mut w, op, 10_000);
    assert_eq!(
        done.outcome,
        Outcome::Info,
        "the client gives up; the write is in limbo"
    );
    assert_eq!(done.error, Some(OpError::Timeout));
    assert_eq!(
        w.node(0).last_lsn(),
        1,
        "committed locally, never acknowledged (PostgreSQL)"
    );
}

#[test]
fn semi_sync_falls_back_to_async_after_the_timeout_and_returns_when_a_replica_catches_up() {
    let json = ONE_FAR.replace(
        r#""workload": {"clients": 0}"#,
        r#""workload": {"clients": 0}, "replication": {"ackPolicy": {"replicas": 1}, "semiSyncFallback": "500ms"}"#,
    );
    let mut w = world(&json, 3);
    for r in 1..4 {
        w.crash(r).unwrap();
    }
    let first = w.write("a", "1").unwrap();
    let first = run_until_done(&mut w, first, 5_000);
    assert_eq!(first.outcome, Outcome::Ok);
    assert!(
        (ms(500)..ms(510)).contains(&first.latency().unwrap()),
        "{:?}",
        first.latency()
    );
    // Now asynchronous: the next write is acknowledged after the local flush alone.
    let second = w.write("b", "2").unwrap();
    let second = run_until_done(&mut w, second, 5_000);
    assert_eq!(second.latency(), Some(ms(3)));
    assert_eq!(second.meta.acked_by, Some(0));
    // A replica returns and catches up: semi-sync is back on and writes wait for it again.
    w.restart(2).unwrap();
    w.run_for(ms(500));
    let third = w.write("c", "3").unwrap();
    let third = run_until_done(&mut w, third, 5_000);
    assert_eq!(third.meta.acked_by, Some(mask(&[2])));
    let steps: Vec<NodeEvent> = w
        .trace()
        .since(0, usize::MAX)
        .filter_map(|r| match r.event {
            TraceEvent::Node {
                node: 0,
                event: e @ (NodeEvent::SemiSyncOff | NodeEvent::SemiSyncOn),
            } => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(steps, vec![NodeEvent::SemiSyncOff, NodeEvent::SemiSyncOn]);
}

#[test]
fn first_k_moves_to_the_next_replica_when_the_first_disconnects() {
    let mut w = world(ONE_FAR, 4);
    w.crash(1).unwrap();
    let first1 = AckPolicy::replicas(1, AckSelect::First, AckPoint::Flushed);
    let op = w.write_with("x", "1", first1).unwrap();
    let done = run_until_done(&mut w, op, 5_000);
    assert_eq!(
        done.meta.acked_by,
        Some(mask(&[2])),
        "after the standby timeout, n2 is the sync standby"
    );
    let latency = done.latency().unwrap();
    assert!(
        (ms(1_000)..ms(1_200)).contains(&latency),
        "waited for the standby timeout: {latency}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, .. ProptestConfig::default() })]

    /// Synchronous replication with the applied ack point (PostgreSQL `remote_apply` on every
    /// standby): once a write is acknowledged, a read at any replica returns it.
    #[test]
    fn sync_applied_writes_are_visible_on_every_replica_once_acknowledged(seed in any::<u64>(), loss in 0.0..0.2f64) {
        let json = format!(r#"{{"nodes": 4, "workload": {{"clients": 0}},
            "network": {{"latency": {{"kind": "uniform", "min": "2ms", "max": "40ms"}}, "loss": {loss}, "reorder": true}},
            "replication": {{"ackPolicy": {{"replicas": "all", "point": "applied"}}, "heartbeat": "30ms", "resendAfter": "80ms"}}}}"#);
        let mut w = world(&json, seed);
        for i in 0..20 {
            let value = format!("v{i}");
            let op = w.write("k", &value).unwrap();
            let done = run_until_done(&mut w, op, 5_000);
            prop_assert_eq!(done.outcome, Outcome::Ok);
            for r in 1..4 {
                let read = w.read(r, "k").unwrap();
                let read = run_until_done(&mut w, read, 5_000);
                prop_assert_eq!(read.read.as_ref().map(|v| v.value.to_string()), Some(value.clone()), "replica {}", r);
                prop_assert!(!read.stale);
            }
        }
    }
}
