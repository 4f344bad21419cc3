//! The Wing & Gong / Lowe search (WGL, as Porcupine and Knossos run it) for one register.
//!
//! Calls and returns of the operations that returned sit in a doubly linked list in
//! history order. The search repeatedly takes a *minimal* call (one that precedes every
//! pending return), applies it to the register if the register allows, and lifts it out of
//! the list; stuck at a return whose operation it could not place, it backtracks. Every
//! (set of placed operations, register) it reaches goes into a cache, so no configuration
//! is explored twice; the set is a bitset hashed incrementally (Zobrist: the xor of a fixed
//! random number per operation), and a cache probe compares full bitsets on a hash match.
//!
//! Operations with an unknown outcome (`info`) never return. They are tried only after the
//! returned ones, and only where they matter: where the main scan is stuck, the candidates
//! are the `info` operations that write a value some candidate needs (indexed by value). The rules
//! that skip the other moves rest on one fact: an `info` operation may take effect at any
//! time after its invoke *or never*, so in a linearisation it may be moved later, or to the
//! very end (where nothing observes it), as long as no operation needed its effect.
//! 1. An `info` operation that would not change the register is never placed: moving it to
//!    the end leaves every state as it was.
//! 2. Right after an `info` operation took the register from `s` to `s'`, the next operation
//!    must *need* it: be possible on `s'` and impossible on `s`. Otherwise that next one is
//!    a write (which overwrites the effect unseen: move the `info` operation to the end), or
//!    a read or failed compare possible on both (which changes nothing: swap the two, moving
//!    the `info` operation later). A cas possible on both would need `s == s'`. Repeating
//!    such moves turns any linearisation into one that obeys the rule, and each move leaves
//!    the operations' validity and real-time order intact (an `info` return is infinitely late).
//! 3. So an `info` operation is placed only if some candidate would need it next.
//! 4. `info` writes of values that no unplaced operation observes (reads, expects, or fails
//!    to find) are interchangeable: they are all invoked already, so any completion that
//!    uses one now and another later can swap them, and no operation can tell their values
//!    apart. Where such a write is a candidate, one of them is tried, not each.
//!
//!
//! One more rule prunes alternatives rather than moves: when a read or a failed compare
//! (which leave the register as it is) can be placed now, it is placed and nothing else is
//! tried in its stead. Any linearisation that places it later can place it here instead:
//! nothing between sees a different register, and the real-time order allows it (it is a
//! candidate here). So if that placement leads nowhere, neither does this configuration.
//!
//! Rule 2 makes a configuration's moves depend on the state before a just-placed `info`
//! operation, so that is part of the cached state.

use super::memo::{Cache, OpSet};
use super::problem::{Act, Budget, Found, Placement, Problem};

/// Searches for a linearisation of `problem`.
pub(super) fn search(problem: &Problem, budget: &mut Budget<'_>) -> Found {
    let mut search = Search::new(problem);
    match search.run(budget) {
        Some(true) => Found::Linearizable,
        Some(false) => Found::Violation(search.deepest.placed),
        None => Found::GaveUp(search.deepest.placed),
    }
}

/// A placed operation, with what to restore when it is taken back.
#[derive(Clone, Copy, Debug)]
struct Frame {
    op: usize,
    before: u32,
    after: u32,
    unseen_before: Option<u32>,
    /// For an `info` operation: where it stood in its level's candidate list.
    resume: InfoScan,
    /// It was the one move worth trying from its configuration.
    forced: bool,
}

/// Where the scan for the next operation to place stands.
#[derive(Clone, Copy, Debug)]
enum Cursor {
    /// At a configuration just reached: first look for a forced move.
    Fresh,
    /// Taking back the last placement.
    Back,
    /// At this entry of the call/return list.
    Main(usize),
    /// Trying the `info` candidates of a configuration where the main scan is stuck.
    Info(InfoScan),
}

/// A level's `info` candidates: `arena[start..end]`, of which `at` is next.
#[derive(Clone, Copy, Debug, Default)]
struct InfoScan {
    start: usize,
    at: usize,
    end: usize,
}

struct Search<'p> {
    p: &'p Problem,
    /// The call/return list: entry 0 is the head; entry `e` is the call (`is_call`) or the
    /// return of finite operation `entry_op[e]`.
    entry_op: Vec<usize>,
    is_call: Vec<bool>,
    next: Vec<usize>,
    prev: Vec<usize>,
    call_entry: Vec<usize>,
    ret_entry: Vec<usize>,
    /// The `info` operations that write each value (in order of invocation).
    writers_of: Vec<Vec<usize>>,
    /// The `info` operations whose value some `info` cas expects.
    feeders: Vec<usize>,
    /// The candidate lists of the levels being scanned, innermost last.
    arena: Vec<usize>,
    /// Scratch marks: `wanted[v] == mark` when a candidate needs the register to become `v`;
    /// `listed[op] == mark` when `op` is already on the candidate list being built.
    wanted: Vec<u64>,
    listed: Vec<u64>,
    wanted_values: Vec<u32>,
    mark: u64,
    placed: OpSet,
    cache: Cache,
    stack: Vec<Frame>,
    state: u32,
    /// After an `info` operation, until the next placement: the register before it.
    unseen_info_from: Option<u32>,
    finite_done: usize,
    /// Unplaced `info` cas operations (that would change the register), by expected value.
    info_cas_expecting: Vec<u32>,
    /// Unplaced operations that observe each value (read it, expect it, or fail to find it).
    observers: Vec<u32>,
    deepest: Deepest,
}

impl<'p> Search<'p> {
    fn new(p: &'p Problem) -> Search<'p> {
        // Calls are in order already; merge the returns, sorted, into them.
        let finite = &p.ops[..p.finite];
        let mut returns: Vec<(usize, usize)> = (0..p.finite).map(|i| (finite[i].ret, i)).collect();
        returns.sort_unstable();
        let mut order: Vec<(usize, usize, bool)> = Vec::with_capacity(2 * p.finite);
        let mut r = returns.iter().peekable();
        for (i, op) in finite.iter().enumerate() {
            while let Some(&&(ret, j)) = r.peek().filter(|(ret, _)| *ret < op.call) {
                order.push((ret, j, false));
                r.next();
            }
            order.push((op.call, i, true));
        }
        order.extend(r.map(|&(ret, j)| (ret, j, false)));
        let n = order.len();
        let mut entry_op = vec![0; n + 1];
        let mut is_call = vec![false; n + 1];
        let mut call_entry = vec![0; p.finite];
        let mut ret_entry = vec![0; p.finite];
        for (k, &(_, op, call)) in order.iter().enumerate() {
            entry_op[k + 1] = op;
            is_call[k + 1] = call;
            if call {
                call_entry[op] = k + 1;
            } else {
                ret_entry[op] = k + 1;
            }
        }
        let (next, prev) = chain(n);
        let infos = p.ops.len() - p.finite;
        let values = p.values.max(1);
        let mut info_cas_expecting = vec![0; values];
        let mut writers_of = vec![Vec::new(); values];
        for (i, op) in p.ops.iter().enumerate().skip(p.finite) {
            match op.act {
                Act::Write(v) => writers_of[v as usize].push(i),
                Act::Cas(expected, new) if expected != new => {
                    info_cas_expecting[expected as usize] += 1;
                    writers_of[new as usize].push(i);
                }
                _ => {}
            }
        }
        let mut observers = vec![0; values];
        for op in &p.ops {
            if let Some(v) = observed(op.act) {
                observers[v as usize] += 1;
            }
        }
        let feeders = (p.finite..p.ops.len())
            .filter(|&i| match p.ops[i].act {
                Act::Write(v) | Act::Cas(_, v) => info_cas_expecting[v as usize] > 0,
                _ => false,
            })
            .collect();
        Search {
            p,
            entry_op,
            is_call,
            next,
            prev,
            call_entry,
            ret_entry,
            writers_of,
            feeders,
            arena: Vec::new(),
            wanted: vec![0; values],
            listed: vec![0; p.ops.len()],
            wanted_values: Vec::new(),
            mark: 0,
            placed: OpSet::new(p.finite, infos),
            cache: Cache::default(),
            stack: Vec::new(),
            state: 0,
            unseen_info_from: None,
            finite_done: 0,
            info_cas_expecting,
            observers,
            deepest: Deepest::default(),
        }
    }

    /// `Some(true)`: linearizable; `Some(false)`: not; `None`: out of budget.
    fn run(&mut self, budget: &mut Budget<'_>) -> Option<bool> {
        let finite = self.p.finite;
        let mut at = Cursor::Fresh;
        loop {
            if self.finite_done == finite {
                return Some(true);
            }
            if !budget.tick() {
                return None;
            }
            at = match at {
                Cursor::Fresh => match self.forced_move() {
                    Some(op) if self.try_place(op, InfoScan::default(), true) => Cursor::Fresh,
                    Some(_) => Cursor::Back, // the one move worth trying leads somewhere known
                    None => Cursor::Main(self.next[0]),
                },
                Cursor::Main(e) => {
                    let op = self.entry_op[e];
                    if !self.is_call[e] {
                        // The first pending return: now the `info` operations invoked before it.
                        Cursor::Info(self.info_candidates(self.p.ops[op].ret))
                    } else if self.try_place(op, InfoScan::default(), false) {
                        Cursor::Fresh
                    } else {
                        Cursor::Main(self.next[e])
                    }
                }
                Cursor::Info(scan) if scan.at < scan.end => {
                    let next = InfoScan {
                        at: scan.at + 1,
                        ..scan
                    };
                    if self.try_place(self.arena[scan.at], scan, false) {
                        Cursor::Fresh
                    } else {
                        Cursor::Info(next)
                    }
                }
                Cursor::Info(scan) => {
                    self.arena.truncate(scan.start);
                    Cursor::Back
                }
                Cursor::Back => {
                    let Some(frame) = self.take_back() else {
                        return Some(false); // exhausted
                    };
                    if frame.forced {
                        Cursor::Back
                    } else if frame.op < finite {
                        Cursor::Main(self.next[self.call_entry[frame.op]])
                    } else {
                        Cursor::Info(InfoScan {
                            at: frame.resume.at + 1,
                            ..frame.resume
                        })
                    }
                }
            };
        }
    }

    /// The `info` operations invoked before `frontier` that some candidate could need next
    /// (a superset of those [`Search::try_place`] accepts), pushed on the arena in order.
    fn info_candidates(&mut self, frontier: usize) -> InfoScan {
        let start = self.arena.len();
        self.mark += 1;
        self.wanted_values.clear();
        let mut any_change = false;
        let mut e = self.next[0];
        while self.is_call[e] {
            match self.p.ops[self.entry_op[e]].act {
                Act::Read(v) | Act::Cas(v, _)
                    if v != self.state && self.wanted[v as usize] != self.mark =>
                {
                    self.wanted[v as usize] = self.mark;
                    self.wanted_values.push(v);
                }
                // A failed compare of the value held needs any change at all.
                Act::CasFailed(v) if v == self.state => any_change = true,
                _ => {}
            }
            e = self.next[e];
        }
        let ops = &self.p.ops;
        let placed = &self.placed;
        let open = |&i: &usize| !placed.contains(i);
        let invoked = |&i: &usize| ops[i].call < frontier;
        if any_change {
            // Rule 4: of the writes of values nobody observes any more, the first only.
            let observers = &self.observers;
            let mut unobserved_write = false;
            let all = (self.p.finite..ops.len())
                .take_while(invoked)
                .filter(open)
                .filter(|&i| match ops[i].act {
                    Act::Write(v) if observers[v as usize] == 0 => {
                        !std::mem::replace(&mut unobserved_write, true)
                    }
                    _ => true,
                });
            self.arena.extend(all);
        } else {
            // Those an unplaced `info` cas could observe next.
            let expecting = &self.info_cas_expecting;
            let feeds = |&i: &usize| match ops[i].act {
                Act::Write(v) | Act::Cas(_, v) => expecting[v as usize] > 0,
                _ => false,
            };
            let writers = self.wanted_values.iter().flat_map(|&v| {
                let writers = self.writers_of[v as usize].iter().copied();
                writers.take_while(invoked).filter(open)
            });
            let feeders = self.feeders.iter().copied().take_while(invoked);
            let (listed, mark) = (&mut self.listed, self.mark);
            let first_time = |&i: &usize| std::mem::replace(&mut listed[i], mark) != mark;
            let candidates = writers.chain(feeders.filter(open).filter(feeds));
            self.arena.extend(candidates.filter(first_time));
        }
        InfoScan {
            start,
            at: start,
            end: self.arena.len(),
        }
    }

    /// A candidate that leaves the register as it is and can be placed now (rule 2 allowing).
    fn forced_move(&self) -> Option<usize> {
        let mut e = self.next[0];
        while self.is_call[e] {
            let op = self.entry_op[e];
            let act = self.p.ops[op].act;
            if act.keeps_state()
                && act.step(self.state).is_some()
                && self
                    .unseen_info_from
                    .is_none_or(|before| act.needs(before, self.state))
            {
                return Some(op);
            }
            e = self.next[e];
        }
        None
    }

    /// Places `op` next if the register allows it, the rules do not skip it and the
    /// configuration it leads to is new.
    fn try_place(&mut self, op: usize, resume: InfoScan, forced: bool) -> bool {
        let act = self.p.ops[op].act;
        let Some(after) = act.step(self.state) else {
            return false;
        };
        let info = op >= self.p.finite;
        if let Some(before_info) = self.unseen_info_from {
            if !act.needs(before_info, self.state) {
                return false; // rule 2
            }
        }
        if info && (after == self.state || !self.needed_next(self.state, after)) {
            return false; // rules 1 and 3
        }
        self.placed.insert(op);
        // The state after, and for an `info` operation the state before it (rule 2).
        let before_info = if info { u64::from(self.state) + 1 } else { 0 };
        let state_key = u64::from(after) | (before_info << 32);
        if !self.cache.insert(&mut self.placed, state_key) {
            self.placed.remove(op);
            return false;
        }
        self.stack.push(Frame {
            op,
            before: self.state,
            after,
            unseen_before: self.unseen_info_from,
            resume,
            forced,
        });
        self.unseen_info_from = info.then_some(self.state);
        self.state = after;
        self.lift(op);
        if !info {
            self.finite_done += 1;
            if self.finite_done > self.deepest.finite {
                self.deepest.record(&self.stack, self.finite_done);
            }
        }
        true
    }

    /// Whether some operation that could be placed next needs the register to change from
    /// `before` to `after`.
    fn needed_next(&self, before: u32, after: u32) -> bool {
        // An `info` cas expecting `after` applies there and not on `before`.
        if self.info_cas_expecting[after as usize] > 0 {
            return true;
        }
        let mut e = self.next[0];
        while self.is_call[e] {
            if self.p.ops[self.entry_op[e]].act.needs(before, after) {
                return true;
            }
            e = self.next[e];
        }
        false
    }

    /// Undoes the last placement; `None` when nothing is placed (the search is exhausted).
    fn take_back(&mut self) -> Option<Frame> {
        let frame = self.stack.pop()?;
        self.unlift(frame.op);
        self.placed.remove(frame.op);
        self.state = frame.before;
        self.unseen_info_from = frame.unseen_before;
        if frame.op < self.p.finite {
            self.finite_done -= 1;
        }
        self.deepest.agree = self.deepest.agree.min(self.stack.len());
        Some(frame)
    }

    fn lift(&mut self, op: usize) {
        if let Some(v) = observed(self.p.ops[op].act) {
            self.observers[v as usize] -= 1;
        }
        if op < self.p.finite {
            unlink(&mut self.next, &mut self.prev, self.call_entry[op]);
            unlink(&mut self.next, &mut self.prev, self.ret_entry[op]);
        } else if let Act::Cas(expected, new) = self.p.ops[op].act {
            if expected != new {
                self.info_cas_expecting[expected as usize] -= 1;
            }
        }
    }

    /// Exactly reverses [`Search::lift`] (dancing links: relink in reverse order).
    fn unlift(&mut self, op: usize) {
        if let Some(v) = observed(self.p.ops[op].act) {
            self.observers[v as usize] += 1;
        }
        if op < self.p.finite {
            relink(&mut self.next, &mut self.prev, self.ret_entry[op]);
            relink(&mut self.next, &mut self.prev, self.call_entry[op]);
        } else if let Act::Cas(expected, new) = self.p.ops[op].act {
            if expected != new {
                self.info_cas_expecting[expected as usize] += 1;
            }
        }
    }
}

/// A doubly linked list of `n` nodes `1..=n` after the head 0 (`next` of the last is 0).
fn chain(n: usize) -> (Vec<usize>, Vec<usize>) {
    let next = (0..=n).map(|i| if i == n { 0 } else { i + 1 }).collect();
    let prev = (0..=n).map(|i| if i == 0 { n } else { i - 1 }).collect();
    (next, prev)
}

/// The value an operation looks at in the register, if it looks.
fn observed(act: Act) -> Option<u32> {
    match act {
        Act::Read(v) | Act::Cas(v, _) | Act::CasFailed(v) => Some(v),
        Act::Write(_) => None,
    }
}

fn unlink(next: &mut [usize], prev: &mut [usize], x: usize) {
    next[prev[x]] = next[x];
    prev[next[x]] = prev[x];
}

fn relink(next: &mut [usize], prev: &mut [usize], x: usize) {
    next[prev[x]] = x;
    prev[next[x]] = x;
}

/// The deepest prefix reached (counted in operations that returned), kept up to date at
/// amortised O(1) a step: `placed[..agree]` is known to equal the current stack's start.
#[derive(Debug, Default)]
struct Deepest {
    placed: Placement,
    agree: usize,
    finite: usize,
}

impl Deepest {
    fn record(&mut self, stack: &[Frame], finite: usize) {
        self.placed.truncate(self.agree);
        self.placed
            .extend(stack[self.agree..].iter().map(|f| (f.op, f.after)));
        self.agree = stack.len();
        self.finite = finite;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::linearizable::problem::{KeyOp, NEVER};

    fn op(call: usize, ret: usize, act: Act) -> KeyOp {
        KeyOp {
            call,
            ret,
            act,
            source: 0,
        }
    }

    fn run(ops: Vec<KeyOp>, values: usize) -> Found {
        let finite = ops.iter().filter(|o| o.ret != NEVER).count();
        let problem = Problem {
            ops,
            finite,
            values,
        };
        search(&problem, &mut Budget::new(0, None))
    }

    #[test]
    fn concurrent_writes_either_order() {
        // w1 || w2, then read 1: w2 must be placed first.
        let ops = vec![
            op(0, 2, Act::Write(1)),
            op(1, 3, Act::Write(2)),
            op(4, 5, Act::Read(1)),
        ];
        assert!(matches!(run(ops, 3), Found::Linearizable));
    }

    #[test]
    fn the_deepest_prefix_is_reported() {
        let ops = vec![
            op(0, 1, Act::Write(1)),
            op(2, 3, Act::Write(2)),
            op(4, 5, Act::Read(1)),
        ];
        match run(ops, 3) {
            Found::Violation(placed) => assert_eq!(placed, vec![(0, 1), (1, 2)]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_info_write_is_used_only_where_it_is_observed() {
        // info write 2 invoked first; write 1 ok; read 2 later: the info write goes last.
        let ops = vec![
            op(1, 2, Act::Write(1)),
            op(3, 4, Act::Read(2)),
            op(0, NEVER, Act::Write(2)),
        ];
        match run(ops, 3) {
            Found::Linearizable => {}
            other => panic!("{other:?}"),
        }
    }
}
