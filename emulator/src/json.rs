//! JSON as Go's `encoding/json` writes it: struct fields in declaration order,
//! map keys sorted, and `<`, `>`, `&`, U+2028, U+2029 escaped.

use serde::Serialize;

/// Serializes `value` the way GoTrue's `json.Marshal` would.
pub fn to_go_json<T: Serialize + ?Sized>(value: &T) -> String {
    let raw = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_html_characters_like_go() {
        assert_eq!(
            super::to_go_json(&serde_json::json!({"b": "<a&b>", "a": 1})),
            r#"{"a":1,"b":"\u003ca\u0026b\u003e"}"#
        );
    }
}
