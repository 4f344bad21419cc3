//! The simulation kernel, common to every replication model: integer virtual time, the
//! seeded random streams, the event queue and the world that runs it, the network and the
//! messages in flight, node hosting and lifecycle, faults as world actions, the
//! service-time model, regions, and the trace. It knows nothing of primaries, terms or log
//! positions: a model plugs in through [`protocol::Protocol`].

mod acting;
pub mod actions;
pub mod faults;
pub mod flights;
pub mod geo;
pub mod hosting;
pub mod ids;
pub mod net;
pub mod protocol;
pub mod rng;
pub mod service;
mod serving;
pub mod settings;
pub mod time;
pub mod timeline;
pub mod trace;
pub mod world;

pub use ids::{Addr, ClientId, NodeId, OpId, Pos, Text};
pub use protocol::{Ctx, Message, Protocol};
pub use world::{ActionError, NodeSlot, NodeStatus, World};
