//! Reading events from JSON: the array form or JSON Lines, each field checked and every
//! problem recorded with its path (pairing invokes with completions is the parent's job).

use super::{Event, EventType, Function, HistoryError, Value};
use serde_json::{Map, Value as Json};

pub(super) fn array(text: &str) -> Result<Vec<Json>, Vec<HistoryError>> {
    serde_json::from_str::<Vec<Json>>(text).map_err(|e| {
        let offset = crate::config::json_path::offset_of(text, e.line(), e.column());
        let path = crate::config::json_path::path_at(text, offset.saturating_sub(1));
        vec![HistoryError::at(path, e.to_string())]
    })
}

pub(super) fn lines(text: &str) -> Result<(Vec<Json>, Vec<usize>), Vec<HistoryError>> {
    let mut objects = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(json) => {
                objects.push(json);
                lines.push(n + 1);
            }
            Err(e) => {
                let message = e.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m);
                let message = format!("{message} at column {}", e.column());
                errors.push(HistoryError::at(format!("line {}", n + 1), message));
            }
        }
    }
    if objects.is_empty() && errors.is_empty() {
        errors.push(HistoryError::at(
            "",
            "no events: a history is a JSON array of events or one event object per line",
        ));
    }
    if errors.is_empty() {
        Ok((objects, lines))
    } else {
        Err(errors)
    }
}

const FIELDS: &str = "process, type, f, key, value, result, time, node, op, index, error";

/// Reads one event object. On failure the errors are pushed and the event's process is
/// returned if it could be read (so pairing can stop judging that process).
pub(super) fn event(
    json: &Json,
    at: &str,
    errors: &mut Vec<HistoryError>,
) -> Result<Event, Option<u64>> {
    let Some(map) = json.as_object() else {
        errors.push(HistoryError::at(
            at,
            format!("expected an event object (got {})", shown(json)),
        ));
        return Err(None);
    };
    let before = errors.len();
    let mut fields = Fields { map, at, errors };
    let process = fields.required("process", |v| {
        v.as_u64().ok_or_else(|| match v {
            Json::String(_) => format!(
                "expected a process number (got {}); Jepsen's nemesis events are not client \
                 operations: leave them out",
                shown(v)
            ),
            _ => format!("expected a process number (got {})", shown(v)),
        })
    });
    let kind = fields.required("type", |v| match v.as_str() {
        Some("invoke") => Ok(EventType::Invoke),
        Some("ok") => Ok(EventType::Ok),
        Some("fail") => Ok(EventType::Fail),
        Some("info") => Ok(EventType::Info),
        _ => Err(format!(
            "expected invoke, ok, fail or info (got {})",
            shown(v)
        )),
    });
    let f = fields.required("f", |v| match v.as_str() {
        Some("read") => Ok(Function::Read),
        Some("write") => Ok(Function::Write),
        Some("cas") => Ok(Function::Cas),
        _ => Err(format!("expected read, write or cas (got {})", shown(v))),
    });
    let key = fields.optional("key", |v| match v {
        Json::Null => Err("a key is an integer or a string (leave it out for one register)".into()),
        _ => scalar(v),
    });
    let value = fields.optional("value", |v| match (v, f) {
        (Json::Array(pair), Some(Function::Cas) | None) if pair.len() == 2 => {
            Ok((scalar(&pair[0])?, Some(scalar(&pair[1])?)))
        }
        (_, Some(Function::Cas)) => Err("a cas value is [expected, new]".into()),
        (Json::Array(_), _) => {
            Err("a value is an integer, a string or null (only a cas value is a pair)".into())
        }
        _ => Ok((scalar(v)?, None)),
    });
    let result = fields.optional("result", |v| {
        v.as_bool()
            .ok_or_else(|| format!("expected true or false (got {})", shown(v)))
    });
    let time = fields.optional("time", |v| {
        v.as_i64().ok_or_else(|| {
            format!(
                "expected an integer number of nanoseconds (got {})",
                shown(v)
            )
        })
    });
    let node = fields.optional("node", |v| {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("expected a node number (got {})", shown(v)))
    });
    let op = fields.optional("op", |v| {
        v.as_u64()
            .ok_or_else(|| format!("expected an operation id (got {})", shown(v)))
    });
    for name in map.keys() {
        if !FIELDS.split(", ").any(|known| known == name) {
            fields.errors.push(HistoryError::at(
                format!("{at}.{name}"),
                format!("unknown field (known: {FIELDS})"),
            ));
        }
    }
    if f == Some(Function::Cas) && value.is_none() && !map.contains_key("value") {
        fields.errors.push(HistoryError::at(
            format!("{at}.value"),
            "a cas value is [expected, new]",
        ));
    }
    let (Some(process), Some(kind), Some(f)) = (process, kind, f) else {
        return Err(process);
    };
    if errors.len() > before {
        return Err(Some(process));
    }
    let (value, cas_new) = value.unwrap_or((Value::Nil, None));
    Ok(Event {
        process,
        kind,
        f,
        key,
        value,
        cas_new,
        result,
        time,
        node,
        op,
    })
}

/// Reads the fields of one event object, collecting errors.
struct Fields<'a> {
    map: &'a Map<String, Json>,
    at: &'a str,
    errors: &'a mut Vec<HistoryError>,
}

impl Fields<'_> {
    fn optional<T>(&mut self, name: &str, read: impl Fn(&Json) -> Result<T, String>) -> Option<T> {
        let json = self.map.get(name)?;
        read(json)
            .map_err(|message| {
                self.errors
                    .push(HistoryError::at(format!("{}.{name}", self.at), message))
            })
            .ok()
    }

    fn required<T>(&mut self, name: &str, read: impl Fn(&Json) -> Result<T, String>) -> Option<T> {
        if !self.map.contains_key(name) {
            self.errors.push(HistoryError::at(
                self.at,
                format!("missing field \"{name}\""),
            ));
        }
        self.optional(name, read)
    }
}

fn scalar(json: &Json) -> Result<Value, String> {
    match json {
        Json::Null => Ok(Value::Nil),
        Json::String(s) => Ok(Value::Str(s.as_str().into())),
        Json::Number(n) => n.as_i64().map(Value::Int).ok_or_else(|| {
            format!("a value is an integer from -2^63 to 2^63-1, a string or null (got {n})")
        }),
        _ => Err(format!(
            "a value is an integer, a string or null (got {})",
            shown(json)
        )),
    }
}

/// A JSON value for a message, cut short if long.
fn shown(json: &Json) -> String {
    let text = json.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
