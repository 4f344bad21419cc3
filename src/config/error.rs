//! How a scenario (or a setting the page sends) is refused: [`ConfigError`] names the
//! dotted field path and says what is wrong, and the JSON helpers place serde's errors.
//!
//! Two things serde does not do for people are done here, once for every type:
//! - [`Object`] types (the scenario and each of its parts, the settings the page sends) are
//!   read only from JSON objects: serde's derived `Deserialize` would also read a struct
//!   from an array, field by field in declaration order, so `["x", "y", 3, 7]` was a
//!   scenario. [`object_only!`](crate::object_only) makes a type refuse an array wherever
//!   it is read (a field, a list, an action), with an example of what belongs there.
//! - [`humane`] rewrites serde's and serde_json's messages for people ("must be a whole
//!   number from 0, got -5" rather than "invalid value: integer `-5`, expected u64").

use super::json_path;
use serde::de::{self, Deserializer};
use std::fmt;
use std::marker::PhantomData;

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
pub fn without_position(mut e: ConfigError) -> ConfigError {
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

/// Parses JSON text; an error is placed at the field path where serde_json stopped, and
/// its message is rewritten for people ([`humane`]), keeping the line and column.
pub fn parse_json<T: de::DeserializeOwned>(text: &str) -> Result<T, ConfigError> {
    serde_json::from_str(text).map_err(|e| {
        let position = format!(" at line {} column {}", e.line(), e.column());
        let raw = e.to_string();
        let bare = raw.strip_suffix(&position).unwrap_or(&raw);
        let mut offset = json_path::offset_of(text, e.line(), e.column());
        let bracket = if bare.starts_with("invalid type: sequence") {
            Some(b'[')
        } else if bare.starts_with("invalid type: map") {
            Some(b'{')
        } else {
            None
        };
        if let Some(bracket) = bracket {
            // The refused value is an array or object. serde_json stops either at its
            // bracket (refused at a glance) or just past it (refused once opened): the
            // path is that of the value the bracket opens, not of its first element.
            let rest = text.as_bytes().get(offset..).unwrap_or_default();
            let at = rest.iter().position(|b| !b.is_ascii_whitespace());
            if at.is_none_or(|i| rest[i] != bracket) {
                offset = offset.saturating_sub(1);
            }
        }
        let (start, end) = token_at(text, offset);
        let token = &text[start..end];
        let mut message = match bare {
            "expected value" if is_json_value(token) => {
                // serde_json says only this of a number, `true` or `null` where one of a
                // field's names must stand. Asking again with a name that is surely none
                // of them makes serde list them.
                let probe = format!("{}\"\\u0001\"{}", &text[..start], &text[end..]);
                let names = serde_json::from_str::<T>(&probe)
                    .err()
                    .map(|e| e.to_string());
                match names
                    .as_deref()
                    .and_then(|n| n.strip_prefix("unknown variant `\u{1}`"))
                {
                    Some(rest) => names_message(&ticked_list(rest), token),
                    None => format!("must be a name in quotes, got {token}"),
                }
            }
            "expected value" if !token.is_empty() => format!(
                "expected a value (a number, text in quotes, true, false, null, an object or \
                 an array), got {token}"
            ),
            _ => humane(bare),
        };
        if e.line() != 0 {
            message.push_str(&position);
        }
        ConfigError::at(json_path::path_at(text, offset), message)
    })
}

/// Where the JSON token around byte `at` of `text` starts and ends (a word, a number or a
/// quoted string without spaces): what serde_json stopped at.
fn token_at(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let delimiter =
        |b: u8| b.is_ascii_whitespace() || matches!(b, b':' | b',' | b'[' | b'{' | b']' | b'}');
    let mut start = at.min(bytes.len());
    while start > 0 && !delimiter(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = start;
    while end < bytes.len() && !delimiter(bytes[end]) {
        end += 1;
    }
    (start, end)
}

/// A complete scalar JSON value: a number, `true`, `false`, `null` or a quoted string.
fn is_json_value(token: &str) -> bool {
    matches!(token, "true" | "false" | "null")
        || token.parse::<f64>().is_ok_and(f64::is_finite)
        || (token.len() >= 2 && token.starts_with('"') && token.ends_with('"'))
}

/// `must be one of raft, naive, off; got "raf"` (`got` as written: quoted or not).
fn names_message(names: &[String], got: &str) -> String {
    match names.len() {
        0 => format!("{got} is not allowed here"),
        1 => format!("must be {}; got {got}", names[0]),
        _ => format!("must be one of {}; got {got}", names.join(", ")),
    }
}

// ----- objects, never arrays -------------------------------------------------------------

/// A part of the scenario written as a JSON object, never as an array. `EXAMPLE` is what
/// the error shows when something else (an array, a number) stands where one belongs.
/// Implemented by [`object_only!`](crate::object_only), with the derived code reading the
/// fields.
pub trait Object: Sized {
    const EXAMPLE: &'static str;
    /// Reads the object's entries (the type's derived `Deserialize`, handed a map only).
    fn from_fields<'de, A: de::MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Reads an [`Object`]: a JSON object, whose entries its derived code reads (so its own
/// checks and error positions stay as they are); anything else is refused, an array with
/// `expected an object like {...}, got an array`.
pub fn object<'de, D: Deserializer<'de>, T: Object>(d: D) -> Result<T, D::Error> {
    struct Visitor<T>(PhantomData<T>);
    impl<'de, T: Object> de::Visitor<'de> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an object like {}", T::EXAMPLE)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_fields(map)
        }
    }
    d.deserialize_map(Visitor(PhantomData))
}

/// Makes a struct an [`Object`] that is read only from JSON objects. serde's derived
/// `Deserialize` also reads a struct from an array, field by field in declaration order
/// (so `["x", "y", 3, 7]` was a scenario); this wraps it. The struct derives `Serialize`
/// and `Deserialize` with `#[serde(remote = "Self")]`, which makes them inherent functions
/// (`Type::deserialize`) that the trait impls written here call: the `Deserialize` impl
/// hands them only a map.
#[macro_export]
#[doc(hidden)]
macro_rules! object_only {
    ($ty:ty, $example:expr) => {
        impl $crate::config::error::Object for $ty {
            const EXAMPLE: &'static str = $example;
            fn from_fields<'de, A: serde::de::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
                <$ty>::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::config::error::object(d)
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$ty>::serialize(self, s)
            }
        }
    };
}

/// Refuses, in a value of an externally tagged enum (`"heal"`, `{"crash": {"node": 1}}`:
/// the lab's actions), an array where the variant's fields belong: serde would read the
/// fields from it by position, so `{"crash": [1]}` crashed node 1. `path` names the value.
pub fn check_variant_fields(value: &serde_json::Value, path: &str) -> Result<(), ConfigError> {
    if let Some(map) = value.as_object() {
        if let (1, Some((name, fields))) = (map.len(), map.iter().next()) {
            if fields.is_array() {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                return Err(ConfigError::at(
                    at,
                    "expected an object of its fields, like {\"node\": 1}, got an array",
                ));
            }
        }
    }
    Ok(())
}

// ----- messages for people ---------------------------------------------------------------

/// Rewrites one of serde's or serde_json's messages (without its position) for people.
/// Messages it does not recognise (the lab's own, such as "-5ms is negative") pass as they are.
pub fn humane(message: &str) -> String {
    if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    {
        if let Some((got, expected)) = split_unexpected(rest) {
            return must_be(expected, got);
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        if let Some((n, expected)) = rest.split_once(", expected ") {
            return format!("expected {}, got {n} items", expected_words(expected, ""));
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (got, choices) = quoted_and_rest(rest);
        return names_message(&ticked_list(choices), &format!("{got:?}"));
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (got, fields) = quoted_and_rest(rest);
        let fields = ticked_list(fields);
        let near = fields
            .iter()
            .filter_map(|f| typo_distance(&got, f).map(|d| (d, f)))
            .min_by_key(|&(d, _)| d);
        if let Some((_, near)) = near {
            return format!("unknown field {got:?}; did you mean {near:?}?");
        }
        return match fields.len() {
            0 => format!("unknown field {got:?}: nothing more belongs here"),
            _ => format!(
                "unknown field {got:?}; the fields here are {}",
                fields.join(", ")
            ),
        };
    }
    if let Some(name) = message.strip_prefix("data did not match any variant of untagged enum ") {
        // serde tried every form and cannot say which one was meant.
        return format!(
            "not a valid {}: check its name and its fields",
            name.to_lowercase()
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let (field, _) = quoted_and_rest(rest);
        return format!("the field {field:?} is missing (it has no default)");
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        let (field, _) = quoted_and_rest(rest);
        return format!("the field {field:?} is given twice");
    }
    let syntax = match message {
        "expected value" => "expected a value here",
        "EOF while parsing a value" => "the text ends where a value should be",
        "EOF while parsing an object" => "the text ends inside an object (a `}` is missing)",
        "EOF while parsing a list" => "the text ends inside an array (a `]` is missing)",
        "EOF while parsing a string" => "the text ends inside a string (a closing `\"` is missing)",
        "expected `:`" => "expected a `:` after the field name",
        "expected `,` or `}`" => "expected `,` or `}` (is a comma missing?)",
        "expected `,` or `]`" => "expected `,` or `]` (is a comma missing?)",
        "trailing comma" => "a comma before a closing bracket (JSON allows no trailing comma)",
        "trailing characters" => "there is more text after the end of the JSON value",
        "key must be a string" => "a field name must be text in double quotes",
        "number out of range" => "the number is too large",
        "invalid number" => "is not a valid number",
        "expected ident" => "expected true, false or null",
        "invalid escape" => "a string has an invalid escape (`\\`)",
        "recursion limit exceeded" => "the JSON is nested too deeply",
        m if m.starts_with("control character") => {
            "a string contains a raw control character (a line break inside quotes?)"
        }
        _ => return message.to_string(),
    };
    syntax.to_string()
}

/// Splits "string \"a, b\", expected X" at the right ", expected ".
fn split_unexpected(rest: &str) -> Option<(&str, &str)> {
    if let Some(body) = rest.strip_prefix("string \"") {
        let close = closing_quote(body)?;
        let expected = body[close + 1..].strip_prefix(", expected ")?;
        return Some((&rest[.."string \"".len() + close + 1], expected));
    }
    rest.split_once(", expected ")
}

/// The index of the first unescaped `"` in `body`.
fn closing_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// "must be a number, got the text \"x\"" (or "expected an object like ..., got an array").
fn must_be(expected: &str, got: &str) -> String {
    let got = got_words(got);
    let expected = expected_words(expected, &got);
    if expected.starts_with("an object") || expected.starts_with("an array") {
        format!("expected {expected}, got {got}")
    } else {
        format!("must be {expected}, got {got}")
    }
}

/// serde's `Unexpected` in words.
fn got_words(got: &str) -> String {
    let ticked = |prefix: &str| {
        got.strip_prefix(prefix)
            .and_then(|s| s.strip_prefix('`'))
            .and_then(|s| s.strip_suffix('`'))
            .map(str::to_string)
    };
    if let Some(v) = ticked("integer ")
        .or_else(|| ticked("floating point "))
        .or_else(|| ticked("boolean "))
    {
        return v;
    }
    if let Some(s) = got.strip_prefix("string ") {
        return format!("the text {s}");
    }
    match got {
        "null" | "unit value" => "null".into(),
        "sequence" => "an array".into(),
        "map" => "an object".into(),
        other => other.into(),
    }
}

/// serde's `Expected` in words; primitive type names become what a person writes.
fn expected_words(expected: &str, got: &str) -> String {
    let unsigned_max = match expected {
        "u8" => Some(u8::MAX as u64),
        "u16" => Some(u16::MAX as u64),
        "u32" => Some(u32::MAX as u64),
        "u64" | "usize" => Some(u64::MAX),
        _ => None,
    };
    if let Some(max) = unsigned_max {
        // A number too large says how large it may be; anything else, that it counts from 0.
        let too_large = got.parse::<u64>().is_ok() || got.parse::<u128>().is_ok();
        return if too_large && max != u64::MAX {
            format!("a whole number from 0 to {max}")
        } else {
            "a whole number from 0".into()
        };
    }
    match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "text in quotes".into(),
        "a sequence" => "an array".into(),
        "a character" => "a single character in quotes".into(),
        "unit" => "null".into(),
        "option" => "a value or null".into(),
        e if e.starts_with("struct ") || e == "a map" => "an object".into(),
        e if e.starts_with("tuple") => "an array".into(),
        other => other.into(),
    }
}

/// "`x`, rest" → ("x", "rest").
fn quoted_and_rest(text: &str) -> (String, &str) {
    let Some(body) = text.strip_prefix('`') else {
        return (text.to_string(), "");
    };
    match body.find('`') {
        Some(end) => (body[..end].to_string(), &body[end + 1..]),
        None => (body.to_string(), ""),
    }
}

/// "expected one of `a`, `b`" / "expected `a` or `b`" / "expected `a`" → [a, b].
fn ticked_list(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// How many edits (case aside; a swap of neighbours is one) turn `typed` into `known`,
/// if they are few enough (at most two) for `typed` to be a likely typo of it.
fn typo_distance(typed: &str, known: &str) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (
        typed.to_lowercase().chars().collect(),
        known.to_lowercase().chars().collect(),
    );
    if a.len().abs_diff(b.len()) > 2 || a.len() < 3 {
        return None;
    }
    // Levenshtein distance with transpositions counted as one edit.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    Some(d[a.len()][b.len()]).filter(|&d| d <= 2)
}

#[cfg(test)]
mod tests {
    use super::humane;

    #[test]
    fn rewrites_serde_messages_for_people() {
        let cases = [
            (
                "invalid value: integer `-5`, expected u64",
                "must be a whole number from 0, got -5",
            ),
            (
                "invalid value: integer `5000000000`, expected u32",
                "must be a whole number from 0 to 4294967295, got 5000000000",
            ),
            (
                "invalid type: floating point `1.5`, expected u32",
                "must be a whole number from 0, got 1.5",
            ),
            (
                "invalid type: string \"x\", expected f64",
                "must be a number, got the text \"x\"",
            ),
            (
                "invalid type: string \"a, expected b\", expected f64",
                "must be a number, got the text \"a, expected b\"",
            ),
            (
                "invalid type: integer `1`, expected a boolean",
                "must be true or false, got 1",
            ),
            (
                "invalid type: sequence, expected an object like {\"latency\": \"40ms\"}",
                "expected an object like {\"latency\": \"40ms\"}, got an array",
            ),
            (
                "invalid type: map, expected a sequence",
                "expected an array, got an object",
            ),
            (
                "unknown variant `raf`, expected one of `raft`, `naive`, `off`",
                "must be one of raft, naive, off; got \"raf\"",
            ),
            (
                "unknown variant `some`, expected `first` or `any`",
                "must be one of first, any; got \"some\"",
            ),
            (
                "unknown variant `x`, expected `singleLeader`",
                "must be singleLeader; got \"x\"",
            ),
            (
                "unknown field `netwrok`, expected one of `nodes`, `network`",
                "unknown field \"netwrok\"; did you mean \"network\"?",
            ),
            (
                "unknown field `colour`, expected one of `name`, `region`",
                "unknown field \"colour\"; the fields here are name, region",
            ),
            (
                "unknown field `nodez`, expected one of `model`, `name`, `nodes`",
                "unknown field \"nodez\"; did you mean \"nodes\"?",
            ),
            (
                "missing field `write`",
                "the field \"write\" is missing (it has no default)",
            ),
            (
                "duplicate field `seed`",
                "the field \"seed\" is given twice",
            ),
            (
                "data did not match any variant of untagged enum Action",
                "not a valid action: check its name and its fields",
            ),
            ("-5ms is negative", "-5ms is negative"),
        ];
        for (raw, want) in cases {
            assert_eq!(humane(raw), want, "{raw}");
        }
    }
}
