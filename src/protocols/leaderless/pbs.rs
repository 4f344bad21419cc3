//! The PBS staleness curve (Bailis et al., "Probabilistically Bounded Staleness for
//! Practical Partial Quorums", VLDB 2012): for the ring's N, R and W and the scenario's own
//! link latencies, the probability that a read started `t` after a write committed returns
//! that write or a newer one (t-visibility), estimated by Monte Carlo over the WARS model,
//! and the probability of being at most k versions stale.
//!
//! **WARS.** One trial draws, for each of the key's N replicas, four one-way delays: W (the
//! write request from the write's coordinator to the replica, plus the replica's disk time),
//! A (its acknowledgement back), R (the read request from the read's coordinator) and S
//! (the read response back). The write commits when the W-th fastest `W + A` returns; a read
//! started `t` after the commit reaches replica `i` at `commit + t + R_i`, and that replica
//! has the write when `W_i <= commit + t + R_i`. The read's coordinator answers with the
//! newest of the R responses that come back first (smallest `R_i + S_i`), so the read sees
//! the write when any of those R replicas had it. A trial therefore has one threshold,
//! `t* = max(0, min over the first R responders of (W_i - commit - R_i))`, and the curve is
//! the distribution of `t*`: `P(t) = P(t* <= t)`, non-decreasing by construction and 1 at
//! the largest threshold drawn.
//!
//! **Where the delays come from.** Each leg is one draw of the simulator's own link between
//! the two nodes ([`LinkSpec`]: the scenario's `network` latency distribution, jitter, loss
//! and per-link overrides, sampled exactly as the kernel samples a message), so the curve is
//! of the cluster the page shows. A leg between a coordinator and itself takes no time, as
//! in the simulator (a coordinator that is a replica stores and reads locally). The
//! coordinators follow the scenario's `coordinator` choice: `tokenAware` sends both the
//! write and the read to the key's first replica; `random` and `nearest` draw each
//! coordinator uniformly from the ring's nodes, independently (with no regions every node is
//! as near as another, and writer and reader are different clients). The replica set is
//! that of a key drawn from a fixed sample of keys on the current ring. A lost leg never
//! arrives: a write short of W acknowledgements, a read short of R responses, or a read
//! whose R responders all lost the write (only repair would bring it) is a failed trial,
//! counted and left out of the curve.
//!
//! **Assumptions** (the paper's, and where this differs from the simulation itself): legs
//! are independent draws (no queueing, no FIFO hold-up behind earlier messages on a link, no
//! concurrent writes to the key); the cluster is healthy (no crashes or partitions, so no
//! hints and no sloppy fallbacks); read repair and anti-entropy play no part (they act after
//! the read the curve is about). Disk time is a constant `disk` added to W (the replica makes
//! the write visible and acknowledges it after its disk work). The leaderless replicas of
//! the simulator store a mutation the moment it arrives, so a curve taken from a world uses
//! zero unless asked ([`PbsOptions::disk`]); a constant disk time moves the commit (W + A)
//! exactly as much as each replica's visibility (W), so it changes write latency but not the
//! curve, which is measured from the commit (a test says so). Only a disk time that varies
//! between replicas would move it, and the scenario's `disk` is constant.
//!
//! **k-staleness.** The paper's closed form for quorums drawn uniformly at random (Eq. 2):
//! the chance that a read quorum misses the last k writes is `(C(N-W, R) / C(N, R))^k`
//! ([`k_staleness_closed_form`]); the estimate beside it assumes the k versions' visibilities
//! independent, as the paper does for `<k, t>`-staleness: `1 - (1 - P(t))^k`.
//!
//! Deterministic: the trials draw from one [`SimRng`] stream (the runner and the page derive
//! it from the scenario's seed as `"pbs"`), so the same inputs give the same curve.

use super::settings::{CoordinatorChoice, Level};
use super::Leaderless;
use crate::config::network::Latency;
use crate::kernel::net::LinkSpec;
use crate::kernel::rng::{SimRng, PPM_ONE};
use crate::kernel::time::{Micros, MICROS_PER_MS};
use crate::kernel::{NodeId, World};
use serde::{Deserialize, Serialize};

/// Trials when nobody says: about 30 ms natively, a few hundred in a browser.
pub const DEFAULT_TRIALS: u32 = 100_000;
/// Most trials one estimate runs.
pub const MAX_TRIALS: u32 = 10_000_000;
/// Points on the curve between t = 0 and the 99.9th percentile (one more at the largest
/// threshold, where the curve reaches 1).
const GRID: usize = 60;
/// Keys sampled for replica sets.
const KEYS: usize = 64;
/// A lost leg: later than anything else.
const NEVER: i64 = i64::MAX / 4;

/// Who coordinates the write and the read of one trial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coordinators {
    /// The same node, outside every replica set (the paper's setting).
    Fixed(NodeId),
    /// The replica set's first node, for the write and the read (token-aware routing).
    FirstReplica,
    /// Each drawn uniformly from these nodes, independently.
    Uniform(Vec<NodeId>),
}

/// The inputs of one estimate.
#[derive(Clone, Debug)]
pub struct PbsModel {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    /// Replica sets to draw from, each of `n` distinct nodes.
    pub replica_sets: Vec<Vec<NodeId>>,
    pub coordinators: Coordinators,
    /// Row-major `from * capacity + to`.
    links: Vec<LinkSpec>,
    capacity: usize,
    /// Time a replica spends before the write is visible and acknowledged.
    pub disk: Micros,
}

/// Overrides of the world's settings (the page's knobs, the runner's flags), in JSON:
/// `{"replicationFactor": 3, "writeConsistency": "ONE", "readConsistency": "ONE",
/// "coordinator": "random", "trials": 100000, "disk": "2ms"}`; every field optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PbsOptions {
    pub replication_factor: Option<u32>,
    pub write_consistency: Option<Level>,
    pub read_consistency: Option<Level>,
    pub coordinator: Option<CoordinatorChoice>,
    pub trials: Option<u32>,
    /// Disk time per replica write, added to W (default: none, as the model stores).
    pub disk: Option<crate::kernel::time::Dur>,
}

impl PbsModel {
    /// The paper's WARS model: a coordinator outside `n` replicas, every leg one draw of
    /// `latency`, no disk time.
    pub fn wars(n: usize, r: usize, w: usize, latency: Latency) -> PbsModel {
        let spec = LinkSpec {
            latency,
            jitter: 0,
            loss: 0,
            reorder: true,
        };
        let capacity = n + 1;
        PbsModel {
            n,
            r,
            w,
            replica_sets: vec![(0..n as NodeId).collect()],
            coordinators: Coordinators::Fixed(n as NodeId),
            links: vec![spec; capacity * capacity],
            capacity,
            disk: 0,
        }
    }

    /// The model of a leaderless world as it is now (its ring, settings and links), with
    /// `options` overriding N, R, W and the disk time.
    pub fn of_world(world: &World<Leaderless>, options: &PbsOptions) -> Result<PbsModel, String> {
        let params = &world.model().params;
        let nodes = params.ring.nodes();
        let mut spec = params.spec.clone();
        if let Some(n) = options.replication_factor {
            spec.replication_factor = n;
        }
        if let Some(level) = options.write_consistency {
            spec.write_consistency = level;
        }
        if let Some(level) = options.read_consistency {
            spec.read_consistency = level;
        }
        if let Some(choice) = options.coordinator {
            spec.coordinator = choice;
        }
        let regions = params.regions.iter().any(Option::is_some);
        spec.check(nodes.len(), regions)
            .map_err(|e| e.to_string())?;
        let n = spec.replication_factor as usize;
        let capacity = nodes.iter().map(|&id| id as usize + 1).max().unwrap_or(0);
        let mut links = Vec::with_capacity(capacity * capacity);
        for from in 0..capacity as NodeId {
            for to in 0..capacity as NodeId {
                links.push(world.link(from, to));
            }
        }
        let replica_sets = (0..KEYS)
            .map(|i| params.ring.replicas(&format!("pbs{i}"), n))
            .collect();
        let coordinators = match spec.coordinator {
            CoordinatorChoice::TokenAware => Coordinators::FirstReplica,
            CoordinatorChoice::Nearest | CoordinatorChoice::Random => Coordinators::Uniform(nodes),
        };
        Ok(PbsModel {
            n,
            r: spec.read_consistency.count(n),
            w: spec.write_consistency.count(n),
            replica_sets,
            coordinators,
            links,
            capacity,
            disk: options.disk.map_or(0, |d| d.micros()),
        })
    }

    fn leg(&self, from: NodeId, to: NodeId, rng: &mut SimRng) -> i64 {
        if from == to {
            return 0;
        }
        let spec = &self.links[from as usize * self.capacity + to as usize];
        let delay = spec.sample_delay(rng).max(1) as i64;
        if spec.loss > 0 && rng.chance(spec.loss.min(PPM_ONE)) {
            NEVER
        } else {
            delay
        }
    }

    fn coordinator(&self, set: &[NodeId], rng: &mut SimRng) -> NodeId {
        match &self.coordinators {
            Coordinators::Fixed(c) => *c,
            Coordinators::FirstReplica => set[0],
            Coordinators::Uniform(nodes) => nodes[rng.below(nodes.len() as u64) as usize],
        }
    }

    /// Runs `trials` trials and keeps their thresholds.
    pub fn estimate(&self, trials: u32, rng: &mut SimRng) -> Thresholds {
        let mut t = Vec::with_capacity(trials as usize);
        let mut failed = 0;
        let mut commits = 0u128;
        let mut scratch = Scratch::default();
        for _ in 0..trials {
            match self.trial(rng, &mut scratch) {
                Some(x) => {
                    t.push(x);
                    commits += u128::from(scratch.commit);
                }
                None => failed += 1,
            }
        }
        let write_latency = if t.is_empty() {
            0
        } else {
            (commits / t.len() as u128) as Micros
        };
        t.sort_unstable();
        Thresholds {
            n: self.n,
            r: self.r,
            w: self.w,
            sorted: t,
            failed,
            write_latency,
        }
    }

    /// One WARS trial: the smallest delay after the commit at which a read sees the
    /// write, or None when the write or the read does not complete.
    pub fn trial(&self, rng: &mut SimRng, s: &mut Scratch) -> Option<Micros> {
        let set = if self.replica_sets.len() == 1 {
            &self.replica_sets[0]
        } else {
            &self.replica_sets[rng.below(self.replica_sets.len() as u64) as usize]
        };
        let (cw, cr) = (self.coordinator(set, rng), self.coordinator(set, rng));
        s.w.clear();
        s.wa.clear();
        s.reads.clear();
        s.commit = 0;
        for &node in set {
            let w = self.leg(cw, node, rng).saturating_add(self.disk as i64);
            let a = self.leg(node, cw, rng);
            let r = self.leg(cr, node, rng);
            let rs = r.saturating_add(self.leg(node, cr, rng));
            s.w.push(w);
            s.wa.push(w.saturating_add(a));
            s.reads.push((rs, w - r));
        }
        let commit = if self.w == 0 {
            0
        } else {
            s.wa.sort_unstable();
            let c = s.wa[self.w - 1];
            if c >= NEVER {
                return None;
            }
            c
        };
        s.commit = commit as Micros;
        if self.r == 0 {
            return Some(0);
        }
        s.reads.sort_unstable_by_key(|&(rs, _)| rs);
        if s.reads[self.r - 1].0 >= NEVER {
            return None;
        }
        let first = s.reads[..self.r].iter().map(|&(_, gap)| gap).min()?;
        if first >= NEVER / 2 {
            // Every replica that answered lost the write: only repair would bring it.
            return None;
        }
        Some((first - commit).max(0) as Micros)
    }
}

/// Reused buffers of a trial (no allocation per trial).
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    w: Vec<i64>,
    wa: Vec<i64>,
    reads: Vec<(i64, i64)>,
    /// The last trial's commit time.
    commit: Micros,
}

/// The thresholds of an estimate's trials, sorted: the curve's raw material.
#[derive(Clone, Debug)]
pub struct Thresholds {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    /// Microseconds after the commit from which each trial's read sees the write.
    pub sorted: Vec<Micros>,
    /// Trials left out for lost messages: the write or the read did not complete, or every
    /// replica the read heard from lost the write (only repair brings it then).
    pub failed: u32,
    /// Mean time from the write's start at its coordinator to the commit.
    pub write_latency: Micros,
}

impl Thresholds {
    /// P(a read started `t` after the commit returns the write).
    pub fn visible_by(&self, t: Micros) -> f64 {
        if self.sorted.is_empty() {
            return 0.0;
        }
        self.sorted.partition_point(|&x| x <= t) as f64 / self.sorted.len() as f64
    }

    /// The smallest `t` with P >= `p`.
    pub fn quantile(&self, p: f64) -> Micros {
        if self.sorted.is_empty() {
            return 0;
        }
        let i = libm::ceil(p * self.sorted.len() as f64) as usize;
        self.sorted[i.clamp(1, self.sorted.len()) - 1]
    }

    /// The curve: `GRID` points evenly from 0 to the 99.9th percentile (or, when every read
    /// sees the write at once, to twice the mean write latency and at least 1 ms), then the
    /// largest threshold (probability 1); and k-staleness for k = 1 to 5.
    pub fn curve(&self) -> PbsCurve {
        let mut top = self.quantile(0.999);
        if top == 0 {
            top = (2 * self.write_latency).max(MICROS_PER_MS);
        }
        let mut points: Vec<PbsPoint> = (0..=GRID)
            .map(|i| self.point(top * i as u64 / GRID as u64))
            .collect();
        points.dedup_by(|b, a| a.t == b.t);
        if let Some(&last) = self.sorted.last() {
            if last > top {
                points.push(self.point(last));
            }
        }
        let p0 = self.visible_by(0);
        PbsCurve {
            n: self.n,
            r: self.r,
            w: self.w,
            trials: self.sorted.len() as u32 + self.failed,
            failed: self.failed,
            write_latency: self.write_latency as f64 / MICROS_PER_MS as f64,
            points,
            consistent_after: [0.9, 0.99, 0.999]
                .iter()
                .map(|&p| PbsQuantile {
                    p,
                    t: self.quantile(p) as f64 / MICROS_PER_MS as f64,
                })
                .collect(),
            k_staleness: (1..=5)
                .map(|k| KStale {
                    k,
                    p: 1.0 - libm::pow(1.0 - p0, f64::from(k)),
                    closed_form: k_staleness_closed_form(self.n, self.r, self.w, k),
                })
                .collect(),
        }
    }

    fn point(&self, t: Micros) -> PbsPoint {
        PbsPoint {
            t: t as f64 / MICROS_PER_MS as f64,
            p: self.visible_by(t),
        }
    }
}

/// The paper's Eq. 2: P(a read quorum of R, drawn uniformly, meets one of the last k write
/// quorums of W) = `1 - (C(N-W, R) / C(N, R))^k`; 1 when R + W > N.
pub fn k_staleness_closed_form(n: usize, r: usize, w: usize, k: u32) -> f64 {
    if r + w > n {
        return 1.0;
    }
    // C(N-W, R) / C(N, R) = prod_{i<R} (N-W-i) / (N-i)
    let miss: f64 = (0..r)
        .map(|i| (n - w - i) as f64 / (n - i) as f64)
        .product();
    1.0 - libm::pow(miss, f64::from(k))
}

/// What crosses to the runner and the page (times in milliseconds).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PbsCurve {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub trials: u32,
    pub failed: u32,
    /// Mean ms from a write's start at its coordinator to its commit (the W-th ack).
    pub write_latency: f64,
    /// (t after the commit, P(the read returns the write)), t rising, P non-decreasing,
    /// the last P = 1.
    pub points: Vec<PbsPoint>,
    /// The t by which a read sees the write with probability p.
    pub consistent_after: Vec<PbsQuantile>,
    /// P(at most k versions stale) for a read at t = 0.
    pub k_staleness: Vec<KStale>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct PbsPoint {
    pub t: f64,
    pub p: f64,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct PbsQuantile {
    pub p: f64,
    pub t: f64,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KStale {
    pub k: u32,
    /// From the Monte Carlo P(0), versions taken as independent.
    pub p: f64,
    /// The paper's Eq. 2 (quorums drawn uniformly, not the fastest).
    pub closed_form: f64,
}

/// The curve of a leaderless world as it is now: its model with `options`, `trials` (or
/// [`DEFAULT_TRIALS`]) trials drawn from the stream `"pbs"` of `seed`.
pub fn curve_of(
    world: &World<Leaderless>,
    seed: u64,
    options: &PbsOptions,
) -> Result<PbsCurve, String> {
    let trials = options.trials.unwrap_or(DEFAULT_TRIALS);
    if !(1..=MAX_TRIALS).contains(&trials) {
        return Err(format!(
            "trials: must be from 1 to {MAX_TRIALS} (got {trials})"
        ));
    }
    let model = PbsModel::of_world(world, options)?;
    let mut rng = SimRng::derive(seed, "pbs", 0);
    Ok(model.estimate(trials, &mut rng).curve())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::Dur;

    fn exp(mean_ms: u64) -> Latency {
        Latency::Exponential {
            min: Dur::ZERO,
            mean: Dur::ms(mean_ms),
        }
    }

    #[test]
    fn the_closed_form_matches_the_paper() {
        // N=3, R=W=1: a read misses with 2/3, so P(k=1) = 1/3, P(k=2) = 5/9.
        assert!((k_staleness_closed_form(3, 1, 1, 1) - 1.0 / 3.0).abs() < 1e-12);
        assert!((k_staleness_closed_form(3, 1, 1, 2) - 5.0 / 9.0).abs() < 1e-12);
        assert_eq!(k_staleness_closed_form(3, 2, 2, 1), 1.0);
    }

    #[test]
    fn the_curve_rises_to_one() {
        let m = PbsModel::wars(3, 1, 1, exp(10));
        let c = m.estimate(20_000, &mut SimRng::new(1)).curve();
        assert!(c
            .points
            .windows(2)
            .all(|w| w[0].p <= w[1].p && w[0].t < w[1].t));
        assert_eq!(c.points.last().unwrap().p, 1.0);
        assert!(c.points[0].p < 1.0 && c.points[0].t == 0.0);
    }
}
