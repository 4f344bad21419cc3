//! Run statistics and the summary the headless runner prints: operations by outcome, stale
//! reads, latency percentiles and per-replica lag (sampled every 50 ms of simulated time).

use crate::clients::history::{OpError, Outcome};
use crate::kernel::time::Micros;
use crate::kernel::{NodeId, Protocol, World};
use crate::observe::metrics::{PolicyLatency, StalenessView};
use serde::Serialize;

/// Mean, median, 95th percentile and maximum of a set of samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Spread {
    /// Nearest-rank percentiles of `values` (sorted here).
    pub fn of(mut values: Vec<f64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let rank =
            |p: f64| values[((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        Some(Spread {
            mean: round3(values.iter().sum::<f64>() / values.len() as f64),
            p50: round3(rank(0.50)),
            p95: round3(rank(0.95)),
            p99: round3(rank(0.99)),
            max: round3(values[values.len() - 1]),
        })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeCounts {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    pub pending: u64,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Info => self.info += 1,
            Outcome::Pending => self.pending += 1,
        }
    }
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
    pub fn summary(&self) -> Summary<P> {
        let mut writes = OutcomeCounts::default();
        let mut reads = OutcomeCounts::default();
        let (mut wlat, mut rlat, mut staleness) = (Vec::new(), Vec::new(), Vec::new());
        for op in self.history.ops() {
            let (counts, lat) = if op.kind.mutates() {
                (&mut writes, &mut wlat)
            } else {
                (&mut reads, &mut rlat)
            };
            counts.add(op.outcome);
            if op.outcome == Outcome::Ok {
                lat.extend(op.latency().map(ms));
            }
            if op.stale {
                staleness.extend(op.staleness.map(ms));
            }
        }
        let stale_reads = staleness.len() as u64;
        let replica_lag = self
            .lag
            .samples
            .iter()
            .map(|(&node, samples)| ReplicaLag {
                node,
                name: self.slot(node).name.clone(),
                entries: Spread::of(samples.iter().map(|s| s.0 as f64).collect()),
                ms: Spread::of(samples.iter().map(|s| ms(s.1)).collect()),
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
        let overloaded = self
            .history
            .ops()
            .iter()
            .filter(|o| o.error == Some(OpError::Overloaded))
            .count() as u64;
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
            staleness_ms: Spread::of(staleness),
            write_latency_ms: Spread::of(wlat),
            read_latency_ms: Spread::of(rlat),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_uses_nearest_rank() {
        let s = Spread::of((1..=100).map(f64::from).collect()).unwrap();
        assert_eq!((s.p50, s.p95, s.p99, s.max), (50.0, 95.0, 99.0, 100.0));
        assert_eq!(s.mean, 50.5);
        assert_eq!(Spread::of(vec![]), None);
    }
}
