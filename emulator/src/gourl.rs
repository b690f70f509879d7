//! The parts of Go's `net/url` that decide GoTrue's bytes on the wire,
//! following `net/url` of Go 1.23 (the Go that supabase/auth builds with).
//!
//! GoTrue builds every redirect with `url.Parse`, `url.Values.Encode` and
//! `URL.String`, so the emulator re-implements exactly those (query parsing
//! that drops malformed pairs, sorted re-encoding, fragment escaping that turns
//! `%` into `%25`, ...). Values are bytes, as in Go: a `%FF` in a query must
//! come back out as `%FF`, not as a replacement character.

use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    QueryComponent,
    Fragment,
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if is_alnum(c) {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::QueryComponent => true,
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_pct(out: &mut String, c: u8) {
    let hex = |n: u8| char::from(UPPER_HEX.get(usize::from(n)).copied().unwrap_or(b'0'));
    out.push('%');
    out.push(hex(c >> 4));
    out.push(hex(c & 15));
}

/// A string Go's `net/url` would refuse to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadUrl;

impl std::fmt::Display for BadUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid URL")
    }
}

impl std::error::Error for BadUrl {}

fn escape(s: &[u8], mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == Mode::QueryComponent {
            out.push('+');
        } else if should_escape(c, mode) {
            push_pct(&mut out, c);
        } else {
            out.push(char::from(c));
        }
    }
    out
}

fn unhex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Go's `unescape`: a malformed `%` escape is an error in every mode, and the
/// host only admits escapes of non-ASCII bytes (and `%25`).
fn unescape(s: &str, mode: Mode) -> Result<Vec<u8>, BadUrl> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let hi = b.get(i + 1).copied().and_then(unhex).ok_or(BadUrl)?;
                let lo = b.get(i + 2).copied().and_then(unhex).ok_or(BadUrl)?;
                if mode == Mode::Host && hi < 8 && b.get(i..i + 3) != Some(b"%25".as_slice()) {
                    return Err(BadUrl);
                }
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(if mode == Mode::QueryComponent {
                    b' '
                } else {
                    b'+'
                });
                i += 1;
            }
            _ => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    return Err(BadUrl);
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn valid_encoded(s: &str, mode: Mode) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

/// Go's `url.QueryEscape`: space becomes `+`, only `A-Za-z0-9-_.~` stay raw.
pub fn query_escape(s: &[u8]) -> String {
    escape(s, Mode::QueryComponent)
}

/// Go's `url.QueryUnescape`.
pub fn query_unescape(s: &str) -> Result<Vec<u8>, BadUrl> {
    unescape(s, Mode::QueryComponent)
}

/// JavaScript's `encodeURIComponent` (space is `%20`), which is how WorkOS
/// writes the `error_description` it sends back.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if is_alnum(c) || b"-_.!~*'()".contains(&c) {
            out.push(char::from(c));
        } else {
            push_pct(&mut out, c);
        }
    }
    out
}

/// `net/http.Redirect` writes the Location with every non-ASCII byte escaped.
pub fn hex_escape_non_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c >= 0x80 {
            push_pct(&mut out, c);
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Go's `url.Values`: keys sorted bytewise (what `Encode` relies on), each
/// key keeping its values in arrival order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values(BTreeMap<Vec<u8>, Vec<Vec<u8>>>);

impl Values {
    /// `url.ParseQuery`, ignoring its error as `URL.Query()` does: a pair
    /// with a `;` or a malformed escape is dropped, the rest kept.
    pub fn parse(query: &str) -> Values {
        let mut m: BTreeMap<Vec<u8>, Vec<Vec<u8>>> = BTreeMap::new();
        for pair in query.split('&') {
            if pair.is_empty() || pair.contains(';') {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Ok(k), Ok(v)) = (query_unescape(k), query_unescape(v)) else {
                continue;
            };
            m.entry(k).or_default().push(v);
        }
        Values(m)
    }

    /// First value of `key`, as Go's `Get` (lossy UTF-8 for logic only).
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .get(key.as_bytes())
            .and_then(|v| v.first())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// `Get` with Go's "" for a missing key.
    pub fn get_or_empty(&self, key: &str) -> String {
        self.get(key).unwrap_or_default()
    }

    /// Whether `key` is present at all (even with an empty value).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key.as_bytes())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.0
            .insert(key.as_bytes().to_vec(), vec![value.as_bytes().to_vec()]);
    }

    pub fn del(&mut self, key: &[u8]) {
        self.0.remove(key);
    }

    /// Keys in sorted order.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.0.keys().cloned().collect()
    }

    /// First raw value of a raw key.
    pub fn first_raw(&self, key: &[u8]) -> Option<&[u8]> {
        self.0.get(key).and_then(|v| v.first()).map(Vec::as_slice)
    }

    pub fn set_raw(&mut self, key: &[u8], value: &[u8]) {
        self.0.insert(key.to_vec(), vec![value.to_vec()]);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `url.Values.Encode`: `k=v` pairs sorted by key, query-escaped.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (k, vs) in &self.0 {
            let key = query_escape(k);
            for v in vs {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&key);
                out.push('=');
                out.push_str(&query_escape(v));
            }
        }
        out
    }
}

/// A parsed URL with the fields of Go's `url.URL` that `String` reads.
#[derive(Clone, Debug, Default)]
pub struct GoUrl {
    pub scheme: String,
    pub opaque: String,
    user: Option<(Vec<u8>, Option<Vec<u8>>)>,
    host: Vec<u8>,
    path: Vec<u8>,
    raw_path: String,
    omit_host: bool,
    pub force_query: bool,
    pub raw_query: String,
    fragment: Vec<u8>,
    raw_fragment: String,
}

fn get_scheme(raw: &str) -> Result<(&str, &str), BadUrl> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err(BadUrl);
                }
                return Ok((raw.get(..i).ok_or(BadUrl)?, raw.get(i + 1..).ok_or(BadUrl)?));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_optional_port(port: &str) -> bool {
    if port.is_empty() {
        return true;
    }
    match port.strip_prefix(':') {
        Some(digits) => digits.bytes().all(|c| c.is_ascii_digit()),
        None => false,
    }
}

fn parse_host(host: &str) -> Result<Vec<u8>, BadUrl> {
    if host.starts_with('[') {
        let i = host.rfind(']').ok_or(BadUrl)?;
        if !valid_optional_port(host.get(i + 1..).ok_or(BadUrl)?) {
            return Err(BadUrl);
        }
    } else if let Some(i) = host.rfind(':') {
        if !valid_optional_port(host.get(i..).ok_or(BadUrl)?) {
            return Err(BadUrl);
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|c| is_alnum(c) || b"-._:~!$&'()*+,;=%@".contains(&c))
}

impl GoUrl {
    /// Go's `url.Parse` (not via a request).
    pub fn parse(raw: &str) -> Result<GoUrl, BadUrl> {
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let mut url = GoUrl::parse_no_fragment(u)?;
        if let Some(f) = frag {
            let fragment = unescape(f, Mode::Fragment)?;
            url.raw_fragment = if escape(&fragment, Mode::Fragment) == f {
                String::new()
            } else {
                f.to_string()
            };
            url.fragment = fragment;
        }
        Ok(url)
    }

    fn parse_no_fragment(raw: &str) -> Result<GoUrl, BadUrl> {
        if raw.bytes().any(|c| c < 0x20 || c == 0x7f) {
            return Err(BadUrl);
        }
        let mut url = GoUrl::default();
        if raw == "*" {
            url.path = b"*".to_vec();
            return Ok(url);
        }
        let (scheme, mut rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = rest.get(..rest.len() - 1).ok_or(BadUrl)?;
        } else if let Some((r, q)) = rest.split_once('?') {
            url.raw_query = q.to_string();
            rest = r;
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err(BadUrl);
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = rest.get(2..).ok_or(BadUrl)?;
            let (authority, path) = match after.find('/') {
                Some(i) => (after.get(..i).ok_or(BadUrl)?, after.get(i..).ok_or(BadUrl)?),
                None => (after, ""),
            };
            match authority.rfind('@') {
                None => url.host = parse_host(authority)?,
                Some(i) => {
                    url.host = parse_host(authority.get(i + 1..).ok_or(BadUrl)?)?;
                    let userinfo = authority.get(..i).ok_or(BadUrl)?;
                    if !valid_userinfo(userinfo) {
                        return Err(BadUrl);
                    }
                    url.user = Some(match userinfo.split_once(':') {
                        None => (unescape(userinfo, Mode::UserPassword)?, None),
                        Some((u, p)) => (
                            unescape(u, Mode::UserPassword)?,
                            Some(unescape(p, Mode::UserPassword)?),
                        ),
                    });
                }
            }
            rest = path;
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        let path = unescape(rest, Mode::Path)?;
        url.raw_path = if escape(&path, Mode::Path) == rest {
            String::new()
        } else {
            rest.to_string()
        };
        url.path = path;
        Ok(url)
    }

    fn split_host_port(&self) -> (String, String) {
        let hp = String::from_utf8_lossy(&self.host).into_owned();
        let mut host = hp.clone();
        let mut port = String::new();
        if let Some(colon) = hp.rfind(':') {
            if let (Some(h), Some(p)) = (hp.get(..colon), hp.get(colon..)) {
                if valid_optional_port(p) {
                    host = h.to_string();
                    port = p.get(1..).unwrap_or("").to_string();
                }
            }
        }
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = host.get(1..host.len() - 1).unwrap_or("").to_string();
        }
        (host, port)
    }

    /// `URL.Hostname()`.
    pub fn hostname(&self) -> String {
        self.split_host_port().0
    }

    /// `URL.Port()`.
    pub fn port(&self) -> String {
        self.split_host_port().1
    }

    /// `URL.Query()`.
    pub fn query(&self) -> Values {
        Values::parse(&self.raw_query)
    }

    /// Replaces the fragment as `u.Fragment = …` does in Go.
    pub fn set_fragment(&mut self, fragment: &str) {
        self.fragment = fragment.as_bytes().to_vec();
        self.raw_fragment = String::new();
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty() && valid_encoded(&self.raw_path, Mode::Path) {
            if let Ok(p) = unescape(&self.raw_path, Mode::Path) {
                if p == self.path {
                    return self.raw_path.clone();
                }
            }
        }
        if self.path == b"*" {
            return "*".to_string();
        }
        escape(&self.path, Mode::Path)
    }

    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty() && valid_encoded(&self.raw_fragment, Mode::Fragment) {
            if let Ok(f) = unescape(&self.raw_fragment, Mode::Fragment) {
                if f == self.fragment {
                    return self.raw_fragment.clone();
                }
            }
        }
        escape(&self.fragment, Mode::Fragment)
    }
}

impl std::fmt::Display for GoUrl {
    /// `URL.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if self.omit_host && self.host.is_empty() && self.user.is_none() {
                    // omitted empty host
                } else {
                    if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                        buf.push_str("//");
                    }
                    if let Some((user, pass)) = &self.user {
                        buf.push_str(&escape(user, Mode::UserPassword));
                        if let Some(p) = pass {
                            buf.push(':');
                            buf.push_str(&escape(p, Mode::UserPassword));
                        }
                        buf.push('@');
                    }
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let segment = path.split('/').next().unwrap_or("");
                if segment.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        f.write_str(&buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_encode_sorts_and_escapes_like_go() {
        let mut v = Values::parse("z=1&a=b+c&a=%7E&bad=%zz&semi=1;2&=empty");
        v.set("code", "x y/é");
        assert_eq!(v.encode(), "=empty&a=b+c&a=~&code=x+y%2F%C3%A9&z=1");
        assert!(!v.has("bad"));
    }

    #[test]
    fn url_round_trip_matches_go_string() {
        for (input, want) in [
            ("http://localhost:5173", "http://localhost:5173"),
            (
                "https://app.example.com/cb?b=2&a=1#frag",
                "https://app.example.com/cb?b=2&a=1#frag",
            ),
            ("http://x/a%2Fb", "http://x/a%2Fb"),
            ("http://x/a{b}", "http://x/a%7Bb%7D"),
            ("myapp://callback", "myapp://callback"),
            ("myapp:callback", "myapp:callback"),
            ("http://x/?", "http://x/?"),
            ("http://x/#", "http://x/"),
        ] {
            assert_eq!(GoUrl::parse(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn parse_rejects_what_go_rejects() {
        for bad in [
            "http://example.com/%zz",
            "http://65e7:9410:d8b6:e227:58cd:e55b:8fc0:206d/",
            "com.my_cool_app.example://callback",
            "http://x/\t",
            ":nothing",
            "http://x/#%zz",
        ] {
            assert!(GoUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fragment_reescaping_doubles_percent_like_go() {
        let mut u = GoUrl::parse("https://app.example.com/cb").unwrap();
        u.set_fragment("error_description=a%3Ab&sb=");
        assert_eq!(
            u.to_string(),
            "https://app.example.com/cb#error_description=a%253Ab&sb="
        );
    }

    #[test]
    fn hostname_and_port() {
        let u = GoUrl::parse("http://[::1]:8080/x").unwrap();
        assert_eq!(
            (u.hostname(), u.port()),
            ("::1".to_string(), "8080".to_string())
        );
        let u = GoUrl::parse("http://localhost/x").unwrap();
        assert_eq!(
            (u.hostname(), u.port()),
            ("localhost".to_string(), String::new())
        );
    }
}
