//! The service-time model, read scaling, geography, live setting changes and the chart
//! metrics: replicas add read capacity but not write capacity, sync acknowledgement costs
//! the primary throughput, a full queue refuses requests, nearest reads are faster and
//! staler, and what the page changes while a run goes on takes effect and is recorded.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::clients::history::{OpError, OpKind, Outcome};
use replica_lab::config::parse_workload_patch;
use replica_lab::kernel::geo;
use replica_lab::observe::experiments::{scaling_point, ScalingPoint};
use replica_lab::observe::stats::Spread;
use replica_lab::protocols::single_leader::ack::{AckPoint, AckPolicy, AckSelect};
use replica_lab::protocols::SingleLeader;
use replica_lab::Scenario;

const READ_SCALING: &str = include_str!("../www/scenarios/read-scaling.json");

fn sweep(s: &Scenario, counts: &[u32]) -> Vec<ScalingPoint> {
    counts
        .iter()
        .map(|&r| scaling_point::<SingleLeader>(s, 7, r, ms(10_000)).expect("scaling point"))
        .collect()
}

#[test]
fn read_throughput_grows_near_linearly_with_replicas_and_write_throughput_does_not() {
    let mut s = scenario(READ_SCALING);
    s.workload.read_fraction = 1.0;
    let reads = sweep(&s, &[1, 2, 4, 8]);
    let r: Vec<f64> = reads.iter().map(|p| p.reads_per_sec).collect();
    // One worker at 4 ms a read serves 250 reads/s; each replica adds about that much.
    assert!((240.0..=255.0).contains(&r[0]), "1 replica: {r:?}");
    for w in r.windows(2) {
        assert!(w[1] >= 1.8 * w[0], "doubling the replicas: {r:?}");
    }
    assert!(r[3] >= 6.5 * r[0], "8 replicas vs 1: {r:?}");

    s.workload.read_fraction = 0.0;
    let writes = sweep(&s, &[1, 2, 4, 8]);
    let w: Vec<f64> = writes.iter().map(|p| p.writes_per_sec).collect();
    let (lo, hi) = w
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    // Every write passes through the primary's worker (4 ms + 1 ms flush): ~200/s at most.
    assert!(hi <= 205.0 && hi <= lo * 1.05, "writes: {w:?}");
}

#[test]
fn synchronous_acknowledgement_holds_the_primarys_worker_and_costs_write_throughput() {
    let mut s = scenario(READ_SCALING);
    s.workload.read_fraction = 0.0;
    let async_w = sweep(&s, &[2])[0].clone();
    s.replication.ack_policy = AckPolicy::all(AckPoint::Applied);
    let sync_w = sweep(&s, &[2])[0].clone();
    assert!(
        sync_w.writes_per_sec < async_w.writes_per_sec * 0.6,
        "sync {sync_w:?} vs async {async_w:?}"
    );
    assert!(sync_w.write_p50_ms > async_w.write_p50_ms);
}

#[test]
fn a_full_queue_refuses_requests_as_overloaded() {
    let mut w = world(
        r#"{"nodes": 2, "service": {"read": "20ms", "write": "20ms", "queueLimit": 2},
            "network": {"clientLatency": "1ms"},
            "workload": {"clients": 12, "rate": 50, "readFraction": 1, "readFrom": "anyReplica"}}"#,
        1,
    );
    w.run_for(ms(3_000));
    let refused = w
        .history()
        .ops()
        .iter()
        .filter(|o| o.error == Some(OpError::Overloaded))
        .count();
    assert!(refused > 0);
    assert!(w
        .history()
        .ops()
        .iter()
        .filter(|o| o.error == Some(OpError::Overloaded))
        .all(|o| o.outcome == Outcome::Fail));
    let snap = w.snapshot(Default::default());
    let replica = &snap.nodes[1];
    assert_eq!(replica.refused as usize, refused);
    assert!(replica.queue <= 2);
    // One worker, 20 ms a read: 50 served a second.
    assert!(
        (45.0..=55.0).contains(&replica.ops_per_sec),
        "{}",
        replica.ops_per_sec
    );
}

#[test]
fn metrics_sample_lag_load_and_throughput_every_100ms() {
    let mut w = world(READ_SCALING, 3);
    w.run_for(ms(3_000));
    let m = w.metrics_view(0);
    assert_eq!(m.samples.len(), 30);
    assert_eq!(m.next, 30);
    let last = m.samples.last().unwrap();
    assert_eq!(last.t, ms(3_000));
    assert!(last.reads_per_sec > 500.0, "{last:?}");
    let primary = &last.nodes[0];
    assert_eq!(primary.lag_entries, None, "the primary has no lag");
    for n in &last.nodes[1..] {
        assert!(n.lag_entries.is_some() && n.ops_per_sec > 150.0, "{n:?}");
    }
    // Only new samples after the cursor.
    w.run_for(ms(500));
    assert_eq!(w.metrics_view(m.next).samples.len(), 5);
    let async_latency = &m.write_latency[0];
    assert_eq!(async_latency.policy, "async");
    assert!(async_latency.count > 100 && async_latency.p50 <= async_latency.p99);
}

#[test]
fn switching_the_ack_policy_changes_measured_write_latency() {
    let mut w = world(include_str!("../www/scenarios/backup-band.json"), 5);
    w.set_workload(&parse_workload_patch(r#"{"rate": 6, "readFraction": 0.2}"#).unwrap())
        .unwrap();
    w.run_for(ms(10_000));
    w.set_ack_policy(AckPolicy::all(AckPoint::Applied)).unwrap();
    w.run_for(ms(10_000));
    let lat = w.metrics_view(0).write_latency;
    let by = |name: &str| lat.iter().find(|p| p.policy == name).expect(name).clone();
    let (asy, all) = (by("async"), by("all applied"));
    assert!(asy.count > 20 && all.count > 20);
    // All replicas including the far one (250-400 ms away) must apply first.
    assert!(all.p50 > asy.p50 + 250.0, "{asy:?} vs {all:?}");
    assert_eq!(
        w.snapshot(Default::default()).config.model.ack_label,
        "all applied"
    );
}

/// Three regions, clients in each; reads either from the primary (us-east) or from the
/// nearest node. Returns the median read latency (ms) of the clients outside us-east, and
/// how many reads were stale.
fn geo_run(read_from: &str, seed: u64) -> (f64, u64) {
    let mut w = world(
        r#"{"nodes": 3,
            "disk": {"fsync": "1ms", "apply": "200us"},
            "workload": {"clients": 6, "rate": 20, "readFraction": 0.7, "keys": 3}}"#,
        seed,
    );
    w.set_geography(3);
    let patch = format!(r#"{{"readFrom": "{read_from}"}}"#);
    w.set_workload(&parse_workload_patch(&patch).unwrap())
        .unwrap();
    w.run_for(ms(20_000));
    let snap = w.snapshot(Default::default());
    let far: Vec<f64> = w
        .history()
        .ops()
        .iter()
        .filter(|o| o.kind == OpKind::Read && o.outcome == Outcome::Ok)
        .filter(|o| snap.clients[o.client as usize].region != Some("us-east"))
        .map(|o| o.latency().unwrap() as f64 / 1000.0)
        .collect();
    (Spread::of(far).unwrap().p50, w.summary().stale_reads)
}

#[test]
fn nearest_reads_are_faster_and_staler_than_reads_from_a_distant_primary() {
    for seed in 0..3 {
        let (near_ms, near_stale) = geo_run("nearest", seed);
        let (primary_ms, primary_stale) = geo_run("primary", seed);
        // A local replica answers in about a millisecond; the primary is 35-110 ms away.
        assert!(near_ms < 3.0, "seed {seed}: nearest {near_ms} ms");
        assert!(primary_ms > 70.0, "seed {seed}: primary {primary_ms} ms");
        assert!(near_stale > 0, "seed {seed}: nearest reads never stale");
        assert_eq!(primary_stale, 0, "seed {seed}");
    }
}

#[test]
fn geography_sets_link_latencies_from_the_region_table() {
    let mut w = world(r#"{"nodes": 4}"#, 1);
    w.set_geography(3);
    let snap = w.snapshot(Default::default());
    let regions: Vec<_> = snap.nodes.iter().map(|n| n.region).collect();
    assert_eq!(
        regions,
        [
            Some("us-east"),
            Some("eu-west"),
            Some("ap-south"),
            Some("us-east")
        ]
    );
    assert_eq!(snap.config.regions, 3);
    assert_eq!(w.link(0, 2).latency, geo::link_latency(0, 2));
    assert_eq!(w.link(0, 3).latency, geo::link_latency(0, 0));
    // A new replica joins the emptiest region; removing geography restores the default.
    let id = w.add_replica().unwrap();
    assert_eq!(
        w.snapshot(Default::default()).nodes[id as usize].region,
        Some("eu-west")
    );
    w.set_geography(0);
    assert_eq!(w.link(0, 2), w.snapshot(Default::default()).default_link);
    assert_eq!(w.snapshot(Default::default()).config.regions, 0);
}

#[test]
fn workload_changes_apply_while_running_and_bad_ones_name_the_field() {
    let mut w = world(r#"{"nodes": 2, "workload": {"clients": 4, "rate": 20}}"#, 2);
    w.run_for(ms(1_000));
    w.set_workload(&parse_workload_patch(r#"{"clients": 0}"#).unwrap())
        .unwrap();
    w.run_for(ms(3_000)); // outstanding operations finish
    let before = w.history().len();
    w.run_for(ms(2_000));
    assert_eq!(w.history().len(), before, "no client is active");
    w.set_workload(&parse_workload_patch(r#"{"clients": 6}"#).unwrap())
        .unwrap();
    w.run_for(ms(2_000));
    let clients: std::collections::BTreeSet<_> = w.history().ops()[before..]
        .iter()
        .map(|o| o.client)
        .collect();
    assert_eq!(clients.len(), 6, "{clients:?}");

    let err = w
        .set_workload(&parse_workload_patch(r#"{"rate": -1}"#).unwrap())
        .unwrap_err();
    assert!(err
        .to_string()
        .starts_with("workload.rate: must be between 0 and 10000"));
    let err = parse_workload_patch(r#"{"speed": 3}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "speed: unknown field \"speed\"; the fields here are clients, rate, readFraction, \
         casFraction, keys, skew, readFrom, readConsistency, onBehind, timeout"
    );
    assert_eq!(
        w.scenario().workload.clients,
        6,
        "a refused change changes nothing"
    );
}

#[test]
fn the_current_scenario_rebuilds_what_the_page_changed() {
    let mut w = world(r#"{"nodes": 3}"#, 9);
    w.set_geography(2);
    w.set_ack_policy(AckPolicy::replicas(1, AckSelect::Any, AckPoint::Applied))
        .unwrap();
    w.set_workload(
        &parse_workload_patch(
            r#"{"readConsistency": {"boundedStaleness": {"max": "150ms"}}, "onBehind": "redirect"}"#,
        )
        .unwrap(),
    )
    .unwrap();
    w.set_service(Some(replica_lab::kernel::service::ServiceSpec {
        read: replica_lab::kernel::time::Dur::ms(2),
        write: replica_lab::kernel::time::Dur::ms(3),
        workers: 2,
        queue_limit: 10,
    }));
    w.set_semi_sync_fallback(Some(ms(500)));
    w.add_replica().unwrap();
    let s = w.current_scenario();
    let text = serde_json::to_string(&s).unwrap();
    let again = Scenario::from_json(&text).expect("the current scenario parses");
    assert_eq!(again.nodes.len(), 4);
    assert_eq!(again.nodes[1].region.as_deref(), Some("eu-west"));
    assert_eq!(again, s, "everything survives the round trip");
    assert_eq!(
        again.replication.ack_policy,
        AckPolicy::replicas(1, AckSelect::Any, AckPoint::Applied)
    );
    assert_eq!(
        again.replication.semi_sync_fallback.map(|d| d.micros()),
        Some(ms(500))
    );
    assert_eq!(
        again.workload.client_regions,
        ["us-east", "eu-west", "us-east"]
    );
}
