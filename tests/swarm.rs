//! The swarm (FoundationDB's simulation, TigerBeetle's VOPR): one seed picks the cluster
//! (3 to 7 nodes), the acknowledgement policy, the read level and routing, the visibility
//! point, the failover mode and pre-vote, and a random fault schedule (crash, restart,
//! crash losing the disk, pause, partition, one-way cut, loss, delay, clock skew, adding
//! and removing replicas, switchover). A safety phase with faults, then a heal and a
//! liveness phase; then every checker runs on the history.
//!
//! Wherever the configuration promises something (a write acknowledged by a majority
//! under Raft is never lost, a linearizable read is never stale, replicas converge, one
//! leader per term) a single violation fails the seed; anomalies the configuration allows
//! must be found and named (they are counted, never silent). A failing seed prints the
//! one-line command that replays it.
//!
//! `SWARM_SEEDS=N` sets how many seeds run (default: 500 in release builds, 40 in debug
//! builds), `SWARM_FIRST=K` the first seed, `SWARM_SEED=S` runs one seed and prints what it
//! did. `bash scripts/swarm.sh N` runs N seeds in release.
#![cfg(not(target_arch = "wasm32"))]

use replica_lab::checks::{Kind, Report};
use replica_lab::clients::history::Outcome;
use replica_lab::config::Latency;
use replica_lab::kernel::net::LinkSpec;
use replica_lab::kernel::rng::SimRng;
use replica_lab::kernel::time::MICROS_PER_MS;
use replica_lab::kernel::NodeStatus;
use replica_lab::protocols::single_leader::leadership::WalCounts;
use replica_lab::protocols::single_leader::messages::NodeId;
use replica_lab::{Scenario, World};
use std::fmt::Write as _;

const MS: u64 = MICROS_PER_MS;
/// Faults happen during the first this-many simulated ms.
const SAFETY_MS: u64 = 8_000;
/// After the heal, clients keep working this long (writes must succeed again), then stop.
const AFTER_HEAL_MS: u64 = 3_000;
/// Then the cluster is left alone to converge.
const QUIET_MS: u64 = 6_000;

/// One seed's cluster and settings, in words for the failure message.
struct Setup {
    scenario: Scenario,
    /// The settings the seed chose, as the scenario writes them.
    summary: String,
    raft: bool,
    /// Writes wait for a majority (or all) to flush: acknowledged writes survive Raft.
    durable_acks: bool,
    linearizable_reads: bool,
}

fn pick<'a, T>(rng: &mut SimRng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

fn setup(seed: u64) -> Setup {
    let mut rng = SimRng::derive(seed, "swarm-setup", 0);
    let nodes = 3 + rng.below(5);
    let ack = *pick(
        &mut rng,
        &[
            r#""async""#,
            r#""off""#,
            r#"{"replicas": 1, "point": "received"}"#,
            r#"{"replicas": 1, "select": "first", "point": "flushed"}"#,
            r#""majority""#,
            r#""majority""#,
            r#"{"replicas": "all", "point": "flushed"}"#,
            r#"{"replicas": "all", "point": "applied"}"#,
        ],
    );
    let level = *pick(
        &mut rng,
        &[
            r#""eventual""#,
            r#""readYourWrites""#,
            r#""monotonic""#,
            r#"{"boundedStaleness": {"max": "200ms"}}"#,
            r#""majority""#,
            r#""linearizable""#,
            r#""linearizable""#,
        ],
    );
    let read_from = *pick(&mut rng, &["primary", "anyReplica", "any"]);
    let on_behind = *pick(&mut rng, &["wait", "redirect"]);
    let mode = *pick(&mut rng, &["raft", "raft", "raft", "raft", "naive", "off"]);
    let pre_vote = rng.chance(500_000);
    let visibility = *pick(&mut rng, &["afterSync", "afterCommit"]);
    let fallback = if rng.chance(200_000) {
        r#", "semiSyncFallback": "400ms""#
    } else {
        ""
    };
    let cas = *pick(&mut rng, &[0.0, 0.0, 0.3]);
    let loss = *pick(&mut rng, &[0.0, 0.0, 0.02]);
    let reorder = rng.chance(200_000);
    let timeout = 300 + rng.below(500);
    let clients = 3 + rng.below(4);
    let rate = 15 + rng.below(30);
    let keys = 2 + rng.below(6);
    let reads = 3 + rng.below(5);
    // WAL retention: mostly the defaults, sometimes so tight that checkpoints recycle
    // often and a replica that falls behind is re-seeded from a base backup.
    let checkpoint_every = *pick(&mut rng, &[1_000, 1_000, 16, 64]);
    let slot_keep = *pick(&mut rng, &[10_000, 10_000, 32, 200]);
    let slots = rng.chance(800_000);
    let wal_keep = *pick(&mut rng, &[0, 0, 8]);
    let inflight = *pick(&mut rng, &[8, 8, 1, 2]);
    let wal = format!(
        r#", "checkpointEvery": {checkpoint_every}, "maxSlotWalKeepSize": {slot_keep}, "replicationSlots": {slots}, "walKeepSize": {wal_keep}, "maxInflight": {inflight}"#
    );
    let json = format!(
        r#"{{"nodes": {nodes},
            "network": {{"latency": {{"kind": "uniform", "min": "2ms", "max": "20ms"}}, "loss": {loss}, "reorder": {reorder},
                         "clientLatency": "2ms"}},
            "disk": {{"fsync": "2ms", "apply": "1ms"}},
            "replication": {{"heartbeat": "50ms", "ackPolicy": {ack}, "visibility": "{visibility}"{fallback}{wal}}},
            "failover": {{"mode": "{mode}", "electionTimeout": "{timeout}ms", "preVote": {pre_vote}}},
            "workload": {{"clients": {clients}, "rate": {rate}, "readFraction": 0.{reads}, "casFraction": {cas},
                         "keys": {keys}, "readFrom": "{read_from}", "readConsistency": {level},
                         "onBehind": "{on_behind}", "timeout": "1s",
                         "stopAfter": "{}ms"}}}}"#,
        SAFETY_MS + AFTER_HEAL_MS
    );
    let scenario =
        Scenario::from_json(&json).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{json}"));
    let summary = format!(
        "{nodes} nodes, ack {ack}, visibility {visibility}{fallback}{wal}, reads {level} from {read_from} ({on_behind}), failover {mode} (pre-vote {pre_vote}, timeout {timeout} ms), cas {cas}, loss {loss}, reorder {reorder}"
    );
    Setup {
        summary,
        raft: mode == "raft",
        // (Semi-sync's fallback acknowledges without the replicas once it gives up.)
        durable_acks: fallback.is_empty()
            && (matches!(ack, r#""majority""#)
                || ack.contains(r#""all", "point": "flushed""#)
                || ack.contains(r#""all", "point": "applied""#)),
        linearizable_reads: level == r#""linearizable""#,
        scenario,
    }
}

/// The fault schedule: at random moments of the safety phase, one action each.
fn faults(w: &mut World, rng: &mut SimRng, log: &mut String) {
    let mut next = 200 * MS + rng.below(800) * MS;
    while next < SAFETY_MS * MS {
        w.run_until(next, u64::MAX);
        let members = w.members();
        let node = *pick(rng, &members);
        // Still recovering from a lost disk: forgetful, or re-admitted but not voting yet.
        let recovering = members
            .iter()
            .any(|&m| w.node(m).amnesiac.is_some() || !w.node(m).config.is_voter(m));
        let result = match rng.below(13) {
            0 | 1 => w.crash(node).map(|_| "crash"),
            2 | 3 => {
                let down: Vec<NodeId> = members
                    .iter()
                    .copied()
                    .filter(|&m| w.slot(m).status == NodeStatus::Crashed)
                    .collect();
                match down.first() {
                    Some(&d) => w.restart(d).map(|_| "restart"),
                    None => Ok("(nothing to restart)"),
                }
            }
            // One node at a time may have lost its disk: beyond that a majority of the
            // copies of a write can vanish, which no replication protocol survives.
            4 if !recovering => w.crash_lose_disk(node).map(|_| "crash losing the disk"),
            5 => match w.slot(node).status {
                NodeStatus::Paused => w.resume(node).map(|_| "resume"),
                _ => w.pause(node).map(|_| "pause"),
            },
            6 => {
                let cut = 1 + rng.below(members.len() as u64 / 2) as usize;
                let mut shuffled = members.clone();
                for i in (1..shuffled.len()).rev() {
                    shuffled.swap(i, rng.below(i as u64 + 1) as usize);
                }
                let groups = vec![shuffled[..cut].to_vec(), shuffled[cut..].to_vec()];
                w.partition(&groups).map(|_| "partition")
            }
            7 => {
                let other = *pick(rng, &members);
                w.set_link_up(node, other, false).map(|_| "one-way cut")
            }
            8 => {
                let spec = LinkSpec {
                    latency: Latency::Uniform {
                        min: replica_lab::kernel::time::Dur::ms(2),
                        max: replica_lab::kernel::time::Dur::ms(20 + rng.below(200)),
                    },
                    jitter: 0,
                    loss: rng.below(150_000) as u32,
                    reorder: rng.chance(300_000),
                };
                w.set_all_links(spec);
                Ok("loss and delay")
            }
            9 => {
                let offset = (rng.below(1_000) as i64 - 500) * MS as i64;
                w.set_clock_offset(node, offset).map(|_| "clock skew")
            }
            10 if members.len() < 7 => w.add_replica().map(|_| "add replica"),
            11 if members.iter().filter(|&&m| !w.is_leaving(m)).count() > 3 => {
                w.remove_replica(node).map(|_| "remove replica")
            }
            12 => w.switchover(node).map(|_| "switchover"),
            _ => {
                w.heal();
                Ok("heal")
            }
        };
        let _ = writeln!(
            log,
            "  {:>6} ms  n{node}: {}",
            w.now() / MS,
            result.unwrap_or_else(|e| {
                // A refused action (restarting a running node...) is part of the swarm too.
                Box::leak(format!("refused: {e}").into_boxed_str())
            })
        );
        next += 100 * MS + rng.below(1_400) * MS;
    }
}

/// Undoes every fault: restarts, resumes, heals, fast clean links, true clocks.
fn heal_everything(w: &mut World) {
    for m in w.members() {
        // A restart can let a leaving node go: skip what is no longer there.
        if !w.members().contains(&m) {
            continue;
        }
        match w.slot(m).status {
            NodeStatus::Crashed => w.restart(m).unwrap(),
            NodeStatus::Paused => w.resume(m).unwrap(),
            _ => {}
        }
        w.set_clock_offset(m, 0).unwrap();
    }
    w.heal();
    if w.scenario().failover.mode
        == replica_lab::protocols::single_leader::failover::FailoverMode::Off
    {
        // Nobody takes over by themselves: an operator promotes the most up-to-date
        // replica if the primary is gone for good (its disk was wiped).
        let gone = w.primary().is_none()
            && !w.members().iter().any(|&m| {
                w.node(m).role == replica_lab::protocols::single_leader::node::Role::Primary
            });
        if gone {
            let best = w
                .members()
                .into_iter()
                .filter(|&m| w.node(m).electable())
                .max_by_key(|&m| {
                    let n = w.node(m);
                    (n.term_at(n.last_lsn()), n.last_lsn())
                });
            if let Some(best) = best {
                let _ = w.promote(best);
            }
        }
    }
    w.set_all_links(LinkSpec {
        latency: Latency::Uniform {
            min: replica_lab::kernel::time::Dur::ms(2),
            max: replica_lab::kernel::time::Dur::ms(20),
        },
        jitter: 0,
        loss: 0,
        reorder: false,
    });
}

/// Every member as the world sees it, for a failing seed replayed alone.
fn describe_nodes(w: &World) -> String {
    let mut out = String::new();
    for m in w.members() {
        let n = w.node(m);
        let _ = writeln!(
            out,
            "    n{m}: {:?} {:?} term {} last {} (term {}) commit {} applied {} checkpoint {} config {}{}",
            w.slot(m).status,
            n.role,
            n.term,
            n.last_lsn(),
            n.term_at(n.last_lsn()),
            n.commit,
            n.positions.applied,
            n.wal.base(),
            n.config.describe(),
            if n.amnesiac.is_some() {
                " amnesiac"
            } else {
                ""
            },
        );
        if let Some(leader) = &n.leader {
            for (peer, p) in &leader.peers {
                let _ = writeln!(
                    out,
                    "        → n{peer}: sent {} acked {:?} connected {} slot lost {}",
                    p.sent, p.acked, p.connected, p.slot_lost
                );
            }
        }
    }
    out
}

/// Runs one seed: the checkers' report and whether the settings promised everything
/// (majority writes, Raft, linearizable reads); `Err` says what went wrong and how to replay.
fn run_seed(seed: u64) -> Result<(Report, bool, WalCounts), String> {
    let s = setup(seed);
    let mut w = World::new(&s.scenario, seed).map_err(|e| e.to_string())?;
    let mut rng = SimRng::derive(seed, "swarm-faults", 0);
    let mut log = String::new();
    faults(&mut w, &mut rng, &mut log);
    w.run_until(SAFETY_MS * MS, u64::MAX);
    heal_everything(&mut w);
    let healed_at = w.now();
    w.run_until((SAFETY_MS + AFTER_HEAL_MS + QUIET_MS) * MS, u64::MAX);
    let nodes = describe_nodes(&w);
    let fail = |what: String| {
        let detail = if std::env::var("SWARM_SEED").is_ok() {
            format!("  at the end:\n{nodes}")
        } else {
            String::new()
        };
        format!(
            "seed {seed}: {what}\n  setup: {}\n  faults:\n{log}{detail}  replay: SWARM_SEED={seed} cargo test --release --test swarm -- --nocapture",
            s.summary
        )
    };
    // Liveness: with failover (or once the old primary is back) the healed cluster has
    // one primary, every member has the whole log, and writes succeeded after the heal.
    let Some(primary) = w.primary() else {
        return Err(fail("no primary after the heal".into()));
    };
    if !w.looks_settled() {
        return Err(fail("the cluster did not settle".into()));
    }
    let report = w.anomalies(true);
    // A promise the configuration made, broken: a bug, whatever the kind.
    if report.broken_promises() > 0 {
        let broken: Vec<String> = report
            .found
            .iter()
            .flat_map(|(k, f)| {
                f.examples
                    .iter()
                    .filter(|e| e.promised)
                    .map(move |e| format!("{k}: {} (ops {:?})", e.text, e.ops))
            })
            .collect();
        return Err(fail(format!("broken promises: {}", broken.join("; "))));
    }
    // Log Matching: the same terms at every position, and the same entries wherever both
    // keep them (the moment each was written aside: two no-ops of one term are the same).
    let entry_of = |n: NodeId, lsn: u64| {
        w.node(n)
            .entry(lsn)
            .map(|e| (e.term, e.op, e.payload.clone()))
    };
    for m in w.members() {
        let (mine, theirs) = (w.node(m), w.node(primary));
        let differs = (1..=mine.last_lsn().max(theirs.last_lsn())).find(|&lsn| {
            mine.term_at(lsn) != theirs.term_at(lsn)
                || matches!((entry_of(m, lsn), entry_of(primary, lsn)), (Some(a), Some(b)) if a != b)
        });
        if let (Some(at), true) = (differs, s.raft) {
            return Err(fail(format!(
                "n{m}'s log differs from the primary n{primary}'s after the quiet phase ({} vs {} entries), first at lsn {at}: {:?} vs {:?}",
                mine.last_lsn(),
                theirs.last_lsn(),
                entry_of(m, at),
                entry_of(primary, at),
            )));
        }
        // (A naive manager can leave a primary waiting for a voter that is gone.)
        if s.raft && w.node(m).positions.applied != w.node(primary).last_lsn() {
            return Err(fail(format!("n{m} has not applied the whole log")));
        }
    }
    let written_after_heal = w.history().ops().iter().any(|o| {
        o.kind.mutates() && o.outcome == Outcome::Ok && o.invoked_at > healed_at + 1_500 * MS
    });
    if !written_after_heal && std::env::var("SWARM_SEED").is_ok() {
        for o in w
            .history()
            .ops()
            .iter()
            .filter(|o| o.invoked_at > healed_at)
        {
            eprintln!(
                "  op {} c{} {:?} {:?} asked n{} node n{} served {:?} {:?} {:?} at {}..{:?}",
                o.id,
                o.client,
                o.kind,
                o.outcome,
                o.asked,
                o.node,
                o.served_by,
                o.error,
                o.redirects,
                o.invoked_at / MS,
                o.completed_at.map(|t| t / MS)
            );
        }
        eprintln!("{}", describe_nodes(&w));
    }
    if !written_after_heal {
        return Err(fail("no write succeeded after the heal".into()));
    }
    // Never silent: counted independently of the checker, every acknowledged write the
    // final log does not hold is reported lost, and every write the world marked lost is.
    // (Recycled positions hold the write that landed there in the same term: Log Matching.)
    let final_node = w.node(primary);
    let mut final_ops: std::collections::BTreeSet<u64> =
        final_node.wal.from(0).map(|e| e.op).collect();
    final_ops.extend(w.history().ops().iter().filter_map(|o| {
        let (term, lsn) = o.meta.landed.or(o.written)?;
        (lsn <= final_node.wal.base() && final_node.term_at(lsn) == term).then_some(o.id)
    }));
    let missing = w
        .history()
        .ops()
        .iter()
        .filter(|o| o.kind.mutates() && o.outcome == Outcome::Ok && o.swapped != Some(false))
        .filter(|o| !final_ops.contains(&o.id))
        .count() as u64;
    if missing != report.count(Kind::LostAcknowledgedWrite) {
        return Err(fail(format!(
            "{missing} acknowledged writes are missing from the final log but {} are reported lost",
            report.count(Kind::LostAcknowledgedWrite)
        )));
    }
    // (Under Raft a committed position never changes; a naive manager can bring back
    // what the primary of the moment had committed past.)
    let resurrected = w
        .history()
        .ops()
        .iter()
        .find(|o| o.lost && final_ops.contains(&o.id));
    if let Some(op) = resurrected.filter(|_| s.raft) {
        return Err(fail(format!(
            "op {} is marked lost but the final log holds it",
            op.id
        )));
    }
    // Where everything is promised, nothing may be found.
    if s.raft && s.durable_acks && s.linearizable_reads {
        for kind in [
            Kind::LostAcknowledgedWrite,
            Kind::StaleRead,
            Kind::DirtyRead,
            Kind::Divergence,
            Kind::NotLinearizable,
        ] {
            if report.count(kind) > 0 {
                return Err(fail(format!(
                    "{} found under majority writes, Raft and linearizable reads: {}",
                    kind.name(),
                    report.describe()
                )));
            }
        }
    }
    if std::env::var("SWARM_SEED").is_ok() {
        println!(
            "seed {seed}: {}\n  faults:\n{log}  anomalies: {}\n  ops {}, trace {:016x}",
            s.summary,
            report.describe(),
            w.history().len(),
            w.trace_hash()
        );
    }
    let wal = w.leadership().wal;
    Ok((
        report,
        s.raft && s.durable_acks && s.linearizable_reads,
        wal,
    ))
}

#[test]
fn every_promise_holds_over_the_swarm_and_every_anomaly_is_named() {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let (first, count) = match env("SWARM_SEED") {
        Some(seed) => (seed, 1),
        None => (
            env("SWARM_FIRST").unwrap_or(0),
            env("SWARM_SEEDS").unwrap_or(if cfg!(debug_assertions) { 40 } else { 500 }),
        ),
    };
    let mut failures = Vec::new();
    let mut totals: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    let mut strict = 0;
    let (mut reseeded, mut slots_lost) = (0, 0);
    for seed in first..first + count {
        let outcome = std::panic::catch_unwind(|| run_seed(seed)).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!(
                "seed {seed}: panicked: {what}\n  replay: SWARM_SEED={seed} cargo test --release --test swarm -- --nocapture"
            ))
        });
        match outcome {
            Ok((report, promised_everything, wal)) => {
                strict += u64::from(promised_everything);
                reseeded += u64::from(wal.reseeds > 0);
                slots_lost += u64::from(wal.slots_lost > 0);
                for (kind, found) in &report.found {
                    let t = totals.entry(kind).or_default();
                    t.0 += 1;
                    t.1 += found.count;
                }
            }
            Err(e) => failures.push(e),
        }
    }
    let mut table = String::new();
    for (kind, (seeds, n)) in &totals {
        let _ = write!(table, "{kind}: {n} in {seeds} seeds; ");
    }
    println!(
        "swarm: {count} seeds from {first}, {} failed, {strict} with every promise made (majority writes, Raft, linearizable reads); {reseeded} re-seeded a replica from a base backup, {slots_lost} lost a replication slot; anomalies the settings allowed: {table}",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} seeds failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    if count >= 40 {
        // The swarm explores: tight WAL retention does recycle past a lagging replica.
        assert!(
            reseeded > 0,
            "no seed re-seeded a replica from a base backup"
        );
        // The settings that allow anomalies do produce them.
        for kind in [
            Kind::StaleRead,
            Kind::LostAcknowledgedWrite,
            Kind::DirtyRead,
        ] {
            assert!(
                totals.contains_key(kind.name()),
                "no seed produced {}",
                kind.name()
            );
        }
    }
}
