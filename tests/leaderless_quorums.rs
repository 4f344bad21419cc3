//! The leaderless model's quorums, over many seeds: R + W > N under a strict quorum never
//! reads stale; R + W <= N does, less the longer after the write a read begins; a sloppy
//! quorum during a partition acknowledges a write a later read misses, where a strict
//! quorum refuses the write instead; the same seed gives the same trace.
#![cfg(not(target_arch = "wasm32"))]

mod leaderless;

use leaderless::{done, key_where, ms, ring, stored};
use replica_lab::checks::Kind;
use replica_lab::clients::history::{Op, OpError, OpKind, Outcome};
use replica_lab::kernel::Pos;
use replica_lab::protocols::leaderless::routing::Meta;
use std::collections::BTreeMap;

const BUSY: &str = r#""clients": 6, "rate": 40, "readFraction": 0.5, "keys": 4, "stopAfter": "3s""#;

#[test]
fn a_strict_quorum_with_r_plus_w_over_n_never_reads_stale() {
    let mut reads = 0;
    for seed in 0..200 {
        let mut w = ring(
            5,
            r#""replicationFactor": 3, "writeConsistency": "QUORUM",
               "readConsistency": "QUORUM", "coordinator": "random""#,
            BUSY,
            seed,
        );
        w.run_until(ms(6_000), u64::MAX);
        let c = w.history().counters();
        assert_eq!(
            c.stale_reads, 0,
            "seed {seed}: the live oracle saw a stale read"
        );
        let report = w.anomalies(w.looks_settled());
        assert!(
            report.settled,
            "seed {seed}: quiet after the workload stops"
        );
        for kind in [
            Kind::StaleRead,
            Kind::LostAcknowledgedWrite,
            Kind::NotLinearizable,
            Kind::Divergence,
        ] {
            assert_eq!(report.count(kind), 0, "seed {seed}: {kind:?}: {report:?}");
        }
        assert!(c.writes_ok > 50 && c.reads_ok > 50, "seed {seed}: {c:?}");
        reads += c.reads_ok;
    }
    assert!(reads > 20_000, "{reads} reads judged");
}

/// Stale reads by how long after the newest acknowledged write of their key they began:
/// (reads, stale) per bucket of `edges` (milliseconds).
fn staleness_by_delay(seeds: std::ops::Range<u64>, edges: &[u64]) -> Vec<(u64, u64)> {
    let mut buckets = vec![(0u64, 0u64); edges.len()];
    for seed in seeds {
        // Clients next to their coordinators, replicas further apart: a write acknowledged
        // by one replica is still on its way to the others when a read begins.
        let json = format!(
            r#"{{"model": "leaderless", "nodes": 5,
                "network": {{"latency": {{"kind": "exponential", "min": "1ms", "mean": "10ms"}},
                             "clientLatency": "500us"}},
                "leaderless": {{"replicationFactor": 3, "writeConsistency": "ONE",
                               "readConsistency": "ONE", "coordinator": "random"}},
                "workload": {{{BUSY}}}}}"#
        );
        let s = replica_lab::Scenario::from_json(&json).unwrap();
        let mut w = leaderless::Ring::new(&s, seed).unwrap();
        w.run_until(ms(4_000), u64::MAX);
        // Acknowledged writes per key in acknowledgement order.
        let mut acked: BTreeMap<&str, Vec<(u64, Pos)>> = BTreeMap::new();
        let ops = w.history().ops();
        for op in ops {
            if op.kind == OpKind::Write && op.outcome == Outcome::Ok {
                let at = op.completed_at.unwrap();
                acked
                    .entry(&op.key)
                    .or_default()
                    .push((at, op.written.unwrap()));
            }
        }
        for list in acked.values_mut() {
            list.sort_unstable();
        }
        for op in ops
            .iter()
            .filter(|o| o.kind == OpKind::Read && o.outcome == Outcome::Ok)
        {
            let Some(list) = acked.get(&*op.key) else {
                continue;
            };
            let before = list.partition_point(|&(at, _)| at < op.invoked_at);
            if before == 0 {
                continue;
            }
            let (at, _) = list[before - 1];
            let newest = list[..before].iter().map(|x| x.1).max().unwrap();
            let delay = (op.invoked_at - at) / 1_000;
            let Some(b) = edges.iter().position(|&e| delay < e) else {
                continue;
            };
            let returned = op.read.as_ref().map_or((0, 0), |v| v.pos);
            buckets[b].0 += 1;
            buckets[b].1 += u64::from(returned < newest);
            assert_eq!(op.stale, returned < newest, "the oracle agrees");
        }
    }
    buckets
}

#[test]
fn r_plus_w_at_most_n_reads_stale_less_the_later_the_read() {
    let edges = [2, 5, 10, 20, 1_000];
    let b = staleness_by_delay(0..40, &edges);
    let rate: Vec<f64> = b.iter().map(|&(n, s)| s as f64 / n.max(1) as f64).collect();
    eprintln!("ONE/ONE, N=3: (reads, stale) by delay under {edges:?} ms: {b:?} = {rate:?}");
    assert!(
        b.iter().all(|&(n, _)| n > 100),
        "enough reads per bucket: {b:?}"
    );
    assert!(
        rate[0] > 0.05,
        "stale reads happen soon after a write: {rate:?}"
    );
    for i in 1..rate.len() {
        assert!(
            rate[i] <= rate[i - 1] + 0.01,
            "the stale rate falls with the delay: {rate:?}"
        );
    }
    assert!(
        rate[rate.len() - 1] < 0.01,
        "late reads see the write: {rate:?}"
    );
}

/// A partition with one replica of the key on the writer's side: the fallbacks there
/// stand in under a sloppy quorum, and the other side's replicas never saw the write.
fn partitioned_write_then_read(mode: &str) -> (Op<Meta>, Op<Meta>, leaderless::Ring, String) {
    let settings = format!(
        r#""replicationFactor": 3, "writeConsistency": "QUORUM", "readConsistency": "QUORUM",
           "quorum": "{mode}", "gossipInterval": "100ms", "downAfter": "300ms",
           "writeTimeout": "200ms", "readTimeout": "200ms""#
    );
    let mut w = ring(5, &settings, "", 1);
    let key = key_where(&w, |_| true);
    let reps = w.replicas_of(&key);
    let (a, b, c) = (reps[0], reps[1], reps[2]);
    let others: Vec<u32> = (0..5).filter(|n| !reps.contains(n)).collect();
    let mut far = vec![c];
    far.extend(&others);
    w.partition(&[vec![a, b], far.clone()]).unwrap();
    w.run_for(ms(1_000)); // both sides' gossip takes the other for down
    let write = w.write_to(c, &key, "v1").unwrap();
    let write = done(&mut w, write, 1_000);
    w.run_for(ms(5));
    let read = w.read(a, &key).unwrap();
    let read = done(&mut w, read, 1_000);
    (write, read, w, key)
}

#[test]
fn a_sloppy_quorum_acknowledges_a_write_a_quorum_read_then_misses() {
    let (write, read, mut w, key) = partitioned_write_then_read("sloppy");
    assert_eq!(write.outcome, Outcome::Ok, "fallbacks stood in: {write:?}");
    assert_eq!(read.outcome, Outcome::Ok);
    assert_eq!(read.read, None, "R + W > N, yet the read misses it");
    assert!(
        read.stale && !read.promise.fresh,
        "stale, and nothing promised otherwise"
    );
    let report = w.anomalies(false);
    assert_eq!(report.count(Kind::StaleRead), 1);
    assert_eq!(report.found["staleRead"].promised, 0);
    // Healed, the fallbacks hand their hints to the replicas.
    w.heal();
    w.run_for(ms(2_000));
    for r in w.replicas_of(&key) {
        assert_eq!(
            stored(&w, r, &key).as_deref(),
            Some("v1"),
            "n{r} got its hint"
        );
    }
    assert!(w.summary().cluster.leaderless.hints_replayed >= 2);
}

#[test]
fn a_strict_quorum_refuses_that_write_instead() {
    let (write, read, w, _) = partitioned_write_then_read("strict");
    assert_eq!(write.outcome, Outcome::Fail);
    assert_eq!(
        write.error,
        Some(OpError::Unavailable),
        "one replica up of three"
    );
    assert_eq!(
        (read.outcome, read.read.clone(), read.stale),
        (Outcome::Ok, None, false)
    );
    assert!(read.promise.fresh);
    assert_eq!(w.anomalies(false).count(Kind::StaleRead), 0);
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = |seed| {
        let text = std::fs::read_to_string("www/scenarios/quorum.json").unwrap();
        let s = replica_lab::Scenario::from_json(&text).unwrap();
        let mut w = leaderless::Ring::new(&s, seed).unwrap();
        w.run_until(ms(5_000), u64::MAX);
        (w.trace_hash(), w.history().counters().clone())
    };
    let (a, ca) = run(7);
    assert_eq!(run(7).0, a);
    assert_ne!(run(8).0, a);
    assert!(ca.writes_ok > 100, "{ca:?}");
}
