//! The promises the lab broke when tried as a new user would (issue 8), one scenario each:
//! a new leader's linearizable reads, primary-only reads at a replica, when a write becomes
//! visible, the semi-sync fallback, bounded-staleness reads that wait, learners, and
//! operator actions on nodes that do not exist.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::clients::history::{OpError, Outcome};
use replica_lab::kernel::NodeStatus;
use replica_lab::protocols::single_leader::ack::{AckPolicy, Visibility};
use replica_lab::protocols::single_leader::consistency::ReadConsistency;
use replica_lab::protocols::single_leader::messages::Payload;
use replica_lab::protocols::single_leader::node::Role;
use replica_lab::World;

fn quiet(nodes: u32, ack: &str, apply: &str) -> String {
    format!(
        r#"{{"nodes": {nodes},
            "network": {{"latency": "10ms", "clientLatency": "1ms"}},
            "disk": {{"fsync": "1ms", "apply": "{apply}"}},
            "replication": {{"heartbeat": "50ms", "ackPolicy": {ack}}},
            "failover": {{"electionTimeout": "300ms"}},
            "workload": {{"clients": 0}}}}"#
    )
}

fn wait_for_new_primary(w: &mut World, old: u32) -> u32 {
    let deadline = w.now() + ms(5_000);
    while w.now() < deadline {
        if let Some(p) = w.primary().filter(|&p| p != old) {
            return p;
        }
        assert!(w.step());
    }
    panic!("no new primary");
}

#[test]
fn a_new_leader_answers_linearizable_reads_only_after_committing_in_its_own_term() {
    // Replicas apply slowly (40 ms an entry), so the winner of the election has the
    // acknowledged writes in its log but not yet in its store. Its first linearizable read
    // must still return the last acknowledged write.
    for seed in 0..8 {
        let mut w = world(&quiet(3, r#""majority""#, "40ms"), seed);
        let mut last = None;
        for i in 0..6 {
            let op = w.write("x", &format!("v{i}")).unwrap();
            last = Some(run_until_done(&mut w, op, 1_000));
        }
        assert_eq!(last.unwrap().outcome, Outcome::Ok);
        w.crash(0).unwrap();
        let p = wait_for_new_primary(&mut w, 0);
        let leader = w.node(p);
        assert!(
            matches!(kept(leader).last().map(|e| &e.payload), Some(Payload::Noop)),
            "a new leader's first entry is a no-op of its term"
        );
        let read = w.read_with(p, "x", ReadConsistency::Linearizable).unwrap();
        let read = run_until_done(&mut w, read, 2_000);
        assert_eq!(read.outcome, Outcome::Ok, "seed {seed}");
        assert_eq!(
            read.read.as_ref().map(|v| &*v.value),
            Some("v5"),
            "seed {seed}: a linearizable read right after the election"
        );
        assert!(
            read.latency().unwrap() >= ms(20),
            "it waited for its no-op and a round of its own term"
        );
    }
}

#[test]
fn a_replica_refuses_reads_meant_for_the_primary_and_names_it() {
    let mut w = world(
        &quiet(3, r#""async""#, "1ms").replace(
            r#""workload": {"clients": 0}"#,
            r#""workload": {"clients": 2, "rate": 20, "readFrom": "primary", "readFraction": 0.8}"#,
        ),
        4,
    );
    w.run_for(ms(500));
    w.switchover(1).unwrap();
    w.run_for(ms(3_000));
    assert_eq!(w.primary(), Some(1));
    let reads: Vec<_> = w
        .history()
        .ops()
        .iter()
        .filter(|o| {
            o.kind == replica_lab::clients::history::OpKind::Read && o.outcome == Outcome::Ok
        })
        .collect();
    assert!(reads.len() > 50);
    // Clients that sent a read to a node that was not primary were told where it is.
    assert!(reads.iter().any(|r| Some(r.asked) != r.served_by));
    for r in &reads {
        let server = r.served_by.unwrap();
        let at = r.completed_at.unwrap();
        // Whoever answered was primary then: n0 until the handover, n1 after it.
        let primary_then = w
            .summary()
            .cluster
            .failovers
            .iter()
            .rev()
            .find(|f| f.at <= at)
            .map_or(0, |f| f.to);
        assert_eq!(server, primary_then, "read {} answered by a replica", r.id);
    }
}

#[test]
fn after_sync_hides_an_unacknowledged_write_at_the_primary_and_after_commit_shows_it() {
    for (visibility, visible) in [
        (Visibility::AfterSync, false),
        (Visibility::AfterCommit, true),
    ] {
        let mut w = world(&quiet(3, r#""all""#, "1ms"), 1);
        w.set_visibility(visibility);
        // Both replicas are cut off: the write can never be acknowledged.
        w.isolate(1, true).unwrap();
        w.isolate(2, true).unwrap();
        let write = w.write("x", "pending").unwrap();
        w.run_for(ms(100));
        assert_eq!(w.op(write).unwrap().outcome, Outcome::Pending);
        let read = w.read_with(0, "x", ReadConsistency::Eventual).unwrap();
        let read = run_until_done(&mut w, read, 500);
        assert_eq!(read.outcome, Outcome::Ok);
        assert_eq!(
            read.read.is_some(),
            visible,
            "{visibility:?}: does a reader at the primary see the unacknowledged write?"
        );
        // A majority read never sees it either way: it is not committed.
        let majority = w.read_with(0, "x", ReadConsistency::Majority).unwrap();
        assert!(run_until_done(&mut w, majority, 500).read.is_none());
    }
}

#[test]
fn semi_sync_falls_back_when_a_replica_is_down_and_returns_when_enough_catch_up() {
    let mut w = world(&quiet(3, r#""all""#, "1ms"), 2);
    w.set_semi_sync_fallback(Some(ms(200)));
    w.crash(2).unwrap();
    let op = w.write("x", "1").unwrap();
    let done = run_until_done(&mut w, op, 2_000);
    assert_eq!(
        done.outcome,
        Outcome::Ok,
        "MySQL falls back to async after the timeout"
    );
    assert!((ms(200)..ms(260)).contains(&done.latency().unwrap()));
    assert!(w.node(0).leader.as_ref().unwrap().semi_sync_off);
    // With one of two replicas back, semi-sync stays off ("all" needs both) ...
    let quick = w.write("x", "2").unwrap();
    assert!(run_until_done(&mut w, quick, 500).latency().unwrap() < ms(10));
    assert!(w.node(0).leader.as_ref().unwrap().semi_sync_off);
    // ... and comes back on once both have caught up.
    w.restart(2).unwrap();
    w.run_for(ms(300));
    let w2 = w.write("x", "3").unwrap();
    w.run_for(ms(100));
    assert!(!w.node(0).leader.as_ref().unwrap().semi_sync_off);
    let slow = run_until_done(&mut w, w2, 500);
    assert!(
        slow.latency().unwrap() >= ms(20),
        "synchronous again: {:?}",
        slow.latency()
    );
}

#[test]
fn a_new_node_cannot_vote_or_win_until_it_has_caught_up() {
    let mut w = world(&quiet(3, r#""majority""#, "1ms"), 3);
    for i in 0..20 {
        w.write(&format!("k{i}"), "v").unwrap();
    }
    w.run_for(ms(300));
    // Slow the newcomer's link so it is still catching up when the primary dies.
    let new = w.add_replica().unwrap();
    let slow = replica_lab::kernel::net::LinkSpec {
        latency: replica_lab::config::Latency::constant(400),
        jitter: 0,
        loss: 0,
        reorder: false,
    };
    w.set_link(0, new, slow, false).unwrap();
    w.crash(0).unwrap();
    w.crash(1).unwrap();
    // Left: n2 (a voter) and the newcomer (a learner). A majority of the three voters is
    // two: nobody can be elected, and the newcomer with its empty log never stands.
    w.run_for(ms(3_000));
    assert_eq!(w.primary(), None);
    assert!(w.node(new).term <= w.node(2).term);
    assert_ne!(w.node(new).role, Role::Primary);
    assert!(!w.node(2).config.is_voter(new));
}

#[test]
fn actions_on_a_node_that_does_not_exist_are_clear_errors() {
    let mut w = world(&quiet(3, r#""async""#, "1ms"), 1);
    for (what, result) in [
        ("crash", w.crash(7)),
        ("restart", w.restart(7)),
        ("pause", w.pause(42)),
        ("lose disk", w.crash_lose_disk(9)),
        ("promote", w.promote(99)),
        ("switchover", w.switchover(5)),
        ("isolate", w.isolate(8, true)),
        ("remove", w.remove_replica(3)),
    ] {
        let e = result.unwrap_err();
        assert!(e.0.contains("no node"), "{what}: {e}");
    }
    assert!(w.write_to(12, "x", "1").is_err());
    assert_eq!(w.slot(0).status, NodeStatus::Up);
}

#[test]
fn compare_and_set_is_decided_by_the_primary_in_log_order() {
    let mut w = world(&quiet(3, r#""majority""#, "1ms"), 5);
    let a = w.cas("x", None, "first").unwrap();
    let b = w.cas("x", None, "second").unwrap();
    let c = w.cas("x", Some("first"), "third").unwrap();
    w.run_for(ms(200));
    let swapped = |op| w.op(op).unwrap().swapped;
    assert_eq!(swapped(a), Some(true), "x was absent");
    assert_eq!(swapped(b), Some(false), "x already held `first`");
    assert_eq!(
        swapped(c),
        Some(true),
        "queued behind a, so it sees `first`"
    );
    for id in 0..3 {
        assert_eq!(&*w.node(id).kv["x"].value, "third");
    }
    let failed = w.op(b).unwrap();
    assert_eq!(
        failed.outcome,
        Outcome::Ok,
        "a failed compare is an answer, not an error"
    );
    assert_eq!(failed.error, None::<OpError>);
    let _ = AckPolicy::ASYNC;
}
