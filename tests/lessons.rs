//! Every lesson of `www/lessons/` reaches what it expects (`run --lesson FILE` judges the
//! same way), the picker's index lists each lesson once, and an outcome a run does not
//! reach is reported as not met (the runner then exits with 1).
#![cfg(not(target_arch = "wasm32"))]

mod common;
use replica_lab::lessons::Lesson;
use std::path::{Path, PathBuf};

fn lesson_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("www/lessons")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("index.json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_reaches_its_expected_outcomes() {
    let files = lesson_files();
    assert!(files.len() >= 10, "{files:?}");
    let mut failed = Vec::new();
    for file in &files {
        let run = Lesson::run_file(file).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !run.outcomes.is_empty(),
            "{}: no expected outcome",
            file.display()
        );
        for o in run.outcomes.iter().filter(|o| !o.met) {
            failed.push(format!(
                "{}: {} = {} (wanted {})",
                run.lesson, o.what, o.value, o.wanted
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "outcomes not met:\n{}",
        failed.join("\n")
    );
}

#[test]
fn the_index_lists_every_lesson_once_by_its_id() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons");
    let index: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = index
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    for file in lesson_files() {
        let lesson = Lesson::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let stem = file.file_stem().unwrap().to_str().unwrap();
        assert_eq!(lesson.id, stem, "a lesson's id is its file name");
        let at = listed
            .iter()
            .position(|id| id == stem)
            .unwrap_or_else(|| panic!("{stem} is not in index.json"));
        listed.remove(at);
    }
    assert!(
        listed.is_empty(),
        "index.json lists missing lessons: {listed:?}"
    );
}

#[test]
fn an_outcome_the_run_does_not_reach_is_not_met() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons/sync-async.json");
    let mut lesson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // Deliberately wrong: the asynchronous phase does lose writes.
    lesson["expect"] = serde_json::json!([
        {"what": "asynchronous acknowledgements lose nothing", "path": "lostWrites", "to": "14s", "equals": 0},
        {"what": "the run lasts", "path": "simulatedMs", "atLeast": 1}
    ]);
    let dir = std::env::temp_dir().join(format!("replica-lab-lesson-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    let wrong = dir.join("lessons/wrong.json");
    std::fs::write(&wrong, lesson.to_string()).unwrap();
    let run = Lesson::run_file(&wrong).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(!run.met);
    assert!(
        !run.outcomes[0].met && run.outcomes[0].value >= 1.0,
        "{:?}",
        run.outcomes[0]
    );
    assert!(run.outcomes[1].met);
}

fn runner() -> PathBuf {
    common::example_bin("run")
}

#[test]
fn the_runner_exits_0_for_a_lesson_met_and_1_for_one_not_met() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/lessons");
    let run = |file: &Path| {
        std::process::Command::new(runner())
            .arg("--lesson")
            .arg(file)
            .output()
            .unwrap()
    };
    let ok = run(&dir.join("failover.json"));
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(summary["lesson"]["met"], true);

    let mut lesson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("failover.json")).unwrap()).unwrap();
    lesson["expect"] = serde_json::json!([
        {"what": "no replica ever takes over", "path": "failovers.length", "equals": 0}
    ]);
    let tmp = std::env::temp_dir().join(format!("replica-lab-runner-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join("lessons")).unwrap();
    std::fs::create_dir_all(tmp.join("scenarios")).unwrap();
    std::fs::copy(
        dir.join("../scenarios/failover.json"),
        tmp.join("scenarios/failover.json"),
    )
    .unwrap();
    std::fs::write(tmp.join("lessons/failover.json"), lesson.to_string()).unwrap();
    let bad = run(&tmp.join("lessons/failover.json"));
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not met"));
}
