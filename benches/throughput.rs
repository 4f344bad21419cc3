//! Simulated events per second for a 1 + 3 cluster under a heavy write load (the scenario
//! `www/scenarios/bench-heavy-writes.json`, shared with the browser harness `www/bench.html`
//! so the native/WASM ratio compares like with like).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use replica_lab::{Scenario, World};
use std::hint::black_box;

const HEAVY_WRITES: &str = include_str!("../www/scenarios/bench-heavy-writes.json");
const EVENTS: u64 = 200_000;

fn events_per_second(c: &mut Criterion) {
    let scenario = Scenario::from_json(HEAVY_WRITES).unwrap();
    let mut group = c.benchmark_group("heavy_writes_1p3r");
    group.throughput(Throughput::Elements(EVENTS));
    group.sample_size(20);
    group.bench_function("200k_events", |b| {
        b.iter(|| {
            let mut world = World::new(&scenario, 1).unwrap();
            for _ in 0..EVENTS {
                world.step();
            }
            black_box(world.trace_hash())
        })
    });
    group.finish();
}

criterion_group!(benches, events_per_second);
criterion_main!(benches);
