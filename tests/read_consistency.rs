//! Read consistency levels, checked from the history over many seeds: read-your-writes
//! sessions never read older than their own last write, monotonic sessions never go back,
//! bounded-staleness reads stay within the bound, linearizable reads are never stale and
//! are refused by a primary cut off from its majority. Eventual reads, with the same
//! workload, do break each guarantee: the checks can fail.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use replica_lab::clients::history::{OpKind, Outcome};
use replica_lab::protocols::single_leader::consistency::ReadConsistency;
use replica_lab::Op;
use replica_lab::World;

/// One slow replica (n3) among fast ones; clients read from any replica.
fn scenario(level: &str, on_behind: &str, loss: f64) -> String {
    format!(
        r#"{{"nodes": 4,
            "network": {{"latency": {{"kind": "uniform", "min": "5ms", "max": "25ms"}}, "loss": {loss}}},
            "links": [{{"from": 0, "to": 3, "latency": {{"kind": "uniform", "min": "150ms", "max": "300ms"}}}}],
            "replication": {{"heartbeat": "50ms"}},
            "workload": {{"clients": 4, "rate": 40, "readFraction": 0.6, "keys": 3, "readFrom": "anyReplica",
                         "readConsistency": {level}, "onBehind": "{on_behind}", "timeout": "3s"}}}}"#
    )
}

fn run(json: &str, seed: u64) -> World {
    let mut w = world(json, seed);
    w.run_for(ms(4_000));
    w
}

fn ok_reads(w: &World) -> impl Iterator<Item = &Op> {
    w.history()
        .ops()
        .iter()
        .filter(|o| o.kind == OpKind::Read && o.outcome == Outcome::Ok)
}

/// Reads that missed their own session's earlier acknowledged write to the same key.
fn read_your_writes_violations(w: &World) -> usize {
    let ops = w.history().ops();
    ok_reads(w)
        .filter(|r| {
            let returned = r.read.as_ref().map_or((0, 0), |v| v.pos);
            ops.iter().any(|wr| {
                wr.client == r.client
                    && wr.kind == OpKind::Write
                    && wr.key == r.key
                    && wr.outcome == Outcome::Ok
                    && wr.completed_at.is_some_and(|t| t <= r.invoked_at)
                    && wr.written.is_some_and(|pos| pos > returned)
            })
        })
        .count()
}

/// Reads that returned an older version of a key than an earlier read of the same session.
fn monotonic_violations(w: &World) -> usize {
    let mut seen = std::collections::BTreeMap::new();
    let mut violations = 0;
    for r in ok_reads(w) {
        let returned = r.read.as_ref().map_or((0, 0), |v| v.pos);
        let best = seen.entry((r.client, r.key.clone())).or_insert((0, 0));
        if returned < *best {
            violations += 1;
        }
        *best = (*best).max(returned);
    }
    violations
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn read_your_writes_sessions_never_miss_their_own_writes(seed in any::<u64>(), redirect in any::<bool>(), loss in 0.0..0.1f64) {
        let w = run(&scenario(r#""readYourWrites""#, if redirect { "redirect" } else { "wait" }, loss), seed);
        prop_assert!(ok_reads(&w).count() > 50);
        prop_assert_eq!(read_your_writes_violations(&w), 0);
    }

    #[test]
    fn monotonic_sessions_never_go_back(seed in any::<u64>(), redirect in any::<bool>(), loss in 0.0..0.1f64) {
        let w = run(&scenario(r#""monotonic""#, if redirect { "redirect" } else { "wait" }, loss), seed);
        prop_assert!(ok_reads(&w).count() > 50);
        prop_assert_eq!(monotonic_violations(&w), 0);
    }

    #[test]
    fn linearizable_reads_are_never_stale(seed in any::<u64>(), loss in 0.0..0.1f64) {
        let w = run(&scenario(r#""linearizable""#, "wait", loss), seed);
        prop_assert!(ok_reads(&w).count() > 50);
        prop_assert!(ok_reads(&w).all(|r| r.node == 0 && !r.stale));
    }
}

#[test]
fn eventual_reads_break_both_session_guarantees() {
    let (mut ryw, mut mono) = (0, 0);
    for seed in 0..6 {
        let w = run(&scenario(r#""eventual""#, "wait", 0.0), seed);
        ryw += read_your_writes_violations(&w);
        mono += monotonic_violations(&w);
    }
    assert!(
        ryw > 0,
        "eventual reads should miss some of the session's own writes"
    );
    assert!(mono > 0, "eventual reads should sometimes go back in time");
}

#[test]
fn redirected_reads_are_answered_by_the_primary() {
    let w = run(&scenario(r#""readYourWrites""#, "redirect", 0.0), 3);
    let redirected: Vec<&Op> = ok_reads(&w).filter(|r| r.redirects > 0).collect();
    assert!(
        !redirected.is_empty(),
        "the slow replica sends some reads on"
    );
    assert!(redirected.iter().all(|r| r.node == 0));
}

#[test]
fn bounded_staleness_keeps_reads_within_the_bound_waiting_or_redirecting() {
    let bound = 100;
    let level = format!(r#"{{"boundedStaleness": {{"max": "{bound}ms"}}}}"#);
    for (on_behind, redirects) in [("redirect", true), ("wait", false)] {
        for seed in 0..4 {
            let w = run(&scenario(&level, on_behind, 0.0), seed);
            assert_eq!(
                ok_reads(&w).any(|r| r.redirects > 0),
                redirects,
                "{on_behind}: the slow replica is too stale to serve at once"
            );
            if !redirects {
                assert!(
                    ok_reads(&w).any(|r| r.node == 3 && r.served_by == Some(3)),
                    "waiting, the slow replica serves its reads itself"
                );
            }
            for r in ok_reads(&w) {
                // The replica learns of a commit one link delay late (at most 25ms here).
                let staleness = r.staleness.unwrap_or(0);
                assert!(
                    staleness <= ms(bound + 25),
                    "{on_behind} seed {seed}: read {} was {staleness}us stale",
                    r.id
                );
            }
        }
    }
    let eventual = run(&scenario(r#""eventual""#, "wait", 0.0), 0);
    assert!(
        ok_reads(&eventual).any(|r| r.staleness.unwrap_or(0) > ms(125)),
        "without the bound, reads are staler"
    );
}

#[test]
fn a_primary_cut_off_from_its_majority_cannot_serve_linearizable_reads() {
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "network": {"latency": "10ms"}}"#,
        1,
    );
    let op = w.write("x", "1").unwrap();
    run_until_done(&mut w, op, 1_000);
    let ok = w.read_with(0, "x", ReadConsistency::Linearizable).unwrap();
    let ok = run_until_done(&mut w, ok, 1_000);
    assert_eq!(ok.outcome, Outcome::Ok);
    assert!(
        ok.latency().unwrap() >= ms(40),
        "a read-index round trip to a replica: {:?}",
        ok.latency()
    );

    w.isolate(0, true).unwrap();
    let refused = w.read_with(0, "x", ReadConsistency::Linearizable).unwrap();
    let refused = run_until_done(&mut w, refused, 5_000);
    assert_eq!(
        refused.outcome,
        Outcome::Fail,
        "no majority confirms: the read times out"
    );
    let local = w.read_with(0, "x", ReadConsistency::Eventual).unwrap();
    assert_eq!(
        run_until_done(&mut w, local, 1_000).outcome,
        Outcome::Ok,
        "a local read still answers"
    );
}
