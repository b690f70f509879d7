//! Just enough JSON for the boundary, without serde: writing flat objects (the shell turns them
//! into JS values with the browser's `JSON.parse`), and finding a top-level member in text the
//! browser has already parsed once (so it is known to be valid JSON).

use alloc::string::String;

/// Appends `s` as a JSON string literal.
pub fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    // Escapes are ASCII, so the text between them is copied whole.
    while let Some(i) = rest
        .bytes()
        .position(|b| b < 0x20 || b == b'"' || b == b'\\')
    {
        let (Some(head), Some(tail), Some(&b)) =
            (rest.get(..i), rest.get(i + 1..), rest.as_bytes().get(i))
        else {
            break;
        };
        out.push_str(head);
        out.push('\\');
        if b < 0x20 {
            out.push_str("u00");
            out.push(super::encode::hex_digit(b >> 4, b'a'));
            out.push(super::encode::hex_digit(b, b'a'));
        } else {
            out.push(char::from(b));
        }
        rest = tail;
    }
    out.push_str(rest);
    out.push('"');
}

/// Appends an unsigned integer in decimal.
pub fn push_uint(out: &mut String, n: u64) {
    if n >= 10 {
        push_uint(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// A JSON object written member by member; members may be objects in turn ([`Object::open`]).
pub struct Object(String);

impl Default for Object {
    fn default() -> Self {
        Object::new()
    }
}

impl Object {
    /// `{`
    pub fn new() -> Self {
        Object(String::from("{"))
    }

    fn key(&mut self, key: &str) -> &mut String {
        if self.0.as_bytes().last() != Some(&b'{') {
            self.0.push(',');
        }
        push_str_literal(&mut self.0, key);
        self.0.push(':');
        &mut self.0
    }

    /// `"key":"value"`
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        push_str_literal(self.key(key), value);
        self
    }

    /// `"key":"value"` when there is a value.
    pub fn opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    /// `"key":123`
    pub fn uint(&mut self, key: &str, value: u64) -> &mut Self {
        push_uint(self.key(key), value);
        self
    }

    /// `"key":true|false`
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// `"key":{`: the members that follow are the inner object's, until [`Object::close`].
    pub fn open(&mut self, key: &str) -> &mut Self {
        self.key(key).push('{');
        self
    }

    /// `}`: closes what [`Object::open`] opened.
    pub fn close(&mut self) -> &mut Self {
        self.0.push('}');
        self
    }

    /// `}`: the finished text.
    pub fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// The byte offset just past the JSON value starting at `i` (valid JSON assumed); strings,
/// nesting and escapes are skipped properly.
fn skip_value(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    while let Some(&c) = b.get(i) {
        i += 1;
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return i - 1;
                }
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            b',' if depth == 0 => return i - 1,
            _ => {}
        }
    }
    i
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Whether the JSON string literal `lit` (quotes included) reads as `key`, escapes decoded as
/// `JSON.parse` decodes them. Only `\uXXXX` can spell a character that `key` (ASCII) holds; any
/// other escape spells a character no wanted key has.
fn key_is(lit: &[u8], key: &str) -> bool {
    let mut want = key.bytes();
    let mut rest = lit.get(1..lit.len().saturating_sub(1)).unwrap_or_default();
    loop {
        let (got, used) = match rest {
            [] => return want.next().is_none(),
            [b'\\', b'u', b'0', b'0', hi, lo, ..] => {
                match (
                    super::callback::hex_value(*hi),
                    super::callback::hex_value(*lo),
                ) {
                    (Some(h @ 0..=7), Some(l)) => (h << 4 | l, 6),
                    _ => return false,
                }
            }
            [b'\\', ..] => return false,
            [c, ..] => (*c, 1),
        };
        if want.next() != Some(got) {
            return false;
        }
        rest = rest.get(used..).unwrap_or_default();
    }
}

/// The raw text of the top-level member `key` of a JSON object, or `None` (not an object, no
/// such member). `text` must be valid JSON. Read as `JSON.parse` reads it, so that the shell and
/// the core never see two different answers in one text: a key written with `\u` escapes
/// matches, and of two members with the same key the last one counts.
pub fn member<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut last = None;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            return last;
        }
        let key_end = skip_value(b, i);
        let found = b.get(i..key_end).is_some_and(|lit| key_is(lit, key));
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return last;
        }
        let start = skip_ws(b, i + 1);
        let end = skip_value(b, start);
        if found {
            last = text.get(start..end).map(str::trim_ascii_end);
        }
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            _ => return last,
        }
    }
}

/// True when `raw` is a JSON string other than `""`.
pub fn is_nonempty_string(raw: Option<&str>) -> bool {
    raw.is_some_and(|r| r.len() > 2 && r.starts_with('"'))
}

/// A JSON number that is a plain non-negative integer (no sign, fraction or exponent).
pub fn uint(raw: Option<&str>) -> Option<u64> {
    super::callback::strict_uint(raw?)
}

/// The `id` of a member that is an object with a non-empty string `id` (a Supabase user), as
/// written between its quotes.
pub fn user_id(raw: Option<&str>) -> Option<&str> {
    let r = raw.filter(|r| r.starts_with('{'))?;
    let id = member(r, "id").filter(|id| is_nonempty_string(Some(id)))?;
    id.strip_prefix('"')?.strip_suffix('"')
}

/// A member that is an object with a non-empty string `id` (a Supabase user).
pub fn is_user(raw: Option<&str>) -> bool {
    user_id(raw).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn objects_are_written_with_escapes() {
        let mut o = Object::new();
        o.str("a", "x\"y\\z\n\u{1}é")
            .uint("n", 1_767_229_200)
            .uint("z", 0)
            .bool("t", true)
            .opt("none", None)
            .open("o")
            .open("p")
            .close()
            .str("q", "")
            .close();
        assert_eq!(
            o.end(),
            r#"{"a":"x\"y\\z\u000a\u0001é","n":1767229200,"z":0,"t":true,"o":{"p":{},"q":""}}"#
        );
        assert_eq!(Object::new().end(), "{}");
    }

    #[test]
    fn members_are_found_at_the_top_level_only() {
        let text = r#" { "user": {"id": "u", "exp": 1}, "s": "a,\"}b", "exp" : 4102444800 , "arr": [1, {"exp": 2}], "e": {} } "#;
        assert_eq!(member(text, "exp"), Some("4102444800"));
        assert_eq!(member(text, "s"), Some(r#""a,\"}b""#));
        assert_eq!(member(text, "user"), Some(r#"{"id": "u", "exp": 1}"#));
        assert_eq!(member(text, "arr"), Some(r#"[1, {"exp": 2}]"#));
        assert_eq!(member(text, "e"), Some("{}"));
        assert_eq!(member(text, "missing"), None);
        assert_eq!(member("[1,2]", "a"), None);
        assert_eq!(member("\"str\"", "a"), None);
        assert_eq!(member("{}", "a"), None);
        assert_eq!(uint(member(text, "exp")), Some(4_102_444_800));
        assert_eq!(uint(Some("1.5")), None);
        assert_eq!(uint(Some("-1")), None);
        assert!(is_user(member(text, "user")));
        assert!(!is_user(Some(r#"{"id":""}"#)));
        assert!(!is_user(Some(r#"{"id":5}"#)));
        assert!(!is_user(Some("null")));
    }

    #[test]
    fn members_read_as_json_parse_reads_them() {
        // The last of two members counts, as in JSON.parse.
        let twice = r#"{"user":{"id":"u"},"access_token":"a","user":null}"#;
        assert_eq!(member(twice, "user"), Some("null"));
        assert!(!is_user(member(twice, "user")));
        assert_eq!(member(r#"{"exp":1,"exp":2}"#, "exp"), Some("2"));
        assert_eq!(member(r#"{"exp":1,"exp":2,"iat":3}"#, "exp"), Some("2"));
        // Keys spelt with escapes are the same keys.
        assert_eq!(member(r#"{"exp":1,"\u0065xp":2}"#, "exp"), Some("2"));
        assert_eq!(
            member(r#"{"\u0075\u0073er":{"id":"x"}}"#, "user"),
            Some(r#"{"id":"x"}"#)
        );
        assert_eq!(member(r#"{"\u0055ser":1}"#, "user"), None);
        // Other escapes spell characters no wanted key has.
        assert_eq!(member(r#"{"us\ner":1,"u\"":2}"#, "user"), None);
        assert_eq!(
            member(r#"{"user\u0000":1,"use":2,"users":3}"#, "user"),
            None
        );
        assert!(!is_user(Some(r#"{"id":"u","id":5}"#)));
        assert!(is_user(Some(r#"{"id":5,"\u0069d":"u"}"#)));
    }

    #[test]
    fn every_prefix_of_a_document_is_handled_without_panicking() {
        let text = r#"{"a":"x\\\"","b":[{"c":1}],"d":true}"#;
        for end in 0..=text.len() {
            if let Some(prefix) = text.get(..end) {
                let _ = member(prefix, "d");
            }
        }
    }
}
