//! Replica Lab: a deterministic simulation of replicated databases, for teaching.
//!
//! The core is plain Rust with no I/O, no clock and no OS randomness: a [`World`] built from
//! a [`Scenario`] and a seed runs as a pure function of them. A thin binding layer
//! (`wasm`, only on wasm32) exposes it to the page in `www/`.
//!
//! - `kernel`: virtual time, the event queue, the network, node hosting and faults, the
//!   trace; generic over a replication model (`kernel::Protocol`);
//! - `protocols`: the models (today `protocols::single_leader`);
//! - `clients`: the workload, the page's client, the operation history;
//! - `checks`: the checkers that judge a history from outside;
//! - `observe`: snapshots for the page, charts, the runner's summary, the checkers' verdict;
//! - `config`: the scenario format;
//! - `lessons`: the lesson format, a lesson's run and its expected outcomes.
//!
//! ```
//! use replica_lab::{Scenario, World};
//! let mut world = World::new(&Scenario::default(), 42).unwrap();
//! let op = world.write("x", "1").unwrap();
//! world.run_for(1_000_000); // one simulated second
//! assert_eq!(world.op(op).unwrap().outcome, replica_lab::clients::history::Outcome::Ok);
//! ```

pub mod checks;
pub mod clients;
pub mod config;
pub mod kernel;
pub mod lessons;
pub mod observe;
pub mod protocols;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{ConfigError, Scenario};

/// A world of the single-leader model (the model every scenario runs today).
pub type World = kernel::World<protocols::SingleLeader>;

/// An operation of a single-leader world's history.
pub type Op = clients::history::Op<protocols::single_leader::routing::Meta>;
