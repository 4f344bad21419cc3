//! Virtual time: integer microseconds, and the human durations ("150ms", "2s") scenarios use.
//!
//! Nothing in the simulation reads a real clock; `Micros` only ever advances when the world
//! pops the next event from its queue.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A point in (or a span of) simulated time, in microseconds.
pub type Micros = u64;

pub const MICROS_PER_MS: Micros = 1_000;
pub const MICROS_PER_SEC: Micros = 1_000_000;

/// A non-negative duration as written in a scenario: a string with a unit (`"250us"`,
/// `"150ms"`, `"2s"`, `"1.5s"`, `"1m"`) or a bare number of milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub Micros);

impl Dur {
    pub const ZERO: Dur = Dur(0);

    pub const fn ms(ms: u64) -> Dur {
        Dur(ms * MICROS_PER_MS)
    }

    pub const fn us(us: u64) -> Dur {
        Dur(us)
    }

    pub fn micros(self) -> Micros {
        self.0
    }

    /// Parses `"150ms"`-style text; the error says what was wrong in words.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let scale = match unit.trim() {
            "us" | "µs" => 1.0,
            "ms" | "" => MICROS_PER_MS as f64,
            "s" => MICROS_PER_SEC as f64,
            "m" | "min" => 60.0 * MICROS_PER_SEC as f64,
            "h" => 3_600.0 * MICROS_PER_SEC as f64,
            other => {
                return Err(format!(
                    "unknown time unit {other:?} in {text:?} (use us, ms, s, m or h)"
                ))
            }
        };
        let value: f64 = number.parse().map_err(|_| {
            format!("{text:?} is not a duration (examples: \"250us\", \"40ms\", \"2s\")")
        })?;
        Dur::from_scaled(value, scale, text)
    }

    fn from_scaled(value: f64, scale: f64, shown: &str) -> Result<Dur, String> {
        if !value.is_finite() {
            return Err(format!("{shown} is not a finite duration"));
        }
        if value < 0.0 {
            return Err(format!(
                "{shown} is negative; durations must be zero or more"
            ));
        }
        let micros = libm::round(value * scale);
        if micros > 1e15 {
            return Err(format!("{shown} is too long (at most about 30 years)"));
        }
        Ok(Dur(micros as Micros))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_micros(self.0, f)
    }
}

/// Writes a duration in the largest unit that keeps it exact: `1500us`, `40ms`, `2s`.
fn format_micros(us: Micros, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if us == 0 {
        write!(f, "0ms")
    } else if us % MICROS_PER_SEC == 0 {
        write!(f, "{}s", us / MICROS_PER_SEC)
    } else if us % MICROS_PER_MS == 0 {
        write!(f, "{}ms", us / MICROS_PER_MS)
    } else {
        write!(f, "{us}us")
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a duration such as \"40ms\", \"2s\", \"250us\" or a number of milliseconds",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                Dur::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dur, E> {
                Dur::from_scaled(v, MICROS_PER_MS as f64, &format!("{v}ms")).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_bare_milliseconds() {
        assert_eq!(Dur::parse("250us"), Ok(Dur(250)));
        assert_eq!(Dur::parse("40ms"), Ok(Dur(40_000)));
        assert_eq!(Dur::parse("1.5s"), Ok(Dur(1_500_000)));
        assert_eq!(Dur::parse("2m"), Ok(Dur(120_000_000)));
        assert_eq!(Dur::parse("3h"), Ok(Dur(10_800_000_000)));
        assert_eq!(Dur::parse("7"), Ok(Dur(7_000)));
    }

    #[test]
    fn rejects_negative_and_nonsense() {
        assert!(Dur::parse("-5ms").unwrap_err().contains("negative"));
        assert!(Dur::parse("5 parsecs")
            .unwrap_err()
            .contains("unknown time unit"));
        assert!(Dur::parse("fast").is_err());
    }

    #[test]
    fn displays_in_the_largest_exact_unit() {
        assert_eq!(Dur(2_000_000).to_string(), "2s");
        assert_eq!(Dur(40_000).to_string(), "40ms");
        assert_eq!(Dur(1_500).to_string(), "1500us");
    }
}
