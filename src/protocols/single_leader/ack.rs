//! Write acknowledgement policies: when the primary may tell a client "committed".
//!
//! A policy names how many replicas must confirm (none, `k`, a majority, all), which ones
//! count (`FIRST k` by priority or `ANY k`, as in PostgreSQL's `synchronous_standby_names`),
//! and how far each must have got (received, flushed or applied: PostgreSQL's
//! `remote_write`, `on` and `remote_apply`). [`ack_set`] decides, from the primary's view of
//! its replicas, whether a write is acknowledged and which replicas counted.

use super::log::{Lsn, Positions};
use crate::kernel::NodeId;
use serde::{de, Deserialize, Deserializer, Serialize};
use std::fmt;

/// How many replicas must confirm a write. In JSON: a number, `"majority"` or `"all"`
/// (both ways, so a policy round-trips through the scenario format).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckCount {
    /// A fixed number of replicas (0 = asynchronous).
    Replicas(u32),
    /// A majority of the whole cluster, the primary included (MongoDB `w: "majority"`).
    Majority,
    /// Every replica (fully synchronous).
    All,
}

impl Serialize for AckCount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AckCount::Replicas(k) => s.serialize_u32(*k),
            AckCount::Majority => s.serialize_str("majority"),
            AckCount::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for AckCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AckCount, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = AckCount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of replicas (0 to 8), \"majority\" or \"all\"")
            }
            fn visit_u64<E: de::Error>(self, k: u64) -> Result<AckCount, E> {
                if k <= 8 {
                    Ok(AckCount::Replicas(k as u32))
                } else {
                    Err(E::custom(format!(
                        "at most 8 replicas can acknowledge (got {k})"
                    )))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AckCount, E> {
                match v {
                    "majority" => Ok(AckCount::Majority),
                    "all" => Ok(AckCount::All),
                    other => Err(E::custom(format!(
                        "replicas is a number, \"majority\" or \"all\" (got {other:?})"
                    ))),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Which replicas may count toward the acknowledgement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AckSelect {
    /// The first `k` connected replicas by priority (node order): PostgreSQL `FIRST k (...)`.
    First,
    /// Any `k` replicas: PostgreSQL `ANY k (...)`, MySQL semi-sync, MongoDB.
    #[default]
    Any,
}

/// How far a replica must have got with the write for it to count.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum AckPoint {
    /// Received and written (PostgreSQL `remote_write`; MySQL semi-sync's relay-log ack).
    Received,
    /// Flushed to the replica's disk (PostgreSQL `on`).
    #[default]
    Flushed,
    /// Applied, so visible to reads there (PostgreSQL `remote_apply`).
    Applied,
}

impl AckPoint {
    pub fn of(self, p: &Positions) -> Lsn {
        match self {
            AckPoint::Received => p.received,
            AckPoint::Flushed => p.flushed,
            AckPoint::Applied => p.applied,
        }
    }
}

/// A write acknowledgement policy. In JSON: `"async"`, `"sync"` (all replicas, flushed),
/// `"majority"`, or `{"replicas": 2 | "majority" | "all", "select": "first" | "any",
/// "point": "received" | "flushed" | "applied"}`.
/// In JSON: `"off"`, `"async"`, `"sync"`, `"majority"` or
/// `{"replicas": k | "majority" | "all", "select": "first" | "any", "point": ...}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AckPolicy {
    pub replicas: AckCount,
    pub select: AckSelect,
    pub point: AckPoint,
    /// Wait for the primary's own flush (false only for `off`).
    pub local_flush: bool,
}

impl Serialize for AckPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        if *self == AckPolicy::OFF {
            return s.serialize_str("off");
        }
        let mut st = s.serialize_struct("AckPolicy", 3)?;
        st.serialize_field("replicas", &self.replicas)?;
        st.serialize_field("select", &self.select)?;
        st.serialize_field("point", &self.point)?;
        st.end()
    }
}

impl Default for AckPolicy {
    fn default() -> AckPolicy {
        AckPolicy::ASYNC
    }
}

impl AckPolicy {
    /// Acknowledge after the primary's own flush (PostgreSQL `synchronous_commit = local`,
    /// MongoDB `w: 1`, MySQL asynchronous replication).
    pub const ASYNC: AckPolicy = AckPolicy {
        replicas: AckCount::Replicas(0),
        select: AckSelect::Any,
        point: AckPoint::Flushed,
        local_flush: true,
    };

    /// Acknowledge as soon as the primary has the write in memory, before even its own
    /// fsync (PostgreSQL `synchronous_commit = off`): a primary crash loses it.
    pub const OFF: AckPolicy = AckPolicy {
        local_flush: false,
        ..AckPolicy::ASYNC
    };

    pub const fn replicas(k: u32, select: AckSelect, point: AckPoint) -> AckPolicy {
        AckPolicy {
            replicas: AckCount::Replicas(k),
            select,
            point,
            local_flush: true,
        }
    }

    pub const fn all(point: AckPoint) -> AckPolicy {
        AckPolicy {
            replicas: AckCount::All,
            select: AckSelect::Any,
            point,
            local_flush: true,
        }
    }

    pub const fn majority() -> AckPolicy {
        AckPolicy {
            replicas: AckCount::Majority,
            select: AckSelect::Any,
            point: AckPoint::Flushed,
            local_flush: true,
        }
    }

    pub fn is_async(&self) -> bool {
        self.replicas == AckCount::Replicas(0)
    }

    /// Replicas needed in a cluster of `cluster_size` nodes (primary included) with
    /// `replicas` replicas configured.
    pub fn needed(&self, cluster_size: usize, replicas: usize) -> usize {
        match self.replicas {
            AckCount::Replicas(k) => k as usize,
            AckCount::Majority => cluster_size / 2, // floor(n/2)+1 nodes, one being the primary
            AckCount::All => replicas,
        }
    }

    /// Why a cluster of `nodes` nodes (one primary, `nodes - 1` replicas) can never meet
    /// this policy, if it cannot: it names more replicas than there are, so every write
    /// would wait until its client gave up (its outcome unknown). `"majority"` and
    /// `"all"` scale with the cluster and always can.
    pub fn unmet_in(&self, nodes: usize) -> Option<String> {
        let replicas = nodes.saturating_sub(1);
        match self.replicas {
            AckCount::Replicas(k) if k as usize > replicas => Some(format!(
                "{} asks {k} replica{} to confirm each write, but the cluster has {replicas} \
                 ({nodes} node{} with the primary): every write would wait until its client \
                 gave up",
                self.describe(),
                if k == 1 { "" } else { "s" },
                if nodes == 1 { "" } else { "s" },
            )),
            _ => None,
        }
    }

    /// A small number that tells policies apart (for grouping latencies without text).
    pub fn key(&self) -> u32 {
        let count = match self.replicas {
            AckCount::Replicas(k) => k,
            AckCount::Majority => 100,
            AckCount::All => 101,
        };
        let select = match self.select {
            AckSelect::First => 0,
            AckSelect::Any => 1,
        };
        count << 8 | select << 4 | (self.point as u32) << 1 | u32::from(self.local_flush)
    }

    /// A short human name: "async", "ANY 2 flushed", "FIRST 1 applied", "majority", "all applied".
    pub fn describe(&self) -> String {
        let point = match self.point {
            AckPoint::Received => "received",
            AckPoint::Flushed => "flushed",
            AckPoint::Applied => "applied",
        };
        match (self.replicas, self.select) {
            (AckCount::Replicas(0), _) if !self.local_flush => "off".into(),
            (AckCount::Replicas(0), _) => "async".into(),
            (AckCount::Majority, _) => format!("majority {point}"),
            (AckCount::All, _) => format!("all {point}"),
            (AckCount::Replicas(k), AckSelect::First) => format!("FIRST {k} {point}"),
            (AckCount::Replicas(k), AckSelect::Any) => format!("ANY {k} {point}"),
        }
    }
}

/// When a write becomes visible to reads at the primary (acknowledgement and visibility are
/// different moments: MySQL `rpl_semi_sync_source_wait_point`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Visibility {
    /// Once its acknowledgement condition is met (MySQL `AFTER_SYNC`, the default;
    /// PostgreSQL shows a synchronous commit only after its standbys answer). Entries a new
    /// primary inherited from earlier terms become visible once they are committed.
    #[default]
    AfterSync,
    /// At the primary's local commit, before any replica confirms (MySQL `AFTER_COMMIT`;
    /// MongoDB `readConcern: local`): others can read a write that a failover then loses.
    AfterCommit,
}

/// One replica as the primary sees it, for the acknowledgement rule.
#[derive(Clone, Copy, Debug)]
pub struct ReplicaView {
    pub id: NodeId,
    pub acked: Positions,
    /// Connected: heard from within the standby timeout.
    pub connected: bool,
}

/// Whether the write at `lsn` meets `policy`, and if so the replicas that counted (as a
/// bit mask by node id). `replicas` must be in priority order.
pub fn ack_set(policy: &AckPolicy, lsn: Lsn, replicas: &[ReplicaView]) -> Option<u32> {
    let needed = policy.needed(replicas.len() + 1, replicas.len());
    if needed == 0 {
        return Some(0);
    }
    let reached = |r: &ReplicaView| policy.point.of(&r.acked) >= lsn;
    let mut mask = 0u32;
    let mut counted = 0;
    match policy.select {
        AckSelect::First => {
            // The synchronous set is the first `needed` connected replicas; all must confirm.
            for r in replicas.iter().filter(|r| r.connected).take(needed) {
                if !reached(r) {
                    return None;
                }
                mask |= 1 << r.id;
                counted += 1;
            }
        }
        AckSelect::Any => {
            for r in replicas.iter().filter(|r| reached(r)).take(needed) {
                mask |= 1 << r.id;
                counted += 1;
            }
        }
    }
    (counted >= needed).then_some(mask)
}

impl<'de> Deserialize<'de> for AckPolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AckPolicy, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Written {
            replicas: AckCount,
            #[serde(default)]
            select: AckSelect,
            #[serde(default)]
            point: AckPoint,
        }
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = AckPolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"off\", \"async\", \"sync\" (or \"all\"), \"majority\" or {\"replicas\": k, \"select\": \"first\"|\"any\", \"point\": \"received\"|\"flushed\"|\"applied\"}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AckPolicy, E> {
                match v {
                    "async" | "local" => Ok(AckPolicy::ASYNC),
                    "off" => Ok(AckPolicy::OFF),
                    "sync" | "all" => Ok(AckPolicy::all(AckPoint::Flushed)),
                    "majority" => Ok(AckPolicy::majority()),
                    other => Err(E::custom(format!(
                        "unknown ack policy {other:?} (use \"off\", \"async\", \"sync\", \"all\", \"majority\" or an object)"
                    ))),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<AckPolicy, A::Error> {
                let w = Written::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let replicas = w.replicas;
                Ok(AckPolicy {
                    replicas,
                    select: w.select,
                    point: w.point,
                    local_flush: true,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_round_trips_through_json() {
        for policy in [
            AckPolicy::OFF,
            AckPolicy::ASYNC,
            AckPolicy::majority(),
            AckPolicy::all(AckPoint::Applied),
            AckPolicy::replicas(2, AckSelect::First, AckPoint::Received),
        ] {
            let text = serde_json::to_string(&policy).unwrap();
            assert_eq!(
                serde_json::from_str::<AckPolicy>(&text).unwrap(),
                policy,
                "{text}"
            );
        }
    }

    fn replica(
        id: NodeId,
        received: Lsn,
        flushed: Lsn,
        applied: Lsn,
        connected: bool,
    ) -> ReplicaView {
        ReplicaView {
            id,
            acked: Positions {
                received,
                flushed,
                applied,
            },
            connected,
        }
    }

    #[test]
    fn async_needs_nobody() {
        assert_eq!(ack_set(&AckPolicy::ASYNC, 9, &[]), Some(0));
    }

    #[test]
    fn first_k_waits_for_the_priority_replicas_even_when_others_are_ahead() {
        let rs = [
            replica(1, 5, 4, 3, true),
            replica(2, 9, 9, 9, true),
            replica(3, 9, 9, 9, true),
        ];
        let first1 = AckPolicy::replicas(1, AckSelect::First, AckPoint::Flushed);
        assert_eq!(ack_set(&first1, 4, &rs), Some(1 << 1));
        assert_eq!(
            ack_set(&first1, 5, &rs),
            None,
            "n1 is the sync standby and has not flushed 5"
        );
        // When n1 disconnects, n2 becomes the synchronous standby.
        let rs2 = [replica(1, 5, 4, 3, false), rs[1], rs[2]];
        assert_eq!(ack_set(&first1, 5, &rs2), Some(1 << 2));
    }

    #[test]
    fn any_k_takes_whichever_replicas_have_it() {
        let rs = [
            replica(1, 5, 4, 3, true),
            replica(2, 9, 9, 9, true),
            replica(3, 9, 9, 2, true),
        ];
        let any2 = AckPolicy::replicas(2, AckSelect::Any, AckPoint::Flushed);
        assert_eq!(ack_set(&any2, 9, &rs), Some((1 << 2) | (1 << 3)));
        let any2_applied = AckPolicy::replicas(2, AckSelect::Any, AckPoint::Applied);
        assert_eq!(ack_set(&any2_applied, 9, &rs), None);
        assert_eq!(ack_set(&any2_applied, 3, &rs), Some((1 << 1) | (1 << 2)));
    }

    #[test]
    fn majority_and_all_scale_with_the_cluster() {
        let p = AckPolicy::majority();
        assert_eq!(p.needed(5, 4), 2);
        assert_eq!(p.needed(4, 3), 2);
        assert_eq!(p.needed(3, 2), 1);
        assert_eq!(p.needed(1, 0), 0);
        assert_eq!(AckPolicy::all(AckPoint::Flushed).needed(5, 4), 4);
    }

    #[test]
    fn too_few_replicas_block() {
        let any3 = AckPolicy::replicas(3, AckSelect::Any, AckPoint::Received);
        let rs = [replica(1, 9, 9, 9, true), replica(2, 9, 9, 9, true)];
        assert_eq!(ack_set(&any3, 1, &rs), None);
    }

    #[test]
    fn parses_presets_and_objects() {
        let p: AckPolicy = serde_json::from_str(r#""majority""#).unwrap();
        assert_eq!(p, AckPolicy::majority());
        let p: AckPolicy =
            serde_json::from_str(r#"{"replicas": 2, "select": "first", "point": "applied"}"#)
                .unwrap();
        assert_eq!(
            p,
            AckPolicy::replicas(2, AckSelect::First, AckPoint::Applied)
        );
        assert_eq!(p.describe(), "FIRST 2 applied");
        let p: AckPolicy = serde_json::from_str(r#"{"replicas": "all"}"#).unwrap();
        assert_eq!(p, AckPolicy::all(AckPoint::Flushed));
        assert!(serde_json::from_str::<AckPolicy>(r#""sometimes""#).is_err());
        assert!(serde_json::from_str::<AckPolicy>(r#"{"replicas": 2, "when": 1}"#).is_err());
    }
}
