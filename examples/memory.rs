//! Memory over a long run: the heavy-write benchmark scenario (or a scenario file given as
//! the first argument) run for ten simulated minutes (or the second argument, in seconds),
//! printing the process's resident and peak memory (Linux `/proc/self/status`) with the
//! history's size every simulated 30 s. BENCHMARKS.md records the figures.
//!
//! `cargo run --release --example memory [-- SCENARIO.json [SECONDS]]`

use replica_lab::{Scenario, World};

const HEAVY_WRITES: &str = include_str!("../www/scenarios/bench-heavy-writes.json");

/// (resident, peak) in MiB, from the kernel's accounting of this process.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let text = match args.next() {
        Some(path) => std::fs::read_to_string(&path).expect("a readable scenario file"),
        None => HEAVY_WRITES.to_string(),
    };
    let seconds: u64 = args.next().map_or(600, |s| s.parse().expect("seconds"));
    let scenario = Scenario::from_json(&text).expect("a valid scenario");
    let mut world = World::new(&scenario, 1).expect("a world");
    println!("simulated_s,events,ops_kept,rss_mib,peak_mib");
    for step in 1..=seconds / 30 {
        world.run_until(step * 30_000_000, u64::MAX);
        let (rss, peak) = memory_mib();
        println!(
            "{},{},{},{rss:.1},{peak:.1}",
            step * 30,
            world.events_processed(),
            world.history().ops().len(),
        );
    }
}
