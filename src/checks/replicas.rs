//! The cluster as a whole: replicas that still disagree after it healed and went quiet
//! (divergence), and two primaries at once (split brain: two winners of one term, or two
//! primaries of different terms acknowledging writes over the same stretch of time).

use super::anomalies::{Example, Kind, Report};
use super::facts::RunFacts;

pub fn divergence<M>(facts: &RunFacts<M>, report: &mut Report) {
    if !facts.settled {
        report.not_judged(Kind::Divergence, "the cluster is not healed and quiet");
        return;
    }
    let Some((authority, others)) = facts.stores.split_first() else {
        return;
    };
    for other in others {
        let differing: Vec<_> = authority
            .store
            .iter()
            .filter(|(k, op)| other.store.get(*k) != Some(op))
            .map(|(k, &op)| (k, op, other.store.get(k).copied()))
            .chain(
                other
                    .store
                    .iter()
                    .filter(|(k, _)| !authority.store.contains_key(*k))
                    .map(|(k, &op)| (k, 0, Some(op))),
            )
            .collect();
        let Some(&(key, theirs, mine)) = differing.first() else {
            continue;
        };
        let mut ops: Vec<u64> = [theirs]
            .into_iter()
            .chain(mine)
            .filter(|&o| o != 0)
            .collect();
        ops.dedup();
        report.add(
            Kind::Divergence,
            Example {
                ops,
                at: facts.now,
                nodes: vec![authority.node, other.node],
                text: format!(
                    "after the cluster went quiet n{} still differs from n{} on {} key{} (first: {key})",
                    other.node,
                    authority.node,
                    differing.len(),
                    if differing.len() == 1 { "" } else { "s" },
                ),
                // Under Raft the log repairs every replica; two primaries of one term (a
                // naive manager's promotions) can leave logs that agree on terms and
                // differ in content for good.
                promised: facts.consensus,
            },
        );
    }
}

pub fn split_brain<M>(facts: &RunFacts<M>, report: &mut Report) {
    for sb in facts.split_brains {
        let [a, b] = sb.nodes;
        let (text, promised) = if sb.same_term {
            (
                format!("n{a} and n{b} both won term {}", sb.terms[0]),
                facts.consensus,
            )
        } else {
            (
                format!(
                    "n{a} (term {}) and n{b} (term {}) both acknowledged writes as primary{}",
                    sb.terms[0],
                    sb.terms[1],
                    if sb.durable {
                        " (each had a majority: a deposed primary answering for writes it had committed)"
                    } else {
                        ""
                    }
                ),
                // Raft promises one leader per term; a deposed primary that committed
                // writes before it learned of the new term may still answer for them.
                false,
            )
        };
        report.add(
            Kind::SplitBrain,
            Example {
                ops: Vec::new(),
                at: sb.at,
                nodes: vec![a, b],
                text,
                promised,
            },
        );
    }
}
