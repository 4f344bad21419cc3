//! Clients: the seeded workload (closed-loop clients, one operation outstanding each, with
//! exponential think time, a read/write mix and Zipf-skewed keys) and the manual client that
//! the page's "write" and "read" buttons drive.
//!
//! Clients are automata of the world rather than nodes: they pick what to do next from their
//! own random stream, and remember who they believe the primary is.

use crate::config::{ReadTarget, WorkloadSpec};
use crate::consistency::{ReadConsistency, Session};
use crate::geo::{self, Region};
use crate::history::OpKind;
use crate::protocol::{ClientId, NodeId, OpId, Text};
use crate::rng::{SimRng, ZipfKeys};
use crate::time::{Micros, MICROS_PER_SEC};
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub struct Client {
    pub id: ClientId,
    /// Driven by the page rather than the workload.
    pub manual: bool,
    pub outstanding: BTreeSet<OpId>,
    /// The node this client sends writes to.
    pub primary_hint: NodeId,
    /// The session's consistency tokens.
    pub session: Session,
    /// Where the client sits (for latency and `nearest` reads).
    pub region: Option<Region>,
    /// A workload client the page has stood down (the client count was lowered).
    pub idle: bool,
    /// The highest primary term this client has seen acknowledge a write.
    pub term_seen: crate::protocol::Term,
    /// The value this client last read or wrote for each key (what its next
    /// compare-and-set of that key expects; absent: it expects the key absent).
    pub last_seen: std::collections::BTreeMap<Text, Text>,
    rng: SimRng,
}

/// What a workload client decided to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: OpKind,
    pub key: Text,
    pub target: NodeId,
    /// For a compare-and-set: the value it expects (`None`: absent).
    pub expected: Option<Text>,
}

/// The shared workload description, with key names built once.
#[derive(Clone, Debug)]
pub struct Workload {
    pub spec: WorkloadSpec,
    keys: ZipfKeys,
    key_names: Vec<Text>,
    read_ppm: u32,
    cas_ppm: u32,
}

impl Workload {
    pub fn new(spec: &WorkloadSpec) -> Workload {
        Workload {
            spec: spec.clone(),
            keys: ZipfKeys::new(spec.keys as usize, spec.skew),
            key_names: (0..spec.keys)
                .map(|i| Text::from(format!("k{i}")))
                .collect(),
            read_ppm: crate::net::fraction_to_ppm(spec.read_fraction),
            cas_ppm: crate::net::fraction_to_ppm(spec.cas_fraction),
        }
    }

    /// Whether clients need to remember the values they saw (for their compare-and-sets).
    pub fn tracks_values(&self) -> bool {
        self.cas_ppm > 0
    }

    /// Mean think time between a client's operations.
    pub fn think_mean(&self) -> Option<Micros> {
        (self.spec.rate > 0.0)
            .then(|| libm::round(MICROS_PER_SEC as f64 / self.spec.rate) as Micros)
    }
}

impl Client {
    pub fn new(id: ClientId, manual: bool, primary: NodeId, seed: u64) -> Client {
        Client {
            id,
            manual,
            outstanding: BTreeSet::new(),
            primary_hint: primary,
            session: Session::default(),
            region: None,
            idle: false,
            term_seen: 0,
            last_seen: std::collections::BTreeMap::new(),
            rng: SimRng::derive(seed, "client", u64::from(id)),
        }
    }

    /// Think time before the next operation.
    pub fn think(&mut self, workload: &Workload) -> Option<Micros> {
        workload
            .think_mean()
            .map(|mean| self.rng.exponential(mean).max(1))
    }

    /// Chooses the next operation; `nodes` are the cluster members the client knows of and
    /// `regions` every node slot's region.
    pub fn plan(
        &mut self,
        workload: &Workload,
        nodes: &[NodeId],
        regions: &[Option<Region>],
    ) -> Plan {
        let kind = if self.rng.chance(workload.read_ppm) {
            OpKind::Read
        } else if workload.cas_ppm > 0 && self.rng.chance(workload.cas_ppm) {
            OpKind::Cas
        } else {
            OpKind::Write
        };
        let key = workload.key_names[workload.keys.sample(&mut self.rng)].clone();
        let linearizable = workload.spec.read_consistency == ReadConsistency::Linearizable;
        let target = match kind {
            OpKind::Write | OpKind::Cas => self.primary_hint,
            OpKind::Read if linearizable => self.primary_hint,
            OpKind::Read => self.read_target(workload.spec.read_from, nodes, regions),
        };
        let expected = match kind {
            OpKind::Cas => self.last_seen.get(&key).cloned(),
            _ => None,
        };
        Plan {
            kind,
            key,
            target,
            expected,
        }
    }

    /// Remembers what this client saw of `key` (`None`: that it was absent).
    pub fn saw(&mut self, key: &Text, value: Option<&Text>) {
        match value {
            Some(v) => {
                self.last_seen.insert(key.clone(), v.clone());
            }
            None => {
                self.last_seen.remove(key);
            }
        }
    }

    fn read_target(
        &mut self,
        target: ReadTarget,
        nodes: &[NodeId],
        regions: &[Option<Region>],
    ) -> NodeId {
        let primary = self.primary_hint;
        match target {
            ReadTarget::Nearest if !nodes.is_empty() => {
                // One of the closest members, chosen at random among equals.
                let here = self.region;
                let cost = |n: NodeId| geo::client_extra(here, regions[n as usize]);
                let best = nodes.iter().map(|&n| cost(n)).min().unwrap_or(0);
                let ties = nodes.iter().filter(|&&n| cost(n) == best).count();
                let k = self.rng.below(ties as u64) as usize;
                nodes
                    .iter()
                    .copied()
                    .filter(|&n| cost(n) == best)
                    .nth(k)
                    .unwrap_or(primary)
            }
            ReadTarget::Primary => primary,
            ReadTarget::Any if !nodes.is_empty() => {
                nodes[self.rng.below(nodes.len() as u64) as usize]
            }
            ReadTarget::AnyReplica => {
                // The k-th member other than the primary, without building a list.
                let replicas = nodes.iter().filter(|&&n| n != primary).count();
                if replicas == 0 {
                    return primary;
                }
                let k = self.rng.below(replicas as u64) as usize;
                nodes
                    .iter()
                    .copied()
                    .filter(|&n| n != primary)
                    .nth(k)
                    .unwrap_or(primary)
            }
            ReadTarget::Any | ReadTarget::Nearest => primary,
        }
    }
}
