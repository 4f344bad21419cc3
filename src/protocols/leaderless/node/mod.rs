//! A leaderless node as a pure state machine: every node is a replica of the keys the
//! ring gives it and a coordinator of any request a client sends it. This file holds the
//! replica's side (storing by last-write-wins, answering data and digest reads, applying
//! repairs and handed-off hints), gossip (a simple failure detector: a peer silent for
//! `downAfter` is taken for down, and back up when heard), and hint keeping (replayed when
//! the peer is heard again, dropped after `maxHintWindow`). The coordinator's write and
//! read paths are in `write.rs` and `read.rs`.
//!
//! Durable across a crash: the store, the hints, the timestamp generator, the request
//! counter. Volatile: requests being coordinated and what gossip believed.

mod read;
mod write;

use super::messages::{Cell, Ctx, Message, NodeEvent, Timer};
use super::ring::Ring;
use super::settings::LeaderlessSpec;
use crate::kernel::geo::Region;
use crate::kernel::time::Micros;
use crate::kernel::{Addr, NodeId, Text};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

pub use read::PendingRead;
pub use write::PendingWrite;

/// Most hints handed off in one message.
const HINT_BATCH: usize = 64;

/// What every node knows of the cluster: the settings, the ring, where each node sits.
#[derive(Clone, Debug)]
pub struct Params {
    pub spec: LeaderlessSpec,
    pub ring: Ring,
    /// By node id.
    pub regions: Vec<Option<Region>>,
}

impl Params {
    /// N: the replication factor, or every node when there are fewer.
    pub fn n(&self) -> usize {
        (self.spec.replication_factor as usize).min(self.ring.nodes().len())
    }

    pub fn region(&self, node: NodeId) -> Option<Region> {
        self.regions.get(node as usize).copied().flatten()
    }
}

/// A write kept for a replica that missed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub id: u64,
    pub key: Text,
    pub cell: Cell,
    /// The keeper's local time when it was stored.
    pub at: Micros,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub id: NodeId,
    pub params: Rc<Params>,
    pub store: BTreeMap<Text, Cell>,
    /// Hints by the node they are for.
    pub hints: BTreeMap<NodeId, Vec<Hint>>,
    next_hint: u64,
    /// The last timestamp this coordinator gave (timestamps never repeat or go back on one
    /// coordinator, as the drivers' monotonic timestamp generators ensure).
    pub last_ts: u64,
    next_req: u64,
    /// Gossip: when each peer was last heard (local time), and who is taken for down.
    heard: BTreeMap<NodeId, Micros>,
    pub down: BTreeSet<NodeId>,
    down_since: BTreeMap<NodeId, Micros>,
    pub(crate) writes: BTreeMap<u64, PendingWrite>,
    pub(crate) reads: BTreeMap<u64, PendingRead>,
}

impl Node {
    pub fn new(id: NodeId, params: Rc<Params>, incarnation: u32) -> Node {
        Node {
            id,
            params,
            store: BTreeMap::new(),
            hints: BTreeMap::new(),
            next_hint: 1,
            last_ts: 0,
            next_req: u64::from(incarnation) << 40,
            heard: BTreeMap::new(),
            down: BTreeSet::new(),
            down_since: BTreeMap::new(),
            writes: BTreeMap::new(),
            reads: BTreeMap::new(),
        }
    }

    fn spec(&self) -> &LeaderlessSpec {
        &self.params.spec
    }

    pub(crate) fn next_req(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    /// Whether this node takes `peer` for up.
    pub fn thinks_up(&self, peer: NodeId) -> bool {
        peer == self.id || !self.down.contains(&peer)
    }

    /// Hints kept, for every peer.
    pub fn hint_count(&self) -> usize {
        self.hints.values().map(Vec::len).sum()
    }

    pub fn start(&mut self, ctx: &mut Ctx) {
        self.heard.clear();
        for peer in self.params.ring.nodes() {
            if peer != self.id {
                self.heard.insert(peer, ctx.now);
            }
        }
        ctx.set_timer(Timer::Gossip, self.spec().gossip_interval.micros());
    }

    pub fn crash(&mut self) {
        self.writes.clear();
        self.reads.clear();
        self.heard.clear();
        self.down.clear();
        self.down_since.clear();
    }

    pub fn lose_disk(&mut self, incarnation: u32) {
        let params = self.params.clone();
        *self = Node::new(self.id, params, incarnation);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, from: Addr, msg: Message) {
        if let Addr::Node(peer) = from {
            self.heard_from(ctx, peer);
        }
        match (from, msg) {
            (
                Addr::Client(_),
                Message::Write {
                    op,
                    key,
                    value,
                    level,
                },
            ) => self.coordinate_write(ctx, from, op, key, value, level),
            (Addr::Client(_), Message::Read { op, key, level }) => {
                self.coordinate_read(ctx, from, op, key, level)
            }
            (Addr::Client(_), Message::Cas { op }) => {
                let reply = super::messages::Reply::Unsupported;
                ctx.send(from, Message::Reply { op, reply });
            }
            (Addr::Node(peer), msg) => self.on_peer(ctx, peer, msg),
            _ => {}
        }
    }

    fn on_peer(&mut self, ctx: &mut Ctx, peer: NodeId, msg: Message) {
        let to = Addr::Node(peer);
        match msg {
            Message::Mutation {
                req,
                key,
                cell,
                hint_for,
            } => {
                if let Some(target) = hint_for {
                    self.keep_hint(ctx, target, key.clone(), cell.clone());
                }
                self.store_cell(ctx, key, cell);
                ctx.send(to, Message::MutationAck { req });
            }
            Message::MutationAck { req } => self.write_acked(ctx, req, peer),
            Message::ReadData { req, key } => {
                let cell = self.store.get(&key).cloned();
                ctx.send(to, Message::Data { req, cell });
            }
            Message::ReadDigest { req, key } => {
                let digest = super::messages::digest(self.store.get(&key));
                ctx.send(to, Message::Digest { req, digest });
            }
            Message::Data { req, cell } => self.read_data(ctx, req, peer, cell),
            Message::Digest { req, digest } => self.read_digest(ctx, req, peer, digest),
            Message::Repair { req, key, cell } => {
                self.store_cell(ctx, key, cell);
                ctx.send(to, Message::RepairAck { req });
            }
            Message::RepairAck { req } => self.repair_acked(ctx, req, peer),
            Message::Hints { batch } => {
                let upto = batch.iter().map(|h| h.0).max().unwrap_or(0);
                for (_, key, cell) in batch {
                    self.store_cell(ctx, key, cell);
                }
                ctx.send(to, Message::HintsAck { upto });
            }
            Message::HintsAck { upto } => {
                if let Some(hints) = self.hints.get_mut(&peer) {
                    let before = hints.len();
                    hints.retain(|h| h.id > upto);
                    let count = (before - hints.len()) as u32;
                    if hints.is_empty() {
                        self.hints.remove(&peer);
                    }
                    if count > 0 {
                        ctx.emit(NodeEvent::HintsReplayed { to: peer, count });
                    }
                }
            }
            Message::Ping
            | Message::Write { .. }
            | Message::Read { .. }
            | Message::Cas { .. }
            | Message::Reply { .. } => {}
        }
    }

    /// Last-write-wins: keeps the cell with the greater (timestamp, coordinator).
    pub(crate) fn store_cell(&mut self, ctx: &mut Ctx, key: Text, cell: Cell) {
        let newer = self.store.get(&key).is_none_or(|c| c.pos < cell.pos);
        let op = cell.op;
        if newer {
            self.store.insert(key, cell);
        }
        ctx.emit(NodeEvent::Stored { op, newer });
    }

    /// Keeps a hint for `target` unless hints are off or it has been down longer than the
    /// hint window. Returns whether it was kept.
    pub(crate) fn keep_hint(
        &mut self,
        ctx: &mut Ctx,
        target: NodeId,
        key: Text,
        cell: Cell,
    ) -> bool {
        let window = self.spec().max_hint_window.micros();
        let down_too_long = self
            .down_since
            .get(&target)
            .is_some_and(|&since| ctx.now.saturating_sub(since) > window);
        if !self.spec().hinted_handoff || down_too_long || target == self.id {
            return false;
        }
        let id = self.next_hint;
        self.next_hint += 1;
        let op = cell.op;
        self.hints.entry(target).or_default().push(Hint {
            id,
            key,
            cell,
            at: ctx.now,
        });
        ctx.emit(NodeEvent::HintStored {
            for_node: target,
            op,
        });
        true
    }

    fn heard_from(&mut self, ctx: &mut Ctx, peer: NodeId) {
        self.heard.insert(peer, ctx.now);
        if self.down.remove(&peer) {
            self.down_since.remove(&peer);
            ctx.emit(NodeEvent::MarkedUp { peer });
            self.replay_hints(ctx, peer);
        }
    }

    fn replay_hints(&mut self, ctx: &mut Ctx, peer: NodeId) {
        if let Some(hints) = self.hints.get(&peer) {
            let batch: Vec<(u64, Text, Cell)> = hints
                .iter()
                .take(HINT_BATCH)
                .map(|h| (h.id, h.key.clone(), h.cell.clone()))
                .collect();
            if !batch.is_empty() {
                ctx.send(Addr::Node(peer), Message::Hints { batch });
            }
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: Timer) {
        match timer {
            Timer::Gossip => self.gossip(ctx),
            Timer::WriteTimeout(req) => self.write_timed_out(ctx, req),
            Timer::ReadTimeout(req) => self.read_timed_out(ctx, req),
        }
    }

    fn gossip(&mut self, ctx: &mut Ctx) {
        let (window, down_after) = (
            self.spec().max_hint_window.micros(),
            self.spec().down_after.micros(),
        );
        for peer in self.params.ring.nodes() {
            if peer == self.id {
                continue;
            }
            ctx.send(Addr::Node(peer), Message::Ping);
            let heard = *self.heard.entry(peer).or_insert(ctx.now);
            if !self.down.contains(&peer) && ctx.now.saturating_sub(heard) > down_after {
                self.down.insert(peer);
                self.down_since.insert(peer, heard);
                ctx.emit(NodeEvent::MarkedDown { peer });
            }
        }
        // Hints past the window are dropped; the rest go to peers that are up.
        let now = ctx.now;
        for (&peer, hints) in self.hints.iter_mut() {
            let before = hints.len();
            hints.retain(|h| now.saturating_sub(h.at) <= window);
            let count = (before - hints.len()) as u32;
            if count > 0 {
                ctx.emit(NodeEvent::HintsDropped {
                    for_node: peer,
                    count,
                });
            }
        }
        self.hints.retain(|_, h| !h.is_empty());
        let up: Vec<NodeId> = self
            .hints
            .keys()
            .copied()
            .filter(|&p| !self.down.contains(&p))
            .collect();
        for peer in up {
            self.replay_hints(ctx, peer);
        }
        ctx.set_timer(Timer::Gossip, self.spec().gossip_interval.micros());
    }
}
