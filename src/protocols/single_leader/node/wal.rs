//! A node's write-ahead log and its checkpoint, the way a database bounds its WAL: entries
//! are appended at the end; a checkpoint (PostgreSQL's `CHECKPOINT`, a Raft snapshot)
//! folds the oldest entries into a copy of the store as of that point, and their WAL is
//! recycled. What a node must keep for others (replication slots, `wal_keep_size`) is the
//! caller's decision (`lead.rs`); this file keeps the log, the checkpoint and a small
//! index of where each term began, so the term of any position, recycled or not, is known
//! (Raft's Log Matching: the same term at the same position means the same entry).

use crate::checks::facts::OrderRun;
use crate::kernel::{OpId, Text};
pub use crate::protocols::single_leader::log::Checkpoint;
use crate::protocols::single_leader::log::{Entry, Lsn, Payload, Term, Version};
use crate::protocols::single_leader::membership::Membership;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug, Default)]
pub struct Wal {
    /// Entries `checkpoint.upto + 1 ..= last`.
    entries: VecDeque<Entry>,
    checkpoint: Checkpoint,
    /// Where each term began over the whole log, recycled part included.
    terms: Vec<(Term, Lsn)>,
}

impl Wal {
    /// The last position (0: empty).
    pub fn last_lsn(&self) -> Lsn {
        self.checkpoint.upto + self.entries.len() as Lsn
    }

    /// The last recycled position: entries up to it are in the checkpoint only.
    pub fn base(&self) -> Lsn {
        self.checkpoint.upto
    }

    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Entries kept (not yet recycled).
    pub fn retained(&self) -> usize {
        self.entries.len()
    }

    /// The entry at `lsn`, if it is kept.
    pub fn get(&self, lsn: Lsn) -> Option<&Entry> {
        let i = lsn.checked_sub(self.checkpoint.upto + 1)?;
        self.entries.get(i as usize)
    }

    /// The term of the entry at `lsn` (0 for position 0 or past the end), recycled or not.
    pub fn term_at(&self, lsn: Lsn) -> Term {
        if lsn == 0 || lsn > self.last_lsn() {
            return 0;
        }
        let i = self.terms.partition_point(|&(_, first)| first <= lsn);
        i.checked_sub(1).map_or(0, |i| self.terms[i].0)
    }

    /// The first position of the last term before `term`'s run that ends at `lsn`: where
    /// a replica asks a primary to resend from when its entry at `lsn` diverges (Raft's
    /// fast backup walks a whole stale term back at once).
    pub fn start_of_term_at(&self, lsn: Lsn) -> Lsn {
        let i = self.terms.partition_point(|&(_, first)| first <= lsn);
        i.checked_sub(1).map_or(0, |i| self.terms[i].1)
    }

    /// Positions `1..=upto` as term ranges, ascending (the final order for the checkers'
    /// archive, `crate::checks::archive`).
    pub fn term_runs(&self, upto: Lsn) -> Vec<OrderRun> {
        let upto = upto.min(self.last_lsn());
        let mut runs = Vec::new();
        for (i, &(term, first)) in self.terms.iter().enumerate() {
            if first > upto {
                break;
            }
            let next = self.terms.get(i + 1).map_or(Lsn::MAX, |&(_, f)| f);
            runs.push(OrderRun {
                epoch: term,
                first,
                last: (next - 1).min(upto),
            });
        }
        runs
    }

    /// Whether `op`'s write, put at (`term`, `lsn`), is in this log there: by the entry
    /// itself if kept (the same operation, whichever primary put it there), by the term
    /// if recycled (the same term at the same position is the same entry).
    pub fn holds(&self, lsn: Lsn, term: Term, op: OpId) -> bool {
        match self.get(lsn) {
            Some(e) => e.op == op,
            None => lsn <= self.base() && lsn > 0 && self.term_at(lsn) == term,
        }
    }

    pub fn push(&mut self, entry: Entry) {
        debug_assert_eq!(entry.lsn, self.last_lsn() + 1);
        if self.terms.last().is_none_or(|&(t, _)| t != entry.term) {
            self.terms.push((entry.term, entry.lsn));
        }
        self.entries.push_back(entry);
    }

    /// Entries after `after` up to `upto` (inclusive), cloned for a message.
    pub fn range(&self, after: Lsn, upto: Lsn) -> Vec<Entry> {
        let from = after.saturating_sub(self.checkpoint.upto) as usize;
        let to = (upto.saturating_sub(self.checkpoint.upto) as usize).min(self.entries.len());
        self.entries.range(from.min(to)..to).cloned().collect()
    }

    /// The kept entries from `lsn` on.
    pub fn from(&self, lsn: Lsn) -> impl DoubleEndedIterator<Item = &Entry> {
        let skip = lsn.saturating_sub(self.checkpoint.upto + 1) as usize;
        self.entries.iter().skip(skip)
    }

    /// Discards the entries after `keep` and returns them. Positions at or before the
    /// checkpoint cannot be discarded this way (see [`Wal::reset`]).
    pub fn truncate_after(&mut self, keep: Lsn) -> Vec<Entry> {
        debug_assert!(keep >= self.checkpoint.upto);
        let keep_entries = keep.saturating_sub(self.checkpoint.upto) as usize;
        let gone: Vec<Entry> = self
            .entries
            .drain(keep_entries.min(self.entries.len())..)
            .collect();
        while self.terms.last().is_some_and(|&(_, first)| first > keep) {
            self.terms.pop();
        }
        gone
    }

    /// Folds the entries up to `upto` into the checkpoint and recycles their WAL.
    pub fn recycle(&mut self, upto: Lsn) {
        let upto = upto.min(self.last_lsn());
        while self.checkpoint.upto < upto {
            let e = self.entries.pop_front().expect("an entry before the end");
            match &e.payload {
                Payload::Set { .. } => apply_entry(&mut self.checkpoint.kv, &e),
                Payload::Config(m) => self.checkpoint.config = Some((e.lsn, *m)),
                Payload::Unchanged { .. } | Payload::Noop => {}
            }
            self.checkpoint.upto = e.lsn;
        }
        self.checkpoint.terms = self
            .terms
            .iter()
            .copied()
            .filter(|&(_, first)| first <= upto)
            .collect();
    }

    /// Replaces everything with a base backup: the log is empty after `checkpoint.upto`.
    pub fn restore(&mut self, checkpoint: Checkpoint) {
        self.entries.clear();
        self.terms = checkpoint.terms.clone();
        self.checkpoint = checkpoint;
    }

    /// Forgets everything: an empty log at position 0 (a lost disk).
    pub fn reset(&mut self) {
        *self = Wal::default();
    }

    /// The store as of `upto` (at least the checkpoint's position): the checkpoint's copy
    /// and the kept entries after it replayed.
    pub fn store_at(&self, upto: Lsn) -> BTreeMap<Text, Version> {
        let mut kv = self.checkpoint.kv.clone();
        for e in self.from(self.checkpoint.upto + 1) {
            if e.lsn > upto {
                break;
            }
            apply_entry(&mut kv, e);
        }
        kv
    }

    /// The newest value of every key, kept entries included: what a compare-and-set
    /// compares against on a primary.
    pub fn head(&self) -> BTreeMap<Text, Text> {
        let mut head: BTreeMap<Text, Text> = self
            .checkpoint
            .kv
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        for e in &self.entries {
            if let Some((k, v)) = e.set() {
                head.insert(k.clone(), v.clone());
            }
        }
        head
    }

    /// The latest configuration in the log, the checkpoint's included.
    pub fn latest_config(&self) -> Option<(Lsn, Membership)> {
        self.entries
            .iter()
            .rev()
            .find_map(|e| match e.payload {
                Payload::Config(m) => Some((e.lsn, m)),
                _ => None,
            })
            .or(self.checkpoint.config)
    }
}

/// Makes one log entry visible in a store.
pub fn apply_entry(kv: &mut BTreeMap<Text, Version>, e: &Entry) {
    let Some((key, value)) = e.set() else {
        return;
    };
    let version = Version {
        value: value.clone(),
        lsn: e.lsn,
        term: e.term,
        op: e.op,
    };
    match kv.get_mut(key) {
        Some(slot) => *slot = version,
        None => {
            kv.insert(key.clone(), version);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(lsn: Lsn, term: Term, key: &str, value: &str) -> Entry {
        Entry {
            lsn,
            term,
            payload: Payload::Set {
                key: key.into(),
                value: value.into(),
            },
            op: lsn,
            written_at: 0,
        }
    }

    fn wal(terms: &[Term]) -> Wal {
        let mut w = Wal::default();
        for (i, &t) in terms.iter().enumerate() {
            let lsn = i as Lsn + 1;
            w.push(set(
                lsn,
                t,
                if lsn % 2 == 0 { "a" } else { "b" },
                &lsn.to_string(),
            ));
        }
        w
    }

    #[test]
    fn terms_are_known_before_and_after_recycling() {
        let mut w = wal(&[1, 1, 2, 2, 2, 4]);
        assert_eq!(
            (1..=7).map(|l| w.term_at(l)).collect::<Vec<_>>(),
            [1, 1, 2, 2, 2, 4, 0]
        );
        w.recycle(4);
        assert_eq!((w.base(), w.retained(), w.last_lsn()), (4, 2, 6));
        assert_eq!(
            (1..=6).map(|l| w.term_at(l)).collect::<Vec<_>>(),
            [1, 1, 2, 2, 2, 4]
        );
        assert!(w.get(4).is_none() && w.get(5).is_some());
        assert!(w.holds(3, 2, 3) && !w.holds(3, 1, 3) && w.holds(5, 2, 5) && !w.holds(5, 2, 9));
        assert!(w.holds(5, 7, 5), "a kept entry is known by its operation");
        assert_eq!(w.start_of_term_at(5), 3);
    }

    #[test]
    fn the_checkpoint_is_the_store_as_of_its_position() {
        let mut w = wal(&[1, 1, 1, 1, 1]);
        let whole = w.store_at(5);
        w.recycle(3);
        assert_eq!(w.checkpoint().kv["b"].value.as_ref(), "3");
        assert_eq!(w.checkpoint().kv["a"].value.as_ref(), "2");
        assert_eq!(w.store_at(5), whole);
        assert_eq!(w.store_at(3), w.checkpoint().kv);
        assert_eq!(w.head()["b"].as_ref(), "5");
        assert_eq!(
            w.range(3, 5).iter().map(|e| e.lsn).collect::<Vec<_>>(),
            [4, 5]
        );
    }

    #[test]
    fn truncation_drops_the_suffix_and_its_terms() {
        let mut w = wal(&[1, 2, 3]);
        let gone = w.truncate_after(1);
        assert_eq!(gone.len(), 2);
        assert_eq!((w.last_lsn(), w.term_at(1), w.term_at(2)), (1, 1, 0));
        w.push(set(2, 5, "a", "x"));
        assert_eq!(w.term_at(2), 5);
    }

    #[test]
    fn a_restored_base_backup_starts_the_log_after_it() {
        let mut source = wal(&[1, 1, 3, 3]);
        source.recycle(3);
        let mut w = wal(&[1, 2]);
        w.restore(source.checkpoint().clone());
        assert_eq!((w.base(), w.last_lsn(), w.retained()), (3, 3, 0));
        assert_eq!(w.term_at(3), 3);
        assert_eq!(w.term_at(1), 1);
        w.push(set(4, 3, "a", "4"));
        assert_eq!(w.store_at(4)["a"].value.as_ref(), "4");
    }
}
