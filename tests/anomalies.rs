//! The lab's checkers on runs with known outcomes: each anomaly is produced on purpose
//! and found, named, and judged against what the settings promised; the same runs with the
//! settings that prevent it find nothing. (The swarm covers the rest at random.)
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::checks::anomalies::Report;
use replica_lab::checks::facts::SplitBrain;
use replica_lab::checks::facts::{NodeStore, RunFacts};
use replica_lab::checks::{self, Kind};
use replica_lab::clients::history::Outcome;
use replica_lab::protocols::single_leader::ack::Visibility;
use replica_lab::protocols::single_leader::consistency::ReadConsistency;
use replica_lab::protocols::single_leader::routing::Meta;
use replica_lab::World;

fn three(ack: &str, read_from: &str, level: &str) -> String {
    format!(
        r#"{{"nodes": 3,
            "network": {{"latency": "10ms", "clientLatency": "1ms"}},
            "links": [{{"from": 0, "to": 2, "latency": "300ms"}}],
            "disk": {{"fsync": "1ms", "apply": "1ms"}},
            "replication": {{"heartbeat": "50ms", "ackPolicy": {ack}}},
            "failover": {{"electionTimeout": "400ms"}},
            "workload": {{"clients": 3, "rate": 30, "readFraction": 0.6, "keys": 2,
                         "readFrom": "{read_from}", "readConsistency": {level}, "timeout": "1s",
                         "stopAfter": "4s"}}}}"#
    )
}

fn settled(w: &mut World) -> Report {
    w.run_for(ms(6_000));
    assert!(w.looks_settled(), "the run should end healed and quiet");
    w.anomalies(true)
}

#[test]
fn a_lagging_replica_gives_stale_reads_and_session_violations_that_these_settings_allow() {
    // n2 is 300 ms from the primary: eventual reads there miss acknowledged writes.
    let mut w = world(&three(r#""async""#, "anyReplica", r#""eventual""#), 1);
    let r = settled(&mut w);
    assert!(r.count(Kind::StaleRead) > 5, "{}", r.describe());
    assert!(r.count(Kind::ReadYourWrites) > 0, "{}", r.describe());
    assert!(r.count(Kind::MonotonicReads) > 0, "{}", r.describe());
    assert_eq!(r.broken_promises(), 0, "eventual reads promise none of it");
    let stale = &r.found["staleRead"].examples[0];
    assert!(stale.nodes.contains(&2) || stale.nodes.contains(&1));
    assert!(stale.ops.len() >= 2, "the read and the write it missed");
    assert!(stale.text.contains("acknowledged"), "{}", stale.text);
    // The runner's summary carries the same report.
    assert_eq!(
        w.summary().anomalies.count(Kind::StaleRead),
        r.count(Kind::StaleRead)
    );
}

#[test]
fn session_levels_keep_their_own_guarantee() {
    for (level, kind) in [
        (r#""readYourWrites""#, Kind::ReadYourWrites),
        (r#""monotonic""#, Kind::MonotonicReads),
    ] {
        for seed in 0..4 {
            let mut w = world(&three(r#""async""#, "anyReplica", level), seed);
            let r = settled(&mut w);
            assert_eq!(r.count(kind), 0, "{level} seed {seed}: {}", r.describe());
            assert_eq!(r.broken_promises(), 0);
        }
    }
}

#[test]
fn linearizable_reads_with_majority_writes_find_nothing_and_are_checked_linearizable() {
    for seed in 0..4 {
        let mut w = world(
            &three(r#""majority""#, "primary", r#""linearizable""#),
            seed,
        );
        // A failover in the middle, for good measure.
        w.run_for(ms(1_500));
        w.crash(0).unwrap();
        w.run_for(ms(1_000));
        w.restart(0).unwrap();
        let r = settled(&mut w);
        assert!(r.found.is_empty(), "seed {seed}: {}", r.describe());
        assert_eq!(r.linearizability.as_deref(), Some("linearizable"));
    }
}

/// Cuts the primary off with writes acknowledged only by it, then elects another.
fn lose_writes_on_an_isolated_primary(w: &mut World) -> Vec<u64> {
    w.set_workload(&replica_lab::config::parse_workload_patch(r#"{"clients": 0}"#).unwrap())
        .unwrap();
    w.run_for(ms(500));
    w.isolate(0, true).unwrap();
    let ops: Vec<_> = (0..3)
        .map(|i| w.write("x", &format!("lost{i}")).unwrap())
        .collect();
    w.run_for(ms(30));
    ops
}

#[test]
fn an_isolated_primary_that_acknowledges_alone_loses_writes_and_readers_there_read_dirty() {
    // With asynchronous acks a write is acknowledged at the primary's flush, so it is
    // visible there at that moment under either visibility point.
    for visibility in [Visibility::AfterCommit, Visibility::AfterSync] {
        let mut w = world(&three(r#""async""#, "primary", r#""eventual""#), 3);
        w.set_visibility(visibility);
        let lost = lose_writes_on_an_isolated_primary(&mut w);
        // A reader next to the old primary reads what it just acknowledged.
        let read = w.read_with(0, "x", ReadConsistency::Eventual).unwrap();
        let read = run_until_done(&mut w, read, 200);
        assert_eq!(read.read.as_ref().map(|v| &*v.value), Some("lost2"));
        w.run_for(ms(1_500)); // the majority elects a new primary
        w.isolate(0, false).unwrap();
        w.write("x", "after").unwrap();
        let r = settled(&mut w);
        assert_eq!(r.count(Kind::LostAcknowledgedWrite), 3, "{}", r.describe());
        let examples = &r.found["lostAcknowledgedWrite"].examples;
        assert_eq!(examples.iter().map(|e| e.ops[0]).collect::<Vec<_>>(), lost);
        assert!(
            examples.iter().all(|e| !e.promised),
            "async acks promise nothing"
        );
        let dirty = &r.found["dirtyRead"];
        assert_eq!(dirty.count, 1, "{visibility:?}: {}", r.describe());
        assert_eq!(dirty.examples[0].ops, vec![read.id, lost[2]]);
        assert_eq!(dirty.promised, 0, "an eventual read may be dirty");
        assert!(lost.iter().all(|&op| w.op(op).unwrap().lost));
    }
}

#[test]
fn after_sync_keeps_an_unacknowledged_write_from_being_read_dirty() {
    // Majority acks: the cut-off primary cannot acknowledge; after sync its readers never
    // see the write, after commit they do, and the failover then takes it away.
    for (visibility, dirty) in [(Visibility::AfterSync, 0), (Visibility::AfterCommit, 1)] {
        let mut w = world(&three(r#""majority""#, "primary", r#""eventual""#), 4);
        w.set_visibility(visibility);
        lose_writes_on_an_isolated_primary(&mut w);
        let read = w.read_with(0, "x", ReadConsistency::Eventual).unwrap();
        run_until_done(&mut w, read, 200);
        w.run_for(ms(1_500));
        w.isolate(0, false).unwrap();
        let r = settled(&mut w);
        assert_eq!(
            r.count(Kind::LostAcknowledgedWrite),
            0,
            "nothing was acknowledged"
        );
        assert_eq!(
            r.count(Kind::DirtyRead),
            dirty,
            "{visibility:?}: {}",
            r.describe()
        );
        assert_eq!(r.broken_promises(), 0, "an eventual read may be dirty");
    }
}

#[test]
fn a_session_whose_earlier_write_was_lost_breaks_monotonic_writes() {
    let mut w = world(&three(r#""async""#, "primary", r#""eventual""#), 5);
    let lost = lose_writes_on_an_isolated_primary(&mut w);
    w.run_for(ms(1_500));
    w.isolate(0, false).unwrap();
    // The same (page) client writes again, now through the new primary: it survives.
    let later = w.write("y", "kept").unwrap();
    assert_eq!(run_until_done(&mut w, later, 1_000).outcome, Outcome::Ok);
    let r = settled(&mut w);
    let mw = &r.found["monotonicWrites"];
    assert!(
        mw.examples.iter().any(|e| e.ops == vec![later, lost[2]]),
        "{mw:?}"
    );
}

fn facts<'a>(ops: &'a [replica_lab::Op], split: &'a [SplitBrain]) -> RunFacts<'a, Meta> {
    RunFacts {
        ops,
        surviving: Default::default(),
        decided: (0, 0),
        settled: true,
        consensus: true,
        stores: Vec::new(),
        split_brains: split,
        discards: &[],
        order: &[],
        now: 1_000,
        judged_through: 0,
        segment: false,
    }
}

#[test]
fn replicas_that_differ_once_quiet_are_divergent_and_two_winners_of_a_term_are_a_split_brain() {
    let store = |node, pairs: &[(&str, u64)]| NodeStore {
        node,
        store: pairs.iter().map(|&(k, op)| (k.into(), op)).collect(),
    };
    let mut f = facts(&[], &[]);
    f.stores = vec![
        store(0, &[("x", 4), ("y", 5)]),
        store(1, &[("x", 4), ("y", 5)]),
        store(2, &[("x", 3)]),
    ];
    let r = checks::judge(&f);
    assert_eq!(r.count(Kind::Divergence), 1);
    let d = &r.found["divergence"].examples[0];
    assert_eq!(d.nodes, vec![0, 2]);
    assert!(d.text.contains("2 keys"), "{}", d.text);
    assert!(d.promised, "Raft converges");
    f.settled = false;
    let r = checks::judge(&f);
    assert_eq!(r.count(Kind::Divergence), 0);
    assert!(r.not_judged.contains_key("divergence"));

    let split = [
        SplitBrain {
            at: 10,
            nodes: [0, 1],
            terms: [3, 3],
            same_term: true,
            durable: false,
        },
        SplitBrain {
            at: 20,
            nodes: [1, 2],
            terms: [3, 4],
            same_term: false,
            durable: false,
        },
    ];
    let r = checks::judge(&facts(&[], &split));
    let sb = &r.found["splitBrain"];
    assert_eq!(
        (sb.count, sb.promised),
        (2, 1),
        "one leader per term is Raft's promise"
    );
    assert!(sb.examples[0].text.contains("both won term 3"));
}

#[test]
fn the_labs_history_is_a_jepsen_history_that_the_standalone_checker_reads_back() {
    use replica_lab::checks::history::History;
    use replica_lab::checks::linearizable::{check_linearizable, CheckOptions, Verdict};
    // A run with compare-and-sets, time-outs and a failover: every outcome kind appears.
    let json = three(r#""majority""#, "primary", r#""linearizable""#)
        .replace(r#""keys": 2"#, r#""keys": 2, "casFraction": 0.4"#);
    let mut w = world(&json, 6);
    w.run_for(ms(1_000));
    w.crash(0).unwrap();
    let _ = w.cas("x", None, "mine");
    w.run_for(ms(4_000));
    let exported = w.jepsen_history(true).to_json();
    let read_back = History::from_json(&exported).expect("the lab writes valid histories");
    let ops = read_back.operations().unwrap();
    assert_eq!(ops.len(), w.history().len());
    assert!(exported.contains(r#""type":"info""#) && exported.contains(r#""f":"cas""#));
    // Only writes and linearizable reads promise linearizability: all of them here.
    let verdict = check_linearizable(&read_back, &CheckOptions::default())
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::Linearizable);
    assert_eq!(
        w.anomalies(false).linearizability.as_deref(),
        Some("linearizable")
    );
}
