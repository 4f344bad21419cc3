//! Replica Lab: a deterministic simulation of a replicated database, for teaching.
//!
//! The core is plain Rust with no I/O, no clock and no OS randomness: a [`World`] built from
//! a [`Scenario`] and a seed runs as a pure function of them. A thin binding layer
//! (`wasm`, only on wasm32) exposes it to the page in `www/`.
//!
//! ```
//! use replica_lab::{Scenario, World};
//! let mut world = World::new(&Scenario::default(), 42).unwrap();
//! let op = world.write("x", "1").unwrap();
//! world.run_for(1_000_000); // one simulated second
//! assert_eq!(world.op(op).unwrap().outcome, replica_lab::history::Outcome::Ok);
//! ```

pub mod ack;
pub mod checks;
pub mod client;
pub mod config;
pub mod consistency;
pub mod experiments;
pub mod failover;
pub mod flights;
pub mod geo;
pub mod history;
pub mod json_path;
pub mod metrics;
pub mod net;
pub mod node;
pub mod protocol;
pub mod rng;
pub mod schedule;
pub mod service;
pub mod stats;
pub mod time;
pub mod trace;
pub mod view;
pub mod world;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{ConfigError, Scenario};
pub use world::World;
