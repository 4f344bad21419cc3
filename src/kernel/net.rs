//! The simulated network: per-direction links between nodes with a latency distribution,
//! jitter, loss and FIFO or reordering delivery, plus one shared client-to-node path.
//!
//! Links are world state, not node state: a partition (a later issue) cuts a link
//! direction; nodes only ever see messages arrive or not.

use super::ids::{Addr, ClientId, NodeId};
use super::rng::{Ppm, SimRng, PPM_ONE};
use super::time::Micros;
use crate::config::network::{Latency, LinkOverride, LinkSettings, NetworkSpec};
use serde::Serialize;
use std::collections::BTreeMap;

/// The behaviour of one link direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSpec {
    pub latency: Latency,
    pub jitter: Micros,
    pub loss: Ppm,
    pub reorder: bool,
}

impl LinkSpec {
    pub fn from_network(spec: &NetworkSpec) -> LinkSpec {
        LinkSpec {
            latency: spec.latency,
            jitter: spec.jitter.micros(),
            loss: fraction_to_ppm(spec.loss),
            reorder: spec.reorder,
        }
    }

    pub fn from_settings(s: &LinkSettings) -> LinkSpec {
        LinkSpec {
            latency: s.latency,
            jitter: s.jitter.micros(),
            loss: fraction_to_ppm(s.loss),
            reorder: s.reorder,
        }
    }

    /// Applies the fields an override sets.
    pub fn patched(mut self, o: &LinkOverride) -> LinkSpec {
        if let Some(latency) = o.latency {
            self.latency = latency;
        }
        if let Some(jitter) = o.jitter {
            self.jitter = jitter.micros();
        }
        if let Some(loss) = o.loss {
            self.loss = fraction_to_ppm(loss);
        }
        if let Some(reorder) = o.reorder {
            self.reorder = reorder;
        }
        self
    }

    /// One draw of this link's one-way delay (latency plus jitter), before FIFO ordering.
    pub(crate) fn sample_delay(&self, rng: &mut SimRng) -> Micros {
        let base = match self.latency {
            Latency::Constant { value } => value.micros(),
            Latency::Uniform { min, max } => rng.between(min.micros(), max.micros()),
            Latency::Exponential { min, mean } => {
                min.micros() + rng.exponential(mean.micros() - min.micros())
            }
        };
        base + if self.jitter > 0 {
            rng.between(0, self.jitter)
        } else {
            0
        }
    }
}

pub fn fraction_to_ppm(f: f64) -> Ppm {
    libm::round(f.clamp(0.0, 1.0) * f64::from(PPM_ONE)) as Ppm
}

/// What happens to one sent message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Fate {
    Deliver,
    /// Dropped by the link's loss probability.
    Lost,
    /// The link direction is cut (partition).
    Cut,
}

/// When (and whether) a message arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    pub deliver_at: Micros,
    pub fate: Fate,
}

#[derive(Clone, Debug)]
struct Link {
    spec: LinkSpec,
    up: bool,
    /// Latest delivery time scheduled on this direction, for FIFO ordering.
    last_delivery: Micros,
}

#[derive(Clone, Debug)]
pub struct Network {
    /// Row-major `from * capacity + to`.
    links: Vec<Link>,
    capacity: usize,
    default: LinkSpec,
    client: LinkSpec,
    client_last: BTreeMap<(Addr, Addr), Micros>,
    /// Client-node pairs a partition separates (both directions).
    client_cuts: std::collections::BTreeSet<(ClientId, NodeId)>,
    rng: SimRng,
}

impl Network {
    pub fn new(
        spec: &NetworkSpec,
        overrides: &[LinkOverride],
        capacity: usize,
        rng: SimRng,
    ) -> Network {
        let default = LinkSpec::from_network(spec);
        let link = Link {
            spec: default,
            up: true,
            last_delivery: 0,
        };
        let mut net = Network {
            links: vec![link; capacity * capacity],
            capacity,
            default,
            client: LinkSpec {
                latency: spec.client_latency,
                jitter: 0,
                loss: 0,
                reorder: false,
            },
            client_last: BTreeMap::new(),
            client_cuts: std::collections::BTreeSet::new(),
            rng,
        };
        for o in overrides {
            net.apply_override(o);
        }
        net
    }

    fn index(&self, from: NodeId, to: NodeId) -> usize {
        from as usize * self.capacity + to as usize
    }

    fn link(&self, from: NodeId, to: NodeId) -> &Link {
        &self.links[self.index(from, to)]
    }

    fn link_mut(&mut self, from: NodeId, to: NodeId) -> &mut Link {
        let i = self.index(from, to);
        &mut self.links[i]
    }

    pub fn spec(&self, from: NodeId, to: NodeId) -> LinkSpec {
        self.link(from, to).spec
    }

    pub fn default_spec(&self) -> LinkSpec {
        self.default
    }

    pub fn client_spec(&self) -> LinkSpec {
        self.client
    }

    pub fn is_up(&self, from: NodeId, to: NodeId) -> bool {
        self.link(from, to).up
    }

    /// Sets one link direction's behaviour.
    pub fn set_spec(&mut self, from: NodeId, to: NodeId, spec: LinkSpec) {
        self.link_mut(from, to).spec = spec;
    }

    /// Sets the default for every node link (overriding per-link settings) .
    pub fn set_all(&mut self, spec: LinkSpec) {
        self.default = spec;
        for link in &mut self.links {
            link.spec = spec;
        }
    }

    pub fn set_client_spec(&mut self, spec: LinkSpec) {
        self.client = spec;
    }

    /// Cuts or restores one link direction.
    /// Replaces the set of client-node pairs that cannot reach each other.
    pub fn set_client_cuts(&mut self, cuts: std::collections::BTreeSet<(ClientId, NodeId)>) {
        self.client_cuts = cuts;
    }

    /// Whether no client is cut off from any node.
    pub fn client_cuts_empty(&self) -> bool {
        self.client_cuts.is_empty()
    }

    pub fn client_cut(&self, client: ClientId, node: NodeId) -> bool {
        !self.client_cuts.is_empty() && self.client_cuts.contains(&(client, node))
    }

    pub fn set_up(&mut self, from: NodeId, to: NodeId, up: bool) {
        self.link_mut(from, to).up = up;
    }

    /// Applies a scenario's per-link override.
    pub fn apply_override(&mut self, o: &LinkOverride) {
        let patched = self.link(o.from, o.to).spec.patched(o);
        self.link_mut(o.from, o.to).spec = patched;
        if !o.one_way {
            let back = self.link(o.to, o.from).spec.patched(o);
            self.link_mut(o.to, o.from).spec = back;
        }
    }

    /// Decides when (and whether) a message sent now arrives. A message between a client
    /// and a node takes `client_latency` when given (both are placed in regions), else the
    /// network's client latency.
    pub fn transit(
        &mut self,
        from: Addr,
        to: Addr,
        now: Micros,
        client_latency: Option<Latency>,
    ) -> Transit {
        match (from, to) {
            (Addr::Node(a), Addr::Node(b)) => {
                let i = self.index(a, b);
                let link = &mut self.links[i];
                let mut deliver_at = now + link.spec.sample_delay(&mut self.rng).max(1);
                if !link.spec.reorder {
                    deliver_at = deliver_at.max(link.last_delivery);
                    link.last_delivery = deliver_at;
                }
                let fate = if !link.up {
                    Fate::Cut
                } else if self.rng.chance(link.spec.loss) {
                    Fate::Lost
                } else {
                    Fate::Deliver
                };
                Transit { deliver_at, fate }
            }
            _ => {
                let spec = match client_latency {
                    Some(latency) => LinkSpec {
                        latency,
                        ..self.client
                    },
                    None => self.client,
                };
                let delay = spec.sample_delay(&mut self.rng).max(1);
                let last = self.client_last.entry((from, to)).or_insert(0);
                let deliver_at = (now + delay).max(*last);
                *last = deliver_at;
                let cut = match (from, to) {
                    (Addr::Client(c), Addr::Node(n)) | (Addr::Node(n), Addr::Client(c)) => {
                        self.client_cut(c, n)
                    }
                    _ => false,
                };
                Transit {
                    deliver_at,
                    fate: if cut { Fate::Cut } else { Fate::Deliver },
                }
            }
        }
    }
}
