//! The headless runner: simulates a scenario natively and prints a JSON summary, so a
//! course author can check a scenario (does it produce the stale reads the lesson needs?)
//! before publishing it.
//!
//! ```text
//! cargo run --release --example run -- scenario.json [--seed N] [--until 60s]
//!     [--ack POLICY] [--scaling 1,2,4,8] [--history FILE]
//! cargo run --release --example run -- scenario.json --pbs [--trials N] [--seed N]
//! ```
//!
//! `--ack` overrides the scenario's acknowledgement policy (JSON, as in the scenario:
//! `async`, `majority`, `'{"replicas": 2, "select": "first", "point": "applied"}'`; a bare
//! word needs no quotes). `--scaling` adds a `scaling` array: the same scenario run with
//! each given number of replicas, its read and write throughput and latency. `--history FILE`
//! writes the run's history in Jepsen's format (`docs/history-format.md`), for
//! `cargo run --release --example check -- FILE --sessions` or any Jepsen-format tool.
//!
//! `--pbs` prints the PBS staleness curve of a leaderless scenario instead of running it
//! (`docs/pbs.md`): `points` of `t` (ms after the write committed) and `p` (the probability
//! that a read started then returns the write), `consistentAfter` and `kStaleness`, from
//! `--trials` Monte Carlo trials (100,000 by default) seeded by the seed.
//!
//! The summary's `anomalies` section is every checker's verdict (`crate::checks`): each kind
//! found, how often, how many of them the configuration promised against, and the first
//! few examples naming operation ids, times and nodes.
//!
//! `run --lesson www/lessons/failover.json` plays a lesson instead (its scenario, its seed,
//! its actions at their times, to its `until`: what the page's lesson player does) and
//! prints the summary with a `lesson` section: each expected outcome, its value and whether
//! it was met (docs/lessons.md). Exit status 1 when one is not met.
//!
//! The seed comes from `--seed`, else from the scenario's `seed` field; there is no other
//! source. Exit status: 0 on success (also when the reader of its output went away, as in
//! `run ... | head -1`), 1 for a lesson outcome not met, 2 on bad arguments or a bad
//! scenario.

use replica_lab::config::parse_ack_policy;
use replica_lab::config::ModelKind;
use replica_lab::kernel::time::Dur;
use replica_lab::kernel::{Protocol, World};
use replica_lab::observe::experiments::scaling_point;
use replica_lab::protocols::leaderless::pbs::{self, PbsOptions};
use replica_lab::protocols::single_leader::ack::AckPolicy;
use replica_lab::protocols::{Leaderless, SingleLeader};
use replica_lab::Scenario;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: run SCENARIO.json [--seed N] [--until DURATION] [--ack POLICY] [--scaling 1,2,4,8] [--history FILE]\n       run SCENARIO.json --pbs [--trials N] [--seed N]\n       run --lesson LESSON.json";

struct Args {
    path: String,
    seed: Option<u64>,
    until: Option<Dur>,
    ack: Option<AckPolicy>,
    scaling: Vec<u32>,
    history: Option<String>,
    pbs: bool,
    trials: Option<u32>,
}

/// `--lesson FILE`: plays the lesson and prints its summary and outcomes; Ok(false) when an
/// outcome was not met.
fn run_lesson(path: &str) -> Result<(String, bool), String> {
    let run = replica_lab::lessons::Lesson::run_file(std::path::Path::new(path))?;
    let mut out = run.summary.clone();
    out["lesson"] = serde_json::json!({"id": run.lesson, "met": run.met, "outcomes": run.outcomes});
    Ok((
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?,
        run.met,
    ))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut path, mut seed, mut until, mut ack, mut history) = (None, None, None, None, None);
    let mut scaling = Vec::new();
    let (mut pbs, mut trials) = (false, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let v = args.next().ok_or("--seed needs a number")?;
                seed = Some(v.parse().map_err(|_| {
                    format!(
                        "--seed: must be a whole number from 0 to {}, got {v:?}",
                        u64::MAX
                    )
                })?);
            }
            "--until" => {
                let v = args.next().ok_or("--until needs a duration such as 60s")?;
                until = Some(Dur::parse(&v).map_err(|e| format!("--until: {e}"))?);
            }
            "--ack" => {
                let v = args.next().ok_or("--ack needs a policy such as majority")?;
                let json = if v.trim_start().starts_with(['{', '"']) {
                    v
                } else {
                    format!("{v:?}")
                };
                ack = Some(parse_ack_policy(&json).map_err(|e| format!("--ack: {e}"))?);
            }
            "--scaling" => {
                let v = args
                    .next()
                    .ok_or("--scaling needs replica counts such as 1,2,4,8")?;
                for n in v.split(',') {
                    scaling.push(
                        n.trim()
                            .parse()
                            .map_err(|_| format!("--scaling: {n:?} is not a replica count"))?,
                    );
                }
            }
            "--history" => {
                history = Some(args.next().ok_or("--history needs a file to write")?);
            }
            "--pbs" => pbs = true,
            "--trials" => {
                let v = args.next().ok_or("--trials needs a number of trials")?;
                trials = Some(v.parse().map_err(|_| {
                    format!("--trials: must be a whole number of trials, got {v:?}")
                })?);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            _ if path.is_none() => path = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        path: path.ok_or(USAGE)?,
        seed,
        until,
        ack,
        scaling,
        history,
        pbs,
        trials,
    })
}

fn run() -> Result<String, String> {
    let args = parse_args(std::env::args().skip(1))?;
    let text = std::fs::read_to_string(&args.path).map_err(|e| format!("{}: {e}", args.path))?;
    let mut scenario = Scenario::from_json(&text).map_err(|e| format!("{}: {e}", args.path))?;
    if let Some(ack) = args.ack {
        scenario.replication.ack_policy = ack;
        scenario.validate().map_err(|e| format!("--ack: {e}"))?;
    }
    let seed = args
        .seed
        .or(scenario.seed)
        .ok_or_else(|| format!("{}: no seed: give --seed N or a \"seed\" field", args.path))?;
    if args.pbs {
        return pbs_curve(&scenario, seed, &args);
    }
    if args.trials.is_some() {
        return Err(format!("--trials is for --pbs\n{USAGE}"));
    }
    let until = args.until.or(scenario.until).unwrap_or(Dur::ms(60_000));
    let summary = match scenario.model {
        ModelKind::SingleLeader => simulate::<SingleLeader>(&scenario, seed, until, &args)?,
        ModelKind::Leaderless => simulate::<Leaderless>(&scenario, seed, until, &args)?,
    };
    serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())
}

/// `--pbs`: the staleness curve of the scenario's ring as it starts, as JSON.
fn pbs_curve(scenario: &Scenario, seed: u64, args: &Args) -> Result<String, String> {
    if scenario.model != ModelKind::Leaderless {
        return Err(format!(
            "{}: --pbs draws the staleness curve of a leaderless ring (R and W replicas of N), \
             and this scenario runs the single-leader model: set \"model\": \"leaderless\"",
            args.path
        ));
    }
    if args.until.is_some() || args.ack.is_some() || !args.scaling.is_empty() {
        return Err(format!(
            "--pbs takes only --trials and --seed (it runs no simulation)\n{USAGE}"
        ));
    }
    let world = World::<Leaderless>::new(scenario, seed).map_err(|e| e.to_string())?;
    let options = PbsOptions {
        trials: args.trials,
        ..PbsOptions::default()
    };
    let curve = pbs::curve_of(&world, seed, &options).map_err(|e| format!("--pbs: {e}"))?;
    serde_json::to_string_pretty(&curve).map_err(|e| e.to_string())
}

/// Runs the scenario's model and gives its summary as JSON.
fn simulate<P: Protocol>(
    scenario: &Scenario,
    seed: u64,
    until: Dur,
    args: &Args,
) -> Result<serde_json::Value, String> {
    let mut world = World::<P>::new(scenario, seed).map_err(|e| e.to_string())?;
    world.run_until(until.micros(), u64::MAX);
    if let Some(file) = &args.history {
        std::fs::write(file, world.jepsen_history(true).to_json())
            .map_err(|e| format!("--history {file}: {e}"))?;
    }
    let mut summary = serde_json::to_value(world.summary()).map_err(|e| e.to_string())?;
    if !args.scaling.is_empty() {
        let points = args
            .scaling
            .iter()
            .map(|&r| scaling_point::<P>(scenario, seed, r, until.micros()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--scaling: {e}"))?;
        summary["scaling"] = serde_json::to_value(points).map_err(|e| e.to_string())?;
    }
    Ok(summary)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--lesson") {
        let Some(path) = argv.get(1).filter(|_| argv.len() == 2) else {
            eprintln!("--lesson needs one lesson file (and nothing else)\n{USAGE}");
            return ExitCode::from(2);
        };
        return match run_lesson(path) {
            Ok((json, met)) => {
                println!("{json}");
                if met {
                    ExitCode::SUCCESS
                } else {
                    eprintln!("{path}: an expected outcome was not met (see lesson.outcomes)");
                    ExitCode::from(1)
                }
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        };
    }
    match run() {
        Ok(json) => {
            // `println!` panics when the reader has gone (`run ... | head -1`); a closed
            // pipe only means nobody wants the rest, so stop quietly as Unix tools do.
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{json}").and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("writing the summary: {e}");
                    ExitCode::from(2)
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
