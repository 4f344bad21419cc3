//! Looking at a run from outside: the page's snapshots (`view`), live chart data
//! (`metrics`), bounded distributions of measured values (`distribution`), the runner's summary (`stats`), the checkers' verdict (`judge`) and, on long
//! runs, in segments as the history's window moves on (`window`), the
//! history in Jepsen's format (`jepsen`), and the read-scaling experiment (`experiments`).

pub mod distribution;
pub mod experiments;
pub mod jepsen;
pub mod judge;
pub mod metrics;
pub mod stats;
pub mod view;
pub mod window;
