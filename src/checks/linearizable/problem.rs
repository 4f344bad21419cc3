//! What the search works on and reports: one key's operations as register actions on
//! interned values, the result, and the step budget with the caller's clock.

/// `ret` of an operation that never returns.
pub(super) const NEVER: usize = usize::MAX;

/// What an operation does to the register; values are interned per key (0 is `Nil`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Act {
    /// Returned this value.
    Read(u32),
    Write(u32),
    /// Succeeded: the register held `.0`, now holds `.1`. For an `info` cas: applies only
    /// where the register holds `.0` (elsewhere it would change nothing).
    Cas(u32, u32),
    /// Its compare failed: the register did not hold this value. No effect.
    CasFailed(u32),
}

impl Act {
    /// The register after this operation, or `None` if it cannot take effect on `state`.
    pub(super) fn step(self, state: u32) -> Option<u32> {
        match self {
            Act::Read(v) => (state == v).then_some(state),
            Act::Write(v) => Some(v),
            Act::Cas(expected, new) => (state == expected).then_some(new),
            Act::CasFailed(expected) => (state != expected).then_some(state),
        }
    }

    /// Reads and failed compares leave the register as it is.
    pub(super) fn keeps_state(self) -> bool {
        matches!(self, Act::Read(_) | Act::CasFailed(_))
    }

    /// Whether it is possible on `after` but not on `before`: it needs that change.
    pub(super) fn needs(self, before: u32, after: u32) -> bool {
        self.step(after).is_some() && self.step(before).is_none()
    }
}

/// One operation of the key being checked.
#[derive(Clone, Copy, Debug)]
pub(super) struct KeyOp {
    /// Event index of the invoke.
    pub call: usize,
    /// Event index of the `ok` completion, or [`NEVER`].
    pub ret: usize,
    pub act: Act,
    /// Index into the operations the report refers to.
    pub source: usize,
}

/// The search's input: `ops[..finite]` returned, `ops[finite..]` never return; each part
/// in order of invocation. `values` is the number of distinct interned values.
#[derive(Debug)]
pub(super) struct Problem {
    pub ops: Vec<KeyOp>,
    pub finite: usize,
    pub values: usize,
}

/// A linearisation prefix: operation indices into [`Problem::ops`] with the register after each.
pub(super) type Placement = Vec<(usize, u32)>;

#[derive(Debug)]
pub(super) enum Found {
    Linearizable,
    /// Exhausted: not linearizable; the deepest prefix the search reached.
    Violation(Placement),
    /// The budget ran out; the deepest prefix so far.
    GaveUp(Placement),
}

/// Why a search gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RanOut {
    Steps,
    Time,
}

/// Steps allowed, and the caller's clock.
pub(super) struct Budget<'a> {
    pub steps: u64,
    limit: u64,
    out_of_time: Option<&'a dyn Fn() -> bool>,
    pub ran_out: Option<RanOut>,
}

/// How often (in steps) the clock is asked.
const POLL_EVERY: u64 = 4096;

impl<'a> Budget<'a> {
    /// `limit` 0 is unlimited.
    pub fn new(limit: u64, out_of_time: Option<&'a dyn Fn() -> bool>) -> Budget<'a> {
        Budget {
            steps: 0,
            limit,
            out_of_time,
            ran_out: None,
        }
    }

    /// Asks the clock now (before starting a key).
    pub fn timed_out(&mut self) -> bool {
        if self.out_of_time.is_some_and(|f| f()) {
            self.ran_out = Some(RanOut::Time);
        }
        self.ran_out.is_some()
    }

    pub(super) fn tick(&mut self) -> bool {
        if self.limit != 0 && self.steps >= self.limit {
            self.ran_out = Some(RanOut::Steps);
            return false;
        }
        self.steps += 1;
        if self.steps % POLL_EVERY == 0 {
            self.timed_out();
        }
        self.ran_out.is_none()
    }
}
