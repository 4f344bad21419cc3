//! The network part of a scenario: the default link, latency distributions, per-link
//! overrides, and the link settings the page's controls send.

use super::error::{check_fraction, parse_json, without_position, ConfigError};
use crate::kernel::time::Dur;
use serde::{de, Deserialize, Deserializer, Serialize};
use std::fmt;

/// The default link between any two nodes, and the client-to-node link.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkSpec {
    #[serde(default = "default_latency")]
    pub latency: Latency,
    /// Extra uniform delay in `0..=jitter` added to every message.
    #[serde(default)]
    pub jitter: Dur,
    /// Probability (0 to 1) that a message is lost.
    #[serde(default)]
    pub loss: f64,
    /// Allow messages on one link to overtake each other (default: FIFO per link, like TCP).
    #[serde(default)]
    pub reorder: bool,
    /// One-way latency between a client and any node.
    #[serde(default = "default_client_latency")]
    pub client_latency: Latency,
}

fn default_latency() -> Latency {
    Latency::Uniform {
        min: Dur::ms(20),
        max: Dur::ms(40),
    }
}

fn default_client_latency() -> Latency {
    Latency::Constant { value: Dur::ms(10) }
}

impl Default for NetworkSpec {
    fn default() -> NetworkSpec {
        NetworkSpec {
            latency: default_latency(),
            jitter: Dur::ZERO,
            loss: 0.0,
            reorder: false,
            client_latency: default_client_latency(),
        }
    }
}

/// A one-way latency distribution. In JSON: `"40ms"` (constant), or
/// `{"kind": "uniform", "min": "20ms", "max": "60ms"}`, or
/// `{"kind": "exponential", "min": "10ms", "mean": "30ms"}` (a floor plus an exponential
/// tail; `mean` is the overall mean, so it must be at least `min`).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Latency {
    Constant { value: Dur },
    Uniform { min: Dur, max: Dur },
    Exponential { min: Dur, mean: Dur },
}

impl Latency {
    pub fn constant(ms: u64) -> Latency {
        Latency::Constant { value: Dur::ms(ms) }
    }

    /// The distribution's mean, for display and estimates.
    pub fn mean(&self) -> Dur {
        match *self {
            Latency::Constant { value } => value,
            Latency::Uniform { min, max } => Dur((min.0 + max.0) / 2),
            Latency::Exponential { mean, .. } => mean,
        }
    }

    pub(crate) fn check(&self, path: &str) -> Result<(), ConfigError> {
        match *self {
            Latency::Uniform { min, max } if min > max => Err(ConfigError::at(
                path,
                format!("uniform latency needs min <= max (got min {min}, max {max})"),
            )),
            Latency::Exponential { min, mean } if mean < min => Err(ConfigError::at(
                path,
                format!("exponential latency needs mean >= min (got min {min}, mean {mean})"),
            )),
            _ => Ok(()),
        }
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Latency, D::Error> {
        /// The object form, read flat (no buffering) and checked by hand.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            kind: LatencyKind,
            value: Option<Dur>,
            min: Option<Dur>,
            max: Option<Dur>,
            mean: Option<Dur>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        enum LatencyKind {
            Constant,
            Uniform,
            Exponential,
        }
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Latency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a latency: \"40ms\", or {\"kind\": \"uniform\", \"min\": .., \"max\": ..}, or {\"kind\": \"exponential\", \"min\": .., \"mean\": ..}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Latency, E> {
                Dur::parse(v)
                    .map(|value| Latency::Constant { value })
                    .map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Latency, E> {
                let value = Dur::deserialize(de::value::F64Deserializer::<E>::new(v))?;
                Ok(Latency::Constant { value })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Latency, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Latency, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Latency, A::Error> {
                let f = Fields::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let need = |field: Option<Dur>, name: &str, kind: &str| {
                    field.ok_or_else(|| de::Error::custom(format!("{kind} latency needs `{name}`")))
                };
                let extra = |present: bool, what: &str| -> Result<(), A::Error> {
                    if present {
                        Err(de::Error::custom(format!(
                            "this latency kind has no `{what}`"
                        )))
                    } else {
                        Ok(())
                    }
                };
                Ok(match f.kind {
                    LatencyKind::Constant => {
                        extra(
                            f.min.is_some() || f.max.is_some() || f.mean.is_some(),
                            "min/max/mean",
                        )?;
                        Latency::Constant {
                            value: need(f.value, "value", "constant")?,
                        }
                    }
                    LatencyKind::Uniform => {
                        extra(f.value.is_some() || f.mean.is_some(), "value/mean")?;
                        Latency::Uniform {
                            min: need(f.min, "min", "uniform")?,
                            max: need(f.max, "max", "uniform")?,
                        }
                    }
                    LatencyKind::Exponential => {
                        extra(f.value.is_some() || f.max.is_some(), "value/max")?;
                        Latency::Exponential {
                            min: need(f.min, "min", "exponential")?,
                            mean: need(f.mean, "mean", "exponential")?,
                        }
                    }
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Overrides the network defaults on one link (both directions unless `oneWay`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkOverride {
    pub from: u32,
    pub to: u32,
    #[serde(default)]
    pub one_way: bool,
    #[serde(default)]
    pub latency: Option<Latency>,
    #[serde(default)]
    pub jitter: Option<Dur>,
    #[serde(default)]
    pub loss: Option<f64>,
    #[serde(default)]
    pub reorder: Option<bool>,
}

/// Settings for one link direction (or all of them), as the page's latency controls send
/// them: `{"latency": "40ms", "jitter": "5ms", "loss": 0.01, "reorder": false}`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkSettings {
    pub latency: Latency,
    #[serde(default)]
    pub jitter: Dur,
    #[serde(default)]
    pub loss: f64,
    #[serde(default)]
    pub reorder: bool,
}

impl LinkSettings {
    /// Reads and validates link settings; errors name the field.
    pub fn from_json(text: &str) -> Result<LinkSettings, ConfigError> {
        // The page builds this JSON itself, so a text position would only confuse.
        let s: LinkSettings = parse_json(text).map_err(without_position)?;
        s.check()?;
        Ok(s)
    }

    pub fn check(&self) -> Result<(), ConfigError> {
        self.latency.check("latency")?;
        check_fraction("loss", self.loss)
    }
}

crate::object_only!(NetworkSpec, r#"{"latency": "40ms"}"#);
crate::object_only!(LinkOverride, r#"{"from": 0, "to": 1, "latency": "300ms"}"#);
crate::object_only!(LinkSettings, r#"{"latency": "40ms", "loss": 0.01}"#);
