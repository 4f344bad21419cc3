//! Live metrics for the page's charts: a time series sampled every 100 ms of simulated time
//! (per-replica lag in entries and ms, per-node queue depth and load, cluster throughput),
//! write latency histograms by acknowledgement policy, and the staleness distribution of
//! stale reads. Everything is updated incrementally, so reading it costs little per frame.

use crate::kernel::time::{Micros, MICROS_PER_MS};
use crate::kernel::NodeId;
use crate::observe::distribution::{Distribution, LatencyHistogram};
use serde::Serialize;
use std::collections::VecDeque;

/// Simulated time between samples.
pub const SAMPLE_EVERY: Micros = 100 * MICROS_PER_MS;
/// Samples kept (two minutes).
pub const SAMPLES_KEPT: usize = 1200;
/// Samples in the one-second window rates are computed over.
const WINDOW: usize = 10;

/// One node at one sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSample {
    pub id: NodeId,
    pub lag_entries: Option<u64>,
    pub lag_ms: Option<f64>,
    pub queue: u32,
    pub ops_per_sec: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Simulated time in microseconds.
    pub t: Micros,
    pub reads_per_sec: f64,
    pub writes_per_sec: f64,
    /// Writes that failed or timed out (unknown outcome) per second: unavailability, e.g.
    /// while a new primary is being elected.
    pub failed_writes_per_sec: f64,
    pub nodes: Vec<NodeSample>,
}

/// What the world measured for one node when sampling.
#[derive(Clone, Copy, Debug)]
pub struct NodeReading {
    pub id: NodeId,
    pub lag: Option<(u64, Micros)>,
    pub queue: usize,
    pub served: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyLatency {
    pub policy: String,
    pub count: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StalenessBucket {
    /// Upper bound in ms; `None` for the open-ended last bucket.
    pub up_to_ms: Option<f64>,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StalenessView {
    pub reads: u64,
    pub stale: u64,
    pub histogram: Vec<StalenessBucket>,
}

/// The page's chart data since a cursor.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsView {
    /// The cursor to pass next time.
    pub next: u64,
    pub samples: Vec<Sample>,
    pub write_latency: Vec<PolicyLatency>,
    pub staleness: StalenessView,
}

/// Upper bounds (ms) of the staleness histogram's buckets; the last is open-ended.
const STALENESS_BOUNDS_MS: [u64; 9] = [1, 5, 10, 25, 50, 100, 250, 500, 1000];

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    samples: VecDeque<Sample>,
    /// Index of `samples[0]` among all samples taken.
    first: u64,
    /// Completed reads, writes and failed writes at each of the last WINDOW+1 samples.
    completions: VecDeque<(u64, u64, u64)>,
    /// Requests served per node slot at each of the last WINDOW+1 samples.
    served: VecDeque<Vec<u64>>,
    /// Write latency by policy: the model's key for it, its label, the histogram.
    write_latency: Vec<(u32, String, LatencyHistogram)>,
    reads: u64,
    staleness: [u64; STALENESS_BOUNDS_MS.len() + 1],
    /// Over the whole run, for the summary: successful writes' and reads' latency, and how
    /// stale stale reads were.
    pub(crate) write_latency_all: Distribution,
    pub(crate) read_latency_all: Distribution,
    pub(crate) staleness_all: Distribution,
}

impl Metrics {
    /// A write under the policy the model calls `key` (labelled `label()` when first seen)
    /// took `latency`.
    pub fn write_completed(&mut self, key: u32, label: impl FnOnce() -> String, latency: Micros) {
        let i = match self.write_latency.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i,
            None => {
                self.write_latency
                    .push((key, label(), LatencyHistogram::default()));
                self.write_latency.len() - 1
            }
        };
        self.write_latency[i].2.record(latency);
    }

    /// A successful operation took `latency` (a write when `write`).
    pub fn completed(&mut self, write: bool, latency: Micros) {
        match write {
            true => self.write_latency_all.record(latency),
            false => self.read_latency_all.record(latency),
        }
    }

    pub fn read_completed(&mut self, staleness: Option<Micros>) {
        self.reads += 1;
        if let Some(us) = staleness {
            self.staleness_all.record(us);
            let ms = us / MICROS_PER_MS;
            let b = STALENESS_BOUNDS_MS
                .iter()
                .position(|&bound| ms < bound)
                .unwrap_or(STALENESS_BOUNDS_MS.len());
            self.staleness[b] += 1;
        }
    }

    /// Takes a sample: `reads`/`writes` are successful operations so far, `failed` writes
    /// that failed or timed out; `nodes` is every node slot (removed ones included, so
    /// indices stay stable).
    pub fn sample(
        &mut self,
        t: Micros,
        (reads, writes, failed): (u64, u64, u64),
        nodes: &[NodeReading],
    ) {
        let served: Vec<u64> = nodes.iter().map(|n| n.served).collect();
        let window = self.completions.len().min(WINDOW);
        let secs = (window as u64 * SAMPLE_EVERY) as f64 / 1e6;
        let rate = |now: u64, then: u64| {
            if window == 0 {
                0.0
            } else {
                round1(now.saturating_sub(then) as f64 / secs)
            }
        };
        let (r0, w0, f0) = self
            .completions
            .front()
            .copied()
            .unwrap_or((reads, writes, failed));
        let old_served = self.served.front();
        let sample = Sample {
            t,
            reads_per_sec: rate(reads, r0),
            writes_per_sec: rate(writes, w0),
            failed_writes_per_sec: rate(failed, f0),
            nodes: nodes
                .iter()
                .enumerate()
                .map(|(i, n)| NodeSample {
                    id: n.id,
                    lag_entries: n.lag.map(|l| l.0),
                    lag_ms: n.lag.map(|l| l.1 as f64 / 1000.0),
                    queue: n.queue as u32,
                    ops_per_sec: rate(
                        n.served,
                        old_served
                            .and_then(|s| s.get(i))
                            .copied()
                            .unwrap_or(n.served),
                    ),
                })
                .collect(),
        };
        self.completions.push_back((reads, writes, failed));
        self.served.push_back(served);
        if self.completions.len() > WINDOW {
            self.completions.pop_front();
            self.served.pop_front();
        }
        if self.samples.len() == SAMPLES_KEPT {
            self.samples.pop_front();
            self.first += 1;
        }
        self.samples.push_back(sample);
    }

    /// The most recent sample.
    pub fn latest(&self) -> Option<&Sample> {
        self.samples.back()
    }

    pub fn view(&self, cursor: u64) -> MetricsView {
        let start = cursor.max(self.first) - self.first;
        MetricsView {
            next: self.first + self.samples.len() as u64,
            samples: self.samples.iter().skip(start as usize).cloned().collect(),
            write_latency: self
                .write_latency
                .iter()
                .map(|(_, policy, h)| PolicyLatency {
                    policy: policy.clone(),
                    count: h.count(),
                    p50: ms(h.quantile(0.50)),
                    p95: ms(h.quantile(0.95)),
                    p99: ms(h.quantile(0.99)),
                })
                .collect(),
            staleness: StalenessView {
                reads: self.reads,
                stale: self.staleness.iter().sum(),
                histogram: self
                    .staleness
                    .iter()
                    .enumerate()
                    .map(|(i, &count)| StalenessBucket {
                        up_to_ms: STALENESS_BOUNDS_MS.get(i).map(|&b| b as f64),
                        count,
                    })
                    .collect(),
            },
        }
    }
}

fn ms(us: Option<Micros>) -> f64 {
    us.map_or(0.0, |us| round1(us as f64 / 1000.0))
}

fn round1(x: f64) -> f64 {
    libm::round(x * 10.0) / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_the_last_second_and_the_cursor_returns_only_new_samples() {
        let mut m = Metrics::default();
        for i in 0..20u64 {
            let node = NodeReading {
                id: 0,
                lag: None,
                queue: 0,
                served: i * 5,
            };
            m.sample(i * SAMPLE_EVERY, (i * 10, i * 2, i), &[node]);
        }
        let last = m.latest().unwrap();
        assert_eq!(last.reads_per_sec, 100.0);
        assert_eq!(last.writes_per_sec, 20.0);
        assert_eq!(last.failed_writes_per_sec, 10.0);
        assert_eq!(last.nodes[0].ops_per_sec, 50.0);
        let v = m.view(0);
        assert_eq!((v.next, v.samples.len()), (20, 20));
        assert_eq!(m.view(18).samples.len(), 2);
        assert_eq!(m.view(20).samples.len(), 0);
    }

    #[test]
    fn staleness_lands_in_its_bucket() {
        let mut m = Metrics::default();
        m.read_completed(None);
        m.read_completed(Some(30_000));
        m.read_completed(Some(5_000_000));
        let v = m.view(0).staleness;
        assert_eq!((v.reads, v.stale), (3, 2));
        assert_eq!(v.histogram[4].count, 1); // 25..50 ms
        assert_eq!(v.histogram[9].count, 1); // 1 s and over
    }
}
