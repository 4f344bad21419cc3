//! Fault injection and manual failover, as world actions recorded in the trace (so a run
//! with faults replays exactly): pause and resume a node (a long GC pause), crash it losing
//! its disk, partition the cluster into groups and heal it, skew a node's clock, promote a
//! replica by force, and a planned switchover that loses nothing.

use super::{ActionError, NodeStatus, World};
use crate::node::Role;
use crate::protocol::NodeId;
use crate::schedule::FaultAction;
use crate::trace::TraceEvent;

impl World {
    /// Carries out the scenario's timed fault number `i`; a refusal is kept for the summary.
    pub(super) fn run_timed_fault(&mut self, i: usize) {
        let Some(f) = self.scenario.faults.get(i).cloned() else {
            return;
        };
        let node = f.node.unwrap_or(0);
        let result = match f.action {
            FaultAction::Crash => self.crash(node),
            FaultAction::CrashLoseDisk => self.crash_lose_disk(node),
            FaultAction::Restart => self.restart(node),
            FaultAction::Pause => self.pause(node),
            FaultAction::Resume => self.resume(node),
            FaultAction::Isolate => self.isolate(node, true),
            FaultAction::Reconnect => self.isolate(node, false),
            FaultAction::Partition => self.partition(f.groups.as_deref().unwrap_or_default()),
            FaultAction::Heal => {
                self.heal();
                Ok(())
            }
            FaultAction::Clock => {
                let us = f.offset.map_or(0, |d| d.micros() as i64);
                self.set_clock_offset(node, if f.behind { -us } else { us })
            }
            FaultAction::Promote => self.promote(node),
            FaultAction::Switchover => self.switchover(node),
        };
        if let Err(e) = result {
            self.fault_errors
                .push(format!("faults[{i}] at {}: {e}", f.at));
        }
    }

    /// Freezes a node: it handles nothing (messages and timers wait) until resumed.
    pub fn pause(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        slot.status = NodeStatus::Paused;
        self.record(TraceEvent::NodePaused { node: id });
        self.disrupted(id);
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

    /// Crashes a node and wipes its disk: it restarts empty, with no term and no vote.
    pub fn crash_lose_disk(&mut self, id: NodeId) -> Result<(), ActionError> {
        if self.member_mut(id)?.status == NodeStatus::Up {
            self.crash(id)?;
        }
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Crashed {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        let incarnation = slot.incarnation;
        slot.node.crash_and_lose_disk(incarnation);
        self.record(TraceEvent::DiskLost { node: id });
        Ok(())
    }

    /// Splits the cluster: links between nodes of different groups are cut both ways;
    /// links inside a group work. Nodes in no group form a group of their own. Clients are
    /// in the network too: client `i` sits on the side of member `i mod n` and reaches only
    /// nodes on its side.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<(), ActionError> {
        let members = self.members();
        let mut group_of = vec![usize::MAX; self.nodes.len()];
        for (g, group) in groups.iter().enumerate() {
            for &n in group {
                if !members.contains(&n) {
                    return Err(ActionError(format!("there is no node {n}")));
                }
                if group_of[n as usize] != usize::MAX {
                    return Err(ActionError(format!("node {n} is in two groups")));
                }
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
        if let Some(p) = self.primary() {
            let alone = members
                .iter()
                .filter(|&&m| group_of[m as usize] == group_of[p as usize])
                .count();
            if alone * 2 <= members.len() {
                self.disrupted(p);
            }
        }
        let groups = groups
            .iter()
            .map(|g| g.iter().map(|&n| 1u32 << n).sum())
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

    /// Sets how far a node's clock is off true time (microseconds, negative = behind).
    pub fn set_clock_offset(&mut self, id: NodeId, offset: i64) -> Result<(), ActionError> {
        if offset.unsigned_abs() > 3_600_000_000 {
            return Err(ActionError("a clock is at most an hour off".into()));
        }
        self.member_mut(id)?.clock_offset = offset;
        self.record(TraceEvent::ClockSet { node: id, offset });
        Ok(())
    }

    /// Makes a replica primary at once, in a new term, without an election (an operator's
    /// forced promotion; also what the naive monitor does). What the old primary had that
    /// this replica lacks is discarded when they meet.
    pub fn promote(&mut self, id: NodeId) -> Result<(), ActionError> {
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up {
            return Err(ActionError(format!("{} is not running", slot.name)));
        }
        if slot.node.role == Role::Primary {
            return Err(ActionError(format!("{} is already primary", slot.name)));
        }
        if !slot.node.config.is_voter(id) {
            return Err(ActionError(format!(
                "{} is not a voting member yet (a learner still catching up): it cannot lead",
                slot.name
            )));
        }
        self.record(TraceEvent::Promoted { node: id });
        self.leadership.raft_throughout = false; // no votes: Raft's guarantees are off
        let term = self.fresh_term();
        self.with_node(id, |n, ctx| n.force_primary(ctx, Some(term)));
        Ok(())
    }

    /// A planned switchover to `id`: the primary stops taking writes, waits until `id`
    /// has its whole log, then hands over (no acknowledged write is lost).
    pub fn switchover(&mut self, id: NodeId) -> Result<(), ActionError> {
        let Some(primary) = self.primary() else {
            return Err(ActionError("there is no primary to hand over".into()));
        };
        let slot = self.member_mut(id)?;
        if slot.status != NodeStatus::Up || slot.node.role != Role::Replica {
            return Err(ActionError(format!(
                "{} is not a running replica",
                slot.name
            )));
        }
        self.record(TraceEvent::Switchover {
            from: primary,
            to: id,
        });
        self.with_node(primary, |n, ctx| n.begin_transfer(ctx, id));
        Ok(())
    }
}
