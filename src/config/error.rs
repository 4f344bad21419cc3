//! How a scenario (or a setting the page sends) is refused: [`ConfigError`] names the
//! dotted field path and says what is wrong, and the JSON helpers place serde's errors.

use super::json_path;
use std::fmt;

/// A scenario that could not be used: where (a dotted field path) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl ConfigError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Drops serde_json's " at line L column C" from errors in JSON the page built itself.
pub(crate) fn without_position(mut e: ConfigError) -> ConfigError {
    if let Some(at) = e.message.rfind(" at line ") {
        e.message.truncate(at);
    }
    e
}

pub(crate) fn check_fraction(path: &str, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::at(
            path,
            format!("must be between 0 and 1 (got {value})"),
        ))
    }
}

/// Parses JSON text; an error is placed at the field path where serde_json stopped.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ConfigError> {
    serde_json::from_str(text).map_err(|e| {
        let offset = json_path::offset_of(text, e.line(), e.column());
        ConfigError::at(json_path::path_at(text, offset), e.to_string())
    })
}
