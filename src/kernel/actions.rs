//! Actions: everything that changes a world from outside, as typed values with their full
//! parameters. A fault, an operator's setting, a manual operation, and a model's own
//! actions (`Protocol::Action`: a forced promotion, an acknowledgement policy) are each an
//! [`Action`]; `World::act` (in `acting.rs`) carries one out and logs it with the moment it
//! happened (the simulated time and how many events had run), so (scenario, seed, action
//! log) rebuilds the run exactly. The scenario's timed faults are actions too, carried out
//! when due (they are in the scenario, so not in the log).
//!
//! In JSON (share links, the page's action log) an action is `{"crash": {"node": 1}}`,
//! `"heal"`, `{"write": {"key": "x", "value": "1"}}`; a model's actions sit beside the
//! kernel's: `{"promote": {"node": 2}}`.

use super::ids::{ClientId, NodeId, OpId, Text};
use super::time::Micros;
use crate::config::{LinkSettings, ServiceSpec, WorkloadPatch};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// One thing done to the world from outside. `A` is the model's own actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Action<A> {
    Crash {
        node: NodeId,
    },
    /// Crash and wipe the disk: it restarts empty.
    CrashLoseDisk {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    Pause {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
    /// Cut (or restore) every link between `node` and the rest.
    Isolate {
        node: NodeId,
        isolated: bool,
    },
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal,
    SetLinkUp {
        from: NodeId,
        to: NodeId,
        up: bool,
    },
    /// Microseconds off true time (negative: behind).
    SetClockOffset {
        node: NodeId,
        offset: i64,
    },
    SetAllLinks {
        link: LinkSettings,
    },
    SetLink {
        from: NodeId,
        to: NodeId,
        link: LinkSettings,
        #[serde(default)]
        one_way: bool,
    },
    AddReplica,
    RemoveReplica {
        node: NodeId,
    },
    SetWorkload {
        patch: WorkloadPatch,
    },
    /// `None`: the service-time model off.
    SetService {
        service: Option<ServiceSpec>,
    },
    /// Spread nodes and clients over the first `regions` regions (0: no geography).
    SetGeography {
        regions: usize,
    },
    SetRegion {
        node: NodeId,
        region: Option<String>,
    },
    SetClientRegion {
        client: ClientId,
        region: Option<String>,
    },
    /// A manual write, routed by the model (`node`: sent to that node instead).
    Write {
        key: Text,
        value: Text,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<NodeId>,
    },
    /// A manual compare-and-set (`expected` `None`: the key must be absent).
    Cas {
        key: Text,
        expected: Option<Text>,
        value: Text,
    },
    /// A manual read from `node`.
    Read {
        node: NodeId,
        key: Text,
    },
    /// An action of the model.
    #[serde(untagged)]
    Model(A),
}

/// The trace hashes an action by its JSON text: every parameter counts, floats included,
/// the same on every platform.
impl<A: Serialize> Hash for Action<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        serde_json::to_string(self).unwrap_or_default().hash(state);
    }
}

/// What an action made that the caller may want: an operation or a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acted {
    Done,
    Op(OpId),
    Node(NodeId),
}

/// An action as logged: when it happened, to the event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Logged<A> {
    /// Simulated time of the action (µs).
    pub at: Micros,
    /// Events the world had processed when it acted (several can share a time).
    pub after: u64,
    pub action: Action<A>,
}
