//! The headless runner: simulates a scenario natively and prints a JSON summary, so a
//! course author can check a scenario (does it produce the stale reads the lesson needs?)
//! before publishing it.
//!
//! ```text
//! cargo run --release --example run -- scenario.json [--seed N] [--until 60s]
//! ```
//!
//! The seed comes from `--seed`, else from the scenario's `seed` field; there is no other
//! source. Exit status: 0 on success, 2 on bad arguments or a bad scenario.

use replica_lab::time::Dur;
use replica_lab::{Scenario, World};
use std::process::ExitCode;

const USAGE: &str = "usage: run SCENARIO.json [--seed N] [--until DURATION]";

struct Args {
    path: String,
    seed: Option<u64>,
    until: Option<Dur>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut path, mut seed, mut until) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let v = args.next().ok_or("--seed needs a number")?;
                seed = Some(
                    v.parse()
                        .map_err(|_| format!("--seed {v:?} is not a whole number"))?,
                );
            }
            "--until" => {
                let v = args.next().ok_or("--until needs a duration such as 60s")?;
                until = Some(Dur::parse(&v).map_err(|e| format!("--until: {e}"))?);
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
    })
}

fn run() -> Result<String, String> {
    let args = parse_args(std::env::args().skip(1))?;
    let text = std::fs::read_to_string(&args.path).map_err(|e| format!("{}: {e}", args.path))?;
    let scenario = Scenario::from_json(&text).map_err(|e| format!("{}: {e}", args.path))?;
    let seed = args
        .seed
        .or(scenario.seed)
        .ok_or_else(|| format!("{}: no seed: give --seed N or a \"seed\" field", args.path))?;
    let until = args.until.or(scenario.until).unwrap_or(Dur::ms(60_000));
    let mut world = World::new(&scenario, seed).map_err(|e| e.to_string())?;
    world.run_until(until.micros(), u64::MAX);
    serde_json::to_string_pretty(&world.summary()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
