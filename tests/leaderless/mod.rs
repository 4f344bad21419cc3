//! Helpers for the leaderless model's tests.
#![allow(dead_code)]

use replica_lab::clients::history::{Op, Outcome};
use replica_lab::kernel::time::MICROS_PER_MS;
use replica_lab::kernel::{NodeId, OpId, World};
use replica_lab::protocols::leaderless::routing::Meta;
use replica_lab::protocols::Leaderless;
use replica_lab::Scenario;

pub type Ring = World<Leaderless>;

pub fn ms(n: u64) -> u64 {
    n * MICROS_PER_MS
}

/// A leaderless world of `nodes` nodes with these `leaderless` settings (JSON object
/// fields) and workload (JSON object fields, empty: no workload clients).
pub fn ring(nodes: usize, settings: &str, workload: &str, seed: u64) -> Ring {
    let workload = if workload.is_empty() {
        r#""clients": 0"#
    } else {
        workload
    };
    let json = format!(
        r#"{{"model": "leaderless", "nodes": {nodes},
            "network": {{"latency": {{"kind": "exponential", "min": "1ms", "mean": "4ms"}}}},
            "leaderless": {{{settings}}},
            "workload": {{{workload}}}}}"#
    );
    let scenario = Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    World::new(&scenario, seed).expect("world")
}

/// Runs until the operation completes (or `limit_ms` passes) and returns it.
pub fn done(world: &mut Ring, op: OpId, limit_ms: u64) -> Op<Meta> {
    let deadline = world.now() + ms(limit_ms);
    while world.op(op).unwrap().outcome == Outcome::Pending && world.now() < deadline {
        if !world.step() {
            break;
        }
    }
    world.op(op).unwrap().clone()
}

/// A key whose replicas (in ring order) satisfy `pick`.
pub fn key_where(world: &Ring, pick: impl Fn(&[NodeId]) -> bool) -> String {
    (0..10_000)
        .map(|i| format!("k{i}"))
        .find(|k| pick(&world.replicas_of(k)))
        .expect("some key fits")
}

/// The value `node` stores for `key`.
pub fn stored(world: &Ring, node: NodeId, key: &str) -> Option<String> {
    world.node(node).store.get(key).map(|c| c.value.to_string())
}
