//! The checkers' verdict on a run (`crate::checks`), gathered for the runner's summary,
//! the page's Checks panel and the swarm: the model tells what its final state decides
//! (`Protocol::facts`), the checkers judge the history against it, and the writes and reads
//! that promise linearizability are checked for it.

use crate::checks::{self, Report, RunFacts};
use crate::kernel::time::{Micros, MICROS_PER_MS};
use crate::kernel::{NodeStatus, Protocol, World};

/// How long the cluster must have been healed and idle to count as settled.
pub const SETTLE_AFTER: Micros = 2_000 * MICROS_PER_MS;

impl<P: Protocol> World<P> {
    /// Whether the cluster looks healed and quiet: every member up and connected, the
    /// workload stopped long enough ago, no operation pending, no timed fault to come, and
    /// the model able to serve.
    pub fn looks_settled(&self) -> bool {
        let up = self
            .members()
            .iter()
            .all(|&m| self.nodes[m as usize].status == NodeStatus::Up);
        let stopped = match self.scenario.workload.stop_after {
            Some(stop) => self.now >= stop.micros() + SETTLE_AFTER,
            None => self.clients.iter().all(|c| c.manual || c.idle),
        };
        let faults_done = self
            .scenario
            .faults
            .iter()
            .all(|f| f.at.micros() + SETTLE_AFTER <= self.now);
        up && self.healed()
            && stopped
            && faults_done
            && self.history.counters().pending == 0
            && P::available(self)
    }

    /// Every checker's verdict on the run so far. `settled`: judge the final state as
    /// final (absence from it is a loss whatever its position; replicas must agree).
    pub fn anomalies(&self, settled: bool) -> Report {
        if self.history.judged() > 0 {
            return self.windowed_anomalies(settled);
        }
        let model = P::facts(self, settled);
        let facts = RunFacts::new(self.history.ops(), &model, settled, self.now);
        let mut report = checks::judge(&facts);
        self.judge_linearizability(&mut report, model.consensus);
        report
    }
}
