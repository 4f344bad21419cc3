//! Clients, common to every model: the seeded workload and the page's own client
//! (`workload`), the record of every operation (`history`), and the world's side of
//! invoking and completing operations (`driver`).

pub mod driver;
pub mod history;
pub mod workload;
