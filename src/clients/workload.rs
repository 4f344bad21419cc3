//! Clients: the seeded workload (closed-loop clients, one operation outstanding each, with
//! exponential think time, a read/write mix and Zipf-skewed keys) and the manual client that
//! the page's "write" and "read" buttons drive.
//!
//! Clients are automata of the world rather than nodes: they pick what to do next from their
//! own random stream; where it goes, and the session's tokens (`S`), are the model's.

use crate::clients::history::OpKind;
use crate::config::WorkloadSpec;
use crate::kernel::geo::Region;
use crate::kernel::rng::{SimRng, ZipfKeys};
use crate::kernel::time::{Micros, MICROS_PER_SEC};
use crate::kernel::{ClientId, OpId, Text};
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub struct Client<S> {
    pub id: ClientId,
    /// Driven by the page rather than the workload.
    pub manual: bool,
    pub outstanding: BTreeSet<OpId>,
    /// What the model keeps for this session (tokens, whom it takes for the primary).
    pub session: S,
    /// Where the client sits (for latency and `nearest` reads).
    pub region: Option<Region>,
    /// A workload client the page has stood down (the client count was lowered).
    pub idle: bool,
    /// The value this client last read or wrote for each key (what its next
    /// compare-and-set of that key expects; absent: it expects the key absent).
    pub last_seen: std::collections::BTreeMap<Text, Text>,
    pub(crate) rng: SimRng,
}

/// What a workload client decided to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub kind: OpKind,
    pub key: Text,
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
            read_ppm: crate::kernel::net::fraction_to_ppm(spec.read_fraction),
            cas_ppm: crate::kernel::net::fraction_to_ppm(spec.cas_fraction),
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

impl<S> Client<S> {
    pub fn new(id: ClientId, manual: bool, session: S, seed: u64) -> Client<S> {
        Client {
            id,
            manual,
            outstanding: BTreeSet::new(),
            session,
            region: None,
            idle: false,
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

    /// Chooses the next operation.
    pub fn plan(&mut self, workload: &Workload) -> Plan {
        let kind = if self.rng.chance(workload.read_ppm) {
            OpKind::Read
        } else if workload.cas_ppm > 0 && self.rng.chance(workload.cas_ppm) {
            OpKind::Cas
        } else {
            OpKind::Write
        };
        let key = workload.key_names[workload.keys.sample(&mut self.rng)].clone();
        let expected = match kind {
            OpKind::Cas => self.last_seen.get(&key).cloned(),
            _ => None,
        };
        Plan {
            kind,
            key,
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
}
