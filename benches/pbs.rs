//! Monte Carlo trials per second of the PBS staleness curve (issue 11: 100,000 trials in
//! under a second in the browser; `www/js/bench-pbs.js` times the same estimate there):
//! the quorum lesson's ring (5 nodes, N = 3, exponential links 1 ms + mean 5 ms) at ONE /
//! ONE with random coordinators, and the paper's WARS model at N = 3, R = W = 1.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use replica_lab::config::network::Latency;
use replica_lab::kernel::rng::SimRng;
use replica_lab::kernel::time::Dur;
use replica_lab::kernel::World;
use replica_lab::protocols::leaderless::pbs::{self, PbsModel, PbsOptions};
use replica_lab::protocols::leaderless::settings::{CoordinatorChoice, Level};
use replica_lab::protocols::Leaderless;
use replica_lab::Scenario;
use std::hint::black_box;

const TRIALS: u32 = 100_000;

fn pbs_speed(c: &mut Criterion) {
    let mut group = c.benchmark_group("pbs");
    group.sample_size(20);
    group.throughput(Throughput::Elements(u64::from(TRIALS)));
    let text = include_str!("../www/scenarios/quorum.json");
    let scenario = Scenario::from_json(text).expect("quorum.json");
    let world = World::<Leaderless>::new(&scenario, 11).expect("world");
    let options = PbsOptions {
        write_consistency: Some(Level::One),
        read_consistency: Some(Level::One),
        coordinator: Some(CoordinatorChoice::Random),
        trials: Some(TRIALS),
        ..PbsOptions::default()
    };
    group.bench_function("quorum_json_one_one_100k", |b| {
        b.iter(|| black_box(pbs::curve_of(&world, 11, &options).expect("curve")))
    });
    let wars = PbsModel::wars(
        3,
        1,
        1,
        Latency::Exponential {
            min: Dur::ZERO,
            mean: Dur::ms(10),
        },
    );
    group.bench_function("wars_exponential_n3_r1_w1_100k", |b| {
        b.iter(|| black_box(wars.estimate(TRIALS, &mut SimRng::new(1)).curve()))
    });
    group.finish();
}

criterion_group!(benches, pbs_speed);
criterion_main!(benches);
