//! The leaderless model's settings (a scenario's `leaderless` object) and consistency
//! levels, named as Cassandra names them, with Riak's `n_val` / `r` / `w` beside them.
//!
//! ```json
//! "model": "leaderless",
//! "leaderless": {"replicationFactor": 3, "writeConsistency": "QUORUM",
//!                "readConsistency": "QUORUM", "quorum": "strict"}
//! ```
//!
//! Every field is documented in `docs/scenario-format.md`; [`LeaderlessSpec::check`]
//! refuses values that cannot work, naming the field.

use crate::config::ConfigError;
use crate::kernel::time::Dur;
use serde::{Deserialize, Serialize};

/// How many replicas must answer (Cassandra's consistency levels).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// Writes only: any one node stored it, a hint on the coordinator counting.
    Any,
    One,
    Two,
    Three,
    /// floor(N / 2) + 1 replicas.
    Quorum,
    /// A quorum of the replicas in the coordinator's region.
    LocalQuorum,
    /// A quorum of the replicas in every region that holds some.
    EachQuorum,
    All,
}

impl Level {
    /// Cassandra's name (`LOCAL_QUORUM`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Any => "ANY",
            Level::One => "ONE",
            Level::Two => "TWO",
            Level::Three => "THREE",
            Level::Quorum => "QUORUM",
            Level::LocalQuorum => "LOCAL_QUORUM",
            Level::EachQuorum => "EACH_QUORUM",
            Level::All => "ALL",
        }
    }

    /// How many of `n` replicas answer at this level, counted over the whole replica set
    /// (the region-bound levels count as a quorum: what R + W > N reasons with). ANY
    /// counts 0: a hint makes nothing readable.
    pub fn count(self, n: usize) -> usize {
        match self {
            Level::Any => 0,
            Level::One => 1,
            Level::Two => 2,
            Level::Three => 3,
            Level::Quorum | Level::LocalQuorum | Level::EachQuorum => n / 2 + 1,
            Level::All => n,
        }
    }

    /// A small key for charts (write latency by level).
    pub fn key(self) -> u32 {
        self as u32 + 1
    }
}

/// Whether fallback nodes count towards a level when a replica is down.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum QuorumMode {
    /// Cassandra: only the key's own N replicas count (hints only for ANY); with too few of
    /// them up the request is refused (Unavailable).
    #[default]
    Strict,
    /// Dynamo / Riak: the first N nodes up on the key's preference list stand in, and
    /// fallbacks hand their copy to the replica when it returns.
    Sloppy,
}

/// What a read does when the replicas it asked disagree.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum ReadRepair {
    /// Write the newest version back to the contacted replicas that lacked it before
    /// answering (Cassandra 4's `read_repair = 'BLOCKING'`).
    #[default]
    Blocking,
    /// Answer with the newest version and leave the replicas as they are.
    None,
}

/// Which node a client sends an operation to (the driver's load-balancing policy).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum CoordinatorChoice {
    /// A replica of the key (the drivers' `TokenAwarePolicy`), the first that has not
    /// recently failed this client.
    #[default]
    TokenAware,
    /// The node closest to the client's region (each client keeps one when all are alike).
    Nearest,
    /// Any node, uniformly.
    Random,
}

/// A scenario's `leaderless` object.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct LeaderlessSpec {
    /// Virtual nodes per node on the ring (Cassandra `num_tokens`, 16 since 4.0).
    #[serde(default = "default_num_tokens")]
    pub num_tokens: u32,
    /// Copies of each key, on the next distinct nodes clockwise (Cassandra
    /// `replication_factor`, Riak `n_val`).
    #[serde(default = "default_replication_factor")]
    pub replication_factor: u32,
    /// The level writes wait for unless an operation says otherwise (Riak `w`).
    #[serde(default = "default_level")]
    pub write_consistency: Level,
    /// The level reads wait for (Riak `r`).
    #[serde(default = "default_level")]
    pub read_consistency: Level,
    #[serde(default)]
    pub quorum: QuorumMode,
    #[serde(default)]
    pub read_repair: ReadRepair,
    /// Coordinators keep hints for replicas that missed a write (`hinted_handoff_enabled`).
    #[serde(default = "default_true")]
    pub hinted_handoff: bool,
    /// Hints older than this are dropped, and none are kept for a node down longer
    /// (`max_hint_window`, 3 h by default).
    #[serde(default = "default_max_hint_window")]
    pub max_hint_window: Dur,
    #[serde(default)]
    pub coordinator: CoordinatorChoice,
    /// A coordinator gives up on missing write acknowledgements after this long
    /// (`write_request_timeout`, 2 s), storing hints for the replicas that did not answer.
    #[serde(default = "default_write_timeout")]
    pub write_timeout: Dur,
    /// ... and on missing read responses (`read_request_timeout`, 5 s).
    #[serde(default = "default_read_timeout")]
    pub read_timeout: Dur,
    /// Every node tells every other it is alive this often (gossip, once a second).
    #[serde(default = "default_gossip_interval")]
    pub gossip_interval: Dur,
    /// A node not heard from for this long is taken for down (Cassandra's phi accrual
    /// detector convicts after roughly this silence).
    #[serde(default = "default_down_after")]
    pub down_after: Dur,
}

crate::object_only!(
    LeaderlessSpec,
    r#"{"replicationFactor": 3, "writeConsistency": "QUORUM"}"#
);

fn default_num_tokens() -> u32 {
    16
}
fn default_replication_factor() -> u32 {
    3
}
fn default_level() -> Level {
    Level::One
}
fn default_true() -> bool {
    true
}
fn default_max_hint_window() -> Dur {
    Dur::ms(3 * 3_600_000)
}
fn default_write_timeout() -> Dur {
    Dur::ms(2_000)
}
fn default_read_timeout() -> Dur {
    Dur::ms(5_000)
}
fn default_gossip_interval() -> Dur {
    Dur::ms(1_000)
}
fn default_down_after() -> Dur {
    Dur::ms(3_000)
}

impl Default for LeaderlessSpec {
    fn default() -> LeaderlessSpec {
        LeaderlessSpec {
            num_tokens: default_num_tokens(),
            replication_factor: default_replication_factor(),
            write_consistency: default_level(),
            read_consistency: default_level(),
            quorum: QuorumMode::Strict,
            read_repair: ReadRepair::Blocking,
            hinted_handoff: true,
            max_hint_window: default_max_hint_window(),
            coordinator: CoordinatorChoice::TokenAware,
            write_timeout: default_write_timeout(),
            read_timeout: default_read_timeout(),
            gossip_interval: default_gossip_interval(),
            down_after: default_down_after(),
        }
    }
}

/// Most virtual nodes per node (Cassandra's old default, 256).
pub const MAX_TOKENS: u32 = 256;

impl LeaderlessSpec {
    /// Refuses settings that cannot work on `nodes` nodes (`regions`: whether any node
    /// has a region), naming the field.
    pub fn check(&self, nodes: usize, regions: bool) -> Result<(), ConfigError> {
        let at = |f: &str| format!("leaderless.{f}");
        if !(1..=MAX_TOKENS).contains(&self.num_tokens) {
            return Err(ConfigError::at(
                at("numTokens"),
                format!(
                    "must be from 1 to {MAX_TOKENS} virtual nodes per node (got {})",
                    self.num_tokens
                ),
            ));
        }
        let n = self.replication_factor as usize;
        if n == 0 || n > nodes {
            return Err(ConfigError::at(
                at("replicationFactor"),
                format!(
                    "must be from 1 to the number of nodes, {nodes} (got {n}): each copy lives \
                     on a different node"
                ),
            ));
        }
        for (field, level) in [
            ("writeConsistency", self.write_consistency),
            ("readConsistency", self.read_consistency),
        ] {
            if field == "readConsistency" && level == Level::Any {
                return Err(ConfigError::at(
                    at(field),
                    "ANY is for writes only (Cassandra refuses reads at ANY): use ONE",
                ));
            }
            let needs = match level {
                Level::Two => 2,
                Level::Three => 3,
                _ => 1,
            };
            if needs > n {
                return Err(ConfigError::at(
                    at(field),
                    format!(
                        "{} needs replicationFactor at least {needs} (got {n}): every request \
                         would be refused as unavailable",
                        level.name()
                    ),
                ));
            }
            if matches!(level, Level::LocalQuorum | Level::EachQuorum) && !regions {
                return Err(ConfigError::at(
                    at(field),
                    format!(
                        "{} counts replicas by region, and no node has one: give nodes a \
                         \"region\" or use QUORUM",
                        level.name()
                    ),
                ));
            }
        }
        for (field, d, least) in [
            ("writeTimeout", self.write_timeout, Dur::ms(1)),
            ("readTimeout", self.read_timeout, Dur::ms(1)),
            ("gossipInterval", self.gossip_interval, Dur::ms(10)),
        ] {
            if d < least {
                return Err(ConfigError::at(
                    at(field),
                    format!("must be at least {least} (got {d})"),
                ));
            }
        }
        if self.down_after < self.gossip_interval {
            return Err(ConfigError::at(
                at("downAfter"),
                format!(
                    "must be at least gossipInterval ({}) (got {}): a node would be taken for \
                     down between two of its own gossip messages",
                    self.gossip_interval, self.down_after
                ),
            ));
        }
        Ok(())
    }

    /// Riak's names for the same settings: `n_val=3 r=2 w=2`.
    pub fn riak(&self) -> String {
        let n = self.replication_factor as usize;
        format!(
            "n_val={n} r={} w={}",
            self.read_consistency.count(n),
            self.write_consistency.count(n)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_count_as_cassandra_does() {
        assert_eq!(Level::Quorum.count(3), 2);
        assert_eq!(Level::Quorum.count(5), 3);
        assert_eq!(Level::Quorum.count(4), 3);
        assert_eq!(Level::All.count(3), 3);
        assert_eq!(Level::Any.count(3), 0);
        let spec = LeaderlessSpec {
            read_consistency: Level::Quorum,
            write_consistency: Level::Quorum,
            ..LeaderlessSpec::default()
        };
        assert_eq!(spec.riak(), "n_val=3 r=2 w=2");
    }

    #[test]
    fn bad_settings_are_refused_by_field() {
        let spec = LeaderlessSpec {
            replication_factor: 4,
            ..LeaderlessSpec::default()
        };
        let e = spec.check(3, false).unwrap_err();
        assert_eq!(e.path, "leaderless.replicationFactor");
        let spec = LeaderlessSpec {
            read_consistency: Level::Any,
            ..LeaderlessSpec::default()
        };
        assert_eq!(
            spec.check(3, false).unwrap_err().path,
            "leaderless.readConsistency"
        );
        let spec = LeaderlessSpec {
            write_consistency: Level::LocalQuorum,
            ..LeaderlessSpec::default()
        };
        assert!(spec.check(3, false).is_err());
        assert!(spec.check(3, true).is_ok());
    }
}
