//! Run statistics and the summary the headless runner prints: operations by outcome, stale
//! reads, latency percentiles and per-replica lag (sampled every 50 ms of simulated time).

use crate::clients::history::Outcome;
use crate::kernel::time::Micros;
use crate::kernel::{NodeId, Protocol, World};
use crate::observe::metrics::{PolicyLatency, StalenessView};
use serde::Serialize;

pub use crate::observe::distribution::Spread;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeCounts {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    pub pending: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaLag {
    pub node: NodeId,
    pub name: String,
    /// Lag in entries (primary's last LSN minus the replica's applied LSN).
    pub entries: Option<Spread>,
    /// Lag in milliseconds (age of the oldest entry not yet applied).
    pub ms: Option<Spread>,
}

/// One node's load over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeLoad {
    pub node: NodeId,
    pub name: String,
    pub region: Option<&'static str>,
    pub served: u64,
    pub refused: u64,
}

/// What a run did, for the runner and the page's counters.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct Summary<P: Protocol> {
    /// The replication model.
    pub model: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub simulated_ms: f64,
    pub events: u64,
    pub trace_hash: String,
    pub writes: OutcomeCounts,
    pub reads: OutcomeCounts,
    pub stale_reads: u64,
    /// Fraction of successful reads that were stale.
    pub stale_read_rate: f64,
    /// How long stale reads' missed writes had been acknowledged, in ms.
    pub staleness_ms: Option<Spread>,
    pub write_latency_ms: Option<Spread>,
    pub read_latency_ms: Option<Spread>,
    pub replica_lag: Vec<ReplicaLag>,
    /// Successful operations per simulated second over the whole run.
    pub reads_per_sec: f64,
    pub writes_per_sec: f64,
    /// Write latency percentiles (ms) by acknowledgement policy.
    pub write_latency_by_policy: Vec<PolicyLatency>,
    /// Stale reads by how stale they were.
    pub staleness: StalenessView,
    /// Requests refused because a node's queue was full (service-time model).
    pub overloaded: u64,
    /// Per-node load: requests served and refused.
    pub nodes: Vec<NodeLoad>,
    /// The scenario's timed faults that could not be carried out, and why.
    pub fault_errors: Vec<String>,
    /// Every checker's verdict (see `crate::checks`): each kind found, how often, whether
    /// the configuration promised against it, and the first few examples.
    pub anomalies: crate::checks::Report,
    /// The model's figures (the single-leader model's failovers, lost writes, split brains).
    #[serde(flatten)]
    pub cluster: P::Summary,
}

/// Rounds to three decimals (microseconds, when the unit is milliseconds).
fn round3(x: f64) -> f64 {
    libm::round(x * 1000.0) / 1000.0
}

fn ms(us: Micros) -> f64 {
    us as f64 / 1000.0
}

impl<P: Protocol> World<P> {
    /// The counts with the operations still pending (all in the window: an operation
    /// leaves it only once judged, after it completed).
    fn with_pending(
        &self,
        mut reads: OutcomeCounts,
        mut writes: OutcomeCounts,
    ) -> (OutcomeCounts, OutcomeCounts) {
        for op in self.history.ops() {
            if op.outcome == Outcome::Pending {
                match op.kind.mutates() {
                    true => writes.pending += 1,
                    false => reads.pending += 1,
                }
            }
        }
        (reads, writes)
    }

    pub fn summary(&self) -> Summary<P> {
        let c = self.history.counters();
        let reads = OutcomeCounts {
            ok: c.reads_ok,
            fail: c.reads_failed,
            info: 0,
            pending: 0,
        };
        let writes = OutcomeCounts {
            ok: c.writes_ok,
            fail: c.writes_failed,
            info: c.writes_unknown,
            pending: 0,
        };
        let (reads, writes) = self.with_pending(reads, writes);
        let stale_reads = c.stale_reads;
        let replica_lag = self
            .lag
            .samples
            .iter()
            .map(|(&node, (entries, micros))| ReplicaLag {
                node,
                name: self.slot(node).name.clone(),
                entries: entries.spread(1.0),
                ms: micros.spread(1000.0),
            })
            .collect();
        let secs = self.now() as f64 / 1e6;
        let per_sec = |n: u64| {
            if secs > 0.0 {
                round3(n as f64 / secs)
            } else {
                0.0
            }
        };
        let metrics = self.metrics_view(u64::MAX);
        let overloaded = c.overloaded;
        let nodes = self
            .members()
            .into_iter()
            .map(|id| {
                let s = self.slot(id);
                NodeLoad {
                    node: id,
                    name: s.name.clone(),
                    region: s.region.map(crate::kernel::geo::name),
                    served: s.service.served,
                    refused: s.service.refused,
                }
            })
            .collect();
        let anomalies = self.anomalies(self.looks_settled());
        Summary {
            model: P::NAME,
            scenario: self.scenario.name.clone(),
            seed: self.seed,
            simulated_ms: ms(self.now()),
            events: self.events_processed(),
            trace_hash: format!("{:016x}", self.trace_hash()),
            stale_read_rate: if reads.ok == 0 {
                0.0
            } else {
                round3(stale_reads as f64 / reads.ok as f64)
            },
            writes,
            reads,
            stale_reads,
            staleness_ms: self.metrics.staleness_all.spread(1000.0),
            write_latency_ms: self.metrics.write_latency_all.spread(1000.0),
            read_latency_ms: self.metrics.read_latency_all.spread(1000.0),
            replica_lag,
            reads_per_sec: per_sec(reads.ok),
            writes_per_sec: per_sec(writes.ok),
            write_latency_by_policy: metrics.write_latency,
            staleness: metrics.staleness,
            overloaded,
            nodes,
            fault_errors: self.fault_errors.clone(),
            anomalies,
            cluster: P::summary(self),
        }
    }
}
