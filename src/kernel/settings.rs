//! Settings an operator changes while the world runs, common to every model: the workload,
//! the service-time model and geography. Each is checked like the same field of a scenario
//! file, recorded in the trace, and reflected in [`World::current_scenario`], so a run can
//! be rebuilt from what the page shows. (A model's own settings are in its module.)

use super::geo::{self, Region};
use super::ids::{ClientId, NodeId};
use super::net::LinkSpec;
use super::protocol::Protocol;
use super::service::ServiceSpec;
use super::time::Dur;
use super::trace::TraceEvent;
use super::world::{EventKind, NodeStatus, World};
use crate::clients::workload::{Client, Workload};
use crate::config::{ConfigError, NodeSpec, Scenario, WorkloadPatch};

impl<P: Protocol> World<P> {
    /// Changes the running workload; the new rate and mix apply from each client's next
    /// operation, a higher client count starts clients, a lower one stands them down.
    pub fn set_workload(&mut self, patch: &WorkloadPatch) -> Result<(), ConfigError> {
        let mut candidate = self.scenario.clone();
        patch.apply(&mut candidate.workload);
        candidate.validate_settings()?;
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
        self.configured("workload");
        Ok(())
    }

    /// Turns the service-time model on, changes it, or (`None`) turns it off. Requests
    /// queued under the old settings are handed to their nodes at once.
    pub fn set_service(&mut self, service: Option<ServiceSpec>) {
        self.scenario.service = service;
        self.flush_service_queues();
        self.configured("service");
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
        self.configured("region");
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
        self.configured("clientRegion");
        Ok(())
    }

    /// Spreads the nodes and clients round-robin over the first `regions` regions (in the
    /// model's order: the primary in the first), or with 0 removes geography and restores
    /// default links.
    pub fn set_geography(&mut self, regions: usize) {
        let regions = regions.min(geo::REGIONS.len());
        let place = |i: usize| (regions > 0).then(|| (i % regions) as Region);
        let members = P::export_order(self);
        for (i, &m) in members.iter().enumerate() {
            self.nodes[m as usize].region = place(i);
        }
        for (i, c) in self.clients.iter_mut().enumerate() {
            c.region = place(i);
        }
        self.sync_client_regions();
        self.apply_region_links();
        self.configured("region");
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
    pub(crate) fn apply_region_links(&mut self) {
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
    pub(crate) fn regions_into(&self, mut out: Vec<Option<Region>>) -> Vec<Option<Region>> {
        out.clear();
        out.extend(self.nodes.iter().map(|s| s.region));
        out
    }

    /// Adds a workload client, placed by the scenario's client regions, and starts it.
    pub(crate) fn add_workload_client(&mut self) {
        let id = self.clients.len() as ClientId;
        let mut client = Client::new(id, false, P::session(self), self.seed);
        let regions = &self.scenario.workload.client_regions;
        if !regions.is_empty() {
            client.region = geo::region(&regions[id as usize % regions.len()]);
        }
        self.clients.push(client);
        self.schedule_next(id);
    }

    /// Schedules a workload client's next operation after its think time.
    pub(crate) fn schedule_next(&mut self, c: ClientId) {
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
        let members = P::export_order(self);
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
        // Nodes are renumbered densely in that order: what named a node by its old id
        // (timed faults, per-link overrides) follows it, and what named a node that left
        // goes.
        let new_id = |old: NodeId| members.iter().position(|&m| m == old).map(|i| i as NodeId);
        s.faults = s
            .faults
            .iter()
            .filter_map(|f| {
                let mut f = f.clone();
                if let Some(n) = f.node {
                    f.node = Some(new_id(n)?);
                }
                if let Some(groups) = &f.groups {
                    let groups: Vec<Vec<NodeId>> = groups
                        .iter()
                        .map(|g| g.iter().filter_map(|&n| new_id(n)).collect::<Vec<_>>())
                        .filter(|g| !g.is_empty())
                        .collect();
                    if groups.is_empty() {
                        return None;
                    }
                    f.groups = Some(groups);
                }
                Some(f)
            })
            .collect();
        s.links = s
            .links
            .iter()
            .filter_map(|l| {
                Some(crate::config::LinkOverride {
                    from: new_id(l.from)?,
                    to: new_id(l.to)?,
                    ..l.clone()
                })
            })
            .collect();
        let default = self.net.default_spec();
        s.network.latency = default.latency;
        s.network.jitter = Dur(default.jitter);
        s.network.loss = f64::from(default.loss) / f64::from(super::rng::PPM_ONE);
        s.network.reorder = default.reorder;
        s
    }

    /// Records in the trace that an operator changed `what`.
    pub(crate) fn configured(&mut self, what: &'static str) {
        self.record(TraceEvent::Configured { what });
    }
}
