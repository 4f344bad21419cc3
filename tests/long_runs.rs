//! Long runs with bounded memory (`replica_lab::observe::window`): the history keeps a
//! window and the checkers judge the run in segments, yet they find what judging the whole
//! history at once finds. Each run here is made twice, once with a tiny window (judged at
//! 1 s or 150 operations back, gone at twice that) and once keeping everything, and the
//! reports are compared kind by kind.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{ms, world};
use replica_lab::checks::{Kind, Report};
use replica_lab::World;

/// Asynchronous acknowledgement and a primary that crashes every few seconds with
/// automatic failover: acknowledged writes are lost, reads are stale.
const LOSSY: &str = r#"{
  "name": "async with crashes",
  "nodes": 3,
  "network": {"latency": {"kind": "uniform", "min": "5ms", "max": "15ms"}, "clientLatency": "2ms"},
  "disk": {"fsync": "2ms", "apply": "1ms"},
  "replication": {"heartbeat": "50ms", "ackPolicy": "async"},
  "failover": {"mode": "raft", "electionTimeout": "300ms"},
  "workload": {"clients": 6, "rate": 20, "readFraction": 0.5, "keys": 5, "readFrom": "anyReplica"},
  "faults": [
    {"at": "3s", "action": "crash", "node": 0},
    {"at": "5s", "action": "restart", "node": 0},
    {"at": "8s", "action": "crash", "node": 1},
    {"at": "10s", "action": "restart", "node": 1},
    {"at": "13s", "action": "crash", "node": 2},
    {"at": "15s", "action": "restart", "node": 2},
    {"at": "18s", "action": "crash", "node": 0},
    {"at": "20s", "action": "restart", "node": 0}
  ]
}"#;

/// Majority acknowledgement and linearizable reads through a partition and crashes: every
/// promise holds, and the history is linearizable.
const SAFE: &str = r#"{
  "name": "majority and linearizable reads",
  "nodes": 5,
  "network": {"latency": {"kind": "uniform", "min": "5ms", "max": "15ms"}, "clientLatency": "2ms"},
  "disk": {"fsync": "2ms", "apply": "1ms"},
  "replication": {"heartbeat": "50ms", "ackPolicy": "majority"},
  "failover": {"mode": "raft", "electionTimeout": "300ms", "preVote": true},
  "workload": {"clients": 5, "rate": 20, "readFraction": 0.5, "keys": 4, "casFraction": 0.2, "readConsistency": "linearizable", "timeout": "1s"},
  "faults": [
    {"at": "4s", "action": "crash", "node": 0},
    {"at": "7s", "action": "restart", "node": 0},
    {"at": "10s", "action": "partition", "groups": [[0, 1], [2, 3, 4]]},
    {"at": "14s", "action": "heal"}
  ]
}"#;

/// [`SAFE`] without its faults.
fn calm() -> String {
    let faults = SAFE.find(r#""faults""#).expect("faults");
    format!("{}\"faults\": []}}", &SAFE[..faults])
}

const RUN_MS: u64 = 26_000;

/// The run's report with the tiny window, its report keeping everything, and how many
/// operations the tiny window still held at the end.
fn both(json: &str, seed: u64) -> (Report, Report, usize, u64) {
    let mut tiny = world(json, seed);
    tiny.set_history_window(ms(1_000), 150);
    let mut whole = world(json, seed);
    whole.set_history_window(u64::MAX, usize::MAX);
    let mut most_kept = 0;
    for t in (500..=RUN_MS).step_by(500) {
        tiny.run_until(ms(t), u64::MAX);
        most_kept = most_kept.max(tiny.history().ops().len());
    }
    whole.run_until(ms(RUN_MS), u64::MAX);
    assert_eq!(
        tiny.trace_hash(),
        whole.trace_hash(),
        "judging never changes the run"
    );
    let retired = tiny.history().retired();
    (
        tiny.anomalies(false),
        whole.anomalies(false),
        most_kept,
        retired,
    )
}

fn counts(r: &Report) -> Vec<(Kind, u64, u64)> {
    Kind::ALL
        .iter()
        .filter(|&&k| k != Kind::NotLinearizable)
        .map(|&k| {
            let f = r.found.get(k.name());
            (k, f.map_or(0, |f| f.count), f.map_or(0, |f| f.promised))
        })
        .collect()
}

#[test]
fn the_windowed_checkers_find_what_the_whole_history_shows() {
    let mut lost = 0;
    let mut stale = 0;
    for seed in 1..=6 {
        let (tiny, whole, most_kept, retired) = both(LOSSY, seed);
        assert!(
            retired > 1_000,
            "seed {seed}: the window moved on ({retired} retired)"
        );
        assert!(
            most_kept < 1_000,
            "seed {seed}: at most {most_kept} operations kept"
        );
        assert_eq!(counts(&tiny), counts(&whole), "seed {seed}");
        assert_eq!(
            tiny.operations, whole.operations,
            "seed {seed}: every operation judged"
        );
        lost += whole.count(Kind::LostAcknowledgedWrite);
        stale += whole.count(Kind::StaleRead);
    }
    assert!(
        lost > 0 && stale > 0,
        "the lossy runs lose writes ({lost}) and read stale ({stale})"
    );
}

#[test]
fn linearizability_is_judged_in_quiet_stretches_without_false_alarms() {
    for seed in 1..=4 {
        let (tiny, whole, _, retired) = both(SAFE, seed);
        assert!(retired > 500, "seed {seed}: {retired} retired");
        assert_eq!(
            tiny.broken_promises(),
            0,
            "seed {seed}: {}",
            tiny.describe()
        );
        assert_eq!(
            whole.linearizability.as_deref(),
            Some("linearizable"),
            "seed {seed}"
        );
        // Under faults some keys keep a write of unknown outcome: those are not judged
        // once it leaves the window (the report says so), but nothing is a false alarm.
        assert_ne!(
            tiny.linearizability.as_deref(),
            Some("not-linearizable"),
            "seed {seed}"
        );
        assert_eq!(counts(&tiny), counts(&whole), "seed {seed}");
    }
    // Without faults every key is quiet now and then: all of it is judged, stretch by
    // stretch, and found linearizable.
    let (tiny, _, _, retired) = both(&calm(), 1);
    assert!(retired > 500, "{retired} retired");
    assert_eq!(
        tiny.linearizability.as_deref(),
        Some("linearizable"),
        "{:?}",
        tiny.not_judged
    );
    assert!(
        !tiny.not_judged.contains_key("notLinearizable"),
        "{:?}",
        tiny.not_judged
    );
}

/// The summary's figures come from running totals: they count every operation, retired
/// or not, and match the whole-history run exactly.
#[test]
fn the_summary_counts_every_operation_of_a_long_run() {
    let mut tiny: World = world(LOSSY, 3);
    tiny.set_history_window(ms(1_000), 150);
    let mut whole: World = world(LOSSY, 3);
    whole.set_history_window(u64::MAX, usize::MAX);
    tiny.run_until(ms(RUN_MS), u64::MAX);
    whole.run_until(ms(RUN_MS), u64::MAX);
    let (a, b) = (tiny.summary(), whole.summary());
    assert_eq!(
        (a.writes, a.reads, a.stale_reads),
        (b.writes, b.reads, b.stale_reads)
    );
    assert_eq!(a.write_latency_ms, b.write_latency_ms);
    assert_eq!(tiny.history().len(), whole.history().len());
    let (kept, all) = (tiny.history().ops().len(), whole.history().ops().len());
    assert!(kept < 1_000 && all > 2 * kept, "{kept} of {all} kept");
}
