//! The PBS staleness curve (issue 11, item 5): the estimator reproduces the WARS model with
//! every leg exponential (against a separately coded Monte Carlo), R + W > N is consistent
//! at once and R + W <= N only rises to 1, the same seed gives the same curve, and the
//! curve of a scenario predicts the stale reads the simulation itself measures (ONE/ONE,
//! 12 seeds: 0.366 measured against 0.393 predicted under 2 ms, 0.275 / 0.298 for 2-5 ms,
//! 0.237 / 0.194 for 5-10, 0.087 / 0.088 for 10-20, 0.008 / 0.008 beyond).

mod leaderless;

use leaderless::ms;
use replica_lab::clients::history::{OpKind, Outcome};
use replica_lab::config::network::Latency;
use replica_lab::kernel::rng::SimRng;
use replica_lab::kernel::time::Dur;
use replica_lab::kernel::World;
use replica_lab::protocols::leaderless::pbs::{self, PbsModel, PbsOptions, Thresholds};
use replica_lab::protocols::Leaderless;
use replica_lab::Scenario;
use std::collections::BTreeMap;

/// An independent WARS simulation in plain floats (its own generator, its own sorting):
/// the thresholds of `trials` trials, in ms. `local`: replica 0 coordinates both the write
/// and the read, so its four legs take no time.
fn reference(n: usize, r: usize, w: usize, mean: f64, local: bool, trials: usize) -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut exp = move || {
        // xorshift64*, then inversion.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let u = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64;
        -(1.0 - u).ln() * mean
    };
    let mut out = Vec::with_capacity(trials);
    for _ in 0..trials {
        let legs: Vec<[f64; 4]> = (0..n)
            .map(|i| {
                let l = [exp(), exp(), exp(), exp()];
                if local && i == 0 {
                    [0.0; 4]
                } else {
                    l
                }
            })
            .collect();
        let mut acks: Vec<f64> = legs.iter().map(|l| l[0] + l[1]).collect();
        acks.sort_by(f64::total_cmp);
        let commit = acks[w - 1];
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| (legs[a][2] + legs[a][3]).total_cmp(&(legs[b][2] + legs[b][3])));
        let t = order[..r]
            .iter()
            .map(|&i| legs[i][0] - commit - legs[i][2])
            .fold(f64::INFINITY, f64::min);
        out.push(t.max(0.0));
    }
    out.sort_by(f64::total_cmp);
    out
}

fn fraction_by(sorted: &[f64], t: f64) -> f64 {
    sorted.partition_point(|&x| x <= t) as f64 / sorted.len() as f64
}

fn exp(mean_ms: u64) -> Latency {
    Latency::Exponential {
        min: Dur::ZERO,
        mean: Dur::ms(mean_ms),
    }
}

/// Largest gap between the estimator and the reference over t = 0, 1, .., 60 ms.
fn worst_gap(th: &Thresholds, reference: &[f64]) -> (f64, u64) {
    (0..=60u64)
        .map(|t| {
            let gap = (th.visible_by(ms(t)) - fraction_by(reference, t as f64)).abs();
            (gap, t)
        })
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
}

/// Two estimates of 100,000 trials each differ by a few standard errors (at most 0.0016
/// for a proportion), plus the microsecond rounding of the simulator's delays: 0.01 is
/// some six of them.
const TOLERANCE: f64 = 0.01;

#[test]
fn every_leg_exponential_reproduces_the_wars_model() {
    for (n, r, w) in [(3, 1, 1), (3, 1, 2), (5, 2, 2), (3, 2, 2)] {
        let model = PbsModel::wars(n, r, w, exp(10));
        let th = model.estimate(100_000, &mut SimRng::new(11));
        let (gap, at) = worst_gap(&th, &reference(n, r, w, 10.0, false, 100_000));
        eprintln!(
            "N={n} R={r} W={w}: P(0) = {:.4}, P(10 ms) = {:.4}; worst gap {gap:.4} at {at} ms",
            th.visible_by(0),
            th.visible_by(ms(10))
        );
        assert!(gap < TOLERANCE, "N={n} R={r} W={w}: {gap} at {at} ms");
    }
}

fn scenario(nodes: usize, settings: &str, latency: &str) -> World<Leaderless> {
    let json = format!(
        r#"{{"model": "leaderless", "nodes": {nodes},
            "network": {{"latency": {latency}}},
            "leaderless": {{{settings}}}, "workload": {{"clients": 0}}}}"#
    );
    let s = Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    World::new(&s, 1).unwrap()
}

const EXP10: &str = r#"{"kind": "exponential", "min": "0ms", "mean": "10ms"}"#;

#[test]
fn a_scenario_with_exponential_links_and_no_disk_time_is_that_wars_model() {
    // Token-aware: the key's first replica coordinates both, its own legs local.
    let world = scenario(
        3,
        r#""replicationFactor": 3, "writeConsistency": "ONE", "readConsistency": "ONE""#,
        EXP10,
    );
    let model = PbsModel::of_world(&world, &PbsOptions::default()).unwrap();
    assert_eq!((model.n, model.r, model.w, model.disk), (3, 1, 1, 0));
    let th = model.estimate(100_000, &mut SimRng::new(5));
    // With both coordinators a replica, ONE/ONE reads its own write at once.
    assert_eq!(th.visible_by(0), 1.0);
    // TWO/ONE still reads locally: fresh. ONE/TWO (read) can be stale.
    let opts = PbsOptions {
        write_consistency: Some(replica_lab::protocols::leaderless::settings::Level::One),
        read_consistency: Some(replica_lab::protocols::leaderless::settings::Level::Two),
        ..PbsOptions::default()
    };
    let model = PbsModel::of_world(&world, &opts).unwrap();
    let th = model.estimate(100_000, &mut SimRng::new(5));
    let (gap, at) = worst_gap(&th, &reference(3, 2, 1, 10.0, true, 100_000));
    eprintln!(
        "scenario, token-aware, N=3 R=2 W=1: P(0) = {:.4}; worst gap {gap:.4} at {at} ms",
        th.visible_by(0)
    );
    assert_eq!(th.visible_by(0), 1.0, "the local replica has the write");
    assert!(gap < TOLERANCE, "{gap} at {at} ms");
}

#[test]
fn r_plus_w_over_n_is_consistent_at_once_and_at_most_n_rises_to_one() {
    for (n, r, w) in [(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 1, 5)] {
        let th = PbsModel::wars(n, r, w, exp(10)).estimate(20_000, &mut SimRng::new(2));
        assert_eq!(th.visible_by(0), 1.0, "N={n} R={r} W={w}");
        let c = th.curve();
        assert!(c.points.iter().all(|p| p.p == 1.0));
        assert!(c
            .k_staleness
            .iter()
            .all(|k| k.p == 1.0 && k.closed_form == 1.0));
    }
    for (n, r, w) in [(3, 1, 1), (3, 1, 2), (3, 2, 1), (5, 2, 2), (5, 1, 3)] {
        let c = PbsModel::wars(n, r, w, exp(10))
            .estimate(20_000, &mut SimRng::new(2))
            .curve();
        let p: Vec<f64> = c.points.iter().map(|x| x.p).collect();
        assert!(p[0] < 1.0, "N={n} R={r} W={w}: {p:?}");
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "monotone: {p:?}");
        assert!(c.points.windows(2).all(|w| w[0].t < w[1].t));
        assert_eq!(*p.last().unwrap(), 1.0);
        // k-staleness grows with k, the estimate beside the paper's closed form.
        let k = &c.k_staleness;
        assert!(k
            .windows(2)
            .all(|w| w[0].p < w[1].p && w[0].closed_form < w[1].closed_form));
        assert!(
            k[0].p >= k[0].closed_form - 0.02,
            "the fastest quorums do better: {k:?}"
        );
    }
    // The same through a scenario, random coordinators on 5 nodes: stale at first.
    let world = scenario(
        5,
        r#""replicationFactor": 3, "coordinator": "random""#,
        EXP10,
    );
    let c = pbs::curve_of(&world, 9, &PbsOptions::default()).unwrap();
    assert!(
        c.points[0].p < 0.9 && c.points.last().unwrap().p == 1.0,
        "{c:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_curve() {
    let world = scenario(
        5,
        r#""replicationFactor": 3, "coordinator": "random""#,
        EXP10,
    );
    let opts = PbsOptions {
        trials: Some(20_000),
        ..PbsOptions::default()
    };
    let a = pbs::curve_of(&world, 3, &opts).unwrap();
    assert_eq!(a, pbs::curve_of(&world, 3, &opts).unwrap());
    assert_ne!(a, pbs::curve_of(&world, 4, &opts).unwrap());
    assert_eq!(a.trials, 20_000);
}

/// A constant disk time delays the commit exactly as much as each replica's visibility
/// (W + A and W move together), so the curve, measured from the commit, does not move.
#[test]
fn constant_disk_time_leaves_the_curve_where_it_was() {
    let mut model = PbsModel::wars(3, 1, 1, exp(10));
    let before = model.estimate(50_000, &mut SimRng::new(1));
    model.disk = ms(5);
    let after = model.estimate(50_000, &mut SimRng::new(1));
    assert_eq!(before.sorted, after.sorted);
}

#[test]
fn bad_options_are_refused() {
    let world = scenario(3, r#""replicationFactor": 3"#, EXP10);
    let opts = PbsOptions {
        replication_factor: Some(4),
        ..PbsOptions::default()
    };
    let e = pbs::curve_of(&world, 1, &opts).unwrap_err();
    assert!(e.contains("replicationFactor"), "{e}");
    let opts = PbsOptions {
        trials: Some(0),
        ..PbsOptions::default()
    };
    assert!(pbs::curve_of(&world, 1, &opts)
        .unwrap_err()
        .contains("trials"));
}

/// The curve of tests/leaderless_quorums.rs's scenario (ONE/ONE, N = 3 of 5 nodes,
/// coordinators at random, links 1 ms + exponential to a 10 ms mean, clients 0.5 ms from
/// every node) predicts the stale reads its simulation measures, by delay after the
/// acknowledgement reached the client. The simulation has more than the model: concurrent
/// writes to 4 keys (a read may miss any of several recent writes), FIFO links, the
/// client's 0.5 ms each way (added to the delay here).
#[test]
fn the_curve_predicts_the_simulations_stale_reads() {
    let json = r#"{"model": "leaderless", "nodes": 5,
        "network": {"latency": {"kind": "exponential", "min": "1ms", "mean": "10ms"},
                    "clientLatency": "500us"},
        "leaderless": {"replicationFactor": 3, "writeConsistency": "ONE",
                       "readConsistency": "ONE", "coordinator": "random"},
        "workload": {"clients": 6, "rate": 40, "readFraction": 0.5, "keys": 4,
                     "stopAfter": "3s"}}"#;
    let s = Scenario::from_json(json).unwrap();
    let edges = [2u64, 5, 10, 20, 1_000];
    // (reads, stale seen, stale predicted) per bucket.
    let mut b = vec![(0u64, 0u64, 0.0f64); edges.len()];
    let mut curve = None;
    for seed in 0..12 {
        let mut w = World::<Leaderless>::new(&s, seed).unwrap();
        let th = curve.get_or_insert_with(|| {
            PbsModel::of_world(&w, &PbsOptions::default())
                .unwrap()
                .estimate(200_000, &mut SimRng::new(1))
        });
        w.run_until(ms(4_000), u64::MAX);
        let mut acked: BTreeMap<&str, Vec<(u64, _)>> = BTreeMap::new();
        let ops = w.history().ops();
        for op in ops {
            if op.kind == OpKind::Write && op.outcome == Outcome::Ok {
                let list = acked.entry(&*op.key).or_default();
                list.push((op.completed_at.unwrap(), op.written.unwrap()));
            }
        }
        for list in acked.values_mut() {
            list.sort_unstable();
        }
        for op in ops {
            if op.kind != OpKind::Read || op.outcome != Outcome::Ok {
                continue;
            }
            let Some(list) = acked.get(&*op.key) else {
                continue;
            };
            let before = list.partition_point(|&(at, _)| at < op.invoked_at);
            if before == 0 {
                continue;
            }
            let newest = list[..before].iter().map(|x| x.1).max().unwrap();
            let delay = op.invoked_at - list[before - 1].0;
            let Some(i) = edges.iter().position(|&e| delay / 1_000 < e) else {
                continue;
            };
            let returned = op.read.as_ref().map_or((0, 0), |v| v.pos);
            b[i].0 += 1;
            b[i].1 += u64::from(returned < newest);
            b[i].2 += 1.0 - th.visible_by(delay + 1_000);
        }
    }
    for (i, &(reads, seen, predicted)) in b.iter().enumerate() {
        let (seen, predicted) = (seen as f64 / reads as f64, predicted / reads as f64);
        eprintln!(
            "delay < {} ms: {reads} reads, stale {seen:.3} measured, {predicted:.3} by PBS",
            edges[i]
        );
        assert!(reads > 50, "enough reads: {b:?}");
        assert!(
            (seen - predicted).abs() < 0.08,
            "under {} ms: measured {seen:.3}, PBS {predicted:.3}",
            edges[i]
        );
    }
}
