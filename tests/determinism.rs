//! A run is a pure function of (scenario, seed): the same seed gives the same trace hash,
//! every time, and the value is pinned so the browser test (tests/web.rs) can check that
//! wasm32 computes exactly the same.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use replica_lab::{Scenario, World};

const GOLDEN: &str = include_str!("scenarios/golden.json");
const GOLDEN_HASH: &str = include_str!("scenarios/golden.hash");

fn run(scenario: &Scenario, seed: u64) -> (String, u64) {
    let mut world = World::new(scenario, seed).unwrap();
    world.run_until(scenario.until.unwrap().micros(), u64::MAX);
    (
        format!("{:016x}", world.trace_hash()),
        world.events_processed(),
    )
}

#[test]
fn the_same_seed_gives_the_same_trace_twice() {
    let scenario = Scenario::from_json(GOLDEN).unwrap();
    let seed = scenario.seed.unwrap();
    let first = run(&scenario, seed);
    let second = run(&scenario, seed);
    assert_eq!(first, second);
    assert!(
        first.1 > 10_000,
        "the golden run is busy ({} events)",
        first.1
    );
}

#[test]
fn the_golden_hash_is_pinned() {
    let scenario = Scenario::from_json(GOLDEN).unwrap();
    let (hash, _) = run(&scenario, scenario.seed.unwrap());
    assert_eq!(
        hash,
        GOLDEN_HASH.trim(),
        "the golden trace changed: if intended, update tests/scenarios/golden.hash"
    );
}

/// The failover lesson: elections (per-node random timeouts), timed crash, restart,
/// partition and heal. Pinned too, so the browser test can check wasm32 agrees.
const FAILOVER: &str = include_str!("../www/scenarios/failover.json");
const FAILOVER_HASH: &str = include_str!("scenarios/failover.hash");

#[test]
fn the_failover_lesson_hash_is_pinned_and_repeats() {
    let scenario = Scenario::from_json(FAILOVER).unwrap();
    let seed = scenario.seed.unwrap();
    let first = run(&scenario, seed);
    assert_eq!(first, run(&scenario, seed));
    assert_eq!(
        first.0,
        FAILOVER_HASH.trim(),
        "the failover lesson's trace changed: if intended, update tests/scenarios/failover.hash"
    );
}

#[test]
fn different_seeds_give_different_traces() {
    let scenario = Scenario::from_json(GOLDEN).unwrap();
    let hashes: std::collections::BTreeSet<String> =
        (0..8).map(|seed| run(&scenario, seed).0).collect();
    assert_eq!(hashes.len(), 8);
}

#[test]
fn a_cloned_world_continues_identically() {
    // The basis of time travel: a checkpoint (a clone) replays to the same future.
    let scenario = Scenario::from_json(GOLDEN).unwrap();
    let mut world = World::new(&scenario, 3).unwrap();
    world.run_until(1_000_000, u64::MAX);
    let mut copy = world.clone();
    world.run_until(3_000_000, u64::MAX);
    copy.run_until(3_000_000, u64::MAX);
    assert_eq!(world.trace_hash(), copy.trace_hash());
}
