//! The single-leader model's own actions, beside the kernel's faults and settings: an
//! operator's forced promotion and planned switchover, the replication settings
//! (PostgreSQL `synchronous_standby_names` / `synchronous_commit`, MySQL
//! `rpl_semi_sync_source_timeout` and `rpl_semi_sync_source_wait_point`), the failover mode,
//! and manual operations with their own policy or level.

use super::ack::{AckPolicy, Visibility};
use super::consistency::ReadConsistency;
use super::failover::FailoverSpec;
use super::SingleLeader;
use crate::kernel::actions::Acted;
use crate::kernel::time::Dur;
use crate::kernel::{ActionError, NodeId, Text, World};
use serde::{Deserialize, Serialize};

/// An action of the single-leader model. In JSON: `{"promote": {"node": 2}}`,
/// `{"setAckPolicy": {"policy": "majority"}}`, `{"writeWith": {"key": "x", "value": "1",
/// "ack": "sync"}}`.
#[derive(Clone, Debug, PartialEq, Hash, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum OperatorAction {
    /// Make `node` primary at once, without an election (forced promotion).
    Promote {
        node: NodeId,
    },
    /// Wait until `node` has the whole log, then hand over to it.
    Switchover {
        node: NodeId,
    },
    SetAckPolicy {
        policy: AckPolicy,
    },
    /// `None`: block until enough replicas confirm (PostgreSQL); a wait: fall back to
    /// async after it (MySQL semi-sync).
    SetSemiSyncFallback {
        wait: Option<Dur>,
    },
    SetVisibility {
        visibility: Visibility,
    },
    SetFailover {
        failover: FailoverSpec,
    },
    /// A manual write with its own acknowledgement policy.
    WriteWith {
        key: Text,
        value: Text,
        ack: AckPolicy,
    },
    /// A manual read from `node` at a chosen level.
    ReadWith {
        node: NodeId,
        key: Text,
        consistency: ReadConsistency,
    },
}

impl World<SingleLeader> {
    pub(super) fn act_as_operator(
        &mut self,
        action: &OperatorAction,
    ) -> Result<Acted, ActionError> {
        use OperatorAction::*;
        match action {
            Promote { node } => self.promote(*node).map(|()| Acted::Done),
            Switchover { node } => self.switchover(*node).map(|()| Acted::Done),
            SetAckPolicy { policy } => self.set_ack_policy(*policy).map(|()| Acted::Done),
            SetSemiSyncFallback { wait } => {
                self.set_semi_sync_fallback(wait.map(Dur::micros));
                Ok(Acted::Done)
            }
            SetVisibility { visibility } => {
                self.set_visibility(*visibility);
                Ok(Acted::Done)
            }
            SetFailover { failover } => self
                .set_failover(*failover)
                .map(|()| Acted::Done)
                .map_err(|e| ActionError(e.to_string())),
            WriteWith { key, value, ack } => self.write_with(key, value, *ack).map(Acted::Op),
            ReadWith {
                node,
                key,
                consistency,
            } => self.read_with(*node, key, *consistency).map(Acted::Op),
        }
    }
}
