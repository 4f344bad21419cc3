//! How fast the linearizability checker decides generated linearizable histories (the same
//! ones the browser harness `www/bench-checker.html` times): 10,000 operations of 10
//! clients on one register with `info` outcomes, and an etcd-like history of 300
//! operations of 5 clients with many `info` outcomes. Parsing the JSON text is timed apart.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use replica_lab::checks::gen::{linearizable_history, GenOptions};
use replica_lab::checks::history::History;
use replica_lab::checks::linearizable::{check_linearizable, CheckOptions, Verdict};
use std::hint::black_box;

fn check(history: &History) -> Verdict {
    check_linearizable(history, &CheckOptions::default())
        .expect("a well-formed history")
        .verdict
}

fn checker_speed(c: &mut Criterion) {
    let mut group = c.benchmark_group("checker");
    group.sample_size(20);
    for (name, options) in [
        ("big_10k_ops_10_clients", GenOptions::big(1)),
        ("etcd_300_ops_5_clients", GenOptions::etcd_like(1)),
    ] {
        let history = linearizable_history(&options);
        assert_eq!(check(&history), Verdict::Linearizable);
        let text = history.to_json();
        group.throughput(Throughput::Elements(u64::from(options.operations)));
        group.bench_function(format!("{name}/check"), |b| {
            b.iter(|| black_box(check(&history)))
        });
        group.bench_function(format!("{name}/parse"), |b| {
            b.iter(|| black_box(History::from_json(&text).map(|h| h.events.len())))
        });
    }
    group.finish();
}

criterion_group!(benches, checker_speed);
criterion_main!(benches);
