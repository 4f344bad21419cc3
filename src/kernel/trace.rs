//! The run's trace: every event the world processes, hashed into one 64-bit fingerprint
//! (the determinism check compares it across runs and across native and wasm32), with the
//! most recent events kept for the page's event log.
//!
//! The hash runs over each event's `Hash` encoding, with `usize`/`isize` (lengths and enum
//! discriminants) widened to 64 bits so that 32-bit wasm and 64-bit native agree.

use super::actions::Action;
use super::ids::{Addr, ClientId, NodeId, OpId, Text};
use super::net::Fate;
use super::protocol::{Message, Protocol};
use super::time::Micros;
use crate::clients::history::{OpKind, Outcome};
use serde::Serialize;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

pub type MsgId = u64;

/// A fast, platform-independent 64-bit fingerprint: each 64-bit word is xored in and
/// mixed by a multiply and a shift (strings go in as little-endian 8-byte words).
#[derive(Clone, Copy, Debug)]
pub struct TraceHasher(u64);

impl Default for TraceHasher {
    fn default() -> TraceHasher {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        let h = (self.0 ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
}

impl Hasher for TraceHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, v: u8) {
        self.mix(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.mix(v);
    }

    fn write_usize(&mut self, v: usize) {
        self.mix(v as u64);
    }

    fn write_isize(&mut self, v: isize) {
        self.mix(v as i64 as u64);
    }

    fn write_i64(&mut self, v: i64) {
        self.mix(v as u64);
    }
}

/// Something that happened in the world, in the order it happened (`P`'s messages, node
/// events and notes inside).
#[derive(Clone, Debug, Hash, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    bound = ""
)]
pub enum TraceEvent<P: Protocol> {
    Sent {
        msg: MsgId,
        from: Addr,
        to: Addr,
        kind: <P::Msg as Message>::Kind,
        deliver_at: Micros,
        fate: Fate,
    },
    Delivered {
        msg: MsgId,
    },
    /// A message that never arrived (lost, cut, or its receiver was down).
    Dropped {
        msg: MsgId,
        reason: DropReason,
    },
    Node {
        node: NodeId,
        event: P::Event,
    },
    Invoked {
        op: OpId,
        client: ClientId,
        kind: OpKind,
        key: Text,
        node: NodeId,
    },
    Completed {
        op: OpId,
        outcome: Outcome,
        /// Where the write landed, or the version the read returned (its place).
        version: Option<u64>,
        stale: bool,
    },
    NodeAdded {
        node: NodeId,
    },
    NodeRemoved {
        node: NodeId,
    },
    NodeCrashed {
        node: NodeId,
    },
    NodeRestarted {
        node: NodeId,
    },
    LinkChanged {
        from: NodeId,
        to: NodeId,
    },
    NodePaused {
        node: NodeId,
    },
    NodeResumed {
        node: NodeId,
    },
    DiskLost {
        node: NodeId,
    },
    /// The cluster split into groups (each a bit mask of node ids).
    Partitioned {
        groups: Vec<u32>,
    },
    Healed,
    ClockSet {
        node: NodeId,
        offset: i64,
    },
    /// An operator changed a setting of the running world (`"workload"`, `"ackPolicy"`).
    Configured {
        what: &'static str,
    },
    /// An action from outside (a fault, a setting, a manual operation), with all its
    /// parameters; its effects follow as their own records.
    Acted {
        action: Box<Action<P::Action>>,
    },
    /// Something the model records (an operator's promotion, a handover).
    Model {
        note: P::Note,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DropReason {
    Lost,
    Cut,
    ReceiverDown,
}

/// One recorded event with its position and time.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct Record<P: Protocol> {
    /// Position in the whole trace, from 0.
    pub index: u64,
    pub at: Micros,
    pub event: TraceEvent<P>,
}

/// The hash of everything so far, and a bounded window of recent records.
#[derive(Clone, Debug)]
pub struct Trace<P: Protocol> {
    hasher: TraceHasher,
    recent: VecDeque<Record<P>>,
    capacity: usize,
    count: u64,
}

impl<P: Protocol> Trace<P> {
    pub fn new(capacity: usize) -> Trace<P> {
        Trace {
            hasher: TraceHasher::default(),
            recent: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
            count: 0,
        }
    }

    pub fn record(&mut self, at: Micros, event: TraceEvent<P>) {
        at.hash(&mut self.hasher);
        event.hash(&mut self.hasher);
        if self.capacity > 0 {
            if self.recent.len() == self.capacity {
                self.recent.pop_front();
            }
            self.recent.push_back(Record {
                index: self.count,
                at,
                event,
            });
        }
        self.count += 1;
    }

    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// How many events have been recorded in all.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Records with `index >= cursor` still in the window (older ones were forgotten),
    /// at most `limit` of them.
    pub fn since(&self, cursor: u64, limit: usize) -> impl Iterator<Item = &Record<P>> {
        let first = self.recent.front().map_or(self.count, |r| r.index);
        let skip = cursor.saturating_sub(first) as usize;
        self.recent.iter().skip(skip).take(limit)
    }
}

#[cfg(test)]
mod tests {
    use crate::protocols::SingleLeader;

    type Trace = super::Trace<SingleLeader>;
    type TraceEvent = super::TraceEvent<SingleLeader>;

    #[test]
    fn the_hash_depends_on_order_and_content() {
        let mut a = Trace::new(8);
        let mut b = Trace::new(8);
        a.record(1, TraceEvent::Delivered { msg: 1 });
        a.record(2, TraceEvent::Delivered { msg: 2 });
        b.record(1, TraceEvent::Delivered { msg: 2 });
        b.record(2, TraceEvent::Delivered { msg: 1 });
        assert_ne!(a.hash(), b.hash());
        let mut c = Trace::new(0);
        c.record(1, TraceEvent::Delivered { msg: 1 });
        c.record(2, TraceEvent::Delivered { msg: 2 });
        assert_eq!(
            a.hash(),
            c.hash(),
            "keeping records does not change the hash"
        );
    }

    #[test]
    fn since_returns_the_window_after_a_cursor() {
        let mut t = Trace::new(3);
        for i in 0..5 {
            t.record(i, TraceEvent::Delivered { msg: i });
        }
        let idx: Vec<u64> = t.since(0, 10).map(|r| r.index).collect();
        assert_eq!(idx, vec![2, 3, 4]);
        let idx: Vec<u64> = t.since(4, 10).map(|r| r.index).collect();
        assert_eq!(idx, vec![4]);
        assert_eq!(t.since(5, 10).count(), 0);
    }
}
