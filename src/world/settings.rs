//! Settings an operator changes while the world runs: the acknowledgement policy, the
//! semi-sync fallback, the workload, the service-time model and geography. Each is checked
//! like the same field of a scenario file, recorded in the trace, and reflected in
//! [`World::current_scenario`], so a run can be rebuilt from what the page shows.

use super::{EventKind, NodeStatus, World};
use crate::ack::{AckPolicy, Visibility};
use crate::client::{Client, Workload};
use crate::config::{ConfigError, NodeSpec, Scenario, WorkloadPatch};
use crate::failover::{FailoverMode, FailoverSpec};
use crate::geo::{self, Region};
use crate::net::LinkSpec;
use crate::node::NodeParams;
use crate::protocol::{ClientId, NodeId};
use crate::service::ServiceSpec;
use crate::time::{Dur, Micros};
use crate::trace::{ConfigKind, TraceEvent};

impl World {
    /// Sets the cluster's acknowledgement policy (for workload writes and plain `write`).
    pub fn set_ack_policy(&mut self, ack: AckPolicy) {
        self.scenario.replication.ack_policy = ack;
        self.configured(ConfigKind::AckPolicy);
    }

    /// `None`: block until enough replicas confirm; `Some(wait)`: fall back to async after
    /// waiting that long (MySQL `rpl_semi_sync_source_timeout`).
    pub fn set_semi_sync_fallback(&mut self, wait: Option<Micros>) {
        self.scenario.replication.semi_sync_fallback = wait.map(Dur);
        self.replication_changed();
        self.configured(ConfigKind::SemiSyncFallback);
    }

    /// When writes become visible at the primary (MySQL `rpl_semi_sync_source_wait_point`).
    pub fn set_visibility(&mut self, visibility: Visibility) {
        self.scenario.replication.visibility = visibility;
        self.replication_changed();
        self.configured(ConfigKind::Visibility);
    }

    /// Every node takes up the scenario's replication settings.
    fn replication_changed(&mut self) {
        let s = &self.scenario;
        self.params = NodeParams::new(&s.disk, &s.replication, &s.failover, s.nodes.len());
        for slot in &mut self.nodes {
            slot.node.set_params(self.params.clone());
        }
    }

    /// Switches how a lost primary is replaced (Raft elections, the naive monitor, or no
    /// failover); checked like the scenario's `failover` field.
    pub fn set_failover(&mut self, spec: FailoverSpec) -> Result<(), ConfigError> {
        let mut candidate = self.scenario.clone();
        candidate.failover = spec;
        candidate.validate()?;
        let was = self.scenario.failover.mode;
        self.scenario.failover = spec;
        self.leadership.raft_throughout &= spec.mode == FailoverMode::Raft;
        let s = &self.scenario;
        self.params = NodeParams::new(&s.disk, &s.replication, &s.failover, s.nodes.len());
        for id in 0..self.nodes.len() as NodeId {
            let params = self.params.clone();
            self.nodes[id as usize].node.set_params(params);
            // Replicas (re)arm their election timers under the new settings.
            self.with_node(id, |n, ctx| n.failover_changed(ctx));
        }
        if spec.mode == FailoverMode::Naive && was != FailoverMode::Naive {
            self.start_monitor();
        }
        self.configured(ConfigKind::Failover);
        Ok(())
    }

    /// Changes the running workload; the new rate and mix apply from each client's next
    /// operation, a higher client count starts clients, a lower one stands them down.
    pub fn set_workload(&mut self, patch: &WorkloadPatch) -> Result<(), ConfigError> {
        let mut candidate = self.scenario.clone();
        patch.apply(&mut candidate.workload);
        candidate.validate()?;
        self.scenario.workload = candidate.workload;
        self.workload = Workload::new(&self.scenario.workload);
        let wanted = self.scenario.workload.clients as usize;
        let mut active = 0;
        for i in 0..self.clients.len() {
            if self.clients[i].manual {
                continue;
            }
            let idle = active >= wanted;
            let was_idle = std::mem::replace(&mut self.clients[i].idle, idle);
            if was_idle && !idle && self.clients[i].outstanding.is_empty() {
                self.schedule_next(i as ClientId);
            }
            active += usize::from(!idle);
        }
        for _ in active..wanted {
            self.add_workload_client();
        }
        self.configured(ConfigKind::Workload);
        Ok(())
    }

    /// Turns the service-time model on, changes it, or (`None`) turns it off. Requests
    /// queued under the old settings are handed to their nodes at once.
    pub fn set_service(&mut self, service: Option<ServiceSpec>) {
        self.scenario.service = service;
        self.flush_service_queues();
        self.configured(ConfigKind::Service);
    }

    /// Places a node in a region (`None`: nowhere) and re-derives its links' latencies.
    pub fn set_region(&mut self, node: NodeId, region: Option<Region>) -> Result<(), ConfigError> {
        let at = format!("nodes[{node}]");
        if self
            .nodes
            .get(node as usize)
            .is_none_or(|s| s.status == NodeStatus::Removed)
        {
            return Err(ConfigError::at(at, format!("there is no node {node}")));
        }
        self.nodes[node as usize].region = region;
        self.apply_region_links();
        self.configured(ConfigKind::Region);
        Ok(())
    }

    /// Places a client (workload or the page's own) in a region.
    pub fn set_client_region(
        &mut self,
        client: ClientId,
        region: Option<Region>,
    ) -> Result<(), ConfigError> {
        let Some(c) = self.clients.get_mut(client as usize) else {
            return Err(ConfigError::at(
                "client",
                format!("there is no client {client}"),
            ));
        };
        c.region = region;
        self.sync_client_regions();
        self.configured(ConfigKind::ClientRegion);
        Ok(())
    }

    /// Spreads the nodes and clients round-robin over the first `regions` regions (the
    /// primary in the first), or with 0 removes geography and restores default links.
    pub fn set_geography(&mut self, regions: usize) {
        let regions = regions.min(geo::REGIONS.len());
        let place = |i: usize| (regions > 0).then(|| (i % regions) as Region);
        let mut members = self.members();
        if let Some(p) = self.primary() {
            members.retain(|&m| m != p);
            members.insert(0, p);
        }
        for (i, &m) in members.iter().enumerate() {
            self.nodes[m as usize].region = place(i);
        }
        for (i, c) in self.clients.iter_mut().enumerate() {
            c.region = place(i);
        }
        self.sync_client_regions();
        self.apply_region_links();
        self.configured(ConfigKind::Region);
    }

    /// How many regions the cluster's nodes are spread over.
    pub fn regions_in_use(&self) -> usize {
        let mut used = [false; geo::REGIONS.len()];
        for s in &self.nodes {
            if let (Some(r), true) = (s.region, s.status != NodeStatus::Removed) {
                used[r as usize] = true;
            }
        }
        used.iter().filter(|&&u| u).count()
    }

    /// Sets every link between two placed nodes from the region table, and every other
    /// link to the network default.
    pub(super) fn apply_region_links(&mut self) {
        let default = self.net.default_spec();
        for a in 0..self.nodes.len() {
            for b in 0..self.nodes.len() {
                if a == b {
                    continue;
                }
                let spec = match (self.nodes[a].region, self.nodes[b].region) {
                    (Some(ra), Some(rb)) => LinkSpec {
                        latency: geo::link_latency(ra, rb),
                        jitter: 0,
                        ..default
                    },
                    _ => default,
                };
                self.net.set_spec(a as NodeId, b as NodeId, spec);
            }
        }
        self.record(TraceEvent::LinkChanged {
            from: NodeId::MAX,
            to: NodeId::MAX,
        });
    }

    /// Every node slot's region, indexed by node id.
    pub(super) fn regions_into(&self, mut out: Vec<Option<Region>>) -> Vec<Option<Region>> {
        out.clear();
        out.extend(self.nodes.iter().map(|s| s.region));
        out
    }

    /// Adds a workload client, placed by the scenario's client regions, and starts it.
    pub(super) fn add_workload_client(&mut self) {
        let id = self.clients.len() as ClientId;
        let primary = self.primary_member();
        let mut client = Client::new(id, false, primary, self.seed);
        let regions = &self.scenario.workload.client_regions;
        if !regions.is_empty() {
            client.region = geo::region(&regions[id as usize % regions.len()]);
        }
        self.clients.push(client);
        self.schedule_next(id);
    }

    /// Schedules a workload client's next operation after its think time.
    pub(super) fn schedule_next(&mut self, c: ClientId) {
        if let Some(after) = self.clients[c as usize].think(&self.workload) {
            self.schedule(after, EventKind::ClientNext(c));
        }
    }

    /// Mirrors workload clients' regions into the scenario (as a round-robin list when they
    /// follow one, else one entry per client).
    fn sync_client_regions(&mut self) {
        let regions: Vec<Option<Region>> = self
            .clients
            .iter()
            .filter(|c| !c.manual)
            .map(|c| c.region)
            .collect();
        self.scenario.workload.client_regions = if regions.iter().all(Option::is_none) {
            Vec::new()
        } else {
            regions
                .iter()
                .map(|r| geo::name(r.unwrap_or(0)).to_string())
                .collect()
        };
    }

    /// The scenario that would rebuild this cluster as it is now: its members (renumbered
    /// densely), regions, and every setting changed since the start.
    pub fn current_scenario(&self) -> Scenario {
        let mut s = self.scenario.clone();
        let mut members = self.members();
        let primary = self.primary_member();
        members.retain(|&m| m != primary);
        members.insert(0, primary);
        s.nodes = members
            .iter()
            .map(|&m| {
                let slot = &self.nodes[m as usize];
                NodeSpec {
                    name: Some(slot.name.clone()),
                    region: slot.region.map(|r| geo::name(r).to_string()),
                    clock_offset: Dur(slot.clock_offset.unsigned_abs()),
                    clock_behind: slot.clock_offset < 0,
                }
            })
            .collect();
        if members.len() != self.scenario.nodes.len() {
            s.links.clear(); // per-link overrides named the old numbering
        }
        let default = self.net.default_spec();
        s.network.latency = default.latency;
        s.network.jitter = Dur(default.jitter);
        s.network.loss = f64::from(default.loss) / f64::from(crate::rng::PPM_ONE);
        s.network.reorder = default.reorder;
        s
    }

    fn configured(&mut self, what: ConfigKind) {
        self.record(TraceEvent::Configured { what });
    }
}
