//! Bounded memory for long runs: the history keeps a window of recent operations, and the
//! checkers judge the run in segments as it goes.
//!
//! An operation is *judged* once it has completed and is [`HISTORY_WINDOW`] old: its
//! segment goes through every checker of `crate::checks` with the whole window as context
//! (so a read is judged against the writes of the window before it and after it), and the
//! findings go into the run's [`Archive`]. Acknowledged writes and the versions reads
//! returned are kept there as two bits per position, so a write lost long after it left
//! the window is still found at the end. An operation is *retired* (dropped) once it is
//! twice the window old. The staleness oracle forgets writes older than that too.
//!
//! Linearizability is judged per key in stretches between moments the key was quiet (no
//! operation on it in flight), so dropping what came before cannot make a history look
//! wrong: each stretch starts from any value the register could hold (each value its
//! operations mention is tried, and one they do not). A key with a write of unknown
//! outcome (`info`) stays unquiet for ever; once its stretch would reach past the window it
//! is no longer judged, and the report says how many keys that is.
//!
//! A run shorter than the window is judged exactly as a whole, as before.

use crate::checks::anomalies::{Example, Kind, Report};
use crate::checks::archive::{LinearizabilityCuts, Mark};
use crate::checks::history::{Event, History, Value};
use crate::checks::linearizable::{self, CheckOptions, Verdict};
use crate::checks::{self, RunFacts};
use crate::clients::history::{Op, OpKind, Outcome};
pub use crate::clients::history::{HISTORY_WINDOW, WINDOW_OPS};
use crate::kernel::time::Micros;
use crate::kernel::{OpId, Protocol, Text, World};
use crate::observe::jepsen::{promises_linearizability, LINEARIZABILITY_STEPS};
use std::collections::BTreeMap;

/// The fewest operations judged at once (judging costs a pass over the window).
const MIN_SEGMENT: u64 = 512;

/// Initial values tried for a stretch of one key (more: the stretch is not judged).
const MAX_CANDIDATES: usize = 12;

impl<P: Protocol> World<P> {
    /// Sets how old (`age`) or how many operations back (`ops`) an operation is judged;
    /// it leaves the window at twice either. The defaults are [`HISTORY_WINDOW`] and
    /// [`WINDOW_OPS`]; tests shrink them to compare windowed judgement with whole-run
    /// judgement, and `Micros::MAX, usize::MAX` keeps everything.
    pub fn set_history_window(&mut self, age: Micros, ops: usize) {
        self.history_window = (age, ops);
    }

    /// Judges the operations that have aged past the window and retires those past twice
    /// it (called at every statistics sample).
    pub(crate) fn bound_history(&mut self) {
        let ops = self.history.ops();
        let judged = self.history.judged();
        let start = (judged - self.history.retired()) as usize;
        let (window, window_ops) = self.history_window;
        let batch = (MIN_SEGMENT as usize).max(ops.len() / 2);
        // Operations are in invocation order: the aged ones are a prefix (found by binary
        // search, so a sample that judges nothing costs next to nothing).
        let judge_before = self.now.saturating_sub(window);
        let aged = ops
            .partition_point(|o| o.invoked_at < judge_before)
            .max(ops.len().saturating_sub(window_ops));
        if aged < start + batch {
            return;
        }
        let upto = ops[start..aged]
            .iter()
            .position(|o| o.outcome == Outcome::Pending)
            .map_or(aged, |p| start + p);
        if upto < start + batch {
            return;
        }
        let through = ops[upto - 1].id;
        // Leaving: judged, and twice the window old or twice its count back.
        let retire_before = self.now.saturating_sub(window.saturating_mul(2));
        let leaving = ops
            .partition_point(|o| o.invoked_at < retire_before)
            .max(ops.len().saturating_sub(window_ops.saturating_mul(2)))
            .min(upto);
        let leaving = leaving.checked_sub(1).map(|i| ops[i].id);
        let retiring = leaving
            .and_then(|id| self.history.get(id + 1))
            .map_or(retire_before, |o| o.invoked_at);
        self.judge_segment(through, judge_before.max(retiring), retiring);
        if let Some(id) = leaving {
            self.history.retire_through(id);
            // Every read still to be judged by the oracle was invoked after the oldest
            // operation kept.
            let oldest = self
                .history
                .ops()
                .first()
                .map_or(self.now, |o| o.invoked_at);
            self.oracle.compact(oldest);
        }
    }

    /// Runs every checker over operations `judged + 1 ..= through`, archives what they
    /// leave for the end, and checks each key's quiet stretches up to `quiet_before` (giving
    /// up keys whose unjudged stretch begins before `retiring`, about to leave the window).
    fn judge_segment(&mut self, through: OpId, quiet_before: Micros, retiring: Micros) {
        let model = P::facts(self, false);
        let judged = self.history.judged();
        let mut facts = RunFacts::new(self.history.ops(), &model, false, self.now);
        facts.judged_through = judged;
        facts.segment = true;
        let upto = (through - self.history.retired()) as usize;
        facts.ops = &self.history.ops()[..upto];
        let report = checks::judge(&facts);
        // Writes and read versions whose fate the end may still change.
        let mut marks = Vec::new();
        for op in facts.ops.iter().filter(|o| facts.subject(o)) {
            if op.outcome != Outcome::Ok {
                continue;
            }
            if op.kind.mutates() && op.swapped != Some(false) {
                if let Some(pos) = facts.write_pos(op) {
                    if facts.survives(op.id) || !facts.decided(pos) {
                        marks.push((
                            pos,
                            Mark::Write {
                                durable: op.durable,
                            },
                        ));
                    }
                }
            } else if let Some(v) = &op.read {
                if facts.survives_version(v) || !facts.decided(v.pos) {
                    marks.push((v.pos, Mark::Read));
                }
            }
        }
        let operations = report.operations;
        let at = self.now;
        let mut lin = Report::default();
        let mut cuts = std::mem::take(&mut self.cuts);
        self.judge_stretches(
            &mut cuts,
            &mut lin,
            Some((quiet_before, retiring)),
            model.consensus,
        );
        self.cuts = cuts;
        for (pos, mark) in marks {
            self.archive.mark(pos, mark, at);
        }
        self.archive.absorb(report, operations);
        self.archive.absorb(lin, 0);
        self.history.set_judged(through);
    }

    /// Checks each key's operations from its last quiet moment to the latest quiet moment
    /// before `segment.0` (`None`: to the end, the run being over), adding violations to
    /// `report`; a key still unquiet whose stretch began before `segment.1` is given up.
    fn judge_stretches(
        &self,
        cuts: &mut LinearizabilityCuts,
        report: &mut Report,
        segment: Option<(Micros, Micros)>,
        consensus: bool,
    ) {
        let quiet_before = segment.map(|s| s.0);
        let mut by_key: BTreeMap<&Text, Vec<&Op<P::OpMeta>>> = BTreeMap::new();
        for op in self.history.ops() {
            let relevant = match op.outcome {
                Outcome::Fail => false,
                Outcome::Info | Outcome::Pending => op.kind.mutates(),
                Outcome::Ok => op.kind.mutates() || promises_linearizability(op),
            };
            if relevant && !cuts.given_up.contains_key(&op.key) {
                let from = cuts.from.get(&op.key).copied().unwrap_or(0);
                if op.invoked_at >= from {
                    by_key.entry(&op.key).or_default().push(op);
                }
            }
        }
        let durable = self
            .history
            .ops()
            .iter()
            .filter(|o| o.kind.mutates() && o.outcome == Outcome::Ok)
            .all(|o| o.durable);
        for (key, ops) in by_key {
            // Operations are in invocation order (ids are). A quiet moment: every
            // operation invoked before it has completed.
            let mut busy_until: Micros = 0;
            let mut end = 0;
            let mut quiet_at = None;
            for (i, op) in ops.iter().enumerate() {
                if i > 0 && busy_until < op.invoked_at {
                    if quiet_before.is_some_and(|q| op.invoked_at > q) {
                        break;
                    }
                    end = i;
                    quiet_at = Some(op.invoked_at);
                }
                let done = match op.outcome {
                    Outcome::Ok => op.completed_at.unwrap_or(Micros::MAX),
                    _ => Micros::MAX,
                };
                busy_until = busy_until.max(done);
            }
            let (stretch, next_from) = match quiet_before {
                None => (&ops[..], None),
                Some(_) => (&ops[..end], quiet_at),
            };
            let from = cuts.from.get(key).copied();
            // The rest (from the cut, or all of it when there is none) waits for the next
            // segment, unless part of it is about to leave the window: then the key can no
            // longer be judged soundly.
            let rest_starts = next_from.unwrap_or(ops[0].invoked_at);
            if segment.is_some_and(|(_, retiring)| rest_starts < retiring) {
                cuts.given_up.insert(key.clone(), ());
                cuts.from.remove(key);
            } else if let Some(next) = next_from {
                cuts.from.insert(key.clone(), next);
            }
            if stretch.iter().all(|o| !promises_linearizability(*o)) {
                continue;
            }
            let verdict = self.check_stretch(key, stretch, from.is_some());
            let worst = |a: Option<Verdict>, b: &Verdict| match (a, b) {
                (Some(Verdict::NotLinearizable), _) | (_, Verdict::NotLinearizable) => {
                    Verdict::NotLinearizable
                }
                (Some(Verdict::Unknown), _) | (_, Verdict::Unknown) => Verdict::Unknown,
                _ => Verdict::Linearizable,
            };
            cuts.verdict = Some(worst(cuts.verdict, &verdict.0));
            if verdict.0 == Verdict::NotLinearizable {
                report.add(
                    Kind::NotLinearizable,
                    Example {
                        ops: verdict.1,
                        at: self.now,
                        nodes: Vec::new(),
                        text: verdict.2,
                        promised: consensus && durable,
                    },
                );
            }
        }
    }

    /// One key's stretch: linearizable from some initial value? (`unknown_start`: the
    /// stretch starts after earlier operations, so the register may hold anything.)
    fn check_stretch(
        &self,
        key: &Text,
        ops: &[&Op<P::OpMeta>],
        unknown_start: bool,
    ) -> (Verdict, Vec<OpId>, String) {
        let history = self.jepsen_history_of(ops.iter().copied());
        let options = CheckOptions {
            max_steps: LINEARIZABILITY_STEPS,
            out_of_time: None,
        };
        let mut candidates = vec![None];
        if unknown_start {
            candidates = vec![Some(Value::Nil), Some(Value::Str("\u{0}any other".into()))];
            // Only operations invoked before the first acknowledged write has returned can
            // see the register as the stretch found it: the values they mention.
            let first_write_done = ops
                .iter()
                .filter(|o| {
                    o.kind.mutates() && o.outcome == Outcome::Ok && o.swapped != Some(false)
                })
                .filter_map(|o| o.completed_at)
                .min()
                .unwrap_or(Micros::MAX);
            for op in ops.iter().filter(|o| o.invoked_at < first_write_done) {
                let mentioned = match op.kind {
                    OpKind::Read if op.outcome == Outcome::Ok => Some(
                        op.read
                            .as_ref()
                            .map_or(Value::Nil, |v| Value::Str(v.value.clone())),
                    ),
                    OpKind::Cas => Some(op.expected.clone().map_or(Value::Nil, Value::Str)),
                    _ => None,
                };
                if let Some(v) = mentioned.map(Some) {
                    if !candidates.contains(&v) {
                        candidates.push(v);
                    }
                }
            }
        }
        if candidates.len() > MAX_CANDIDATES {
            let text = format!("{key}: too many possible starting values to judge");
            return (Verdict::Unknown, Vec::new(), text);
        }
        let mut last = (Verdict::Unknown, Vec::new(), String::new());
        let mut unknown = false;
        for start in candidates {
            let mut h = History::new();
            if let Some(v) = start {
                let w = Event::invoke_write(u64::MAX, Value::Str(key.clone()), v);
                h.push(w.clone());
                h.push(w.ok());
            }
            h.events.extend(history.events.iter().cloned());
            let Ok(checked) = linearizable::check_linearizable(&h, &options) else {
                return (Verdict::Unknown, Vec::new(), String::new());
            };
            match checked.verdict {
                Verdict::Linearizable => return (Verdict::Linearizable, Vec::new(), String::new()),
                Verdict::Unknown => unknown = true,
                Verdict::NotLinearizable => {
                    let ops = checked.explanation.as_ref().map_or_else(Vec::new, |e| {
                        e.blocked.iter().filter_map(|b| b.op.op).collect()
                    });
                    let text = checked
                        .key_results
                        .first()
                        .map(|k| k.message.clone())
                        .unwrap_or_default();
                    last = (Verdict::NotLinearizable, ops, text);
                }
            }
        }
        if unknown {
            return (Verdict::Unknown, Vec::new(), String::new());
        }
        last
    }

    /// The verdict on the run so far when the window has moved on: the judged segments,
    /// what the archive finds late, and the window's unjudged operations.
    pub(crate) fn windowed_anomalies(&self, settled: bool) -> Report {
        let model = P::facts(self, settled);
        let mut facts = RunFacts::new(self.history.ops(), &model, settled, self.now);
        facts.judged_through = self.history.judged();
        let window = checks::judge(&facts);
        let mut archive = self.archive.clone();
        let operations = window.operations;
        let not_judged = window.not_judged.clone();
        archive.absorb(window, operations);
        let mut cuts = self.cuts.clone();
        let mut lin = Report::default();
        self.judge_stretches(&mut cuts, &mut lin, None, model.consensus);
        archive.absorb(lin, 0);
        let mut report = archive.report(&model, settled);
        report.settled = settled;
        report.operations = archive.operations;
        report.not_judged = not_judged;
        report.linearizability = cuts.verdict.map(|v| {
            match v {
                Verdict::Linearizable => "linearizable",
                Verdict::NotLinearizable => "not-linearizable",
                Verdict::Unknown => "unknown",
            }
            .to_string()
        });
        if !cuts.given_up.is_empty() {
            report.not_judged(
                Kind::NotLinearizable,
                &format!(
                    "{} keys not judged for linearizability after a write of unknown outcome \
                     left the window",
                    cuts.given_up.len()
                ),
            );
        }
        report
    }
}
