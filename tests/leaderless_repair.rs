//! The leaderless model's repair and versions: read repair fixes exactly the replicas a
//! read contacted; hints replay within the hint window and are dropped after it; a skewed
//! clock makes a later write lose under last-write-wins, reported as a lost acknowledged
//! write; the ring moves only the ranges of a node that joins or leaves; bad settings are
//! refused by field.
#![cfg(not(target_arch = "wasm32"))]

mod leaderless;

use leaderless::{done, key_where, ms, ring, stored};
use replica_lab::checks::Kind;
use replica_lab::clients::history::Outcome;
use replica_lab::protocols::leaderless::ring::Ring;
use replica_lab::Scenario;

/// A key replicated on a, b, c (in ring order) with one value written only on `a`: the
/// other two were cut off and hints are off.
fn one_copy(repair: &str) -> (leaderless::Ring, String, [u32; 3]) {
    let settings = format!(
        r#""replicationFactor": 3, "writeConsistency": "ONE", "readConsistency": "TWO",
           "readRepair": "{repair}", "hintedHandoff": false, "writeTimeout": "200ms""#
    );
    let mut w = ring(4, &settings, "", 3);
    let key = key_where(&w, |_| true);
    let r = w.replicas_of(&key);
    let (a, b, c) = (r[0], r[1], r[2]);
    w.isolate(b, true).unwrap();
    w.isolate(c, true).unwrap();
    let op = w.write_to(a, &key, "v1").unwrap();
    assert_eq!(done(&mut w, op, 1_000).outcome, Outcome::Ok);
    w.run_for(ms(500));
    w.heal();
    w.run_for(ms(100));
    assert_eq!(stored(&w, a, &key).as_deref(), Some("v1"));
    assert_eq!((stored(&w, b, &key), stored(&w, c, &key)), (None, None));
    (w, key, [a, b, c])
}

#[test]
fn read_repair_fixes_exactly_the_replicas_the_read_contacted() {
    let (mut w, key, [a, b, c]) = one_copy("blocking");
    // Coordinated by a, at TWO: a itself (data) and b (digest) are asked; c is not.
    let op = w.read(a, &key).unwrap();
    let read = done(&mut w, op, 1_000);
    assert_eq!(
        read.read.map(|v| v.value.to_string()).as_deref(),
        Some("v1")
    );
    assert_eq!(
        stored(&w, b, &key).as_deref(),
        Some("v1"),
        "contacted: repaired"
    );
    assert_eq!(stored(&w, c, &key), None, "not contacted: left alone");
    let counts = &w.summary().cluster.leaderless;
    assert_eq!((counts.digest_mismatches, counts.read_repairs), (1, 1));
    // A read coordinated by c asks c and a: c is repaired too.
    let op = w.read(c, &key).unwrap();
    done(&mut w, op, 1_000);
    assert_eq!(stored(&w, c, &key).as_deref(), Some("v1"));
}

#[test]
fn without_read_repair_the_stale_replica_stays_stale() {
    let (mut w, key, [a, b, c]) = one_copy("none");
    let op = w.read(a, &key).unwrap();
    let read = done(&mut w, op, 1_000);
    assert_eq!(
        read.read.map(|v| v.value.to_string()).as_deref(),
        Some("v1")
    );
    assert_eq!((stored(&w, b, &key), stored(&w, c, &key)), (None, None));
    // The cluster went quiet with replicas that disagree: divergence.
    w.run_for(ms(3_000));
    let report = w.anomalies(true);
    assert_eq!(report.count(Kind::Divergence), 2, "{report:?}");
}

/// A key on a, b, c; c crashes; a write through a at ONE; c restarts after `down_ms`.
fn hinted(down_ms: u64) -> (leaderless::Ring, String, u32) {
    let mut w = ring(
        4,
        r#""replicationFactor": 3, "writeConsistency": "ONE", "maxHintWindow": "5s",
           "writeTimeout": "200ms""#,
        "",
        5,
    );
    let key = key_where(&w, |_| true);
    let r = w.replicas_of(&key);
    let (a, c) = (r[0], r[2]);
    w.crash(c).unwrap();
    let op = w.write_to(a, &key, "v1").unwrap();
    assert_eq!(done(&mut w, op, 1_000).outcome, Outcome::Ok);
    w.run_for(ms(down_ms));
    w.restart(c).unwrap();
    w.run_for(ms(3_000));
    (w, key, c)
}

#[test]
fn hints_replay_within_the_window() {
    let (w, key, c) = hinted(2_000);
    assert_eq!(stored(&w, c, &key).as_deref(), Some("v1"), "handed off");
    let counts = &w.summary().cluster.leaderless;
    assert_eq!(
        (counts.hints_replayed, counts.hints_dropped),
        (1, 0),
        "{counts:?}"
    );
    assert_eq!(w.summary().cluster.hints_waiting, 0);
}

#[test]
fn hints_are_dropped_after_the_window() {
    let (mut w, key, c) = hinted(8_000);
    assert_eq!(
        stored(&w, c, &key),
        None,
        "the hint expired before c returned"
    );
    let counts = w.summary().cluster.leaderless.clone();
    assert_eq!(
        (counts.hints_replayed, counts.hints_dropped),
        (0, 1),
        "{counts:?}"
    );
    // Quiet, the replicas disagree for good (no anti-entropy yet).
    w.run_for(ms(3_000));
    assert!(w.anomalies(true).count(Kind::Divergence) > 0);
}

#[test]
fn a_skewed_clock_makes_a_later_write_lose_and_it_is_reported_lost() {
    for skew in [0i64, 2_000_000] {
        let mut w = ring(
            3,
            r#""replicationFactor": 3, "writeConsistency": "ALL", "readConsistency": "ALL""#,
            "",
            9,
        );
        w.set_clock_offset(0, skew).unwrap();
        let first = w.write_to(0, "x", "early").unwrap();
        done(&mut w, first, 1_000);
        w.run_for(ms(100));
        let second = w.write_to(1, "x", "late").unwrap();
        let second = done(&mut w, second, 1_000);
        assert_eq!(
            second.outcome,
            Outcome::Ok,
            "both acknowledged by every replica"
        );
        w.run_for(ms(100));
        let read = w.read(2, "x").unwrap();
        let value = done(&mut w, read, 1_000).read.unwrap().value.to_string();
        w.run_for(ms(3_000));
        let report = w.anomalies(true);
        if skew == 0 {
            assert_eq!(value, "late");
            assert_eq!(report.count(Kind::LostAcknowledgedWrite), 0);
        } else {
            assert_eq!(
                value, "early",
                "n0's clock is 2 s ahead: its older write wins"
            );
            let lost = &report.found["lostAcknowledgedWrite"];
            assert_eq!(lost.count, 1);
            assert_eq!(lost.examples[0].ops, vec![second.id]);
            assert_eq!(lost.promised, 0, "no promise with a skewed clock");
        }
    }
}

#[test]
fn the_ring_moves_only_the_ranges_of_a_node_that_joins_or_leaves() {
    let before = Ring::new(&[0, 1, 2, 3, 4], 16);
    let mut after = before.clone();
    after.add(5);
    let (mut moved, keys) = (0, 2_000);
    for k in 0..keys {
        let key = format!("key{k}");
        let (old, new) = (before.replicas(&key, 3), after.replicas(&key, 3));
        if new.contains(&5) {
            moved += 1;
            // The newcomer took one place; the others kept their order.
            let rest: Vec<u32> = new.iter().copied().filter(|&n| n != 5).collect();
            assert_eq!(rest, old[..2].to_vec(), "{key}: {old:?} -> {new:?}");
        } else {
            assert_eq!(old, new, "{key} moved without the new node");
        }
    }
    // About N / nodes = 3 / 6 of the keys gain the newcomer as a replica.
    let share = moved as f64 / keys as f64;
    assert!((0.3..0.7).contains(&share), "{share}");
    after.remove(5);
    assert_eq!(
        after, before,
        "leaving gives back exactly what joining took"
    );
}

#[test]
fn a_node_added_to_a_leaderless_world_joins_the_ring() {
    let mut w = ring(4, r#""replicationFactor": 3"#, "", 1);
    let id = w.add_replica().unwrap();
    assert!(w.model().params.ring.contains(id));
    w.remove_replica(id).unwrap();
    assert!(!w.model().params.ring.contains(id));
}

#[test]
fn bad_leaderless_settings_are_refused_by_field() {
    let err = |json: &str| Scenario::from_json(json).unwrap_err().to_string();
    assert_eq!(
        err(r#"{"model": "leaderless", "nodes": 2, "leaderless": {"replicationFactor": 3}}"#),
        "leaderless.replicationFactor: must be from 1 to the number of nodes, 2 (got 3): \
         each copy lives on a different node"
    );
    assert!(err(r#"{"leaderless": {}}"#).starts_with("leaderless: is read only with"));
    assert!(
        err(r#"{"model": "leaderless", "workload": {"casFraction": 0.1}}"#)
            .starts_with("workload.casFraction: must be 0 with the leaderless model")
    );
    assert!(
        err(r#"{"model": "leaderless", "leaderless": {"readConsistency": "ANY"}}"#)
            .starts_with("leaderless.readConsistency: ANY is for writes only")
    );
    assert!(
        err(r#"{"model": "leaderless", "leaderless": {"writeConsistency": "LOCAL_QUORUM"}}"#)
            .contains("no node has one")
    );
    assert!(
        err(r#"{"model": "leaderless", "leaderless": {"writeConsistency": "MOST"}}"#)
            .starts_with("leaderless.writeConsistency:")
    );
    assert!(
        err(r#"{"model": "leaderless", "leaderless": {"numTokens": 0}}"#)
            .starts_with("leaderless.numTokens: must be from 1 to 256")
    );
}
