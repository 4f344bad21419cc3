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
use crate::kernel::time::{Dur, Micros, MICROS_PER_SEC};
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
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
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

/// How far a node's clock may be off true time, either way (microseconds). Real clocks
/// under NTP are off by milliseconds to a second; what the lab teaches (timestamps that
/// misorder writes, leases that expire early) needs seconds to minutes. An hour is ample,
/// and keeps a typo ("5000s" for "5s") from moving a clock by decades.
pub const MAX_CLOCK_OFFSET: Micros = 3_600 * MICROS_PER_SEC;

/// A clock offset within [`MAX_CLOCK_OFFSET`] of true time.
pub(crate) fn check_clock_offset(path: &str, offset: Dur) -> Result<(), ConfigError> {
    if offset.micros() <= MAX_CLOCK_OFFSET {
        Ok(())
    } else {
        Err(ConfigError::at(
            path,
            format!(
                "a clock is at most an hour ({}) off true time, got {offset}",
                Dur(MAX_CLOCK_OFFSET)
            ),
        ))
    }
}

crate::object_only!(TimedFault, r#"{"at": "2s", "action": "crash", "node": 1}"#);

impl FaultAction {
    /// The name a scenario writes (`"crashLoseDisk"`).
    pub fn name(self) -> &'static str {
        use FaultAction::*;
        match self {
            Crash => "crash",
            CrashLoseDisk => "crashLoseDisk",
            Restart => "restart",
            Pause => "pause",
            Resume => "resume",
            Isolate => "isolate",
            Reconnect => "reconnect",
            Partition => "partition",
            Heal => "heal",
            Clock => "clock",
            Promote => "promote",
            Switchover => "switchover",
        }
    }
}

impl TimedFault {
    /// Checks that the action has what it needs and nothing it does not, for a cluster of
    /// `nodes` nodes.
    pub fn check(&self, path: &str, nodes: usize) -> Result<(), ConfigError> {
        use FaultAction::*;
        let kind = self.action.name();
        let at = |field: &str| format!("{path}.{field}");
        let needs_node = !matches!(self.action, Partition | Heal);
        let extra = |field: &str, only: &str| {
            Err(ConfigError::at(
                at(field),
                format!("a {kind} fault takes no {field} ({only})"),
            ))
        };
        if !needs_node && self.node.is_some() {
            let takes = if self.action == Partition {
                "it takes groups, like [[0], [1, 2]]"
            } else {
                "it restores every cut link"
            };
            return extra("node", takes);
        }
        if self.action != Partition && self.groups.is_some() {
            return extra("groups", "only a partition does");
        }
        if self.action != Clock && self.offset.is_some() {
            return extra("offset", "only a clock fault does");
        }
        if self.action != Clock && self.behind {
            return extra("behind", "only a clock fault does");
        }
        match self.node {
            None if needs_node => {
                return Err(ConfigError::at(
                    at("node"),
                    format!("a {kind} fault needs a node, like \"node\": 1"),
                ))
            }
            Some(n) if n as usize >= nodes => {
                return Err(ConfigError::at(
                    at("node"),
                    format!("node {n} does not exist (nodes are 0 to {})", nodes - 1),
                ))
            }
            _ => {}
        }
        if self.action == Partition {
            let Some(groups) = &self.groups else {
                return Err(ConfigError::at(
                    at("groups"),
                    "a partition needs groups, like [[0], [1, 2]]",
                ));
            };
            check_groups(groups, nodes).map_err(|(place, message)| {
                ConfigError::at(format!("{path}.groups{place}"), message)
            })?;
        }
        if self.action == Clock {
            let Some(offset) = self.offset else {
                return Err(ConfigError::at(
                    at("offset"),
                    "a clock fault needs an offset, like \"250ms\"",
                ));
            };
            check_clock_offset(&at("offset"), offset)?;
        }
        Ok(())
    }
}

/// Checks partition groups over nodes `0..nodes`: none empty, no node in two places, every
/// node in range. An error gives where (`[1]` or `[1][0]`) and what is wrong. The world's
/// `partition` action applies the same rules.
pub fn check_groups(groups: &[Vec<NodeId>], nodes: usize) -> Result<(), (String, String)> {
    if groups.is_empty() {
        return Err((
            String::new(),
            "a partition needs at least one group, like [[0], [1, 2]]".into(),
        ));
    }
    let mut seen: Vec<Option<usize>> = vec![None; nodes];
    for (g, group) in groups.iter().enumerate() {
        if group.is_empty() {
            return Err((
                format!("[{g}]"),
                "a group is empty: every group of a partition has at least one node".into(),
            ));
        }
        for (i, &n) in group.iter().enumerate() {
            let place = format!("[{g}][{i}]");
            let Some(slot) = seen.get_mut(n as usize) else {
                return Err((place, format!("node {n} does not exist")));
            };
            match *slot {
                Some(other) if other == g => {
                    return Err((place, format!("node {n} appears twice in group {g}")))
                }
                Some(other) => {
                    return Err((
                        place,
                        format!("node {n} is in two groups ({other} and {g}): a node is on one side of a partition"),
                    ))
                }
                None => *slot = Some(g),
            }
        }
    }
    Ok(())
}
