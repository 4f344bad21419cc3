//! Shared helpers for the native scenario tests.
#![allow(dead_code)]

use replica_lab::clients::history::Outcome;
use replica_lab::kernel::time::MICROS_PER_MS;
use replica_lab::protocols::single_leader::messages::Entry;
use replica_lab::protocols::single_leader::messages::{NodeId, OpId};
use replica_lab::protocols::single_leader::node::Node;
use replica_lab::Op;
use replica_lab::{Scenario, World};

/// A scenario from JSON text; panics with the error (tests only).
pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("bad test scenario: {e}"))
}

pub fn world(json: &str, seed: u64) -> World {
    World::new(&scenario(json), seed).expect("world")
}

pub fn ms(n: u64) -> u64 {
    n * MICROS_PER_MS
}

/// Runs until the operation completes (or `limit_ms` passes) and returns it.
pub fn run_until_done(world: &mut World, op: OpId, limit_ms: u64) -> Op {
    let deadline = world.now() + ms(limit_ms);
    while world.op(op).unwrap().outcome == Outcome::Pending && world.now() < deadline {
        if !world.step() {
            break;
        }
    }
    world.op(op).unwrap().clone()
}

/// The entries a node still keeps (its WAL after the last checkpoint).
pub fn kept(node: &Node) -> Vec<&Entry> {
    node.wal.from(0).collect()
}

/// Whether `a`'s log is a prefix of (or equal to) `b`'s: the same term at every position
/// (recycled ones included) and the same entry wherever both still keep it.
pub fn log_prefix_of(a: &Node, b: &Node) -> Result<(), String> {
    if a.last_lsn() > b.last_lsn() {
        return Err(format!(
            "{} entries, more than {}",
            a.last_lsn(),
            b.last_lsn()
        ));
    }
    for lsn in 1..=a.last_lsn() {
        if a.term_at(lsn) != b.term_at(lsn) {
            return Err(format!(
                "term {} vs {} at lsn {lsn}",
                a.term_at(lsn),
                b.term_at(lsn)
            ));
        }
        if let (Some(x), Some(y)) = (a.entry(lsn), b.entry(lsn)) {
            if x != y {
                return Err(format!("{x:?} vs {y:?} at lsn {lsn}"));
            }
        }
    }
    Ok(())
}

/// Every up replica's log is a prefix of (or equal to) the primary's.
pub fn assert_log_matching(world: &World) {
    let primary = world.primary().expect("a primary");
    for id in world.members() {
        if let Err(e) = log_prefix_of(world.node(id), world.node(primary)) {
            panic!("node {id}'s log diverges from the primary's: {e}");
        }
    }
}

pub fn applied(world: &World, id: NodeId) -> u64 {
    world.node(id).positions.applied
}

/// The golden scenario driven by a fixed script of actions, some of them between events
/// of one moment (a capped run): the replay tests pin the hash of the result natively
/// and in the browser (`tests/scenarios/scripted.hash`).
pub fn scripted_run() -> World {
    use replica_lab::kernel::actions::Action;
    use replica_lab::protocols::single_leader::actions::OperatorAction;
    let golden = scenario(include_str!("../scenarios/golden.json"));
    let mut w = World::new(&golden, 20261122).expect("world");
    let script: Vec<(u64, u64, Action<OperatorAction>)> = vec![
        (300, u64::MAX, Action::Crash { node: 1 }),
        (
            200,
            7,
            Action::Write {
                key: "k".into(),
                value: "a".into(),
                node: None,
            },
        ),
        (
            400,
            u64::MAX,
            Action::Partition {
                groups: vec![vec![0, 1], vec![2, 3, 4]],
            },
        ),
        (100, 3, Action::Restart { node: 1 }),
        (600, u64::MAX, Action::Heal),
        (
            50,
            11,
            Action::Model(OperatorAction::SetAckPolicy {
                policy: replica_lab::protocols::single_leader::ack::AckPolicy::majority(),
            }),
        ),
        (
            300,
            u64::MAX,
            Action::Read {
                node: 2,
                key: "k".into(),
            },
        ),
        (
            250,
            1,
            Action::SetClockOffset {
                node: 3,
                offset: -150_000,
            },
        ),
        (
            500,
            u64::MAX,
            Action::Model(OperatorAction::Promote { node: 2 }),
        ),
    ];
    for (pause, cap, action) in script {
        w.run_until(w.now() + ms(pause), cap);
        w.act(action).expect("a scripted action");
    }
    w.run_for(ms(1_500));
    w
}

/// An example program (`examples/NAME.rs`) of this profile, built first if `cargo test`
/// did not build it (`cargo test --test X` builds only that test).
pub fn example_bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let bin = profile_dir.join(format!("examples/{name}{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--example", name]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        assert!(
            build.status().unwrap().success(),
            "building examples/{name}.rs"
        );
    }
    bin
}
