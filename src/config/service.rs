//! The service-time part of a scenario (`"service"`): how long a node's workers spend on
//! a request and how many may wait (the model itself is `crate::kernel::service`).

use super::error::{parse_json, without_position, ConfigError};
use crate::kernel::time::Dur;
use serde::{Deserialize, Serialize};

/// Service times and capacity, per node. In a scenario: `"service": {"read": "2ms",
/// "write": "4ms", "workers": 1, "queueLimit": 100}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceSpec {
    /// Time a worker spends on one read.
    pub read: Dur,
    /// Time a worker spends on one write (on the primary; a replica refuses writes at the
    /// cost of a read).
    pub write: Dur,
    /// Requests served at once.
    #[serde(default = "default_workers")]
    pub workers: u32,
    /// Requests that may wait; more are refused as overloaded.
    #[serde(default = "default_queue_limit")]
    pub queue_limit: u32,
}

fn default_workers() -> u32 {
    1
}
fn default_queue_limit() -> u32 {
    100
}

pub const MAX_WORKERS: u32 = 64;
pub const MAX_QUEUE: u32 = 10_000;

impl ServiceSpec {
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        for (field, d) in [("read", self.read), ("write", self.write)] {
            if d > Dur::ms(10_000) {
                return Err(ConfigError::at(
                    format!("service.{field}"),
                    format!("at most 10s per operation (got {d})"),
                ));
            }
        }
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            return Err(ConfigError::at(
                "service.workers",
                format!("must be between 1 and {MAX_WORKERS} (got {})", self.workers),
            ));
        }
        if self.queue_limit > MAX_QUEUE {
            return Err(ConfigError::at(
                "service.queueLimit",
                format!("must be at most {MAX_QUEUE} (got {})", self.queue_limit),
            ));
        }
        Ok(())
    }
}

/// Reads service settings from JSON text, or `"off"` for none.
pub fn parse_service(text: &str) -> Result<Option<ServiceSpec>, ConfigError> {
    if text.trim() == "\"off\"" {
        return Ok(None);
    }
    let spec: ServiceSpec = parse_json(text).map_err(without_position)?;
    spec.check()?;
    Ok(Some(spec))
}

crate::object_only!(ServiceSpec, r#"{"read": "2ms", "write": "4ms"}"#);
