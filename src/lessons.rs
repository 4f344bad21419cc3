//! The lesson format (`www/lessons/*.json`, documented in `docs/lessons.md`): a
//! scenario, the actions a lesson carries out at given times, the narration the page
//! shows (steps, pause points, predictions: read only by the page), and the outcomes the
//! run must reach. [`Lesson::run`] plays the scenario with those actions, as the page's
//! lesson player does (run to each action's time, then act), and judges every expected
//! outcome against the run's summary; the headless runner's `--lesson FILE` prints that.
//!
//! An expected outcome names a value of the summary by a dotted path (`staleReads`,
//! `anomalies.found.lostAcknowledgedWrite.count`, `failovers.length`) and bounds it
//! (`atLeast`, `atMost`, `equals`); a path that leads nowhere reads as 0 (nothing of that
//! kind happened). A path to a list with `from` / `to` counts only its items whose `at`
//! falls in that window (`lostWrites` from 12 s on); `per` divides by another path's
//! value. `availability: {from, to, every}` is the share of the window's slots of `every`
//! (1 s unless given) in which writes succeeded: a slot counts as up when a write begun in
//! it succeeded, as down when writes began in it and none did, and not at all when none
//! began; `"reads": true` judges the reads instead. This is a probe's view: closed-loop
//! clients stuck in timeouts start fewer operations, so a plain share of operations would
//! understate an outage.

use crate::clients::history::{OpKind, Outcome as HistOutcome};
use crate::config::ModelKind;
use crate::config::Scenario;
use crate::kernel::actions::Action;
use crate::kernel::time::Dur;
use crate::kernel::{self, Protocol};
use crate::protocols::{Leaderless, SingleLeader};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The lesson format's version this code reads.
pub const LESSON_VERSION: u32 = 1;

/// A lesson file. Fields the page alone reads (`steps`, `speed`, `summary`) are kept as
/// JSON, unchecked here beyond their shape.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lesson {
    /// Must be [`LESSON_VERSION`].
    pub lesson: u32,
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// The name of a file in `www/scenarios/` (without `.json`) or a whole scenario.
    pub scenario: Value,
    pub seed: u64,
    /// How far the lesson runs (and the runner with it).
    pub until: Dur,
    #[serde(default)]
    pub speed: Option<f64>,
    /// Actions at given times (`{"at": "6s", "do": {"crash": {"node": 0}}}`).
    #[serde(default)]
    pub actions: Vec<TimedAction>,
    /// The narration (the page's).
    #[serde(default)]
    pub steps: Vec<Value>,
    /// What the run must show by `until`.
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

/// An action the lesson carries out at `at` (after every event due by then). Its `node`
/// may be `"primary"`: whichever node is primary then.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedAction {
    pub at: Dur,
    #[serde(rename = "do")]
    pub action: Value,
}

/// One expected outcome.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expectation {
    /// What it shows, in words ("an acknowledged write is lost").
    pub what: String,
    /// A dotted path into the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Count only the list items whose `at` is at or after this...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Dur>,
    /// ...and before this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Dur>,
    /// Instead of a path: the share of writes begun in this window that succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Window>,
    /// If given, the value is `path / per` (both paths), e.g. writes/s per reads/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<f64>,
}

/// A window of simulated time (`to` absent: the end of the run) cut into slots of `every`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from: Dur,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Dur>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<Dur>,
    /// Judge the reads instead of the writes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reads: bool,
}

/// The slot length of an availability window unless it gives one.
pub const DEFAULT_SLOT: Dur = Dur(1_000_000);

/// How one expected outcome went.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub what: String,
    pub value: f64,
    pub met: bool,
    /// The bound, in words ("at least 1").
    pub wanted: String,
}

/// A lesson's run: the summary (as JSON) and every outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LessonRun {
    pub lesson: String,
    pub outcomes: Vec<Outcome>,
    pub met: bool,
    pub summary: Value,
}

impl Lesson {
    /// Parses and checks a lesson file; errors name the field.
    pub fn from_json(text: &str) -> Result<Lesson, String> {
        let lesson: Lesson = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if lesson.lesson != LESSON_VERSION {
            return Err(format!(
                "lesson: version {} is not the one this program reads ({LESSON_VERSION})",
                lesson.lesson
            ));
        }
        for (i, a) in lesson.actions.iter().enumerate() {
            // The model is known once the scenario is: an action of either passes here.
            parse_action::<<SingleLeader as Protocol>::Action>(&a.action)
                .map(drop)
                .or_else(|e| {
                    parse_action::<<Leaderless as Protocol>::Action>(&a.action)
                        .map(drop)
                        .map_err(|_| e)
                })
                .map_err(|e| format!("actions[{i}].do: {e}"))?;
            if i > 0 && a.at < lesson.actions[i - 1].at {
                return Err(format!("actions[{i}].at: actions must be in time order"));
            }
        }
        for (i, e) in lesson.expect.iter().enumerate() {
            if e.path.is_none() == e.availability.is_none() {
                return Err(format!(
                    "expect[{i}]: give a path or an availability window"
                ));
            }
            if e.at_least.is_none() && e.at_most.is_none() && e.equals.is_none() {
                return Err(format!(
                    "expect[{i}]: give atLeast, atMost or equals for {:?}",
                    e.what
                ));
            }
        }
        Ok(lesson)
    }

    /// The scenario: inline, or the named file's text from `read(name)`.
    pub fn scenario(
        &self,
        read: impl Fn(&str) -> Result<String, String>,
    ) -> Result<Scenario, String> {
        match &self.scenario {
            Value::String(name) => {
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    return Err(format!("scenario: {name:?} is not a scenario name"));
                }
                Scenario::from_json(&read(name)?).map_err(|e| format!("scenario {name}: {e}"))
            }
            Value::Object(_) => {
                Scenario::from_json(&self.scenario.to_string()).map_err(|e| format!("scenario.{e}"))
            }
            _ => Err("scenario: a scenario name or a scenario object".into()),
        }
    }

    /// Reads, plays and judges the lesson file at `path`; a named scenario is read from
    /// `../scenarios/NAME.json` beside the lessons' folder (as the page finds it).
    pub fn run_file(path: &std::path::Path) -> Result<LessonRun, String> {
        let at = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{at}: {e}"))?;
        let lesson = Lesson::from_json(&text).map_err(|e| format!("{at}: {e}"))?;
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        let scenario = lesson
            .scenario(|name| {
                let file = dir
                    .join("..")
                    .join("scenarios")
                    .join(format!("{name}.json"));
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))
            })
            .map_err(|e| format!("{at}: {e}"))?;
        lesson.run(&scenario).map_err(|e| format!("{at}: {e}"))
    }

    /// Plays the lesson (its scenario with its actions, to `until`, in the scenario's
    /// model) and judges it.
    pub fn run(&self, scenario: &Scenario) -> Result<LessonRun, String> {
        match scenario.model {
            ModelKind::SingleLeader => {
                let world = kernel::World::<SingleLeader>::new(scenario, self.seed)
                    .map_err(|e| e.to_string())?;
                self.play(world, |w| w.primary())
            }
            ModelKind::Leaderless => {
                let world = kernel::World::<Leaderless>::new(scenario, self.seed)
                    .map_err(|e| e.to_string())?;
                self.play(world, |_| None)
            }
        }
    }

    /// Plays the lesson on `world` (`primary`: the node `"node": "primary"` names now).
    fn play<P: Protocol>(
        &self,
        mut world: kernel::World<P>,
        primary: impl Fn(&kernel::World<P>) -> Option<kernel::NodeId>,
    ) -> Result<LessonRun, String>
    where
        P::Action: serde::de::DeserializeOwned,
    {
        for (i, a) in self.actions.iter().enumerate() {
            world.run_until(a.at.micros(), u64::MAX);
            let action: Action<P::Action> = parse_action(&with_primary(&a.action, primary(&world)))
                .map_err(|e| format!("actions[{i}]: {e}"))?;
            world
                .act(action)
                .map_err(|e| format!("actions[{i}] at {}: {e}", a.at))?;
        }
        world.run_until(self.until.micros(), u64::MAX);
        let summary = serde_json::to_value(world.summary()).map_err(|e| e.to_string())?;
        let writes: Vec<Done> = world
            .history()
            .ops()
            .iter()
            .filter(|op| op.outcome != HistOutcome::Pending)
            .map(|op| Done {
                at: op.invoked_at,
                ok: op.outcome == HistOutcome::Ok,
                read: op.kind == OpKind::Read,
            })
            .collect();
        let outcomes: Vec<Outcome> = self
            .expect
            .iter()
            .map(|e| e.judge(&summary, &writes))
            .collect();
        Ok(LessonRun {
            lesson: self.id.clone(),
            met: outcomes.iter().all(|o| o.met),
            outcomes,
            summary,
        })
    }
}

/// An operation that finished: when it began, whether it succeeded and whether it was a
/// read (for availability).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Done {
    pub at: u64,
    pub ok: bool,
    pub read: bool,
}

/// The share of `window`'s slots in which a write begun there succeeded, of the slots in
/// which writes began (1 if none did).
pub fn availability(writes: &[Done], window: Window) -> f64 {
    let from = window.from.micros();
    let to = window.to.map_or(u64::MAX, Dur::micros);
    let every = window.every.unwrap_or(DEFAULT_SLOT).micros().max(1);
    // slot index -> whether a write begun in it succeeded
    let mut slots = std::collections::BTreeMap::new();
    for w in writes
        .iter()
        .filter(|w| w.read == window.reads && w.at >= from && w.at < to)
    {
        *slots.entry((w.at - from) / every).or_insert(false) |= w.ok;
    }
    if slots.is_empty() {
        return 1.0;
    }
    slots.values().filter(|&&up| up).count() as f64 / slots.len() as f64
}

fn parse_action<A: serde::de::DeserializeOwned>(value: &Value) -> Result<Action<A>, String> {
    serde_json::from_value(with_primary(value, Some(0))).map_err(|e| e.to_string())
}

/// The action with `"node": "primary"` replaced by the primary's id at that moment (a
/// lesson cannot know beforehand which node an election made primary); with no primary,
/// left as it is (and refused).
pub fn with_primary(action: &Value, primary: Option<crate::kernel::NodeId>) -> Value {
    let mut action = action.clone();
    if let (Some(p), Value::Object(map)) = (primary, &mut action) {
        for fields in map.values_mut() {
            if let Some(node) = fields
                .get_mut("node")
                .filter(|n| n.as_str() == Some("primary"))
            {
                *node = Value::from(p);
            }
        }
    }
    action
}

/// The number at a dotted path of `value` (`a.b.length` counts an array); 0 if absent.
pub fn value_at(value: &Value, path: &str) -> f64 {
    value_in(value, path, None)
}

/// As [`value_at`]; a list is counted by the items whose `at` lies in `window`, if given.
fn value_in(value: &Value, path: &str, window: Option<(u64, u64)>) -> f64 {
    let mut v = value;
    for part in path.split('.') {
        v = match (v, part) {
            (Value::Array(items), "length") => return items.len() as f64,
            (Value::Array(items), i) => match i.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(x) => x,
                None => return 0.0,
            },
            (Value::Object(map), key) => match map.get(key) {
                Some(x) => x,
                None => return 0.0,
            },
            _ => return 0.0,
        };
    }
    match (v, window) {
        (Value::Array(items), Some((from, to))) => items
            .iter()
            .filter(|x| {
                x.get("at")
                    .and_then(Value::as_u64)
                    .is_some_and(|at| at >= from && at < to)
            })
            .count() as f64,
        (Value::Number(n), _) => n.as_f64().unwrap_or(0.0),
        (Value::Bool(b), _) => f64::from(u8::from(*b)),
        (Value::Array(items), None) => items.len() as f64,
        _ => 0.0,
    }
}

impl Expectation {
    /// This outcome judged against a run's summary and its finished writes.
    pub fn judge(&self, summary: &Value, writes: &[Done]) -> Outcome {
        let window = (self.from.is_some() || self.to.is_some()).then(|| {
            (
                self.from.map_or(0, Dur::micros),
                self.to.map_or(u64::MAX, Dur::micros),
            )
        });
        let mut value = match (&self.path, self.availability) {
            (_, Some(w)) => availability(writes, w),
            (Some(path), None) => value_in(summary, path, window),
            (None, None) => 0.0,
        };
        if let Some(per) = &self.per {
            let d = value_at(summary, per);
            value = if d == 0.0 { 0.0 } else { value / d };
        }
        let mut wanted = Vec::new();
        let mut met = true;
        if let Some(x) = self.at_least {
            met &= value >= x;
            wanted.push(format!("at least {x}"));
        }
        if let Some(x) = self.at_most {
            met &= value <= x;
            wanted.push(format!("at most {x}"));
        }
        if let Some(x) = self.equals {
            met &= (value - x).abs() < 1e-9;
            wanted.push(format!("exactly {x}"));
        }
        Outcome {
            what: self.what.clone(),
            value,
            met,
            wanted: wanted.join(" and "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_numbers_counts_and_absences() {
        let v: Value = serde_json::json!({"a": {"b": 3, "list": [1, 2]}, "ok": true});
        assert_eq!(value_at(&v, "a.b"), 3.0);
        assert_eq!(value_at(&v, "a.list.length"), 2.0);
        assert_eq!(value_at(&v, "a.list"), 2.0);
        assert_eq!(value_at(&v, "a.list.1"), 2.0);
        assert_eq!(value_at(&v, "a.missing.deeper"), 0.0);
        assert_eq!(value_at(&v, "ok"), 1.0);
    }

    #[test]
    fn bounds_are_judged() {
        let v: Value = serde_json::json!({"n": 2, "d": 4});
        let e = |at_least, at_most| Expectation {
            what: "n".into(),
            path: Some("n".into()),
            from: None,
            to: None,
            availability: None,
            per: None,
            at_least,
            at_most,
            equals: None,
        };
        assert!(e(Some(1.0), None).judge(&v, &[]).met);
        assert!(!e(Some(3.0), None).judge(&v, &[]).met);
        assert!(!e(None, Some(1.0)).judge(&v, &[]).met);
        let ratio = Expectation {
            per: Some("d".into()),
            ..e(None, Some(0.5))
        };
        assert_eq!(ratio.judge(&v, &[]).value, 0.5);
        assert!(ratio.judge(&v, &[]).met);
    }

    #[test]
    fn windows_count_list_items_and_writes_by_time() {
        let v: Value =
            serde_json::json!({"lost": [{"at": 1}, {"at": 5_000_000}, {"at": 9_000_000}]});
        let e = Expectation {
            what: "late losses".into(),
            path: Some("lost".into()),
            from: Some(Dur(4_000_000)),
            to: Some(Dur(9_000_000)),
            availability: None,
            per: None,
            at_least: None,
            at_most: None,
            equals: Some(1.0),
        };
        assert!(e.judge(&v, &[]).met);
        let writes = [
            Done {
                at: 0,
                ok: true,
                read: false,
            },
            Done {
                at: 10,
                ok: false,
                read: false,
            },
            Done {
                at: 2_000_000,
                ok: true,
                read: false,
            },
        ];
        let w = |from, to: Option<u64>| Window {
            from: Dur(from),
            to: to.map(Dur),
            every: None,
            reads: false,
        };
        // Slot 0 had a success (and a failure), slot 2 a success: both up.
        assert_eq!(availability(&writes, w(0, None)), 1.0);
        assert_eq!(availability(&writes, w(5_000_000, None)), 1.0);
        let down = [
            Done {
                at: 0,
                ok: true,
                read: false,
            },
            Done {
                at: 1_100_000,
                ok: false,
                read: false,
            },
            Done {
                at: 1_200_000,
                ok: false,
                read: false,
            },
            Done {
                at: 3_000_000,
                ok: true,
                read: false,
            },
        ];
        // Slots 0 and 3 up, slot 1 down, slot 2 without writes: 2 of 3.
        assert!((availability(&down, w(0, None)) - 2.0 / 3.0).abs() < 1e-12);
        let halves = Window {
            every: Some(Dur(500_000)),
            ..w(1_000_000, Some(2_000_000))
        };
        assert_eq!(availability(&down, halves), 0.0);
    }

    #[test]
    fn a_bad_lesson_is_refused_with_its_field() {
        let base = r#"{"lesson": 1, "id": "x", "title": "X", "scenario": "backup-band", "seed": 1, "until": "1s""#;
        let err = Lesson::from_json(&format!(
            "{base}, \"actions\": [{{\"at\": \"1s\", \"do\": {{\"explode\": 1}}}}]}}"
        ))
        .unwrap_err();
        assert!(err.starts_with("actions[0].do:"), "{err}");
        let err = Lesson::from_json(&format!(
            "{base}, \"expect\": [{{\"what\": \"w\", \"path\": \"p\"}}]}}"
        ))
        .unwrap_err();
        assert!(err.contains("atLeast"), "{err}");
        let err = Lesson::from_json(&format!(
            "{}}}",
            base.replace("\"lesson\": 1", "\"lesson\": 2")
        ))
        .unwrap_err();
        assert!(err.contains("version 2"), "{err}");
    }
}
