//! Faults as world actions, common to every model and recorded in the trace (so a run with
//! faults replays exactly): crash and restart a node, crash it losing its disk, pause and
//! resume it (a long GC pause), cut links (one node, groups, one direction), heal, change
//! latencies, skew a clock; and the scenario's timed faults. The model hears of each fault
//! that takes a node away (`Protocol::disrupted`); its own actions (a forced promotion, a
//! handover) it carries out itself (`Protocol::timed_fault`).

use super::actions::Action;
use super::ids::{Addr, NodeId};
use super::net::LinkSpec;
use super::protocol::Protocol;
use super::time::Dur;
use super::trace::TraceEvent;
use super::world::{ActionError, NodeStatus, World};
use crate::config::schedule::{check_groups, FaultAction};
use crate::config::{MAX_CLOCK_OFFSET, MAX_NODES};

impl<P: Protocol> World<P> {
    /// Carries out the scenario's timed fault number `i`; a refusal is kept for the summary.
    pub(super) fn run_timed_fault(&mut self, i: usize) {
        let Some(f) = self.scenario.faults.get(i).cloned() else {
            return;
        };
        let node = f.node.unwrap_or(0);
        let action = match f.action {
            FaultAction::Crash => Ok(Action::Crash { node }),
            FaultAction::CrashLoseDisk => Ok(Action::CrashLoseDisk { node }),
            FaultAction::Restart => Ok(Action::Restart { node }),
            FaultAction::Pause => Ok(Action::Pause { node }),
            FaultAction::Resume => Ok(Action::Resume { node }),
            FaultAction::Isolate => Ok(Action::Isolate {
                node,
                isolated: true,
            }),
            FaultAction::Reconnect => Ok(Action::Isolate {
                node,
                isolated: false,
            }),
            FaultAction::Partition => Ok(Action::Partition {
                groups: f.groups.clone().unwrap_or_default(),
            }),
            FaultAction::Heal => Ok(Action::Heal),
            FaultAction::Clock => {
                let us = f.offset.map_or(0, |d| d.micros() as i64);
                Ok(Action::SetClockOffset {
                    node,
                    offset: if f.behind { -us } else { us },
                })
            }
            FaultAction::Promote | FaultAction::Switchover => P::timed_fault(&f).map(Action::Model),
        };
        if let Err(e) = action.and_then(|a| self.apply(&a)) {
            self.fault_errors
                .push(format!("faults[{i}] at {}: {e}", f.at));
        }
    }

    /// Crashes a node: it stops, and loses its volatile state.
    pub fn crash(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status == NodeStatus::Crashed {
            return Err(ActionError(format!("{} is already down", slot.name)));
        }
        P::disrupted(self, id);
        P::crashing(self, id);
        let slot = self.member_mut(id)?;
        slot.held.clear();
        slot.status = NodeStatus::Crashed;
        slot.incarnation += 1;
        P::crash(&mut slot.node);
        slot.service.clear();
        self.record(TraceEvent::NodeCrashed { node: id });
        Ok(())
    }

    /// Restarts a crashed node: it replays its durable state and rejoins.
    pub fn restart(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Crashed {
            return Err(ActionError(format!("{} is not crashed", slot.name)));
        }
        slot.status = NodeStatus::Up;
        self.record(TraceEvent::NodeRestarted { node: id });
        self.with_node(id, |node, ctx| P::restart(node, ctx));
        Ok(())
    }

    /// Crashes a node and wipes its disk: it restarts empty.
    pub fn crash_lose_disk(&mut self, id: NodeId) -> Result<(), ActionError> {
        if self.member_mut(id)?.status == NodeStatus::Up {
            self.crash(id)?;
        }
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Crashed {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        let incarnation = slot.incarnation;
        P::lose_disk(&mut slot.node, incarnation);
        self.record(TraceEvent::DiskLost { node: id });
        Ok(())
    }

    /// Freezes a node: it handles nothing (messages and timers wait) until resumed.
    pub fn pause(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        slot.status = NodeStatus::Paused;
        self.record(TraceEvent::NodePaused { node: id });
        P::disrupted(self, id);
        Ok(())
    }

    /// Wakes a paused node: it handles, in order, everything that arrived meanwhile, still
    /// believing what it believed (a paused primary wakes up thinking it leads).
    pub fn resume(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Paused {
            return Err(ActionError(format!("{} is not paused", slot.name)));
        }
        slot.status = NodeStatus::Up;
        let held = std::mem::take(&mut slot.held);
        self.record(TraceEvent::NodeResumed { node: id });
        for kind in held {
            self.schedule(0, kind);
        }
        Ok(())
    }

    /// Splits the cluster: links between nodes of different groups are cut both ways;
    /// links inside a group work. Nodes in no group form a group of their own. Clients are
    /// in the network too: client `i` sits on the side of member `i mod n` and reaches only
    /// nodes on its side. Every node left on a minority side is disrupted.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<(), ActionError> {
        let members = self.members();
        if let Some(&n) = groups.iter().flatten().find(|n| !members.contains(n)) {
            return Err(ActionError(format!("there is no node {n}")));
        }
        check_groups(groups, self.nodes.len())
            .map_err(|(place, message)| ActionError(format!("groups{place}: {message}")))?;
        let mut group_of = vec![usize::MAX; self.nodes.len()];
        for (g, group) in groups.iter().enumerate() {
            for &n in group {
                group_of[n as usize] = g;
            }
        }
        for &a in &members {
            for &b in &members {
                if a != b {
                    let up = group_of[a as usize] == group_of[b as usize];
                    self.net.set_up(a, b, up);
                }
            }
        }
        let mut client_cuts = std::collections::BTreeSet::new();
        for c in &self.clients {
            let home = members[c.id as usize % members.len()];
            for &m in &members {
                if group_of[m as usize] != group_of[home as usize] {
                    client_cuts.insert((c.id, m));
                }
            }
        }
        self.net.set_client_cuts(client_cuts);
        for &m in &members {
            let side = members
                .iter()
                .filter(|&&o| group_of[o as usize] == group_of[m as usize])
                .count();
            if side * 2 <= members.len() {
                P::disrupted(self, m);
            }
        }
        let groups = groups
            .iter()
            .map(|g| g.iter().map(|&n| super::ids::bit(n)).sum())
            .collect();
        self.record(TraceEvent::Partitioned { groups });
        Ok(())
    }

    /// Restores every cut link.
    pub fn heal(&mut self) {
        self.net.set_client_cuts(Default::default());
        let members = self.members();
        for &a in &members {
            for &b in &members {
                if a != b {
                    self.net.set_up(a, b, true);
                }
            }
        }
        self.record(TraceEvent::Healed);
    }

    /// Whether every link between members is up and no client is cut off.
    pub fn healed(&self) -> bool {
        let members = self.members();
        self.net.client_cuts_empty()
            && members
                .iter()
                .all(|&a| members.iter().all(|&b| a == b || self.net.is_up(a, b)))
    }

    /// Sets how far a node's clock is off true time (microseconds, negative = behind).
    /// At most [`MAX_CLOCK_OFFSET`] either way (an hour: see there why).
    pub fn set_clock_offset(&mut self, id: NodeId, offset: i64) -> Result<(), ActionError> {
        if offset.unsigned_abs() > MAX_CLOCK_OFFSET {
            let sign = if offset < 0 { "-" } else { "" };
            return Err(ActionError(format!(
                "a clock is at most an hour ({}) off true time, got {sign}{}",
                Dur(MAX_CLOCK_OFFSET),
                Dur(offset.unsigned_abs())
            )));
        }
        self.member_mut(id)?.clock_offset = offset;
        self.record(TraceEvent::ClockSet { node: id, offset });
        Ok(())
    }

    /// Sets one link between two nodes (both directions unless `one_way`).
    pub fn set_link(
        &mut self,
        from: NodeId,
        to: NodeId,
        spec: LinkSpec,
        one_way: bool,
    ) -> Result<(), ActionError> {
        for end in [from, to] {
            if end as usize >= MAX_NODES {
                return Err(ActionError(format!("there is no node {end}")));
            }
        }
        if from == to {
            return Err(ActionError("a link joins two different nodes".into()));
        }
        self.net.set_spec(from, to, spec);
        self.record(TraceEvent::LinkChanged { from, to });
        if !one_way {
            self.net.set_spec(to, from, spec);
            self.record(TraceEvent::LinkChanged { from: to, to: from });
        }
        Ok(())
    }

    /// Cuts (`up = false`) or restores one link direction: messages sent over a cut
    /// direction are dropped.
    pub fn set_link_up(&mut self, from: NodeId, to: NodeId, up: bool) -> Result<(), ActionError> {
        if from as usize >= MAX_NODES || to as usize >= MAX_NODES || from == to {
            return Err(ActionError(format!("there is no link from {from} to {to}")));
        }
        self.net.set_up(from, to, up);
        self.record(TraceEvent::LinkChanged { from, to });
        Ok(())
    }

    /// Cuts every link between `node` and the rest, both ways (or restores them).
    pub fn isolate(&mut self, node: NodeId, isolated: bool) -> Result<(), ActionError> {
        self.member_mut(node)?;
        if isolated {
            P::disrupted(self, node);
        }
        for other in self.members() {
            if other != node {
                self.set_link_up(node, other, !isolated)?;
                self.set_link_up(other, node, !isolated)?;
            }
        }
        Ok(())
    }

    /// Sets every node-to-node link to `spec` (the page's global latency control).
    pub fn set_all_links(&mut self, spec: LinkSpec) {
        self.net.set_all(spec);
        self.record(TraceEvent::LinkChanged {
            from: NodeId::MAX,
            to: NodeId::MAX,
        });
    }

    /// The machine goes away: it stops, and messages to and from it vanish (the model
    /// calls this once the cluster has let the node go).
    pub fn shut_down(&mut self, id: NodeId) {
        let slot = &mut self.nodes[id as usize];
        if slot.status == NodeStatus::Removed {
            return;
        }
        slot.status = NodeStatus::Removed;
        slot.incarnation += 1;
        slot.service.clear();
        slot.held.clear();
        let gone = self
            .flights
            .discard(|f| f.from == Addr::Node(id) || f.to == Addr::Node(id));
        for msg in gone {
            self.record(TraceEvent::Dropped {
                msg,
                reason: super::trace::DropReason::ReceiverDown,
            });
        }
        self.record(TraceEvent::NodeRemoved { node: id });
    }
}
