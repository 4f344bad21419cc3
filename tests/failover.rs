//! Failover: Raft-style elections with the term as fencing token, the naive failover
//! manager's split brain, divergence and truncation on rejoin (acknowledged writes lost and
//! reported), planned switchover, forced promotion, pauses and partitions. Randomised
//! schedules print their seed on failure (proptest), so a failing run replays exactly.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use replica_lab::checks::Kind;
use replica_lab::clients::history::{OpKind, Outcome};
use replica_lab::kernel::trace::TraceEvent;
use replica_lab::kernel::NodeStatus;
use replica_lab::protocols::single_leader::messages::{NodeEvent, NodeId, Term};
use replica_lab::protocols::single_leader::node::Role;
use replica_lab::World;
use std::collections::BTreeMap;

fn cluster(nodes: u32, ack: &str, mode: &str, timeout_ms: u64) -> String {
    format!(
        r#"{{"nodes": {nodes},
            "network": {{"latency": {{"kind": "uniform", "min": "5ms", "max": "15ms"}}, "clientLatency": "2ms"}},
            "disk": {{"fsync": "1ms", "apply": "1ms"}},
            "replication": {{"heartbeat": "50ms", "ackPolicy": {ack}}},
            "failover": {{"mode": "{mode}", "electionTimeout": "{timeout_ms}ms"}},
            "workload": {{"clients": 4, "rate": 20, "readFraction": 0.3, "keys": 5, "timeout": "1s"}}}}"#
    )
}

/// Who became primary in which term, from the trace.
fn leaders_by_term(w: &World) -> BTreeMap<Term, Vec<NodeId>> {
    let mut by_term: BTreeMap<Term, Vec<NodeId>> = BTreeMap::new();
    by_term.entry(1).or_default().push(0);
    for r in w.trace().since(0, usize::MAX) {
        if let TraceEvent::Node {
            node,
            event: NodeEvent::BecamePrimary { term },
        } = r.event
        {
            by_term.entry(term).or_default().push(node);
        }
    }
    by_term
}

fn primaries(w: &World) -> Vec<NodeId> {
    w.members()
        .into_iter()
        .filter(|&n| w.slot(n).status == NodeStatus::Up && w.node(n).role == Role::Primary)
        .collect()
}

#[test]
fn crashing_the_primary_elects_a_replica_within_the_timeouts_and_writes_resume() {
    let mut w = world(&cluster(5, r#""majority""#, "raft", 500), 11);
    w.run_for(ms(2_000));
    w.crash(0).unwrap();
    w.run_for(ms(4_000));
    let p = primaries(&w);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_ne!(p[0], 0);
    assert!(w.node(p[0]).term >= 2);
    let f = &w.summary().cluster.failovers[0];
    assert_eq!((f.from, f.to), (Some(0), p[0]));
    // Detection takes 500 ms to 1 s (the randomised timeout), the vote a round trip.
    assert!((ms(500)..ms(1_200)).contains(&f.took), "took {} us", f.took);
    let after = w
        .history()
        .ops()
        .iter()
        .filter(|o| o.kind == OpKind::Write && o.outcome == Outcome::Ok)
        .filter(|o| o.invoked_at > f.at)
        .count();
    assert!(after > 10, "clients found the new primary ({after} writes)");
    assert!(w.summary().cluster.lost_writes.is_empty());
}

#[test]
fn async_acks_then_a_primary_crash_lose_acknowledged_writes_and_the_loss_is_reported() {
    let mut w = world(&cluster(3, r#""async""#, "raft", 300), 5);
    w.set_workload(&replica_lab::config::parse_workload_patch(r#"{"clients": 0}"#).unwrap())
        .unwrap();
    w.run_for(ms(500));
    // The primary is cut off from its replicas, acknowledges writes locally, then dies.
    w.isolate(0, true).unwrap();
    let ops: Vec<_> = (0..3)
        .map(|i| w.write(&format!("k{i}"), "doomed").unwrap())
        .collect();
    w.run_for(ms(50));
    for &op in &ops {
        assert_eq!(w.op(op).unwrap().outcome, Outcome::Ok, "acknowledged");
    }
    w.crash(0).unwrap();
    w.isolate(0, false).unwrap();
    w.run_for(ms(2_000));
    assert_eq!(primaries(&w).len(), 1);
    // The old primary comes back, meets the new primary's log and discards its suffix.
    w.restart(0).unwrap();
    w.run_for(ms(2_000));
    let summary = w.summary();
    let lost: Vec<_> = summary.cluster.lost_writes.iter().map(|l| l.op).collect();
    assert_eq!(
        lost, ops,
        "every acknowledged-then-discarded write is reported"
    );
    assert!(ops.iter().all(|&op| w.op(op).unwrap().lost));
    assert_eq!(summary.anomalies.count(Kind::LostAcknowledgedWrite), 3);
    let lost = &summary.anomalies.found["lostAcknowledgedWrite"];
    assert_eq!(lost.promised, 0, "asynchronous acks promise nothing");
    assert!(
        lost.examples[0].text.contains("n0 discarded it"),
        "{:?}",
        lost.examples[0]
    );
    assert_log_matching(&w);
}

#[test]
fn the_up_to_date_rule_keeps_a_lagging_replica_from_winning() {
    // n2 is cut off and falls behind, standing for election again and again (its term
    // climbs). Then the primary dies and n2 is reconnected: its high term makes n1 step up
    // to that term, but n1 refuses its vote (shorter log), so only n1 can win.
    for seed in 0..10 {
        let mut w = world(&cluster(3, r#""majority""#, "raft", 300), seed);
        w.run_for(ms(500));
        w.isolate(2, true).unwrap();
        w.run_for(ms(1_500));
        assert!(
            w.node(1).last_lsn() > w.node(2).last_lsn() + 3,
            "seed {seed}"
        );
        assert!(w.node(2).term > w.node(1).term, "seed {seed}");
        w.crash(0).unwrap();
        w.isolate(2, false).unwrap();
        let crash_at = w.now();
        w.run_for(ms(3_000));
        assert_eq!(primaries(&w), vec![1], "seed {seed}");
        let votes_for_2 = w
            .trace()
            .since(0, usize::MAX)
            .filter(|r| r.at > crash_at)
            .filter(|r| {
                matches!(
                    r.event,
                    TraceEvent::Node {
                        event: NodeEvent::Voted { candidate: 2, .. },
                        ..
                    }
                )
            })
            .count();
        assert_eq!(votes_for_2, 0, "seed {seed}");
    }
}

#[test]
fn naive_failover_under_a_partition_produces_a_split_brain_that_is_detected() {
    let mut w = world(&cluster(3, r#""async""#, "naive", 500), 3);
    w.run_for(ms(1_000));
    w.partition(&[vec![0], vec![1, 2]]).unwrap();
    w.run_for(ms(3_000));
    let cuts = w.snapshot(Default::default()).cuts;
    assert_eq!(cuts, [[0, 1], [0, 2], [1, 0], [2, 0]]);
    let p = primaries(&w);
    assert_eq!(p.len(), 2, "the old primary still leads its side: {p:?}");
    // The workload's clients still reach the old primary; the page's client follows the
    // monitor to the new one: both acknowledge writes.
    let op = w.write("x", "new side").unwrap();
    assert_eq!(run_until_done(&mut w, op, 1_000).outcome, Outcome::Ok);
    w.run_for(ms(500));
    let summary = w.summary();
    assert!(!summary.cluster.split_brains.is_empty());
    assert_eq!(summary.anomalies.count(Kind::SplitBrain), 1);
    // Healing: the old primary meets the higher term, steps down and discards what it
    // acknowledged alone.
    w.heal();
    w.run_for(ms(3_000));
    assert_eq!(primaries(&w).len(), 1);
    assert!(!w.summary().cluster.lost_writes.is_empty());
}

#[test]
fn raft_under_the_same_partition_keeps_one_writable_primary() {
    let mut w = world(&cluster(3, r#""majority""#, "raft", 500), 3);
    w.run_for(ms(1_000));
    w.partition(&[vec![0], vec![1, 2]]).unwrap();
    w.run_for(ms(3_000));
    // The cut-off primary stepped down (CheckQuorum); the majority side elected one.
    let p = primaries(&w);
    assert_eq!(p.len(), 1);
    assert_ne!(p[0], 0);
    w.heal();
    w.run_for(ms(3_000));
    let summary = w.summary();
    assert!(summary.cluster.lost_writes.is_empty());
    assert!(summary.cluster.split_brains.is_empty());
}

#[test]
fn a_planned_switchover_hands_over_without_losing_a_write() {
    let mut w = world(&cluster(3, r#""async""#, "raft", 1_000), 8);
    w.run_for(ms(1_000));
    w.switchover(2).unwrap();
    w.run_for(ms(2_000));
    assert_eq!(primaries(&w), vec![2]);
    let summary = w.summary();
    assert!(summary.cluster.lost_writes.is_empty());
    let f = summary.cluster.failovers.last().unwrap();
    assert_eq!((f.from, f.to), (Some(0), 2));
    assert!(f.took < ms(100), "a handover is quick: {}", f.took);
    assert_log_matching(&w);
}

#[test]
fn a_forced_promotion_of_a_lagging_replica_discards_what_it_lacked() {
    let mut w = world(&cluster(3, r#""async""#, "off", 1_000), 4);
    w.set_link_up(0, 2, false).unwrap();
    w.run_for(ms(1_000));
    w.crash(0).unwrap();
    w.set_link_up(0, 2, true).unwrap();
    w.promote(2).unwrap();
    w.run_for(ms(1_000));
    assert_eq!(primaries(&w), vec![2]);
    // n1 had acknowledged-by-the-old-primary writes that n2 never got: they are gone.
    let summary = w.summary();
    assert!(!summary.cluster.lost_writes.is_empty());
    assert!(summary.cluster.lost_writes.iter().all(|l| l.node == 1));
}

#[test]
fn a_paused_primary_wakes_up_believing_it_leads_then_steps_down() {
    let mut w = world(&cluster(3, r#""async""#, "raft", 300), 6);
    w.run_for(ms(500));
    w.pause(0).unwrap();
    w.run_for(ms(2_000));
    let others = primaries(&w);
    assert_eq!(others.len(), 1);
    assert_ne!(others[0], 0);
    w.resume(0).unwrap();
    assert_eq!(w.node(0).role, Role::Primary, "it still believes it leads");
    w.run_for(ms(1_000));
    assert_eq!(w.node(0).role, Role::Replica);
    assert_eq!(primaries(&w), others);
}

#[test]
fn failover_time_tracks_the_election_timeout() {
    for timeout in [300u64, 1_000] {
        let mut took = Vec::new();
        for seed in 0..12 {
            let mut w = world(&cluster(5, r#""majority""#, "raft", timeout), seed);
            w.run_for(ms(1_000));
            w.crash(0).unwrap();
            w.run_for(ms(6 * timeout));
            took.push(w.summary().cluster.failovers[0].took as f64 / 1000.0);
        }
        let mean = took.iter().sum::<f64>() / took.len() as f64;
        let t = timeout as f64;
        assert!(
            took.iter().all(|&x| x >= t * 0.9 && x <= 3.0 * t),
            "{timeout} ms: {took:?}"
        );
        assert!(mean > t && mean < 2.2 * t, "{timeout} ms: mean {mean}");
    }
}

#[derive(Clone, Debug)]
enum Fault {
    Crash(NodeId),
    Restart(NodeId),
    Pause(NodeId),
    Resume(NodeId),
    Isolate(NodeId),
    Split(u32),
    Heal,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        (0u32..5).prop_map(Fault::Crash),
        (0u32..5).prop_map(Fault::Restart),
        (0u32..5).prop_map(Fault::Pause),
        (0u32..5).prop_map(Fault::Resume),
        (0u32..5).prop_map(Fault::Isolate),
        any::<u32>().prop_map(Fault::Split),
        Just(Fault::Heal),
    ]
}

fn inject(w: &mut World, f: &Fault) {
    // Refused actions (restarting a running node...) change nothing; that is fine here.
    let _ = match *f {
        Fault::Crash(n) => w.crash(n),
        Fault::Restart(n) => w.restart(n),
        Fault::Pause(n) => w.pause(n),
        Fault::Resume(n) => w.resume(n),
        Fault::Isolate(n) => w.isolate(n, true),
        Fault::Split(bits) => {
            let (a, b): (Vec<NodeId>, Vec<NodeId>) = (0..5).partition(|i| bits >> i & 1 == 1);
            w.partition(&[a, b])
        }
        Fault::Heal => {
            w.heal();
            Ok(())
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, .. ProptestConfig::default() })]

    /// VOPR-style: with majority acknowledgement and Raft elections, no acknowledged write
    /// is ever lost under random crashes, restarts, pauses, partitions and message loss; at
    /// most one primary per term; logs match; and once the faults heal, one primary leads
    /// and every replica converges.
    #[test]
    fn majority_acks_with_elections_never_lose_an_acknowledged_write(
        seed in any::<u64>(),
        loss in prop_oneof![Just(0.0), 0.0..0.2f64],
        faults in proptest::collection::vec((100u64..800, fault()), 1..12),
        pre_vote in any::<bool>(),
    ) {
        let json = cluster(5, r#""majority""#, "raft", 300)
            .replace(r#""electionTimeout": "300ms"}"#, &format!(r#""electionTimeout": "300ms", "preVote": {pre_vote}}}"#))
            .replace(r#""clientLatency": "2ms""#, &format!(r#""clientLatency": "2ms", "loss": {loss}"#))
            .replace(r#""timeout": "1s""#, r#""timeout": "1s", "stopAfter": "12s""#);
        let mut w = world(&json, seed);
        for (gap, f) in &faults {
            w.run_for(ms(*gap));
            inject(&mut w, f);
        }
        // Liveness phase: heal everything, restart and resume everyone, wait.
        w.heal();
        for n in w.members() {
            let _ = w.restart(n);
            let _ = w.resume(n);
        }
        w.run_until(ms(30_000), u64::MAX);
        for (term, leaders) in leaders_by_term(&w) {
            prop_assert!(leaders.len() == 1, "term {} had primaries {:?}", term, leaders);
        }
        let p = primaries(&w);
        prop_assert_eq!(p.len(), 1, "one primary after healing: {:?}", p);
        let primary = w.node(p[0]);
        for op in w.history().ops() {
            if let (OpKind::Write, Outcome::Ok, Some(lsn)) = (op.kind, op.outcome, op.written.map(|p| p.1)) {
                let entry = primary.entry(lsn);
                prop_assert!(entry.is_some_and(|e| e.op == op.id), "acknowledged write {} (lsn {}) lost", op.id, lsn);
            }
        }
        prop_assert!(w.summary().cluster.lost_writes.is_empty());
        for n in w.members() {
            prop_assert_eq!(w.node(n).last_lsn(), primary.last_lsn(), "node {} did not converge", n);
            let matching = log_prefix_of(w.node(n), primary);
            prop_assert!(matching.is_ok(), "node {} did not converge: {:?}", n, matching);
        }
    }
}

#[test]
fn a_client_that_has_seen_a_newer_term_fences_off_the_old_primary() {
    let mut w = world(&cluster(3, r#""async""#, "raft", 300), 6);
    w.set_workload(&replica_lab::config::parse_workload_patch(r#"{"clients": 0}"#).unwrap())
        .unwrap();
    w.run_for(ms(500));
    w.pause(0).unwrap();
    w.run_for(ms(2_000));
    let new = primaries(&w)[0];
    // The page's client writes through the new primary and so learns its term.
    let op = w.write("x", "1").unwrap();
    assert_eq!(run_until_done(&mut w, op, 1_000).outcome, Outcome::Ok);
    // The old primary wakes believing it leads; the client's write carries the newer term.
    w.resume(0).unwrap();
    let resumed_at = w.now();
    let op = w.write_to(0, "x", "2").unwrap();
    let done = run_until_done(&mut w, op, 2_000);
    assert_eq!(w.node(0).role, Role::Replica);
    let acks_by_old = w
        .trace()
        .since(0, usize::MAX)
        .filter(|r| r.at >= resumed_at)
        .filter(|r| {
            matches!(
                r.event,
                TraceEvent::Node {
                    node: 0,
                    event: NodeEvent::Acknowledged { .. }
                }
            )
        })
        .count();
    assert_eq!(acks_by_old, 0, "the deposed primary acknowledged nothing");
    assert!(
        done.outcome != Outcome::Ok || done.node == new,
        "refused, or redirected to the new primary: {done:?}"
    );
}

/// Runs a scenario file for its own `until`, with its own seed.
fn run_file(
    text: &str,
) -> replica_lab::observe::stats::Summary<replica_lab::protocols::SingleLeader> {
    let s = scenario(text);
    let mut w = World::new(&s, s.seed.unwrap()).unwrap();
    w.run_until(s.until.unwrap().micros(), u64::MAX);
    w.summary()
}

#[test]
fn the_failover_lesson_replays_its_timed_faults_and_loses_nothing() {
    let summary = run_file(include_str!("../www/scenarios/failover.json"));
    assert!(
        summary.fault_errors.is_empty(),
        "{:?}",
        summary.fault_errors
    );
    let moves: Vec<_> = summary
        .cluster
        .failovers
        .iter()
        .map(|f| (f.from, f.to))
        .collect();
    assert_eq!(moves.len(), 3, "{moves:?}");
    assert_eq!(moves[0].0, Some(0), "the crashed primary is replaced first");
    assert!(summary.cluster.failovers.iter().all(|f| f.took < ms(2_500)));
    assert!(summary.cluster.lost_writes.is_empty());
    assert!(summary.cluster.split_brains.is_empty());
    assert!(summary.writes.ok > 50);
}

#[test]
fn the_split_brain_lesson_shows_two_primaries_and_the_writes_they_cost() {
    let summary = run_file(include_str!("../www/scenarios/split-brain.json"));
    assert!(
        summary.fault_errors.is_empty(),
        "{:?}",
        summary.fault_errors
    );
    assert_eq!(summary.anomalies.count(Kind::SplitBrain), 1);
    assert!(summary.anomalies.count(Kind::LostAcknowledgedWrite) > 0);
    assert_eq!(
        summary.anomalies.broken_promises(),
        0,
        "a naive failover manager promises nothing: {}",
        summary.anomalies.describe()
    );
}

#[test]
fn a_timed_fault_that_cannot_happen_is_reported_not_fatal() {
    let summary = run_file(
        r#"{"nodes": 3, "seed": 1, "until": "2s",
            "faults": [{"at": "1s", "action": "restart", "node": 1}]}"#,
    );
    assert_eq!(summary.fault_errors, ["faults[0] at 1s: n1 is not crashed"]);
}

#[test]
fn synchronous_commit_off_loses_acknowledged_writes_in_a_primary_crash() {
    // PostgreSQL `synchronous_commit = off`: answered before the fsync (20 ms here), and
    // shipped only after a 10 ms batch delay; the primary dies in between.
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "failover": {"mode": "off"},
            "network": {"clientLatency": "1ms"}, "disk": {"fsync": "20ms"},
            "replication": {"batchDelay": "10ms", "ackPolicy": "off"}}"#,
        1,
    );
    w.run_for(ms(100));
    let op = w.write("k", "fast").unwrap();
    let done = run_until_done(&mut w, op, 100);
    assert_eq!(done.outcome, Outcome::Ok);
    assert_eq!(
        done.latency(),
        Some(ms(2)),
        "no fsync, no replica: just the round trip"
    );
    w.crash(0).unwrap();
    let summary = w.summary();
    assert_eq!(summary.cluster.lost_writes.len(), 1);
    assert_eq!(summary.cluster.lost_writes[0].op, op);
    assert!(w.op(op).unwrap().lost);

    // With `async` (local flush) the same crash loses nothing: the write was on disk.
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "failover": {"mode": "off"},
            "network": {"clientLatency": "1ms"}, "disk": {"fsync": "20ms"},
            "replication": {"batchDelay": "10ms", "ackPolicy": "async"}}"#,
        1,
    );
    w.run_for(ms(100));
    let op = w.write("k", "durable").unwrap();
    assert_eq!(run_until_done(&mut w, op, 100).outcome, Outcome::Ok);
    w.crash(0).unwrap();
    assert!(w.summary().cluster.lost_writes.is_empty());
}

#[test]
fn semi_sync_fallback_then_a_primary_failure_loses_what_was_acknowledged_asynchronously() {
    // MySQL: the replicas stall, semi-sync gives up after 200 ms and acknowledges
    // asynchronously; the primary then dies and an operator promotes a replica.
    let mut w = world(
        r#"{"nodes": 3, "workload": {"clients": 0}, "failover": {"mode": "off"},
            "network": {"latency": "5ms", "clientLatency": "1ms"},
            "replication": {"ackPolicy": {"replicas": 1}, "semiSyncFallback": "200ms"}}"#,
        2,
    );
    w.run_for(ms(100));
    for r in [1, 2] {
        w.set_link_up(0, r, false).unwrap();
    }
    let ops: Vec<_> = (0..3)
        .map(|i| w.write(&format!("k{i}"), "x").unwrap())
        .collect();
    w.run_for(ms(400));
    assert!(ops
        .iter()
        .all(|&op| w.op(op).unwrap().outcome == Outcome::Ok));
    w.crash(0).unwrap();
    w.promote(1).unwrap();
    for r in [1, 2] {
        w.set_link_up(0, r, true).unwrap();
    }
    w.restart(0).unwrap();
    w.run_for(ms(2_000));
    let lost: Vec<_> = w
        .summary()
        .cluster
        .lost_writes
        .iter()
        .map(|l| l.op)
        .collect();
    assert_eq!(lost, ops);
}

#[test]
fn pre_vote_keeps_a_cut_off_node_from_disrupting_the_cluster_when_it_returns() {
    for pre_vote in [false, true] {
        let json = cluster(5, r#""majority""#, "raft", 300).replace(
            r#""electionTimeout": "300ms"}"#,
            &format!(r#""electionTimeout": "300ms", "preVote": {pre_vote}}}"#),
        );
        let mut w = world(&json, 4);
        w.run_for(ms(1_000));
        let term_before = w.node(0).term;
        w.isolate(4, true).unwrap();
        w.run_for(ms(3_000));
        let cut_off_term = w.node(4).term;
        w.isolate(4, false).unwrap();
        w.run_for(ms(2_000));
        let failovers = w.summary().cluster.failovers.len();
        if pre_vote {
            // Its pre-votes found no majority: it never raised its term, and its return
            // changed nothing.
            assert_eq!(cut_off_term, term_before);
            assert_eq!(failovers, 0);
            assert_eq!(primaries(&w), vec![0]);
        } else {
            // Plain Raft: it stood again and again; its high term deposes the primary.
            assert!(cut_off_term > term_before + 3, "{cut_off_term}");
            assert!(failovers >= 1);
        }
        assert_eq!(primaries(&w).len(), 1);
    }
}
