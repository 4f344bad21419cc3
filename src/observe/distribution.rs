//! Distributions of measured values with bounded memory: a log-bucketed histogram (8
//! sub-buckets per power of two, at most 12.5% error) and a [`Distribution`] that keeps
//! exact values up to a cap and the histogram always, so a short run's percentiles are
//! exact and a long run's stay within an eighth while its memory stays flat. [`Spread`] is
//! the summary both give: mean, median, 95th and 99th percentile, maximum.

use crate::kernel::time::Micros;
use serde::Serialize;

/// A latency histogram with 8 sub-buckets per power of two (at most 12.5% error), cheap
/// enough to update on every completion.
#[derive(Clone, Debug, Default)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    total: u64,
}

impl LatencyHistogram {
    fn bucket(us: Micros) -> usize {
        if us < 8 {
            return us as usize;
        }
        let exp = 63 - us.leading_zeros() as usize; // >= 3
        let sub = ((us >> (exp - 3)) & 7) as usize;
        (exp - 2) * 8 + sub
    }

    /// The middle of a bucket's range.
    fn value(bucket: usize) -> Micros {
        if bucket < 8 {
            return bucket as Micros;
        }
        let exp = bucket / 8 + 2;
        let sub = (bucket % 8) as Micros;
        let low = (8 + sub) << (exp - 3);
        low + (1 << (exp - 3)) / 2
    }

    pub fn record(&mut self, us: Micros) {
        let b = Self::bucket(us);
        if self.counts.len() <= b {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0 to 1), by nearest rank.
    pub fn quantile(&self, q: f64) -> Option<Micros> {
        if self.total == 0 {
            return None;
        }
        let rank = (libm::ceil(q * self.total as f64) as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Self::value(b));
            }
        }
        None
    }
}

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

/// Exact values kept before percentiles come from the histogram alone.
pub const EXACT_KEPT: usize = 1 << 13;

/// Values (microseconds, or any count) with an exact mean and maximum, exact percentiles
/// while at most [`EXACT_KEPT`] values were recorded, histogram percentiles after that.
#[derive(Clone, Debug, Default)]
pub struct Distribution {
    exact: Vec<Micros>,
    histogram: LatencyHistogram,
    sum: u128,
    max: Micros,
}

impl Distribution {
    pub fn record(&mut self, value: Micros) {
        if self.histogram.total < EXACT_KEPT as u64 {
            self.exact.push(value);
        } else if !self.exact.is_empty() {
            self.exact = Vec::new();
        }
        self.histogram.record(value);
        self.sum += u128::from(value);
        self.max = self.max.max(value);
    }

    pub fn count(&self) -> u64 {
        self.histogram.total
    }

    /// The spread, with every value divided by `unit` (1000 for ms from microseconds).
    pub fn spread(&self, unit: f64) -> Option<Spread> {
        let n = self.histogram.total;
        if n == 0 {
            return None;
        }
        if self.exact.len() as u64 == n {
            return Spread::of(self.exact.iter().map(|&v| v as f64 / unit).collect());
        }
        let q = |p: f64| round3(self.histogram.quantile(p).unwrap_or(0) as f64 / unit);
        Some(Spread {
            mean: round3(self.sum as f64 / n as f64 / unit),
            p50: q(0.50),
            p95: q(0.95),
            p99: q(0.99),
            max: round3(self.max as f64 / unit),
        })
    }
}

/// Rounds to three decimals.
fn round3(x: f64) -> f64 {
    libm::round(x * 1000.0) / 1000.0
}

/// Replica lag per node, sampled: in entries and in microseconds.
#[derive(Clone, Debug, Default)]
pub struct LagStats {
    pub(crate) samples:
        std::collections::BTreeMap<crate::kernel::NodeId, (Distribution, Distribution)>,
}

impl LagStats {
    pub fn add(&mut self, node: crate::kernel::NodeId, entries: u64, micros: Micros) {
        let (e, us) = self.samples.entry(node).or_default();
        e.record(entries);
        us.record(micros);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_an_eighth() {
        let mut h = LatencyHistogram::default();
        for us in 1..=10_000u64 {
            h.record(us);
        }
        for (q, exact) in [(0.5, 5000.0), (0.95, 9500.0), (0.99, 9900.0)] {
            let got = h.quantile(q).unwrap() as f64;
            assert!(
                (got - exact).abs() / exact < 0.125,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(LatencyHistogram::default().quantile(0.5), None);
    }

    #[test]
    fn spread_uses_nearest_rank() {
        let s = Spread::of((1..=100).map(f64::from).collect()).unwrap();
        assert_eq!((s.p50, s.p95, s.p99, s.max), (50.0, 95.0, 99.0, 100.0));
        assert_eq!(s.mean, 50.5);
        assert_eq!(Spread::of(vec![]), None);
    }

    #[test]
    fn a_distribution_is_exact_up_to_its_cap_then_within_an_eighth() {
        let mut d = Distribution::default();
        for v in 1..=100 {
            d.record(v);
        }
        let s = d.spread(1.0).unwrap();
        assert_eq!((s.p50, s.p99, s.max, s.mean), (50.0, 99.0, 100.0, 50.5));
        let mut d = Distribution::default();
        let n = 3 * EXACT_KEPT as u64;
        for v in 1..=n {
            d.record(v);
        }
        assert!(
            d.exact.is_empty(),
            "past the cap the exact values are let go"
        );
        let s = d.spread(1.0).unwrap();
        assert_eq!((s.max, s.mean), (n as f64, (n + 1) as f64 / 2.0));
        assert!((s.p50 - n as f64 / 2.0).abs() / (n as f64 / 2.0) < 0.125);
    }
}
