//! Cluster membership: who votes (counts toward elections, commits and acknowledgements)
//! and who only follows (a *learner*: etcd's learners, a MongoDB member with `votes: 0`
//! during its initial sync, a PostgreSQL standby still catching up).
//!
//! Membership changes travel through the log, one at a time (Raft's single-server changes,
//! dissertation §4.1): a node uses the latest configuration in its log, committed or not, and
//! a primary starts no change while its previous one is uncommitted. A new node joins as a
//! learner and is made a voter once it has caught up.

use crate::kernel::NodeId;
use serde::Serialize;

/// One configuration: two disjoint sets of node ids, as bit masks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub voters: u32,
    pub learners: u32,
    /// A node re-admitted after losing its disk, and the incarnation it came back as: it may
    /// vote again once it has been demoted (and later promoted) after the loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readmits: Option<(NodeId, u32)>,
}

impl Membership {
    /// Nodes `0..n`, all voting: the configuration a cluster is started with.
    pub fn bootstrap(n: usize) -> Membership {
        Membership {
            voters: if n >= 32 { u32::MAX } else { (1 << n) - 1 },
            learners: 0,
            readmits: None,
        }
    }

    fn bit(id: NodeId) -> u32 {
        1u32.checked_shl(id).unwrap_or(0)
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters & Membership::bit(id) != 0
    }

    pub fn is_learner(&self, id: NodeId) -> bool {
        self.learners & Membership::bit(id) != 0
    }

    pub fn contains(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.is_learner(id)
    }

    /// Voters needed for a majority.
    pub fn majority(&self) -> usize {
        self.voters.count_ones() as usize / 2 + 1
    }

    pub fn voter_count(&self) -> usize {
        self.voters.count_ones() as usize
    }

    /// Voters and learners, in id order.
    pub fn members(&self) -> impl Iterator<Item = NodeId> {
        let all = self.voters | self.learners;
        (0..32).filter(move |&i| all & (1 << i) != 0)
    }

    pub fn voter_ids(&self) -> impl Iterator<Item = NodeId> {
        let v = self.voters;
        (0..32).filter(move |&i| v & (1 << i) != 0)
    }

    /// Whether `mask` (a set of node ids) holds a majority of the voters.
    pub fn is_quorum(&self, mask: u32) -> bool {
        (mask & self.voters).count_ones() as usize >= self.majority()
    }

    pub fn with_learner(self, id: NodeId) -> Membership {
        Membership {
            voters: self.voters & !Membership::bit(id),
            learners: self.learners | Membership::bit(id),
            readmits: None,
        }
    }

    pub fn with_voter(self, id: NodeId) -> Membership {
        Membership {
            voters: self.voters | Membership::bit(id),
            learners: self.learners & !Membership::bit(id),
            readmits: None,
        }
    }

    pub fn without(self, id: NodeId) -> Membership {
        Membership {
            voters: self.voters & !Membership::bit(id),
            learners: self.learners & !Membership::bit(id),
            readmits: None,
        }
    }

    /// A short description: "voters n0 n1 n2, learner n3".
    pub fn describe(&self) -> String {
        let names = |mask: u32| {
            (0..32)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| format!("n{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut s = format!("voters {}", names(self.voters));
        if self.learners != 0 {
            s += &format!(", learners {}", names(self.learners));
        }
        s
    }
}

/// A change an operator asked for, waiting its turn (one change at a time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "change", content = "node")]
pub enum MemberChange {
    /// Join as a learner (promoted to voter by the primary once caught up).
    Add(NodeId),
    Remove(NodeId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majorities_count_voters_only() {
        let m = Membership::bootstrap(3).with_learner(3);
        assert_eq!(m.majority(), 2);
        assert!(m.is_quorum(0b0011));
        assert!(!m.is_quorum(0b1001), "a learner's ack does not count");
        let m = m.with_voter(3);
        assert_eq!((m.voter_count(), m.majority()), (4, 3));
        assert_eq!(m.without(0).members().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(
            Membership::bootstrap(2).with_learner(4).describe(),
            "voters n0 n1, learners n4"
        );
    }
}
