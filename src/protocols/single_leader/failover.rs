//! Failover settings: how a cluster replaces a primary it can no longer hear.
//!
//! - `raft` (the default): replicas that hear nothing from the primary for a randomised
//!   election timeout stand as candidates in a new term; one vote per term, only for a
//!   candidate whose log is at least as up to date; a majority wins. The term fences: nodes
//!   reject lower terms, a primary that sees a higher one steps down, and a primary that
//!   loses contact with a majority for an election timeout stops accepting writes.
//! - `naive`: an external monitor promotes the most up-to-date replica it can see once it
//!   has not seen the primary for the timeout; no quorum, no fencing of the old primary
//!   (which keeps accepting writes while it is cut off): split brain under partitions.
//! - `off`: nobody takes over; the cluster waits for the primary to come back.

use crate::kernel::time::Dur;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum FailoverMode {
    #[default]
    Raft,
    Naive,
    Off,
}

/// In a scenario: `"failover": {"mode": "raft", "electionTimeout": "1s"}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct FailoverSpec {
    #[serde(default)]
    pub mode: FailoverMode,
    /// Raft: a replica waits a random time between this and twice this without hearing a
    /// primary before it stands. Naive: how long the monitor waits before promoting.
    #[serde(default = "default_election_timeout")]
    pub election_timeout: Dur,
    /// Raft: before standing, ask whether a majority would vote (etcd `--pre-vote`); a
    /// node cut off from the cluster then cannot disrupt it with ever higher terms.
    #[serde(default)]
    pub pre_vote: bool,
}

crate::object_only!(FailoverSpec, r#"{"mode": "raft", "electionTimeout": "1s"}"#);

fn default_election_timeout() -> Dur {
    Dur::ms(1000)
}

impl Default for FailoverSpec {
    fn default() -> FailoverSpec {
        FailoverSpec {
            mode: FailoverMode::Raft,
            election_timeout: default_election_timeout(),
            pre_vote: false,
        }
    }
}
