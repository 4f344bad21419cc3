//! The history the page exports (`Lab.historyJson`, the runner's `--history FILE`: both
//! `World::jepsen_history(true)`) is what `cargo run --example check` reads: a run with
//! failover, stale replica reads and timeouts passes through it with a verdict, every
//! operation counted, and exit status 0 or 1 (2 would mean it could not read the file).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;

const FAILOVER: &str = include_str!("../www/scenarios/failover.json");

#[test]
fn an_exported_history_passes_through_the_checker() {
    let mut w = world(FAILOVER, 11);
    w.run_until(ms(12_000), u64::MAX);
    let json = w.jepsen_history(true).to_json();
    let file =
        std::env::temp_dir().join(format!("replica-lab-history-{}.json", std::process::id()));
    std::fs::write(&file, &json).unwrap();
    let out = std::process::Command::new(example_bin("check"))
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "status {:?}: {stdout} {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        report["operations"],
        serde_json::json!(w.history().ops().len()),
        "{report}"
    );
    assert!(
        ["linearizable", "not-linearizable"].contains(&report["verdict"].as_str().unwrap()),
        "{report}"
    );
}
