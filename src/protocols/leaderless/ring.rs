//! The consistent-hash ring (Dynamo §4.2, Cassandra's token ring): every node owns
//! `numTokens` virtual nodes at pseudo-random tokens on a 64-bit circle; a key hashes to a
//! token and its N replicas are the next N *distinct* nodes clockwise from it (Cassandra's
//! SimpleStrategy). The nodes after those are the key's fallbacks, in order (a sloppy
//! quorum's stand-ins: Dynamo's preference list).
//!
//! The hash is the lab's own (FNV-1a, then the SplitMix64 finaliser), a pure function of
//! the bytes on every platform: no `RandomState`. A node's tokens depend only on its id, so
//! adding or removing a node moves only the ranges it gains or loses.

use crate::kernel::NodeId;

/// A 64-bit hash of `bytes`, the same on every platform.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// SplitMix64's finaliser: spreads FNV's low-entropy high bits over the word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The token of a key.
pub fn token_of(key: &str) -> u64 {
    hash(key.as_bytes())
}

/// The token of virtual node `i` of node `id`.
pub fn vnode_token(id: NodeId, i: u32) -> u64 {
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(b"node");
    bytes[4..8].copy_from_slice(&id.to_le_bytes());
    bytes[8..].copy_from_slice(&i.to_le_bytes());
    hash(&bytes)
}

/// The ring: (token, node) sorted by token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ring {
    tokens: Vec<(u64, NodeId)>,
    num_tokens: u32,
}

impl Ring {
    pub fn new(nodes: &[NodeId], num_tokens: u32) -> Ring {
        let mut ring = Ring {
            tokens: Vec::new(),
            num_tokens,
        };
        for &n in nodes {
            ring.add(n);
        }
        ring
    }

    /// Places `node`'s virtual nodes (nothing if it is already there).
    pub fn add(&mut self, node: NodeId) {
        if self.contains(node) {
            return;
        }
        for i in 0..self.num_tokens {
            self.tokens.push((vnode_token(node, i), node));
        }
        self.tokens.sort_unstable();
    }

    pub fn remove(&mut self, node: NodeId) {
        self.tokens.retain(|&(_, n)| n != node);
    }

    pub fn contains(&self, node: NodeId) -> bool {
        self.tokens.iter().any(|&(_, n)| n == node)
    }

    /// Distinct nodes on the ring.
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.tokens.iter().map(|&(_, n)| n).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn tokens(&self) -> &[(u64, NodeId)] {
        &self.tokens
    }

    /// Every distinct node in clockwise order from `token`: the first N are the replicas,
    /// the rest the fallbacks.
    pub fn walk(&self, token: u64) -> Vec<NodeId> {
        let start = self.tokens.partition_point(|&(t, _)| t < token);
        let mut out: Vec<NodeId> = Vec::new();
        for i in 0..self.tokens.len() {
            let (_, n) = self.tokens[(start + i) % self.tokens.len()];
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// The key's preference list: replicas first, then fallbacks.
    pub fn preference(&self, key: &str) -> Vec<NodeId> {
        self.walk(token_of(key))
    }

    /// The key's `n` replicas.
    pub fn replicas(&self, key: &str, n: usize) -> Vec<NodeId> {
        let mut p = self.preference(key);
        p.truncate(n);
        p
    }

    /// The share of the ring each node owns as a primary range (its vnodes' arcs), for
    /// the view.
    pub fn ownership(&self) -> Vec<(NodeId, f64)> {
        let mut owned: std::collections::BTreeMap<NodeId, f64> = Default::default();
        let len = self.tokens.len();
        for i in 0..len {
            let (t, n) = self.tokens[i];
            let prev = self.tokens[(i + len - 1) % len].0;
            let arc = t.wrapping_sub(prev);
            let arc = if len == 1 { u64::MAX } else { arc };
            *owned.entry(n).or_default() += arc as f64 / u64::MAX as f64;
        }
        owned.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_are_distinct_and_clockwise() {
        let ring = Ring::new(&[0, 1, 2, 3, 4], 16);
        for k in 0..200 {
            let key = format!("k{k}");
            let r = ring.replicas(&key, 3);
            assert_eq!(r.len(), 3);
            let mut d = r.clone();
            d.sort_unstable();
            d.dedup();
            assert_eq!(d.len(), 3, "{key}: {r:?}");
            assert_eq!(ring.preference(&key).len(), 5);
        }
        let share: f64 = ring.ownership().iter().map(|&(_, s)| s).sum();
        assert!((share - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_hash_is_pinned() {
        // The same on every platform and every run (no RandomState).
        assert_eq!(token_of("k0"), token_of("k0"));
        assert_ne!(token_of("k0"), token_of("k1"));
        assert_eq!(hash(b""), mix(0xcbf2_9ce4_8422_2325));
    }
}
