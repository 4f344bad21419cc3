//! WAL recycling, the way PostgreSQL bounds its WAL: checkpoints recycle what every node
//! has applied and committed; a replication slot keeps a down replica's WAL up to
//! `maxSlotWalKeepSize`, past which the slot is lost and the replica, when it returns, is
//! re-seeded from a base backup (Raft's InstallSnapshot); the primary keeps a bounded
//! number of batches in flight to each replica.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use replica_lab::clients::history::{OpKind, Outcome};
use replica_lab::kernel::Addr;
use replica_lab::protocols::single_leader::messages::{Message, MsgKind};
use replica_lab::World;

fn busy(replication: &str) -> String {
    format!(
        r#"{{"nodes": 4, "network": {{"latency": "5ms", "clientLatency": "1ms"}}, "disk": {{"fsync": "1ms", "apply": "100us"}},
            "replication": {{"ackPolicy": "majority"{replication}}},
            "workload": {{"clients": 48, "rate": 1500, "readFraction": 0.2, "readFrom": "primary", "keys": 30}}}}"#
    )
}

/// Every member's kept WAL, and the cluster's stores agree once quiet.
fn assert_converged(w: &World) {
    assert_log_matching(w);
    let primary = w.primary().expect("a primary");
    for m in w.members() {
        assert_eq!(
            w.node(m).kv,
            w.node(primary).kv,
            "n{m}'s store differs from the primary's"
        );
    }
}

/// Stops the workload and lets the cluster catch up.
fn quiesce(w: &mut World) {
    w.act(replica_lab::kernel::actions::Action::SetWorkload {
        patch: replica_lab::config::parse_workload_patch(r#"{"clients": 0}"#).unwrap(),
    })
    .unwrap();
    for _ in 0..30 {
        w.run_for(ms(1_000));
        let last = w.primary().map(|p| w.node(p).last_lsn());
        if w.members()
            .iter()
            .all(|&m| Some(w.node(m).positions.applied) == last)
        {
            return;
        }
    }
    panic!("the cluster did not catch up in 30 s");
}

fn acknowledged_writes_all_survive(w: &World) {
    let primary = w.node(w.primary().unwrap());
    for op in w.history().ops() {
        if op.kind == OpKind::Write && op.outcome == Outcome::Ok {
            let (term, lsn) = op.written.unwrap();
            assert!(
                primary.wal.holds(lsn, term, op.id),
                "acknowledged write {} at {lsn} lost",
                op.id
            );
        }
    }
    assert!(
        w.anomalies(true)
            .count(replica_lab::checks::Kind::LostAcknowledgedWrite)
            == 0
    );
}

#[test]
fn checkpoints_keep_every_log_bounded_over_a_long_run() {
    let mut w = world(&busy(r#", "checkpointEvery": 200"#), 3);
    let mut most = 0;
    for _ in 0..60 {
        w.run_for(ms(1_000));
        for m in w.members() {
            most = most.max(w.node(m).wal.retained());
        }
    }
    let last = w.node(w.primary().unwrap()).last_lsn();
    assert!(last > 50_000, "a busy run ({last} entries)");
    // What a node keeps: up to one checkpoint's worth plus what is not yet applied,
    // committed or acknowledged by every replica (a few batches).
    assert!(most < 200 + 300, "a node kept {most} entries of {last}");
    assert!(w.leadership().wal.checkpoints > 4 * 200);
    assert_eq!(w.leadership().wal.reseeds, 0, "nobody fell behind");
    quiesce(&mut w);
    assert_converged(&w);
    acknowledged_writes_all_survive(&w);
}

#[test]
fn a_slot_keeps_a_down_replicas_wal_and_it_catches_up_from_the_log() {
    let mut w = world(
        &busy(r#", "checkpointEvery": 64, "maxSlotWalKeepSize": 100000"#),
        4,
    );
    w.run_for(ms(1_000));
    w.crash(3).unwrap();
    let down_at = w.node(3).positions.flushed;
    w.run_for(ms(10_000));
    let p = w.node(w.primary().unwrap());
    assert!(
        p.last_lsn() > down_at + 5_000,
        "{} after {down_at}",
        p.last_lsn()
    );
    assert!(
        p.wal.base() <= down_at,
        "the slot held the WAL from {down_at} (checkpoint at {})",
        p.wal.base()
    );
    w.restart(3).unwrap();
    quiesce(&mut w);
    assert_eq!(w.leadership().wal.reseeds, 0, "caught up from the WAL");
    assert_eq!(w.leadership().wal.slots_lost, 0);
    assert_converged(&w);
}

#[test]
fn a_replica_too_far_behind_loses_its_slot_and_is_reseeded_from_a_base_backup() {
    let mut w = world(
        &busy(r#", "checkpointEvery": 64, "maxSlotWalKeepSize": 500"#),
        5,
    );
    w.run_for(ms(1_000));
    w.crash(3).unwrap();
    w.run_for(ms(10_000));
    assert_eq!(w.leadership().wal.slots_lost, 1);
    let p = w.node(w.primary().unwrap());
    assert!(
        p.wal.base() > w.node(3).positions.flushed,
        "the primary recycled past the lost replica"
    );
    let slot = &p.leader.as_ref().unwrap().peers[&3];
    assert!(slot.slot_lost);
    w.restart(3).unwrap();
    // The primary ships a base backup; the replica takes it and follows from there.
    let mut saw_backup = false;
    for _ in 0..5_000 {
        w.step();
        saw_backup |= w
            .flights()
            .any(|f| f.to == Addr::Node(3) && matches!(&f.msg, Message::Snapshot(_)));
    }
    assert!(saw_backup, "a base backup went to n3");
    quiesce(&mut w);
    assert!(w.leadership().wal.reseeds >= 1);
    let p = w.node(w.primary().unwrap());
    assert!(
        !p.leader.as_ref().unwrap().peers[&3].slot_lost,
        "a slot again"
    );
    assert_converged(&w);
    acknowledged_writes_all_survive(&w);
}

#[test]
fn without_slots_a_partitioned_replica_is_reseeded_too() {
    let mut w = world(
        &busy(r#", "checkpointEvery": 32, "replicationSlots": false"#),
        6,
    );
    w.run_for(ms(500));
    w.isolate(2, true).unwrap();
    w.run_for(ms(5_000));
    assert!(w.node(w.primary().unwrap()).wal.base() > w.node(2).last_lsn());
    w.isolate(2, false).unwrap();
    quiesce(&mut w);
    assert!(w.leadership().wal.reseeds >= 1);
    assert_converged(&w);
}

#[test]
fn a_backlog_is_shipped_a_window_at_a_time() {
    let mut w = world(
        r#"{"nodes": 3, "network": {"latency": "20ms", "loss": 0.1},
            "replication": {"maxBatch": 1, "maxInflight": 4, "batchDelay": "1ms"},
            "workload": {"clients": 16, "rate": 400, "readFraction": 0}}"#,
        7,
    );
    let mut most = 0;
    for _ in 0..20_000 {
        w.step();
        for r in 1..3 {
            let appends = w
                .flights()
                .filter(|f| {
                    f.to == Addr::Node(r)
                        && matches!(&f.msg, m @ Message::Append(_) if m.kind() == MsgKind::Append)
                })
                .count();
            most = most.max(appends);
        }
    }
    let p = w.node(w.primary().unwrap());
    assert!(p.last_lsn() > 500, "a backlog built up ({})", p.last_lsn());
    // The window (4 batches), plus batches sent before a resend rewound it and still
    // on their way.
    assert!(most <= 12, "{most} batches in flight to one replica");
    assert!(most >= 4, "the window was used ({most})");
}
