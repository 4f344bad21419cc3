//! Looking at a run from outside: the page's snapshots (`view`), live chart data
//! (`metrics`), the runner's summary (`stats`), the checkers' verdict (`judge`), the
//! history in Jepsen's format (`jepsen`), and the read-scaling experiment (`experiments`).

pub mod experiments;
pub mod jepsen;
pub mod judge;
pub mod metrics;
pub mod stats;
pub mod view;
