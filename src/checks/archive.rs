//! What the checkers keep of operations that have left the history's window (see
//! `crate::observe::window`): every acknowledged write, and every version a read returned,
//! as one bit at its position in the order of writes, in runs per epoch (term). Two bits
//! per position instead of an operation record, so a long run's memory stays flat, and a
//! write that is lost after it left the window is still found: at the end each position
//! is looked up in the final order ([`ModelFacts::order`], the authority's epochs as
//! ranges), where the same epoch at the same position is the same write (Raft's Log
//! Matching property).
//!
//! What the archive cannot give is the write's key and value: a loss found here is named
//! by its position ("the acknowledged write at 4123 of term 3"). Its report is the judged
//! segments' report ([`Archive::report`]) plus these late findings.

use super::anomalies::{Example, Kind, Report};
use super::facts::{holds, ModelFacts};
use super::linearizable::Verdict;
use crate::kernel::time::Micros;
use crate::kernel::{Pos, Text};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Positions of one epoch from `first` on.
#[derive(Clone, Debug, Default)]
struct Run {
    epoch: u64,
    first: u64,
    /// An acknowledged write is at `first + i`.
    acked: Vec<u64>,
    /// ... and a quorum had it when it was acknowledged.
    durable: Vec<u64>,
    /// A read returned the version at `first + i`.
    read: Vec<u64>,
    /// When the newest of them was archived.
    at: Micros,
}

/// Positions a run spans before a new one starts: runs are shared between clones of the
/// archive (a timeline's checkpoints) and copied only when changed, so they stay small.
const MAX_SPAN: u64 = 1 << 14;

fn set(bits: &mut Vec<u64>, i: u64) {
    let word = (i / 64) as usize;
    if bits.len() <= word {
        bits.resize(word + 1, 0);
    }
    bits[word] |= 1 << (i % 64);
}

fn ones(bits: &[u64]) -> impl Iterator<Item = u64> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        (0..64)
            .filter(move |b| word & (1 << b) != 0)
            .map(move |b| w as u64 * 64 + b)
    })
}

/// Which of the three a bit records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// An acknowledged write (`durable`: a quorum had it when acknowledged).
    Write { durable: bool },
    /// A version some read returned.
    Read,
}

/// The checkers' memory of the operations that left the window.
#[derive(Clone, Debug, Default)]
pub struct Archive {
    runs: Vec<Rc<Run>>,
    /// What the checkers found in the segments judged so far.
    judged: Report,
    /// Operations judged and archived.
    pub operations: u64,
}

impl Archive {
    /// Remembers `mark` at `pos` (archived at `at`).
    pub fn mark(&mut self, pos: Pos, mark: Mark, at: Micros) {
        let (epoch, index) = pos;
        let found = self
            .runs
            .iter()
            .rposition(|r| r.epoch == epoch && r.first <= index && index - r.first < MAX_SPAN);
        let i = found.unwrap_or_else(|| {
            self.runs.push(Rc::new(Run {
                epoch,
                first: index,
                ..Run::default()
            }));
            self.runs.len() - 1
        });
        let run = Rc::make_mut(&mut self.runs[i]);
        let i = index - run.first;
        match mark {
            Mark::Write { durable } => {
                set(&mut run.acked, i);
                if durable {
                    set(&mut run.durable, i);
                }
            }
            Mark::Read => set(&mut run.read, i),
        }
        run.at = run.at.max(at);
    }

    /// Adds what the checkers found in a segment that has just been judged.
    pub fn absorb(&mut self, segment: Report, operations: u64) {
        self.operations += operations;
        for (kind, found) in segment.found {
            let mine = self.judged.found.entry(kind).or_default();
            mine.count += found.count;
            mine.promised += found.promised;
            for example in found.examples {
                if mine.examples.len() < super::anomalies::EXAMPLES_KEPT {
                    mine.examples.push(example);
                } else if example.promised {
                    if let Some(slot) = mine.examples.iter_mut().rev().find(|e| !e.promised) {
                        *slot = example;
                    }
                }
            }
        }
    }

    /// Bytes the bitmaps hold, shared ones included (for the memory figures).
    pub fn bytes(&self) -> usize {
        self.runs
            .iter()
            .map(|r| 8 * (r.acked.len() + r.durable.len() + r.read.len()) + 64)
            .sum()
    }

    /// The segments' findings, plus the archived writes and read versions the final order
    /// no longer holds: lost acknowledged writes and dirty reads found late.
    pub fn report(&self, model: &ModelFacts, settled: bool) -> Report {
        let mut report = self.judged.clone();
        let decided = |pos: Pos| settled || pos.1 <= model.decided.1 || pos.0 < model.decided.0;
        for run in &self.runs {
            let durable: Vec<u64> = ones(&run.durable).collect();
            for i in ones(&run.acked) {
                let pos = (run.epoch, run.first + i);
                if holds(&model.order, pos) || !decided(pos) {
                    continue;
                }
                let was_durable = durable.binary_search(&i).is_ok();
                report.add(
                    Kind::LostAcknowledgedWrite,
                    Example {
                        ops: Vec::new(),
                        at: run.at,
                        nodes: Vec::new(),
                        text: format!(
                            "the write acknowledged at {} of epoch {} ({}) is gone; it left the \
                             checked window, so its key is not known",
                            pos.1,
                            pos.0,
                            if was_durable {
                                "once a majority had it"
                            } else {
                                "before a majority had it"
                            }
                        ),
                        promised: was_durable && model.consensus,
                    },
                );
            }
            for i in ones(&run.read) {
                let pos = (run.epoch, run.first + i);
                if holds(&model.order, pos) || !decided(pos) {
                    continue;
                }
                report.add(
                    Kind::DirtyRead,
                    Example {
                        ops: Vec::new(),
                        at: run.at,
                        nodes: Vec::new(),
                        text: format!(
                            "a read returned the version at {} of epoch {}, a write that \
                             never committed (it left the checked window)",
                            pos.1, pos.0
                        ),
                        promised: false,
                    },
                );
            }
        }
        report
    }
}

/// Where each key's linearizability check stands (see `crate::observe::window`).
#[derive(Clone, Debug, Default)]
pub struct LinearizabilityCuts {
    /// Key → the quiet moment its next stretch starts at (absent: from the start, with the
    /// register empty).
    pub(crate) from: BTreeMap<Text, Micros>,
    /// Keys no longer judged (a write of unknown outcome older than the window).
    pub(crate) given_up: BTreeMap<Text, ()>,
    /// The verdicts so far: "linearizable", "not-linearizable" or "unknown".
    pub(crate) verdict: Option<Verdict>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::facts::OrderRun;

    fn order(runs: &[(u64, u64, u64)]) -> Vec<OrderRun> {
        runs.iter()
            .map(|&(epoch, first, last)| OrderRun { epoch, first, last })
            .collect()
    }

    #[test]
    fn archived_writes_the_final_order_still_holds_are_not_lost() {
        let mut a = Archive::default();
        for i in 1..=200 {
            a.mark((1, i), Mark::Write { durable: true }, 5);
        }
        let model = ModelFacts {
            order: order(&[(1, 1, 300)]),
            decided: (1, 300),
            consensus: true,
            ..ModelFacts::default()
        };
        assert_eq!(a.report(&model, true).count(Kind::LostAcknowledgedWrite), 0);
        assert!(a.bytes() < 200, "two bits a position: {}", a.bytes());
    }

    #[test]
    fn an_archived_write_overwritten_by_another_epoch_is_lost_and_named_by_position() {
        let mut a = Archive::default();
        a.mark((1, 10), Mark::Write { durable: false }, 7);
        a.mark((1, 11), Mark::Write { durable: true }, 8);
        a.mark((1, 11), Mark::Read, 8);
        // The final order has epoch 1 up to 10, then epoch 2 from 11: 11 of epoch 1 is gone.
        let model = ModelFacts {
            order: order(&[(1, 1, 10), (2, 11, 20)]),
            decided: (2, 20),
            consensus: true,
            ..ModelFacts::default()
        };
        let r = a.report(&model, false);
        let lost = &r.found["lostAcknowledgedWrite"];
        assert_eq!((lost.count, lost.promised), (1, 1));
        assert!(lost.examples[0].text.contains("at 11 of epoch 1"));
        assert_eq!(r.count(Kind::DirtyRead), 1);
        // Not yet decided (the cluster has not reached 11): not judged lost.
        let early = ModelFacts {
            order: order(&[(1, 1, 10)]),
            decided: (1, 10),
            ..ModelFacts::default()
        };
        assert_eq!(
            a.report(&early, false).count(Kind::LostAcknowledgedWrite),
            0
        );
    }

    #[test]
    fn absorbed_segments_add_up() {
        let mut a = Archive::default();
        for _ in 0..2 {
            let mut r = Report::default();
            for at in 0..4 {
                r.add(
                    Kind::StaleRead,
                    Example {
                        ops: vec![1],
                        at,
                        nodes: vec![],
                        text: String::new(),
                        promised: at == 3,
                    },
                );
            }
            a.absorb(r, 10);
        }
        let r = a.report(&ModelFacts::default(), false);
        let f = &r.found["staleRead"];
        assert_eq!((f.count, f.promised, a.operations), (8, 2, 20));
        assert!(f.examples.iter().filter(|e| e.promised).count() == 2);
    }
}
