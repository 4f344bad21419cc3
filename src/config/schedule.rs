//! Timed faults in a scenario: what happens to the cluster and when, so a lesson (or a
//! course author's check with the headless runner) replays the same failure every time.
//!
//! ```json
//! "faults": [
//!   {"at": "2s", "action": "partition", "groups": [[0], [1, 2]]},
//!   {"at": "5s", "action": "heal"},
//!   {"at": "6s", "action": "crash", "node": 1}
//! ]
//! ```

use super::ConfigError;
use crate::kernel::time::Dur;
use crate::kernel::NodeId;
use serde::{Deserialize, Serialize};

/// What a timed fault does.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FaultAction {
    Crash,
    /// Crash and wipe the disk.
    CrashLoseDisk,
    Restart,
    Pause,
    Resume,
    /// Cut every link of `node`, both ways.
    Isolate,
    /// Restore the links `isolate` cut.
    Reconnect,
    /// Split into `groups`.
    Partition,
    /// Restore every cut link.
    Heal,
    /// Set `node`'s clock `offset` (ahead, or behind with `behind: true`).
    Clock,
    /// Forced promotion of `node`.
    Promote,
    /// Planned switchover to `node`.
    Switchover,
}

/// One timed fault. Fields other than `at` and `action` are needed by some actions only.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimedFault {
    pub at: Dur,
    pub action: FaultAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Vec<NodeId>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<Dur>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub behind: bool,
}

impl TimedFault {
    /// Checks that the action has what it needs, for a cluster of `nodes` nodes.
    pub fn check(&self, path: &str, nodes: usize) -> Result<(), ConfigError> {
        use FaultAction::*;
        let needs_node = !matches!(self.action, Partition | Heal);
        match self.node {
            None if needs_node => {
                return Err(ConfigError::at(
                    format!("{path}.node"),
                    format!("{:?} needs a node", self.action),
                ))
            }
            Some(n) if n as usize >= nodes => {
                return Err(ConfigError::at(
                    format!("{path}.node"),
                    format!("node {n} does not exist (nodes are 0 to {})", nodes - 1),
                ))
            }
            _ => {}
        }
        if self.action == Partition {
            let Some(groups) = &self.groups else {
                return Err(ConfigError::at(
                    format!("{path}.groups"),
                    "a partition needs groups, like [[0], [1, 2]]",
                ));
            };
            if let Some(&n) = groups.iter().flatten().find(|&&n| n as usize >= nodes) {
                return Err(ConfigError::at(
                    format!("{path}.groups"),
                    format!("node {n} does not exist"),
                ));
            }
        }
        if self.action == Clock && self.offset.is_none() {
            return Err(ConfigError::at(
                format!("{path}.offset"),
                "a clock fault needs an offset, like \"250ms\"",
            ));
        }
        Ok(())
    }
}
