//! Property tests over many seeds and network conditions (proptest): whatever the latency,
//! jitter, loss and reordering, log shipping keeps its invariants at every step, and once
//! the workload stops every replica converges to the primary's log (the liveness phase).
//! A failing case prints its seed and parameters, and replays from them exactly.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use replica_lab::clients::history::Outcome;
use replica_lab::kernel::service::ServiceSpec;
use replica_lab::kernel::time::Dur;
use replica_lab::kernel::NodeStatus;
use replica_lab::World;

fn scenario_json(
    nodes: u32,
    min_ms: u64,
    spread_ms: u64,
    loss: f64,
    reorder: bool,
    read_fraction: f64,
) -> String {
    format!(
        r#"{{"nodes": {nodes},
            "network": {{"latency": {{"kind": "uniform", "min": "{min_ms}ms", "max": "{}ms"}},
                        "jitter": "2ms", "loss": {loss}, "reorder": {reorder}}},
            "replication": {{"maxBatch": 8, "heartbeat": "40ms", "resendAfter": "120ms"}},
            "workload": {{"clients": 4, "rate": 30, "readFraction": {read_fraction}, "keys": 6,
                         "readFrom": "any", "stopAfter": "2s", "timeout": "500ms"}}}}"#,
        min_ms + spread_ms
    )
}

/// The safety invariants, checked from outside the nodes after every step.
fn check_invariants(w: &World) -> Result<(), TestCaseError> {
    let primary = w.node(w.primary().unwrap_or(0));
    for id in w.members() {
        let n = w.node(id);
        let p = n.positions;
        prop_assert!(
            p.applied <= p.flushed && p.flushed <= p.received,
            "node {id}: {p:?}"
        );
        prop_assert_eq!(p.received, n.last_lsn(), "node {} received != last", id);
        // Log Matching: a replica's log is a prefix of the primary's.
        let matching = log_prefix_of(n, primary);
        prop_assert!(matching.is_ok(), "node {} diverged: {:?}", id, matching);
        // Applied data is exactly the checkpoint and the log replayed up to `applied`.
        if w.slot(id).status == NodeStatus::Up {
            prop_assert!(
                n.wal.base() <= p.applied,
                "node {}: checkpoint past applied",
                id
            );
            let mut expected: std::collections::BTreeMap<_, _> = n
                .wal
                .checkpoint()
                .kv
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            for e in kept(n).into_iter().filter(|e| e.lsn <= p.applied) {
                if let Some((k, v)) = e.set() {
                    expected.insert(k.clone(), v.clone());
                }
            }
            let actual: std::collections::BTreeMap<_, _> =
                n.kv.iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect();
            prop_assert_eq!(actual, expected, "node {} store != replayed log", id);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn shipping_is_safe_at_every_step_and_converges_after_the_workload_stops(
        seed in any::<u64>(),
        nodes in 1u32..=6,
        min_ms in 1u64..40,
        spread_ms in 0u64..80,
        loss in prop_oneof![Just(0.0), 0.0..0.4f64],
        reorder in any::<bool>(),
        read_fraction in 0.0..1.0f64,
        service in prop_oneof![Just(None), (1u64..6, 1u32..3, 1u32..6).prop_map(Some)],
        regions in 0usize..=3,
    ) {
        let json = scenario_json(nodes, min_ms, spread_ms, loss, reorder, read_fraction);
        let mut w = world(&json, seed);
        // Optionally a service-time model (small queues, so some requests are refused)
        // and geography: neither may break log shipping.
        w.set_service(service.map(|(ms_per_op, workers, queue_limit)| ServiceSpec {
            read: Dur::ms(ms_per_op),
            write: Dur::ms(ms_per_op),
            workers,
            queue_limit,
        }));
        w.set_geography(regions);
        // Safety phase: faults on (loss, reordering), invariants after every event.
        while w.now() < ms(2_500) {
            prop_assert!(w.step());
            check_invariants(&w)?;
        }
        // Liveness phase: the workload has stopped; everything must converge.
        w.run_for(ms(10_000));
        let last = w.node(0).last_lsn();
        for id in w.members() {
            prop_assert_eq!(w.node(id).positions.applied, last, "node {} did not converge", id);
        }
        // Every operation has finished, one way or another.
        prop_assert_eq!(w.history().counters().pending, 0);
        // Every write the primary acknowledged is in the log at its LSN.
        for op in w.history().ops() {
            if let (Outcome::Ok, Some(lsn)) = (op.outcome, op.written.map(|p| p.1)) {
                let entry = w.node(0).entry(lsn).expect("acknowledged entry");
                prop_assert_eq!(entry.op, op.id);
            }
        }
    }

    #[test]
    fn reads_from_the_primary_are_never_stale(seed in any::<u64>(), loss in 0.0..0.3f64) {
        let json = scenario_json(3, 5, 30, loss, true, 0.6).replace(r#""readFrom": "any""#, r#""readFrom": "primary""#);
        let mut w = world(&json, seed);
        w.run_for(ms(3_000));
        let summary = w.summary();
        prop_assert!(summary.reads.ok > 0);
        prop_assert_eq!(summary.stale_reads, 0);
    }
}

#[test]
fn stale_reads_appear_when_replicas_lag_and_are_counted() {
    // A seed sweep rather than a property: with slow links and reads from replicas, every
    // seed produces stale reads, and the summary agrees with the history.
    for seed in 0..10 {
        let json = scenario_json(4, 80, 120, 0.0, false, 0.7)
            .replace(r#""readFrom": "any""#, r#""readFrom": "anyReplica""#);
        let mut w = world(&json, seed);
        w.run_for(ms(3_000));
        let stale = w.history().ops().iter().filter(|o| o.stale).count() as u64;
        assert!(stale > 0, "seed {seed}: no stale read");
        let summary = w.summary();
        assert_eq!(summary.stale_reads, stale);
        let counters = w.history().counters();
        assert_eq!(
            counters.stale_reads, stale,
            "running counters agree with the history"
        );
        assert_eq!(counters.reads_ok, summary.reads.ok);
        assert_eq!(counters.writes_ok, summary.writes.ok);
        assert_eq!(
            counters.pending,
            summary.reads.pending + summary.writes.pending
        );
        assert!(w
            .history()
            .ops()
            .iter()
            .filter(|o| o.stale)
            .all(|o| o.node != 0));
    }
}
