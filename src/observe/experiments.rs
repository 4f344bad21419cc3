//! Experiments that run whole worlds to answer one question, shared by the page, the
//! headless runner and the tests. The read-scaling experiment runs a scenario with a given
//! number of replicas and measures what the clients got: throughput and latency of reads
//! and writes over a measurement window after a warm-up.

use crate::clients::history::{OpError, OpKind, Outcome};
use crate::config::{ConfigError, NodeSpec, Scenario, MAX_NODES};
use crate::kernel::time::{Micros, MICROS_PER_SEC};
use crate::kernel::{Protocol, World};
use crate::observe::stats::Spread;
use serde::Serialize;

/// The longest experiment run (simulated), so a page cannot lock itself up.
pub const MAX_DURATION: Micros = 60 * MICROS_PER_SEC;

/// What clients measured with one cluster size.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPoint {
    pub replicas: u32,
    pub reads_per_sec: f64,
    pub writes_per_sec: f64,
    pub read_p50_ms: f64,
    pub read_p95_ms: f64,
    pub write_p50_ms: f64,
    pub write_p95_ms: f64,
    /// Requests refused because a node's queue was full, per second.
    pub refused_per_sec: f64,
    pub events: u64,
}

/// Runs `scenario` with one primary and `replicas` replicas for `duration` (the first
/// fifth is warm-up, not measured).
pub fn scaling_point<P: Protocol>(
    scenario: &Scenario,
    seed: u64,
    replicas: u32,
    duration: Micros,
) -> Result<ScalingPoint, ConfigError> {
    let mut run = ScalingRun::<P>::new(scenario, seed, replicas, duration)?;
    run.run(u64::MAX);
    Ok(run.point())
}

/// One read-scaling measurement that can run in pieces (so the page can spread it over
/// frames): [`run`](Self::run) it until it is done, then take its [`point`](Self::point).
/// Run in pieces or at once, the world and the point are the same.
#[derive(Clone, Debug)]
pub struct ScalingRun<P: Protocol> {
    world: World<P>,
    replicas: u32,
    duration: Micros,
}

impl<P: Protocol> ScalingRun<P> {
    /// Builds the world of `scenario` with one primary and `replicas` replicas, to run for
    /// `duration` (1 to 60 s).
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        replicas: u32,
        duration: Micros,
    ) -> Result<ScalingRun<P>, ConfigError> {
        if replicas as usize >= MAX_NODES {
            return Err(ConfigError::at(
                "replicas",
                format!("at most {} replicas (got {replicas})", MAX_NODES - 1),
            ));
        }
        if !(MICROS_PER_SEC..=MAX_DURATION).contains(&duration) {
            return Err(ConfigError::at("duration", "must be between 1s and 60s"));
        }
        let mut s = scenario.clone();
        let template = |i: usize| -> NodeSpec {
            let mut spec = match i {
                0 => scenario.nodes[0].clone(),
                _ if scenario.nodes.len() > 1 => {
                    scenario.nodes[1 + (i - 1) % (scenario.nodes.len() - 1)].clone()
                }
                _ => NodeSpec::default(),
            };
            spec.name = Some(format!("n{i}"));
            spec
        };
        s.nodes = (0..=replicas as usize).map(template).collect();
        s.links.clear();
        s.faults.clear();
        Ok(ScalingRun {
            world: World::<P>::new(&s, seed)?,
            replicas,
            duration,
        })
    }

    /// Runs at most `max_events` more events; returns whether the run is done.
    pub fn run(&mut self, max_events: u64) -> bool {
        self.world.run_until(self.duration, max_events);
        self.done()
    }

    /// Whether the run has reached its duration.
    pub fn done(&self) -> bool {
        self.world.now() >= self.duration
    }

    /// How far the run has got (simulated microseconds).
    pub fn now(&self) -> Micros {
        self.world.now()
    }

    /// What the clients measured (over the window so far, if the run is not done).
    pub fn point(&self) -> ScalingPoint {
        let (world, replicas) = (&self.world, self.replicas);
        let warmup = self.duration / 5;
        let reached = world.now().min(self.duration);
        let window = reached.saturating_sub(warmup).max(1) as f64 / MICROS_PER_SEC as f64;
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        let mut refused = 0u64;
        for op in world.history().ops() {
            let Some(done) = op.completed_at.filter(|&t| t >= warmup) else {
                continue;
            };
            if op.error == Some(OpError::Overloaded) {
                refused += 1;
            }
            if op.outcome != Outcome::Ok {
                continue;
            }
            let ms = (done - op.invoked_at) as f64 / 1000.0;
            match op.kind {
                OpKind::Read => reads.push(ms),
                OpKind::Write | OpKind::Cas => writes.push(ms),
            }
        }
        let per_sec = |n: usize| libm::round(n as f64 / window * 10.0) / 10.0;
        let (rn, wn) = (reads.len(), writes.len());
        let reads = Spread::of(reads).unwrap_or_default();
        let writes = Spread::of(writes).unwrap_or_default();
        ScalingPoint {
            replicas,
            reads_per_sec: per_sec(rn),
            writes_per_sec: per_sec(wn),
            read_p50_ms: reads.p50,
            read_p95_ms: reads.p95,
            write_p50_ms: writes.p50,
            write_p95_ms: writes.p95,
            refused_per_sec: per_sec(refused as usize),
            events: world.events_processed(),
        }
    }
}
