//! The search's memo: the set of placed operations as a bitset with an incremental
//! Zobrist hash, and the cache of configurations (set, register state) already reached,
//! which compares full bitsets whenever hashes match.

use crate::kernel::rng::SimRng;

/// The seed of the per-operation hash numbers: fixed, so every run hashes alike.
const ZOBRIST_SEED: u64 = 0x5eed_0fa1_1ca5_e000;

/// The set of placed operations: a bitset with the finite operations' words first, then
/// the `info` operations', and its Zobrist hash.
pub(super) struct OpSet {
    words: Vec<u64>,
    finite: usize,
    finite_words: usize,
    zobrist: Vec<u64>,
    hash: u64,
    /// Words `..lead` are all ones (placed operations are mostly a prefix of the history).
    lead: usize,
    /// No word at or after these is nonzero (upper bounds, tightened when stored).
    finite_end: usize,
    info_end: usize,
}

impl OpSet {
    pub(super) fn new(finite: usize, infos: usize) -> OpSet {
        let finite_words = finite.div_ceil(64);
        let mut rng = SimRng::new(ZOBRIST_SEED);
        OpSet {
            words: vec![0; finite_words + infos.div_ceil(64)],
            finite,
            finite_words,
            zobrist: (0..finite + infos).map(|_| rng.next_u64()).collect(),
            hash: 0,
            lead: 0,
            finite_end: 0,
            info_end: finite_words,
        }
    }

    fn bit(&self, op: usize) -> (usize, u64) {
        if op < self.finite {
            (op / 64, 1 << (op % 64))
        } else {
            let k = op - self.finite;
            (self.finite_words + k / 64, 1 << (k % 64))
        }
    }

    pub(super) fn insert(&mut self, op: usize) {
        let (w, mask) = self.bit(op);
        self.words[w] |= mask;
        self.hash ^= self.zobrist[op];
        if op < self.finite {
            while self.lead < self.finite_words && self.words[self.lead] == u64::MAX {
                self.lead += 1;
            }
            self.finite_end = self.finite_end.max(w + 1);
        } else {
            self.info_end = self.info_end.max(w + 1);
        }
    }

    pub(super) fn contains(&self, op: usize) -> bool {
        let (w, mask) = self.bit(op);
        self.words[w] & mask != 0
    }

    pub(super) fn remove(&mut self, op: usize) {
        let (w, mask) = self.bit(op);
        self.words[w] &= !mask;
        self.hash ^= self.zobrist[op];
        if op < self.finite {
            self.lead = self.lead.min(w);
        }
    }

    /// The words that identify the set: finite words from `lead` to the last nonzero one,
    /// and `info` words up to the last nonzero one.
    fn identity(&mut self) -> (&[u64], &[u64]) {
        while self.finite_end > self.lead && self.words[self.finite_end - 1] == 0 {
            self.finite_end -= 1;
        }
        self.finite_end = self.finite_end.max(self.lead);
        while self.info_end > self.finite_words && self.words[self.info_end - 1] == 0 {
            self.info_end -= 1;
        }
        (
            &self.words[self.lead..self.finite_end],
            &self.words[self.finite_words..self.info_end],
        )
    }
}

/// The memo of configurations reached: open addressing over entries whose set words live
/// in one arena.
#[derive(Default)]
pub(super) struct Cache {
    /// Entry index + 1, or 0 for empty; the length is a power of two, at most half full.
    slots: Vec<u32>,
    entries: Vec<CacheEntry>,
    arena: Vec<u64>,
}

struct CacheEntry {
    hash: u64,
    state: u64,
    lead: usize,
    start: usize,
    finite_len: usize,
    info_len: usize,
}

impl Cache {
    /// Adds the configuration (`set`, `state`); false if it was already there.
    pub(super) fn insert(&mut self, set: &mut OpSet, state: u64) -> bool {
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let hash = set.hash ^ mix(state);
        let lead = set.lead;
        let (finite, info) = set.identity();
        let mask = self.slots.len() - 1;
        let mut slot = (hash as usize) & mask;
        while self.slots[slot] != 0 {
            let e = &self.entries[self.slots[slot] as usize - 1];
            if e.hash == hash
                && e.state == state
                && e.lead == lead
                && self.arena[e.start..e.start + e.finite_len] == *finite
                && self.arena[e.start + e.finite_len..e.start + e.finite_len + e.info_len] == *info
            {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        let start = self.arena.len();
        self.arena.extend_from_slice(finite);
        self.arena.extend_from_slice(info);
        self.entries.push(CacheEntry {
            hash,
            state,
            lead,
            start,
            finite_len: finite.len(),
            info_len: info.len(),
        });
        self.slots[slot] = self.entries.len() as u32;
        true
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; size];
        for (i, e) in self.entries.iter().enumerate() {
            let mut slot = (e.hash as usize) & (size - 1);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            self.slots[slot] = i as u32 + 1;
        }
    }
}

/// Spreads a small state number over 64 bits (SplitMix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_words_for_many_operations() {
        let mut set = OpSet::new(130, 70);
        for op in 0..64 {
            set.insert(op);
        }
        set.insert(129);
        set.insert(130 + 69);
        assert_eq!(set.lead, 1);
        let (finite, info) = set.identity();
        assert_eq!(finite, &[0, 2]);
        assert_eq!(info, &[0, 1 << 5]);
        set.remove(3);
        assert_eq!(set.lead, 0);
    }
}
