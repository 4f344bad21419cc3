//! Finds the field path (`network.latency`, `links[0].to`) at a position in JSON text, so
//! a scenario error can name the field it is about.
//!
//! serde_json reports *where* (line and column) a value failed; this walks the text up to
//! that point, tracking open objects, keys and array indices. It replaces the
//! serde_path_to_error crate, whose generic wrappers were a third of the wasm binary.

/// One open container while scanning.
enum Frame {
    Object { key: Option<String> },
    Array { index: usize },
}

/// The path of the innermost value open at byte `offset` of `text` (empty at top level).
pub fn path_at(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object { key: None }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key }) => *key = None,
                None => {}
            },
            b'"' => {
                let (string, next) = read_string(bytes, i + 1);
                if let Some(Frame::Object { key }) = stack.last_mut() {
                    if key.is_none() {
                        *key = Some(string);
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// Reads a JSON string body starting after its opening quote; returns it (escapes kept
/// as written, which is fine for field names) and the index after the closing quote.
fn read_string(bytes: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    let body = String::from_utf8_lossy(&bytes[start..i.min(bytes.len())]).into_owned();
    (body, i + 1)
}

/// The byte offset of a 1-based line and column (as serde_json reports them).
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    line_start + column
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, marker: &str) -> String {
        path_at(text, text.find(marker).unwrap())
    }

    #[test]
    fn names_nested_fields_and_indices() {
        let t = r#"{"network": {"latency": {"kind": "uniform", "min": X}}, "links": [{"from": 0}, {"to": Y}]}"#;
        assert_eq!(at(t, "X"), "network.latency.min");
        assert_eq!(at(t, "Y"), "links[1].to");
        assert_eq!(path_at(t, 0), "");
    }

    #[test]
    fn commas_inside_strings_and_escaped_quotes_do_not_confuse_it() {
        let t = r#"{"name": "a, \"b\" [c", "nodes": [1, 2, X]}"#;
        assert_eq!(at(t, "X"), "nodes[2]");
    }

    #[test]
    fn a_key_just_read_is_the_path() {
        let t = r#"{"network": {"lossy" : 1}}"#;
        assert_eq!(path_at(t, t.find(" :").unwrap()), "network.lossy");
    }

    #[test]
    fn offsets_follow_lines() {
        let t = "{\n  \"a\": 1,\n  \"b\": X\n}";
        assert_eq!(offset_of(t, 3, 8), t.find('X').unwrap() + 1);
    }
}
