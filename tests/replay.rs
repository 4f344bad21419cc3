//! The action log and time travel: (scenario, seed, action log) rebuilds a run exactly;
//! seeking to a moment and running on gives the trace of running straight through; a new
//! action after a seek back forks the run; a scenario exported after a replica left still
//! means what the run did.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use proptest::prelude::*;
use replica_lab::kernel::actions::{Action, Logged};
use replica_lab::kernel::timeline::Timeline;
use replica_lab::protocols::single_leader::ack::AckPolicy;
use replica_lab::protocols::single_leader::actions::OperatorAction;
use replica_lab::{Scenario, World};

type A = Action<OperatorAction>;

const CLUSTER: &str = r#"{"nodes": 5, "workload": {"clients": 3, "rate": 40, "casFraction": 0.1},
    "failover": {"mode": "raft"}, "faults": [{"at": "3s", "action": "crash", "node": 2},
    {"at": "6s", "action": "restart", "node": 2}]}"#;

/// An action chosen by `pick` (node ids may be out of range or the action refused: the
/// log keeps only what was carried out).
fn action(pick: u32, node: u32) -> A {
    let node = node % 6;
    match pick % 16 {
        0 => A::Crash { node },
        1 => A::Restart { node },
        2 => A::Pause { node },
        3 => A::Resume { node },
        4 => A::Partition {
            groups: vec![vec![node % 5], vec![(node + 1) % 5, (node + 2) % 5]],
        },
        5 => A::Heal,
        6 => A::SetClockOffset {
            node,
            offset: i64::from(node) * 40_000 - 80_000,
        },
        7 => A::Write {
            key: "k".into(),
            value: format!("v{node}").into(),
            node: None,
        },
        8 => A::Read {
            node,
            key: "k".into(),
        },
        9 => A::Cas {
            key: "k".into(),
            expected: Some("v1".into()),
            value: "v9".into(),
        },
        10 => A::AddReplica,
        11 => A::RemoveReplica { node },
        12 => A::Isolate {
            node,
            isolated: node % 2 == 0,
        },
        13 => A::Model(OperatorAction::Promote { node }),
        14 => A::Model(OperatorAction::SetAckPolicy {
            policy: if node % 2 == 0 {
                AckPolicy::majority()
            } else {
                AckPolicy::ASYNC
            },
        }),
        _ => A::CrashLoseDisk { node },
    }
}

/// Runs a world, carrying out `steps` (a pause in ms, an event cap, an action) through
/// `act`; returns it.
fn drive(scenario: &Scenario, seed: u64, steps: &[(u64, u64, u32, u32)]) -> World {
    let mut w = World::new(scenario, seed).expect("world");
    for &(pause, cap, pick, node) in steps {
        // A small cap stops the run between events of one moment: the log must still
        // place the action exactly.
        w.run_until(w.now() + ms(pause), cap);
        let _ = w.act(action(pick, node));
    }
    w.run_for(ms(2_000));
    w
}

fn fingerprint(w: &World) -> (u64, u64, u64, usize) {
    (
        w.trace_hash(),
        w.now(),
        w.events_processed(),
        w.history().ops().len(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn replaying_the_action_log_rebuilds_the_run(
        seed in any::<u64>(),
        steps in proptest::collection::vec((0u64..900, prop_oneof![Just(u64::MAX), 1u64..40], any::<u32>(), any::<u32>()), 1..14),
    ) {
        let s = scenario(CLUSTER);
        let original = drive(&s, seed, &steps);
        prop_assert!(original.actions().len() <= steps.len());
        let mut replayed = World::replay(&s, seed, original.actions()).expect("replay");
        replayed.run_until(original.now(), u64::MAX);
        prop_assert_eq!(fingerprint(&replayed), fingerprint(&original));
        // The log goes through JSON (a share link) unchanged.
        let text = serde_json::to_string(original.actions()).unwrap();
        let back: Vec<Logged<OperatorAction>> = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back[..], original.actions());
    }

    #[test]
    fn seeking_then_running_on_gives_the_straight_trace(
        seed in any::<u64>(),
        steps in proptest::collection::vec((0u64..4_000, Just(u64::MAX), any::<u32>(), any::<u32>()), 1..8),
        back_to in 0u64..20_000,
    ) {
        let s = scenario(CLUSTER);
        let straight = drive(&s, seed, &steps);
        // The same run through a timeline, then a seek back and on to the end.
        let mut t = Timeline::new(World::new(&s, seed).unwrap());
        for &(pause, cap, pick, node) in &steps {
            let to = t.world().now() + ms(pause);
            t.run_until(to, cap);
            let _ = t.act(action(pick, node));
        }
        t.run_until(t.world().now() + ms(2_000), u64::MAX);
        prop_assert_eq!(fingerprint(t.world()), fingerprint(&straight));
        let end = t.world().now();
        let target = ms(back_to).min(end);
        t.seek(target, u64::MAX);
        prop_assert_eq!(t.world().now(), target);
        // At the target: what a fresh run of the actions taken by then gives.
        let taken = t.world().actions();
        prop_assert_eq!(taken, &straight.actions()[..taken.len()]);
        let mut fresh = World::replay(&s, seed, taken).unwrap();
        fresh.run_until(target, u64::MAX);
        prop_assert_eq!(t.world().trace_hash(), fresh.trace_hash());
        t.run_until(end, u64::MAX);
        prop_assert_eq!(fingerprint(t.world()), fingerprint(&straight));
    }
}

#[test]
fn a_new_action_after_a_seek_back_forks_the_run() {
    let s = scenario(CLUSTER);
    let mut t = Timeline::new(World::new(&s, 11).unwrap());
    t.run_until(ms(1_000), u64::MAX);
    t.act(A::Crash { node: 1 }).unwrap();
    t.run_until(ms(4_000), u64::MAX);
    t.act(A::Restart { node: 1 }).unwrap();
    t.run_until(ms(20_000), u64::MAX);
    let original = t.world().trace_hash();
    assert_eq!(t.actions().len(), 2);
    assert!(
        t.checkpoint_times().len() >= 4,
        "{:?}",
        t.checkpoint_times()
    );

    // Back to 2 s: the restart is still ahead and happens again on the way.
    t.seek(ms(2_000), u64::MAX);
    assert_eq!(t.world().actions().len(), 1);
    assert_eq!(t.actions().len(), 2);
    assert_eq!(t.horizon(), ms(20_000));
    t.run_until(ms(20_000), u64::MAX);
    assert_eq!(t.world().trace_hash(), original);

    // Back to 2 s again, and a different action: the old future is gone.
    t.seek(ms(2_000), u64::MAX);
    t.act(A::Heal).unwrap();
    assert_eq!(t.actions().len(), 2);
    assert!(matches!(t.actions()[1].action, A::Heal));
    assert!(t.checkpoint_times().iter().all(|&c| c <= ms(2_000)));
    assert_eq!(t.horizon(), ms(2_000));
    t.run_until(ms(20_000), u64::MAX);
    assert_ne!(t.world().trace_hash(), original);
    let mut fresh = World::replay(&s, 11, &t.actions()).unwrap();
    fresh.run_until(ms(20_000), u64::MAX);
    assert_eq!(fresh.trace_hash(), t.world().trace_hash());
}

#[test]
fn checkpoints_thin_out_so_a_long_run_keeps_a_bounded_number() {
    let s = scenario(r#"{"nodes": 3, "workload": {"clients": 1, "rate": 5}}"#);
    let mut t = Timeline::new(World::new(&s, 3).unwrap());
    t.run_until(ms(3_600_000), u64::MAX);
    let times = t.checkpoint_times();
    assert!(times.len() <= replica_lab::kernel::timeline::MAX_CHECKPOINTS);
    assert!(times.len() >= replica_lab::kernel::timeline::MAX_CHECKPOINTS / 2);
    assert_eq!(times[0], 0);
    assert!(times.windows(2).all(|w| w[0] < w[1]));
    // Seeking anywhere still lands exactly.
    for target in [ms(1), ms(1_234_567), ms(3_599_999)] {
        t.seek(target, u64::MAX);
        assert_eq!(t.world().now(), target);
    }
}

#[test]
fn a_refused_action_is_not_logged_and_changes_nothing() {
    let s = scenario(CLUSTER);
    let mut w = World::new(&s, 5).unwrap();
    w.run_for(ms(500));
    let before = w.trace_hash();
    assert!(w.act(A::Restart { node: 0 }).is_err());
    assert!(w.act(A::Crash { node: 7 }).is_err());
    assert!(w.actions().is_empty());
    assert_eq!(w.trace_hash(), before);
}

#[test]
fn a_log_that_does_not_fit_the_run_is_refused_by_name() {
    let s = scenario(CLUSTER);
    let log = vec![Logged {
        at: ms(10),
        after: 1_000_000,
        action: A::Heal,
    }];
    let e = World::replay(&s, 5, &log).unwrap_err().to_string();
    assert!(e.starts_with("action 0 of the log"), "{e}");
}

#[test]
fn the_scenario_exported_after_a_replica_left_keeps_its_timed_faults_on_the_same_nodes() {
    let s = scenario(
        r#"{"nodes": 5, "faults": [{"at": "30s", "action": "crash", "node": 4},
        {"at": "31s", "action": "partition", "groups": [[0, 3], [1, 4]]}]}"#,
    );
    let mut w = World::new(&s, 9).unwrap();
    w.run_for(ms(1_000));
    w.act(A::RemoveReplica { node: 2 }).unwrap();
    w.run_for(ms(5_000));
    assert!(!w.members().contains(&2), "n2 left");
    let exported = w.current_scenario();
    let names: Vec<_> = exported
        .nodes
        .iter()
        .map(|n| n.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["n0", "n1", "n3", "n4"]);
    // n4 is now the fourth node (id 3); the partition names only nodes that remain.
    assert_eq!(exported.faults[0].node, Some(3));
    assert_eq!(
        exported.faults[1].groups,
        Some(vec![vec![0, 2], vec![1, 3]])
    );
    // It parses, and exporting the rebuilt world gives the same scenario back.
    let text = serde_json::to_string(&exported).unwrap();
    let reparsed = Scenario::from_json(&text).expect("the export parses");
    let rebuilt = World::new(&reparsed, 9).unwrap();
    assert_eq!(rebuilt.current_scenario(), exported);
}

#[test]
fn the_scripted_run_and_its_replay_have_the_pinned_hash() {
    let original = scripted_run();
    assert_eq!(original.actions().len(), 9);
    let golden = scenario(include_str!("scenarios/golden.json"));
    let mut replayed = World::replay(&golden, 20261122, original.actions()).unwrap();
    replayed.run_until(original.now(), u64::MAX);
    assert_eq!(replayed.trace_hash(), original.trace_hash());
    assert_eq!(
        format!("{:016x}", original.trace_hash()),
        include_str!("scenarios/scripted.hash").trim(),
        "the scripted run's trace changed: if intended, update tests/scenarios/scripted.hash"
    );
}

#[test]
fn a_shared_log_replays_as_time_reaches_it_and_one_from_another_run_is_reported() {
    let original = scripted_run();
    let golden = scenario(include_str!("scenarios/golden.json"));
    let mut t = Timeline::with_log(
        World::new(&golden, 20261122).unwrap(),
        original.actions().to_vec(),
    )
    .unwrap();
    assert_eq!(t.world().now(), 0);
    assert_eq!(t.horizon(), original.actions().last().unwrap().at);
    t.run_until(original.now(), u64::MAX);
    assert!(t.take_divergence().is_none());
    assert_eq!(t.world().trace_hash(), original.trace_hash());

    // The same log on another seed: the moments do not fit, and the timeline says which.
    let mut other =
        Timeline::with_log(World::new(&golden, 1).unwrap(), original.actions().to_vec()).unwrap();
    other.run_until(original.now(), u64::MAX);
    let e = other.take_divergence().expect("a divergence").to_string();
    assert!(e.starts_with("action "), "{e}");
    assert!(e.contains("could not be replayed"), "{e}");

    let mut backwards = original.actions().to_vec();
    backwards.swap(0, 1);
    let e = Timeline::with_log(World::new(&golden, 1).unwrap(), backwards).unwrap_err();
    assert_eq!(
        e.to_string(),
        "actions[1] comes before the action ahead of it"
    );
}
