//! The standalone linearizability checker: reads histories in the Jepsen format
//! (`docs/history-format.md`: a JSON array of operation maps, or JSON Lines) and prints one
//! JSON line per file.
//!
//! ```text
//! cargo run --release --example check -- FILE.json [FILE.json ...] [--max-steps N] [--timeout 10s] [--sessions]
//! ```
//!
//! Each line is the checker's report plus the file and the wall-clock time:
//! `{"file": "h.json", "verdict": "linearizable" | "not-linearizable" | "unknown", "keys": 1,
//! "operations": 300, "steps": 1234, "explanation": null | {...}, "keyResults": [...], "ms": 2.1}`.
//! `--max-steps` bounds the search per key (0, the default, is unlimited); `--timeout` bounds
//! each file's wall-clock time (default 10s; 0 is unlimited). Either running out makes the
//! undecided keys `unknown`. `--sessions` adds a `sessions` object per line: read-your-writes
//! and monotonic-reads violations per process, judged by the order real time forces on the
//! writes (`docs/history-format.md`), with the first few examples.
//!
//! A file that cannot be read, or is not a valid history, prints its problems on stderr, each
//! named by path (`h.json: [17].type: expected invoke, ok, fail or info (got "okay")`), and a
//! line `{"file": "h.json", "verdict": "error", "errors": ["[17].type: ..."]}` on stdout, so
//! there is one line per file either way.
//!
//! Exit status: 2 if any file was unreadable or invalid (or the arguments were bad); else 1
//! if any history is not linearizable (or, with `--sessions`, breaks a session guarantee);
//! else 3 if any is unknown; else 0.

use replica_lab::checks::history::History;
use replica_lab::checks::linearizable::{check_linearizable, CheckOptions, Report, Verdict};
use replica_lab::checks::sessions::from_history::{self, SessionReport};
use replica_lab::kernel::time::Dur;
use serde::Serialize;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: check FILE.json [FILE.json ...] [--max-steps N] [--timeout 10s] [--sessions]";

struct Args {
    files: Vec<String>,
    max_steps: u64,
    /// `None`: no limit.
    timeout: Option<Duration>,
    /// Also check session guarantees.
    sessions: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        files: Vec::new(),
        max_steps: 0,
        timeout: Some(Duration::from_secs(10)),
        sessions: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
        match arg.as_str() {
            "--max-steps" => {
                let v = value("a number of steps")?;
                parsed.max_steps = v
                    .parse()
                    .map_err(|_| format!("--max-steps {v:?} is not a whole number"))?;
            }
            "--timeout" => {
                let v = value("a duration such as 10s")?;
                let micros = Dur::parse(&v)
                    .map_err(|e| format!("--timeout: {e}"))?
                    .micros();
                parsed.timeout = (micros > 0).then(|| Duration::from_micros(micros));
            }
            "--sessions" => parsed.sessions = true,
            "-h" | "--help" => return Err(USAGE.into()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            _ => parsed.files.push(arg),
        }
    }
    if parsed.files.is_empty() {
        return Err(USAGE.into());
    }
    Ok(parsed)
}

/// One stdout line for a checked file.
#[derive(Serialize)]
struct Checked<'a> {
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions: Option<SessionReport>,
    ms: f64,
}

/// One stdout line for a file that could not be checked.
#[derive(Serialize)]
struct Unreadable<'a> {
    file: &'a str,
    verdict: &'static str,
    errors: Vec<String>,
}

/// What became of one file, most severe last (the exit status is the worst).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Linearizable,
    Unknown,
    NotLinearizable,
    Unreadable,
}

impl Status {
    fn exit_code(self) -> u8 {
        match self {
            Status::Linearizable => 0,
            Status::NotLinearizable => 1,
            Status::Unreadable => 2,
            Status::Unknown => 3,
        }
    }
}

fn check_file(file: &str, args: &Args) -> Status {
    let started = Instant::now();
    let parsed = std::fs::read_to_string(file)
        .map_err(|e| vec![e.to_string()])
        .and_then(|text| {
            History::from_json(&text)
                .map_err(|errors| errors.iter().map(ToString::to_string).collect())
        });
    let history = match parsed {
        Ok(history) => history,
        Err(errors) => {
            for e in &errors {
                eprintln!("{file}: {e}");
            }
            print_line(&Unreadable {
                file,
                verdict: "error",
                errors,
            });
            return Status::Unreadable;
        }
    };
    let deadline = args.timeout.map(|t| started + t);
    let out_of_time = move || deadline.is_some_and(|d| Instant::now() >= d);
    let options = CheckOptions {
        max_steps: args.max_steps,
        out_of_time: Some(&out_of_time),
    };
    let report = match check_linearizable(&history, &options) {
        Ok(report) => report,
        Err(errors) => {
            // from_json already paired the events, so this is not expected.
            let errors = errors.iter().map(ToString::to_string).collect();
            print_line(&Unreadable {
                file,
                verdict: "error",
                errors,
            });
            return Status::Unreadable;
        }
    };
    // The history paired up for the linearizability check, so it does here too.
    let sessions = args
        .sessions
        .then(|| from_history::check(&history).unwrap_or_default());
    let broken_session = sessions.as_ref().is_some_and(|s| s.violations() > 0);
    let ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    print_line(&Checked {
        file,
        report: &report,
        sessions,
        ms,
    });
    match report.verdict {
        _ if broken_session => Status::NotLinearizable,
        Verdict::Linearizable => Status::Linearizable,
        Verdict::NotLinearizable => Status::NotLinearizable,
        Verdict::Unknown => Status::Unknown,
    }
}

fn print_line(line: &impl Serialize) {
    match serde_json::to_string(line) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("internal: could not write a result: {e}"),
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let worst = args
        .files
        .iter()
        .map(|file| check_file(file, &args))
        .max()
        .unwrap_or(Status::Linearizable);
    ExitCode::from(worst.exit_code())
}
