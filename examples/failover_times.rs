//! Measures failover time (primary crash to new primary) over many seeds, for a few
//! election timeouts, and prints a Markdown table for BENCHMARKS.md. Simulated time, so
//! the figures do not depend on the machine.
//!
//! ```text
//! cargo run --release --example failover_times [-- SEEDS]
//! ```

use replica_lab::observe::stats::Spread;
use replica_lab::{Scenario, World};

fn main() {
    let seeds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    println!("| election timeout | heartbeat | nodes | failovers | mean ms | p50 | p95 | p99 | max | writes failing during it |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (timeout, heartbeat) in [(150, 50), (300, 50), (1000, 100), (5000, 500)] {
        let json = format!(
            r#"{{"nodes": 5,
                "network": {{"latency": {{"kind": "uniform", "min": "5ms", "max": "15ms"}}, "clientLatency": "2ms"}},
                "disk": {{"fsync": "1ms", "apply": "1ms"}},
                "replication": {{"heartbeat": "{heartbeat}ms", "ackPolicy": "majority"}},
                "failover": {{"mode": "raft", "electionTimeout": "{timeout}ms"}},
                "workload": {{"clients": 4, "rate": 20, "readFraction": 0.3, "keys": 5, "timeout": "1s"}}}}"#
        );
        let scenario = Scenario::from_json(&json).expect("scenario");
        let (mut took, mut failed) = (Vec::new(), 0u64);
        for seed in 0..seeds {
            let mut w = World::new(&scenario, seed).expect("world");
            w.run_for(1_000_000);
            let before = w.summary();
            w.crash(0).expect("crash");
            w.run_for(6 * timeout * 1000);
            let after = w.summary();
            if let Some(f) = after.cluster.failovers.first() {
                took.push(f.took as f64 / 1000.0);
            }
            failed +=
                (after.writes.fail + after.writes.info) - (before.writes.fail + before.writes.info);
        }
        let n = took.len();
        let s = Spread::of(took).unwrap_or_default();
        println!(
            "| {timeout} ms | {heartbeat} ms | 5 | {n}/{seeds} | {} | {} | {} | {} | {} | {:.1} per failover |",
            s.mean, s.p50, s.p95, s.p99, s.max, failed as f64 / seeds as f64
        );
    }
}
