//! The scenario format: what a course author writes (JSON) to describe a cluster, its
//! network, disks, replication settings and client workload. Parsing names the offending
//! field in every error (`network.loss: must be between 0 and 1 (got 1.5)`), unknown fields
//! are rejected, and [`Scenario::validate`] checks ranges serde cannot.
//!
//! The full format is documented in `docs/scenario-format.md`.

pub mod error;
pub mod json_path;
pub mod network;
pub mod schedule;
pub mod service;

pub use error::ConfigError;
use error::{check_fraction, parse_json, without_position};
pub use network::{Latency, LinkOverride, LinkSettings, NetworkSpec};
pub use service::{parse_service, ServiceSpec};

use crate::kernel::time::Dur;
use crate::protocols::leaderless::settings::LeaderlessSpec;
use crate::protocols::single_leader::failover::FailoverSpec;
pub use schedule::MAX_CLOCK_OFFSET;
use schedule::{check_clock_offset, TimedFault};
use serde::{de, Deserialize, Deserializer, Serialize};
use std::fmt;

/// Most nodes a cluster may have (the page lays them out on one ring).
pub const MAX_NODES: usize = 9;
/// Most workload clients.
pub const MAX_CLIENTS: u32 = 64;
/// Most recent trace events a world keeps for the page (`eventLog`): enough for the
/// event list and the animation, each a few dozen bytes.
pub const MAX_EVENT_LOG: u32 = 10_000;
// Floors of the timers. Below them the lab teaches nothing new, but each event costs
// wall time: nine nodes with 1 µs heartbeats took 46 s per simulated half second (with
// 1 ms heartbeats about 8 ms of wall time per simulated second natively).
/// The shortest heartbeat (`replication.heartbeat`).
pub const MIN_HEARTBEAT: Dur = Dur::ms(1);
/// The shortest `replication.resendAfter`.
pub const MIN_RESEND_AFTER: Dur = Dur::ms(1);
/// `failover.electionTimeout` is at least this many heartbeats.
pub const ELECTION_HEARTBEATS: u64 = 3;
/// The shortest client timeout (`workload.timeout`).
pub const MIN_CLIENT_TIMEOUT: Dur = Dur::ms(1);

/// A scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// The replication model (`"singleLeader"`, the default: see `crate::protocols`).
    #[serde(default)]
    pub model: ModelKind,
    /// A short title shown on the page.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The seed. Optional in the file; a run must be given one (the file's, `--seed`, or the page's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Either a node count (1..=9) or a list of node descriptions. Node 0 starts as primary.
    #[serde(
        default = "default_nodes",
        deserialize_with = "nodes_from_count_or_list"
    )]
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub network: NetworkSpec,
    /// Per-link overrides of the network defaults.
    #[serde(default)]
    pub links: Vec<LinkOverride>,
    #[serde(default)]
    pub disk: DiskSpec,
    #[serde(default)]
    pub replication: ReplicationSpec,
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// The service-time model (absent: nodes serve requests instantly and never queue).
    #[serde(default)]
    pub service: Option<ServiceSpec>,
    /// How a lost primary is replaced (see `failover.rs`).
    #[serde(default)]
    pub failover: FailoverSpec,
    /// The leaderless model's settings (read only with `"model": "leaderless"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaderless: Option<LeaderlessSpec>,
    /// Faults injected at given times (see `schedule.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<TimedFault>,
    /// How long the headless runner simulates when not told otherwise.
    #[serde(default)]
    pub until: Option<Dur>,
    /// How many recent trace events the world keeps for `events_since` (older ones are
    /// still hashed, just not kept).
    #[serde(default = "default_event_log")]
    pub event_log: u32,
}

/// Which replication model a scenario runs.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum ModelKind {
    /// One primary takes every write and ships its log to replicas (PostgreSQL, MySQL,
    /// MongoDB, Raft).
    #[default]
    SingleLeader,
    /// Any node coordinates; N replicas on a hash ring answer by consistency level
    /// (Dynamo, Cassandra, Riak).
    Leaderless,
}

fn default_nodes() -> Vec<NodeSpec> {
    vec![NodeSpec::default(); 4]
}

fn default_event_log() -> u32 {
    4096
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            model: ModelKind::SingleLeader,
            name: String::new(),
            description: String::new(),
            seed: None,
            nodes: default_nodes(),
            network: NetworkSpec::default(),
            links: Vec::new(),
            disk: DiskSpec::default(),
            replication: ReplicationSpec::default(),
            workload: WorkloadSpec::default(),
            service: None,
            failover: FailoverSpec::default(),
            leaderless: None,
            faults: Vec::new(),
            until: None,
            event_log: default_event_log(),
        }
    }
}

/// One node's description.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSpec {
    /// Display name; defaults to `n0`, `n1`, ...
    #[serde(default)]
    pub name: Option<String>,
    /// The node's region (`us-east`, `eu-west`, `ap-south` or `us-west`): links between
    /// regions get realistic latencies (see `geo.rs`) unless `links` overrides them.
    #[serde(default)]
    pub region: Option<String>,
    /// How far this node's wall clock is ahead of true time (for timestamp-based features).
    #[serde(default)]
    pub clock_offset: Dur,
    /// Whether the offset is behind rather than ahead.
    #[serde(default)]
    pub clock_behind: bool,
}

/// Disk speed of every node.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct DiskSpec {
    /// Time for one fsync of whatever has been written (group commit).
    #[serde(default = "default_fsync")]
    pub fsync: Dur,
    /// Time to apply (replay) one log entry to the key/value store.
    #[serde(default = "default_apply")]
    pub apply: Dur,
}

fn default_fsync() -> Dur {
    Dur::ms(2)
}

fn default_apply() -> Dur {
    Dur::us(500)
}

impl Default for DiskSpec {
    fn default() -> DiskSpec {
        DiskSpec {
            fsync: default_fsync(),
            apply: default_apply(),
        }
    }
}

pub use crate::protocols::single_leader::ack::{AckPolicy, Visibility};
use crate::protocols::single_leader::consistency::{OnBehind, ReadConsistency};

/// Log shipping settings of the primary.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplicationSpec {
    /// How long the primary waits to gather entries into one batch before shipping.
    #[serde(default = "default_batch_delay")]
    pub batch_delay: Dur,
    /// Most entries in one shipped batch.
    #[serde(default = "default_max_batch")]
    pub max_batch: u32,
    /// Interval of the primary's heartbeats (empty appends), like `wal_sender` keepalives.
    #[serde(default = "default_heartbeat")]
    pub heartbeat: Dur,
    /// When a replica's acknowledgement has not advanced for this long, resend from its
    /// acknowledged position (recovers from lost batches).
    #[serde(default = "default_resend_after")]
    pub resend_after: Dur,
    /// When a write is acknowledged to its client (see `ack.rs`); a write may override it.
    #[serde(default)]
    pub ack_policy: AckPolicy,
    /// A replica the primary has not heard from for this long no longer counts as connected
    /// (PostgreSQL `wal_sender_timeout`), so `FIRST k` moves on to the next replica.
    #[serde(default = "default_standby_timeout")]
    pub standby_timeout: Dur,
    /// With too few replicas confirming: absent = block until they do (PostgreSQL); a
    /// duration = after waiting this long, fall back to asynchronous acknowledgement and
    /// return to semi-sync when a replica catches up (MySQL `rpl_semi_sync_source_timeout`).
    #[serde(default)]
    pub semi_sync_fallback: Option<Dur>,
    /// When a write becomes visible to reads at the primary: `afterSync` (once
    /// acknowledged; MySQL's default wait point) or `afterCommit` (at the local commit).
    #[serde(default)]
    pub visibility: Visibility,
    /// Log entries every node keeps behind its last one whatever else happens
    /// (PostgreSQL `wal_keep_size`, counted here in entries rather than megabytes).
    #[serde(default)]
    pub wal_keep_size: u32,
    /// The primary keeps a replication slot per replica: the WAL a replica has not yet
    /// flushed is kept for it (PostgreSQL physical replication slots).
    #[serde(default = "default_true")]
    pub replication_slots: bool,
    /// A slot holds at most this many entries; a replica further behind loses its slot
    /// and is re-seeded from a base backup (PostgreSQL `max_slot_wal_keep_size`, whose own
    /// default is unlimited; the lab bounds it so memory stays bounded).
    #[serde(default = "default_max_slot_wal_keep_size")]
    pub max_slot_wal_keep_size: u32,
    /// A node checkpoints (folds its applied, committed entries into the stored copy and
    /// recycles their WAL) once this many can go (PostgreSQL `max_wal_size`, in entries).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: u32,
    /// Batches the primary keeps in flight to one replica before waiting for its
    /// acknowledgement (Raft's `MaxInflightMsgs`, a WAL sender's window).
    #[serde(default = "default_max_inflight")]
    pub max_inflight: u32,
}

fn default_true() -> bool {
    true
}
fn default_max_slot_wal_keep_size() -> u32 {
    10_000
}
fn default_checkpoint_every() -> u32 {
    1_000
}
fn default_max_inflight() -> u32 {
    8
}

fn default_standby_timeout() -> Dur {
    Dur::ms(1000)
}

fn default_batch_delay() -> Dur {
    Dur::ms(1)
}
fn default_max_batch() -> u32 {
    32
}
fn default_heartbeat() -> Dur {
    Dur::ms(100)
}
fn default_resend_after() -> Dur {
    Dur::ms(300)
}

impl Default for ReplicationSpec {
    fn default() -> ReplicationSpec {
        ReplicationSpec {
            batch_delay: default_batch_delay(),
            max_batch: default_max_batch(),
            heartbeat: default_heartbeat(),
            resend_after: default_resend_after(),
            ack_policy: AckPolicy::ASYNC,
            standby_timeout: default_standby_timeout(),
            semi_sync_fallback: None,
            visibility: Visibility::AfterSync,
            wal_keep_size: 0,
            replication_slots: true,
            max_slot_wal_keep_size: default_max_slot_wal_keep_size(),
            checkpoint_every: default_checkpoint_every(),
            max_inflight: default_max_inflight(),
        }
    }
}

/// Where a workload client sends its reads.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum ReadTarget {
    /// Always the primary (MongoDB read preference `primary`).
    Primary,
    /// A uniformly chosen replica, never the primary unless it is alone (`secondary`).
    #[default]
    AnyReplica,
    /// Any node, primary included.
    Any,
    /// The node with the lowest latency from the client's region, primary included
    /// (MongoDB read preference `nearest`).
    Nearest,
}

/// The seeded client workload: closed-loop clients (one operation outstanding each, like
/// Jepsen's processes) with exponential think time.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadSpec {
    #[serde(default = "default_clients")]
    pub clients: u32,
    /// Operations per second each client attempts (mean of the think time between them).
    #[serde(default = "default_rate")]
    pub rate: f64,
    /// Fraction (0 to 1) of operations that are reads.
    #[serde(default = "default_read_fraction")]
    pub read_fraction: f64,
    /// Fraction (0 to 1) of the other operations that are compare-and-sets (from the value
    /// the client last saw for the key to a new one) rather than plain writes.
    #[serde(default)]
    pub cas_fraction: f64,
    /// Number of distinct keys (`k0`, `k1`, ...).
    #[serde(default = "default_keys")]
    pub keys: u32,
    /// Zipf exponent of key popularity: 0 is uniform, 1 or more is strongly skewed.
    #[serde(default)]
    pub skew: f64,
    #[serde(default)]
    pub read_from: ReadTarget,
    /// The consistency level of every client session's reads (see `consistency.rs`).
    #[serde(default)]
    pub read_consistency: ReadConsistency,
    /// What a replica does with a read it cannot serve yet: `wait` or `redirect`.
    #[serde(default)]
    pub on_behind: OnBehind,
    /// A client gives up on an operation after this long (a write's outcome is then unknown).
    #[serde(default = "default_timeout")]
    pub timeout: Dur,
    /// Regions the clients sit in, round-robin (client `i` in `clientRegions[i % len]`).
    #[serde(default)]
    pub client_regions: Vec<String>,
    /// Clients start no new operation after this time (default: they never stop), so a run
    /// can end quiescent.
    #[serde(default)]
    pub stop_after: Option<Dur>,
}

fn default_clients() -> u32 {
    3
}
fn default_rate() -> f64 {
    5.0
}
fn default_read_fraction() -> f64 {
    0.6
}
fn default_keys() -> u32 {
    8
}
fn default_timeout() -> Dur {
    Dur::ms(2000)
}

impl Default for WorkloadSpec {
    fn default() -> WorkloadSpec {
        WorkloadSpec {
            clients: default_clients(),
            rate: default_rate(),
            read_fraction: default_read_fraction(),
            cas_fraction: 0.0,
            keys: default_keys(),
            skew: 0.0,
            read_from: ReadTarget::AnyReplica,
            read_consistency: ReadConsistency::Eventual,
            on_behind: OnBehind::Wait,
            timeout: default_timeout(),
            client_regions: Vec::new(),
            stop_after: None,
        }
    }
}

fn nodes_from_count_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NodeSpec>, D::Error> {
    struct Visitor;
    impl<'de> de::Visitor<'de> for Visitor {
        type Value = Vec<NodeSpec>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a node count (1 to {MAX_NODES}) or a list of nodes")
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            if n == 0 || n > MAX_NODES as u64 {
                return Err(E::custom(format!(
                    "a cluster has 1 to {MAX_NODES} nodes (got {n})"
                )));
            }
            Ok(vec![NodeSpec::default(); n as usize])
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            if n < 0 {
                return Err(E::custom(format!(
                    "a cluster has 1 to {MAX_NODES} nodes (got {n})"
                )));
            }
            self.visit_u64(n as u64)
        }
        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            if n.fract() != 0.0 || n < 0.0 {
                return Err(E::custom(format!(
                    "a node count must be a whole number (got {n})"
                )));
            }
            self.visit_u64(n as u64)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut nodes = Vec::new();
            while let Some(node) = seq.next_element::<NodeSpec>()? {
                nodes.push(node);
            }
            Ok(nodes)
        }
    }
    d.deserialize_any(Visitor)
}

impl Scenario {
    /// Reads a scenario from JSON text and validates it. Errors name the field.
    pub fn from_json(text: &str) -> Result<Scenario, ConfigError> {
        let scenario: Scenario = parse_json(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Range checks that the types alone do not express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_settings()?;
        if let Some(why) = self.replication.ack_policy.unmet_in(self.nodes.len()) {
            return Err(ConfigError::at(
                "replication.ackPolicy.replicas",
                format!(
                    "{why}; ask for at most {}, or use \"majority\" or \"all\"",
                    self.nodes.len() - 1
                ),
            ));
        }
        Ok(())
    }

    /// Every check of [`validate`](Self::validate) but the acknowledgement policy against
    /// the node count: what a setting changed while a world runs re-checks (the world's
    /// scenario keeps the nodes it started with; the running cluster may have more or
    /// fewer, and the world checks the policy against those).
    pub fn validate_settings(&self) -> Result<(), ConfigError> {
        let n = self.nodes.len();
        if n == 0 || n > MAX_NODES {
            return Err(ConfigError::at(
                "nodes",
                format!("a cluster has 1 to {MAX_NODES} nodes (got {n})"),
            ));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(r) = &node.region {
                check_region(&format!("nodes[{i}].region"), r)?;
            }
            check_clock_offset(&format!("nodes[{i}].clockOffset"), node.clock_offset)?;
        }
        if self.event_log > MAX_EVENT_LOG {
            return Err(ConfigError::at(
                "eventLog",
                format!(
                    "at most {MAX_EVENT_LOG} recent trace events are kept for the page (got {}); \
                     every event is hashed whatever this says",
                    self.event_log
                ),
            ));
        }
        check_fraction("network.loss", self.network.loss)?;
        self.network.latency.check("network.latency")?;
        self.network.client_latency.check("network.clientLatency")?;
        for (i, link) in self.links.iter().enumerate() {
            let at = |field: &str| format!("links[{i}].{field}");
            for (field, end) in [("from", link.from), ("to", link.to)] {
                if end as usize >= n {
                    return Err(ConfigError::at(
                        at(field),
                        format!("node {end} does not exist (nodes are 0 to {})", n - 1),
                    ));
                }
            }
            if link.from == link.to {
                return Err(ConfigError::at(
                    at("to"),
                    "a link joins two different nodes",
                ));
            }
            if let Some(loss) = link.loss {
                check_fraction(&at("loss"), loss)?;
            }
            if let Some(latency) = &link.latency {
                latency.check(&at("latency"))?;
            }
        }
        let r = &self.replication;
        if r.max_batch == 0 {
            return Err(ConfigError::at(
                "replication.maxBatch",
                "must be at least 1",
            ));
        }
        for (field, d, min, why) in [
            (
                "heartbeat",
                r.heartbeat,
                MIN_HEARTBEAT,
                "(MySQL and MariaDB refuse a replication heartbeat period under 1ms; etcd's \
                 default is 100ms): shorter ones only cost simulation time",
            ),
            (
                "resendAfter",
                r.resend_after,
                MIN_RESEND_AFTER,
                "(the primary checks at each heartbeat; TCP itself waits at least 200ms \
                 before it retransmits)",
            ),
        ] {
            if d < min {
                return Err(ConfigError::at(
                    format!("replication.{field}"),
                    format!("must be at least {min} (got {d}) {why}"),
                ));
            }
        }
        for (field, value, least, most) in [
            ("maxInflight", r.max_inflight, 1, 1_000),
            ("checkpointEvery", r.checkpoint_every, 16, 1_000_000),
            (
                "maxSlotWalKeepSize",
                r.max_slot_wal_keep_size,
                16,
                10_000_000,
            ),
            ("walKeepSize", r.wal_keep_size, 0, 1_000_000),
        ] {
            if !(least..=most).contains(&value) {
                return Err(ConfigError::at(
                    format!("replication.{field}"),
                    format!("must be from {least} to {most} (got {value})"),
                ));
            }
        }
        if r.standby_timeout < r.heartbeat {
            return Err(ConfigError::at(
                "replication.standbyTimeout",
                format!(
                    "must be at least replication.heartbeat ({}) (got {}): a replica answers \
                     each heartbeat, so a shorter timeout counts it disconnected between two \
                     (PostgreSQL's wal_sender_timeout must likewise exceed the standby's \
                     wal_receiver_status_interval)",
                    r.heartbeat, r.standby_timeout
                ),
            ));
        }
        let min_election = Dur(r.heartbeat.micros() * ELECTION_HEARTBEATS);
        if self.failover.election_timeout < min_election {
            return Err(ConfigError::at(
                "failover.electionTimeout",
                format!(
                    "must be at least {ELECTION_HEARTBEATS} times replication.heartbeat \
                     ({}), so at least {min_election} (got {}): a replica must miss two \
                     heartbeats in a row before it stands, or one late heartbeat starts an \
                     election (etcd refuses an --election-timeout under 5 times its \
                     --heartbeat-interval)",
                    r.heartbeat, self.failover.election_timeout
                ),
            ));
        }
        let w = &self.workload;
        if w.clients > MAX_CLIENTS {
            return Err(ConfigError::at(
                "workload.clients",
                format!("at most {MAX_CLIENTS} clients (got {})", w.clients),
            ));
        }
        if !(w.rate.is_finite() && (0.0..=10_000.0).contains(&w.rate)) {
            return Err(ConfigError::at(
                "workload.rate",
                format!(
                    "must be between 0 and 10000 operations per second (got {})",
                    w.rate
                ),
            ));
        }
        check_fraction("workload.readFraction", w.read_fraction)?;
        check_fraction("workload.casFraction", w.cas_fraction)?;
        if w.keys == 0 || w.keys > 100_000 {
            return Err(ConfigError::at(
                "workload.keys",
                format!("must be between 1 and 100000 (got {})", w.keys),
            ));
        }
        if !(w.skew.is_finite() && (0.0..=5.0).contains(&w.skew)) {
            return Err(ConfigError::at(
                "workload.skew",
                format!("must be between 0 and 5 (got {})", w.skew),
            ));
        }
        if w.timeout < MIN_CLIENT_TIMEOUT {
            return Err(ConfigError::at(
                "workload.timeout",
                format!(
                    "must be at least {MIN_CLIENT_TIMEOUT} (got {}): a client gives up on an \
                     operation after this long",
                    w.timeout
                ),
            ));
        }
        for (i, r) in w.client_regions.iter().enumerate() {
            check_region(&format!("workload.clientRegions[{i}]"), r)?;
        }
        if let Some(s) = &self.service {
            s.check()?;
        }
        self.validate_model()?;
        for (i, f) in self.faults.iter().enumerate() {
            f.check(&format!("faults[{i}]"), n)?;
        }
        Ok(())
    }
}

impl Scenario {
    /// The model's own settings: a `leaderless` object only with that model, and what
    /// the leaderless model cannot do refused.
    fn validate_model(&self) -> Result<(), ConfigError> {
        match self.model {
            ModelKind::SingleLeader => match self.leaderless {
                Some(_) => Err(ConfigError::at(
                    "leaderless",
                    "is read only with \"model\": \"leaderless\" (this scenario runs the \
                     single-leader model)",
                )),
                None => Ok(()),
            },
            ModelKind::Leaderless => {
                if self.workload.cas_fraction > 0.0 {
                    return Err(ConfigError::at(
                        "workload.casFraction",
                        format!(
                            "must be 0 with the leaderless model (got {}): compare-and-set \
                             needs consensus (Cassandra's lightweight transactions run Paxos, \
                             not modelled here)",
                            self.workload.cas_fraction
                        ),
                    ));
                }
                let regions = self.nodes.iter().any(|n| n.region.is_some());
                self.leaderless
                    .clone()
                    .unwrap_or_default()
                    .check(self.nodes.len(), regions)
            }
        }
    }
}

// What each part of a scenario looks like, for the error when something else (an array)
// stands there; each is read only from a JSON object.
crate::object_only!(Scenario, r#"{"nodes": 3, "workload": {"clients": 2}}"#);
crate::object_only!(NodeSpec, r#"{"name": "n1", "region": "eu-west"}"#);
crate::object_only!(DiskSpec, r#"{"fsync": "2ms", "apply": "500us"}"#);
crate::object_only!(
    ReplicationSpec,
    r#"{"heartbeat": "100ms", "ackPolicy": "majority"}"#
);
crate::object_only!(WorkloadSpec, r#"{"clients": 3, "rate": 5}"#);
crate::object_only!(WorkloadPatch, r#"{"rate": 10}"#);

fn check_region(path: &str, name: &str) -> Result<(), ConfigError> {
    if crate::kernel::geo::region(name).is_some() {
        Ok(())
    } else {
        Err(ConfigError::at(
            path,
            format!(
                "unknown region {name:?} (known: {})",
                crate::kernel::geo::REGIONS.join(", ")
            ),
        ))
    }
}

/// A change to the running workload, as the page sends it: any of its fields.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_fraction: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cas_fraction: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skew: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_from: Option<ReadTarget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_consistency: Option<ReadConsistency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behind: Option<OnBehind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Dur>,
}

impl WorkloadPatch {
    pub fn apply(&self, w: &mut WorkloadSpec) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f.clone() { w.$f = v; } )* };
        }
        set!(
            clients,
            rate,
            read_fraction,
            cas_fraction,
            keys,
            skew,
            read_from,
            read_consistency,
            on_behind,
            timeout
        );
    }
}

/// Reads a workload change from JSON text.
pub fn parse_workload_patch(text: &str) -> Result<WorkloadPatch, ConfigError> {
    parse_json(text).map_err(without_position)
}

/// Reads failover settings from JSON text.
pub fn parse_failover(text: &str) -> Result<FailoverSpec, ConfigError> {
    parse_json(text).map_err(without_position)
}

/// Reads an acknowledgement policy from JSON text (`"majority"`, `{"replicas": 2}`, ...).
pub fn parse_ack_policy(text: &str) -> Result<AckPolicy, ConfigError> {
    parse_json(text)
}

/// Reads a visibility point from JSON text (`"afterSync"` or `"afterCommit"`).
pub fn parse_visibility(text: &str) -> Result<Visibility, ConfigError> {
    parse_json(text).map_err(without_position)
}

/// Reads a read consistency level from JSON text (`"readYourWrites"`, ...).
pub fn parse_read_consistency(text: &str) -> Result<ReadConsistency, ConfigError> {
    parse_json(text)
}
