//! Who leads, seen from outside the nodes: the failovers that happened and how long they
//! took, acknowledged writes that a truncation later discarded (lost), and moments when two
//! primaries acknowledged writes at once (split brain). Also the naive failover monitor,
//! which promotes a replica when it stops seeing the primary, with no quorum and no fence.

use super::failover::FailoverMode;
use super::messages::{Entry, Lsn, NodeEvent, NodeId, OpId, Term};
use super::node::Role;
use super::SingleLeader;
use crate::checks::facts::SplitBrain;
use crate::clients::history::Outcome;
use crate::kernel::time::Micros;
use crate::kernel::{NodeStatus, World};
use serde::Serialize;
use std::collections::BTreeMap;

/// The model's own timers in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorldTimer {
    /// The naive failover monitor looks for the primary.
    MonitorTick,
}

/// A primary replaced by another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failover {
    /// When the new primary took over.
    pub at: Micros,
    pub from: Option<NodeId>,
    pub to: NodeId,
    pub term: Term,
    /// From the fault that took the old primary away (crash, pause, isolation) or, without
    /// one, from the first election of this round, to the new primary taking over.
    pub took: Micros,
}

/// An acknowledged write that a node discarded because it diverged from the primary's log
/// (or lost it in a crash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LostWrite {
    pub op: OpId,
    pub lsn: Lsn,
    pub term: Term,
    /// The node that discarded it (the old primary, or a replica that had it).
    pub node: NodeId,
    pub at: Micros,
    /// The cluster has decided: its commit index passed the write's position.
    #[serde(skip)]
    pub decided: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Leadership {
    pub failovers: Vec<Failover>,
    /// Checkpoints, lost slots and base backups, counted over the run.
    pub wal: WalCounts,
    /// Acknowledged writes some node discarded (lost, or not yet known either way).
    pub discards: Vec<LostWrite>,
    /// How many discards are not decided yet.
    undecided: usize,
    /// Acknowledged writes discarded and then not held by the cluster: lost.
    pub lost_writes: Vec<LostWrite>,
    pub split_brains: Vec<SplitBrain>,
    /// When the current primary's trouble began (a fault action, or the first election).
    disrupted_at: Option<Micros>,
    last_primary: Option<NodeId>,
    /// When each node last became primary, and when it last acknowledged a write (and
    /// whether that acknowledgement was durable).
    became_primary_at: BTreeMap<NodeId, Micros>,
    last_ack_at: BTreeMap<NodeId, (Micros, bool)>,
    /// Who won each term (more than one: Election Safety is broken).
    pub winners: BTreeMap<Term, Vec<NodeId>>,
    /// Raft's promises hold for the run: failover was Raft throughout and nobody was
    /// promoted by force (an operator's promotion, the naive monitor).
    pub raft_throughout: bool,
    /// Whether a split brain between this pair is already recorded (once per episode).
    pairs_seen: BTreeMap<(NodeId, NodeId), Micros>,
    /// The naive monitor: when it last saw the primary, and whether it is watching.
    monitor_saw_primary: Micros,
    monitor_running: bool,
}

/// What WAL recycling did over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalCounts {
    /// Checkpoints taken on any node (each recycled some WAL).
    pub checkpoints: u64,
    /// Replication slots given up (a replica fell more than `maxSlotWalKeepSize` behind).
    pub slots_lost: u64,
    /// Replicas re-seeded from a base backup (InstallSnapshot).
    pub reseeds: u64,
}

impl Leadership {
    pub fn last_primary(&self) -> Option<NodeId> {
        self.last_primary
    }

    pub(crate) fn note_initial_primary(&mut self, node: NodeId, raft: bool) {
        self.last_primary = Some(node);
        self.became_primary_at.insert(node, 0);
        self.winners.insert(1, vec![node]);
        self.raft_throughout = raft;
    }
}

impl World<SingleLeader> {
    /// A fault took `node` away: if it led, the failover clock starts now.
    pub(super) fn disrupted(&mut self, node: NodeId) {
        if self.nodes[node as usize].node.role == Role::Primary {
            self.model.leadership.disrupted_at.get_or_insert(self.now);
        }
    }

    /// Bookkeeping for what nodes report of elections, acknowledgements and truncations.
    pub(super) fn on_node_event(&mut self, node: NodeId, event: NodeEvent) {
        let now = self.now;
        match event {
            // Elections by a cut-off minority while a primary leads do not disrupt it;
            // an election with no primary, or a primary stepping down, does.
            NodeEvent::ElectionStarted { .. } if self.primary().is_none() => {
                self.model.leadership.disrupted_at.get_or_insert(now);
            }
            NodeEvent::SteppedDown { .. } if self.model.leadership.last_primary == Some(node) => {
                self.model.leadership.disrupted_at.get_or_insert(now);
            }
            NodeEvent::BecamePrimary { term } => {
                self.note_winner(node, term);
                let since = self.model.leadership.disrupted_at.take().unwrap_or(now);
                self.model.leadership.failovers.push(Failover {
                    at: now,
                    from: self.model.leadership.last_primary,
                    to: node,
                    term,
                    took: now - since,
                });
                self.model.leadership.last_primary = Some(node);
                self.model.leadership.became_primary_at.insert(node, now);
                self.model.leadership.monitor_saw_primary = now;
                for c in &mut self.clients {
                    if c.manual {
                        c.session.primary_hint = node; // the page's client follows the crown
                    }
                }
                self.model.membership_moved.get_or_insert(None);
            }
            NodeEvent::ConfigCommitted { membership, .. } => {
                self.model.membership_moved = Some(Some(membership));
            }
            NodeEvent::Acknowledged { durable, .. } => self.check_split_brain(node, durable),
            NodeEvent::Checkpointed { .. } => self.model.leadership.wal.checkpoints += 1,
            NodeEvent::SlotLost { .. } => self.model.leadership.wal.slots_lost += 1,
            NodeEvent::Reseeded { .. } => self.model.leadership.wal.reseeds += 1,
            NodeEvent::Truncated { .. } => {
                let discarded = std::mem::take(&mut self.nodes[node as usize].node.discarded);
                self.note_discarded(node, &discarded, false);
                self.nodes[node as usize].node.discarded = discarded;
            }
            _ => {}
        }
    }

    /// `node` threw `entries` away (a truncation, or a crash before they were flushed):
    /// any that had been acknowledged to a client may be lost. Whether it is, the cluster
    /// decides later (`settle_discards`): another node may still hold it and lead.
    pub(super) fn note_discarded(&mut self, node: NodeId, entries: &[Entry], certain: bool) {
        let now = self.now;
        for e in entries {
            let acked = self.history.get(e.op).is_some_and(|op| {
                op.kind.mutates()
                    && op.outcome == Outcome::Ok
                    && op.written.map(|p| p.1) == Some(e.lsn)
            });
            let known = self.model.leadership.discards.iter().any(|l| l.op == e.op);
            if acked && !known {
                let discard = LostWrite {
                    op: e.op,
                    lsn: e.lsn,
                    term: e.term,
                    node,
                    at: now,
                    decided: certain,
                };
                self.model.leadership.discards.push(discard.clone());
                if certain {
                    self.lose(discard);
                } else {
                    self.model.leadership.undecided += 1;
                }
            }
        }
    }

    /// Decides the discards the authority's commit index has passed: a write it does not
    /// hold at its position is lost for good (and marked so); one it holds came back.
    pub(super) fn settle_discards(&mut self) {
        if self.model.leadership.undecided == 0 {
            return;
        }
        let Some(a) = self.authority() else {
            return;
        };
        let node = &self.nodes[a as usize].node;
        let (commit, commit_term, mut undecided) = (node.commit, node.term_at(node.commit), 0);
        let mut lost = Vec::new();
        for d in self
            .model
            .leadership
            .discards
            .iter_mut()
            .filter(|d| !d.decided)
        {
            // Past the commit index, an entry of an older term than the last committed one
            // can never come back (terms only grow along a log).
            if d.lsn > commit && d.term >= commit_term {
                undecided += 1;
                continue;
            }
            d.decided = true;
            if !node.wal.holds(d.lsn, d.term, d.op) {
                lost.push(d.clone());
            }
        }
        self.model.leadership.undecided = undecided;
        for d in lost {
            self.lose(d);
        }
    }

    fn lose(&mut self, d: LostWrite) {
        if let Some(op) = self.history.get_mut(d.op) {
            op.lost = true;
        }
        self.model.leadership.lost_writes.push(d);
    }

    /// `node` won `term`: a second winner of one term is a split brain of the worst kind.
    fn note_winner(&mut self, node: NodeId, term: Term) {
        let winners = self.model.leadership.winners.entry(term).or_default();
        let rivals: Vec<NodeId> = winners.iter().copied().filter(|&w| w != node).collect();
        if !winners.contains(&node) {
            winners.push(node);
        }
        for other in rivals {
            let pair = (node.min(other), node.max(other));
            self.model.leadership.split_brains.push(SplitBrain {
                at: self.now,
                nodes: [pair.0, pair.1],
                terms: [term, term],
                same_term: true,
                durable: false,
            });
        }
    }

    /// `node` just acknowledged a write: if another up node that believes it is primary
    /// acknowledged one since `node` took over, two primaries are accepting writes.
    fn check_split_brain(&mut self, node: NodeId, durable: bool) {
        let now = self.now;
        self.model
            .leadership
            .last_ack_at
            .insert(node, (now, durable));
        let since = self
            .model
            .leadership
            .became_primary_at
            .get(&node)
            .copied()
            .unwrap_or(0);
        let rivals: Vec<(NodeId, bool)> = self
            .model
            .leadership
            .last_ack_at
            .iter()
            .filter(|&(&other, &(at, _))| {
                other != node
                    && at >= since
                    && self.nodes[other as usize].status == NodeStatus::Up
                    && self.nodes[other as usize].node.role == Role::Primary
            })
            .map(|(&other, &(_, rival_durable))| (other, rival_durable))
            .collect();
        for (other, rival_durable) in rivals {
            let pair = (node.min(other), node.max(other));
            let episode = since.max(
                self.model
                    .leadership
                    .became_primary_at
                    .get(&other)
                    .copied()
                    .unwrap_or(0),
            );
            if self.model.leadership.pairs_seen.get(&pair) == Some(&episode) {
                continue;
            }
            self.model.leadership.pairs_seen.insert(pair, episode);
            self.model.leadership.split_brains.push(SplitBrain {
                at: now,
                nodes: [pair.0, pair.1],
                terms: [
                    self.nodes[pair.0 as usize].node.term,
                    self.nodes[pair.1 as usize].node.term,
                ],
                same_term: false,
                durable: durable && rival_durable,
            });
        }
    }

    /// The naive monitor's periodic look: it sees the primary if the primary is up and
    /// its link to the monitor's vantage point (the first other live node) is up. After
    /// the timeout unseen, it promotes the most up-to-date replica it can see.
    pub(super) fn start_monitor(&mut self) {
        if !self.model.leadership.monitor_running {
            self.model.leadership.monitor_running = true;
            self.model.leadership.monitor_saw_primary = self.now;
            self.schedule_model(self.model.params.heartbeat, WorldTimer::MonitorTick);
        }
    }

    pub(super) fn monitor_tick(&mut self) {
        if self.scenario.failover.mode != FailoverMode::Naive {
            self.model.leadership.monitor_running = false;
            return;
        }
        self.schedule_model(self.model.params.heartbeat, WorldTimer::MonitorTick);
        let now = self.now;
        let primary = self.model.leadership.last_primary.unwrap_or(0);
        let live =
            |w: &World<SingleLeader>, n: NodeId| w.nodes[n as usize].status == NodeStatus::Up;
        let Some(vantage) = self
            .members()
            .into_iter()
            .find(|&n| n != primary && live(self, n))
        else {
            return;
        };
        let sees = |w: &World<SingleLeader>, n: NodeId| {
            n == vantage || (live(w, n) && w.net.is_up(n, vantage))
        };
        if sees(self, primary) && self.nodes[primary as usize].node.role == Role::Primary {
            self.model.leadership.monitor_saw_primary = now;
            return;
        }
        if now.saturating_sub(self.model.leadership.monitor_saw_primary)
            < self.scenario.failover.election_timeout.micros()
        {
            return;
        }
        let best = self
            .members()
            .into_iter()
            .filter(|&n| n != primary && live(self, n) && sees(self, n))
            .filter(|&n| self.nodes[n as usize].node.electable())
            .max_by_key(|&n| {
                let node = &self.nodes[n as usize].node;
                (
                    node.term_at(node.last_lsn()),
                    node.last_lsn(),
                    std::cmp::Reverse(n),
                )
            });
        if let Some(target) = best {
            self.model
                .leadership
                .disrupted_at
                .get_or_insert(self.model.leadership.monitor_saw_primary);
            let _ = self.promote(target);
        }
    }
}
