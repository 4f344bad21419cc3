//! How long a seek takes in a 10-minute simulated run at the default workload (the issue's
//! aim: under 100 ms natively; the browser harness `www/bench.html` times the same): the
//! run is built once through a timeline (checkpoints as the page keeps them), then each
//! iteration seeks to a moment just before the next checkpoint (the longest replay) or to
//! a spread of moments across the run.

use criterion::{criterion_group, criterion_main, Criterion};
use replica_lab::kernel::time::MICROS_PER_MS;
use replica_lab::kernel::timeline::Timeline;
use replica_lab::{Scenario, World};
use std::hint::black_box;

const TEN_MINUTES: u64 = 600_000 * MICROS_PER_MS;

fn ten_minute_run() -> Timeline<replica_lab::protocols::SingleLeader> {
    let mut t = Timeline::new(World::new(&Scenario::default(), 1).expect("world"));
    t.run_until(TEN_MINUTES, u64::MAX);
    t
}

fn seek_speed(c: &mut Criterion) {
    let mut group = c.benchmark_group("seek_10min_default");
    group.sample_size(30);
    let mut t = ten_minute_run();
    let marks = t.checkpoint_times();
    // Just before each later checkpoint: the most replay a seek can need.
    let worst: Vec<u64> = marks.windows(2).map(|w| w[1] - 1).collect();
    let mut i = 0;
    group.bench_function("worst_case", |b| {
        b.iter(|| {
            i = (i + 7) % worst.len();
            black_box(t.seek(worst[i], u64::MAX))
        })
    });
    let spread: Vec<u64> = (0..64).map(|k| TEN_MINUTES / 64 * k + 12_345).collect();
    let mut j = 0;
    group.bench_function("anywhere", |b| {
        b.iter(|| {
            j = (j + 13) % spread.len();
            black_box(t.seek(spread[j], u64::MAX))
        })
    });
    group.finish();
}

criterion_group!(benches, seek_speed);
criterion_main!(benches);
