//! The headless runner as a course author uses it from a shell: it stops quietly when the
//! reader of its output goes away (`run ... | head -1`) and refuses bad seeds in words.
//! These tests run the example binary itself (`cargo test` builds it; a lone `cargo test
//! --test runner` builds it first).
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// `target/<profile>/examples/run`, next to this test's own `target/<profile>/deps/`.
fn runner() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("run{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let release = profile_dir.file_name().is_some_and(|p| p == "release");
        let mut build = Command::new(env!("CARGO"));
        build
            .args(["build", "--example", "run"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build --example run failed");
    }
    path
}

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/www/scenarios/backup-band.json"
);

#[test]
fn a_closed_pipe_ends_the_runner_quietly() {
    // The reader goes away before the runner writes a byte: its one write meets a closed
    // pipe (EPIPE), which used to panic with "failed printing to stdout: Broken pipe".
    let mut child = Command::new(runner())
        .args([SCENARIO, "--seed", "7", "--until", "20s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the runner");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("runner output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "status {:?}, stderr: {stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "stderr: {stderr}");
}

#[test]
fn reading_one_line_and_leaving_is_fine_too() {
    // `run ... | head -1`: one line read, then the pipe closes.
    let mut child = Command::new(runner())
        .args([SCENARIO, "--seed", "7", "--until", "2s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the runner");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    assert_eq!(first, "{\n");
    let out = child.wait_with_output().expect("runner output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "status {:?}, stderr: {stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "stderr: {stderr}");
}

#[test]
fn bad_seeds_and_policies_are_refused_in_words() {
    let refusal = |args: &[&str]| {
        let out = Command::new(runner())
            .arg(SCENARIO)
            .args(args)
            .output()
            .expect("run the runner");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).trim_end().to_string()
    };
    for seed in ["-5", "1.5", "NaN", "seven"] {
        assert_eq!(
            refusal(&["--seed", seed]),
            format!("--seed: must be a whole number from 0 to 18446744073709551615, got {seed:?}")
        );
    }
    assert_eq!(
        refusal(&["--seed", "1", "--ack", r#"{"replicas": 5}"#]),
        "--ack: replication.ackPolicy.replicas: ANY 5 flushed asks 5 replicas to confirm each \
         write, but the cluster has 3 (4 nodes with the primary): every write would wait until \
         its client gave up; ask for at most 3, or use \"majority\" or \"all\""
    );
}

/// `run quorum.json --pbs` prints the staleness curve: points of t and probability, rising
/// to 1, the same for the same seed; a single-leader scenario is refused in words.
#[test]
fn pbs_prints_the_staleness_curve_of_a_leaderless_scenario() {
    let quorum = concat!(env!("CARGO_MANIFEST_DIR"), "/www/scenarios/quorum.json");
    let curve = |scenario: &str, seed: &str| {
        let out = Command::new(runner())
            .args([scenario, "--pbs", "--trials", "20000", "--seed", seed])
            .output()
            .expect("run the runner");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v
    };
    // QUORUM / QUORUM: R + W > N, every read sees the write at once.
    let c = curve(quorum, "7");
    assert!(
        c["points"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["p"] == 1.0),
        "{c}"
    );
    assert!(
        c["points"].as_array().unwrap().len() > 10,
        "a range of t all the same: {c}"
    );
    // ONE / ONE with coordinators at random: stale at first, rising to 1.
    let text = std::fs::read_to_string(quorum).unwrap();
    let one = text
        .replace(r#""QUORUM""#, r#""ONE""#)
        .replace(r#""tokenAware""#, r#""random""#);
    let path = std::env::temp_dir().join(format!("pbs-one-{}.json", std::process::id()));
    std::fs::write(&path, one).unwrap();
    let path = path.to_str().unwrap();
    let c = curve(path, "7");
    assert_eq!(c["trials"], 20_000);
    let points = c["points"].as_array().unwrap();
    assert!(points.len() > 10, "{c}");
    let p: Vec<f64> = points.iter().map(|x| x["p"].as_f64().unwrap()).collect();
    let t: Vec<f64> = points.iter().map(|x| x["t"].as_f64().unwrap()).collect();
    assert_eq!(t[0], 0.0);
    assert!(p[0] < 1.0, "{c}");
    assert!(p.windows(2).all(|w| w[0] <= w[1]) && t.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(*p.last().unwrap(), 1.0);
    assert_eq!(c, curve(path, "7"), "the same seed gives the same curve");
    assert_ne!(c, curve(path, "8"));
    std::fs::remove_file(path).ok();

    let out = Command::new(runner())
        .args([SCENARIO, "--pbs"])
        .output()
        .expect("run the runner");
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("--pbs draws the staleness curve of a leaderless ring")
            && said.contains("\"model\": \"leaderless\""),
        "{said}"
    );
}
