//! The redirect back from Supabase Auth (PROTOCOL.md §4): what a callback URL holds, and the same
//! URL with the auth parameters, and only they, removed.
//!
//! Query and fragment are read as `URLSearchParams` reads them (`&`-separated, `+` is a space,
//! invalid escapes kept, invalid UTF-8 replaced); the query wins over the fragment. A hash-router
//! URL `…#/route#access_token=…` is read after its second `#`, and `#/route` is kept.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Error, ErrorCode, ServerDetail};
use super::secret::Secret;
use super::text::{cut, cut_or_all, pieces};

/// Every key Supabase Auth or supabase-js puts on a redirect; removed from the address bar after a
/// callback.
pub const AUTH_KEYS: [&str; 15] = [
    "access_token",
    "refresh_token",
    "expires_in",
    "expires_at",
    "token_type",
    "provider_token",
    "provider_refresh_token",
    "type",
    "sb",
    "error",
    "error_code",
    "error_description",
    "code",
    "sb_flow_id",
    NONCE_KEY,
];

/// The key of the nonce an implicit sign-in of this library adds to its `redirect_to`, as a
/// fragment segment of its own (`…#sbw_nonce=<hex>`): Supabase Auth matches `redirect_to` against
/// its allow list without the fragment and keeps it, appending the tokens after a second `#`.
pub const NONCE_KEY: &str = "sbw_nonce";

/// One `key=value` of a query or fragment, decoded, with its raw text kept for rebuilding. Only
/// [`pairs`] makes them, so the key is always the raw text's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair<'a> {
    pub(crate) raw: &'a str,
    pub(crate) key: String,
    value: String,
}

pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` decoding of one component, as `URLSearchParams` does it.
pub fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    // Tokens and codes hold neither: they come back as they are, without a pass byte by byte.
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return String::from(s);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i).copied().and_then(hex_value);
                let lo = bytes.get(i + 1).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            _ => out.push(b),
        }
    }
    utf8_lossy(&out)
}

/// UTF-8 decoding with each maximal invalid subpart replaced by U+FFFD, as the browser's decoder
/// (and std's `from_utf8_lossy`) does; written out because std's version is a kilobyte of wasm.
pub fn utf8_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        // The sequence length, and the range the second byte must fall in.
        let (len, lo, hi) = match lead {
            0x00..=0x7F => {
                out.push(char::from(lead));
                i += 1;
                continue;
            }
            0xC2..=0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (3, 0x80, 0xBF),
            0xED => (3, 0x80, 0x9F),
            0xF0 => (4, 0x90, 0xBF),
            0xF1..=0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => {
                out.push('\u{FFFD}');
                i += 1;
                continue;
            }
        };
        let mut code = u32::from(lead) & (0x7F >> len);
        let mut taken = 1;
        while taken < len {
            let (min, max) = if taken == 1 { (lo, hi) } else { (0x80, 0xBF) };
            match bytes.get(i + taken) {
                Some(&c) if (min..=max).contains(&c) => {
                    code = (code << 6) | u32::from(c & 0x3F);
                    taken += 1;
                }
                _ => break,
            }
        }
        out.push(if taken == len {
            char::from_u32(code).unwrap_or('\u{FFFD}')
        } else {
            '\u{FFFD}'
        });
        i += taken;
    }
    out
}

/// The non-empty `&`-separated pairs of a query or fragment, in order.
pub fn pairs(s: &str) -> Vec<Pair<'_>> {
    pieces(s, b'&')
        .filter(|raw| !raw.is_empty())
        .map(|raw| {
            let (k, v) = cut_or_all(raw, b'=');
            Pair {
                raw,
                key: form_decode(k),
                value: form_decode(v),
            }
        })
        .collect()
}

fn is_auth_key(key: &str) -> bool {
    AUTH_KEYS.contains(&key)
}

/// The implicit-flow fields of a callback. Tokens are secrets: `Debug` hides them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImplicitParams {
    /// `access_token`
    pub access_token: Secret,
    /// `refresh_token`
    pub refresh_token: Secret,
    /// `token_type`, kept verbatim.
    pub token_type: String,
    /// `expires_in`, when it is a plain non-negative integer.
    pub expires_in: Option<u64>,
    /// `expires_at`, when it is a plain non-negative integer.
    pub expires_at: Option<u64>,
    /// `provider_token` (WorkOS's access token).
    pub provider_token: Option<Secret>,
    /// `provider_refresh_token`
    pub provider_refresh_token: Option<Secret>,
    /// `type=recovery`: supabase-js reports such a sign-in as `PASSWORD_RECOVERY`.
    pub recovery: bool,
    /// The `sbw_nonce` this library's sign-in put in the `redirect_to` (see [`NONCE_KEY`]), from
    /// any segment of the URL: the login-CSRF guard accepts only the callback that returns the
    /// nonce it stored.
    pub nonce: Option<String>,
}

/// What a callback URL holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// Not a callback: nothing to do, nothing to clean.
    None,
    /// Tokens in the fragment (implicit flow).
    Implicit(ImplicitParams),
    /// `?code=` (PKCE flow), with supabase-js's flow id when the redirect carried one.
    Pkce {
        /// The single-use authorization code.
        code: Secret,
        /// `sb_flow_id`, naming supabase-js's per-flow verifier slot.
        flow_id: Option<String>,
    },
    /// An error from Supabase Auth or WorkOS.
    Error(Error),
}

/// A parsed callback and the URL without its auth parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The callback, or `invalid_callback` when it is malformed.
    pub callback: Result<Callback, Error>,
    /// The URL with the auth parameters removed; `None` when the URL has none.
    pub cleaned: Option<String>,
}

/// A strict integer: ASCII digits only, at most 15 of them.
pub fn strict_uint(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// supabase-js's flow ids: 8 to 64 of `[A-Za-z0-9_-]`; they name a storage key.
fn valid_flow_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

const MALFORMED: Error = Error::new(
    ErrorCode::InvalidCallback,
    "the callback URL is malformed: an auth parameter is repeated or missing",
);

/// Auth pairs of one part (query or fragment); `invalid_callback` when an auth key repeats.
fn auth_pairs<'a>(part: &'a [Pair<'a>]) -> Result<Vec<(&'a str, &'a str)>, Error> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for p in part.iter().filter(|p| is_auth_key(&p.key)) {
        if seen.iter().any(|(k, _)| *k == p.key) {
            return Err(MALFORMED);
        }
        seen.push((&p.key, &p.value));
    }
    Ok(seen)
}

fn rebuild(out: &mut String, sep: char, part: &[Pair<'_>]) {
    let mut first = true;
    // In a fragment, `?error=…` kept first would read as `error` (a leading `?` is dropped): such a
    // pair goes too.
    let auth =
        |k: &str| is_auth_key(k) || (sep == '#' && k.strip_prefix('?').is_some_and(is_auth_key));
    for p in part.iter().filter(|p| !auth(&p.key)) {
        out.push(if first { sep } else { '&' });
        out.push_str(p.raw);
        first = false;
    }
}

/// True when any `&`-separated pair of `part` has an auth key.
fn has_auth(part: &[Pair<'_>]) -> bool {
    part.iter().any(|p| is_auth_key(&p.key))
}

/// The pairs of one `#` segment. `URLSearchParams`, which supabase-js reads the fragment with,
/// drops one leading `?`: `#?access_token=…` is a callback.
fn segment_pairs(segment: &str) -> Vec<Pair<'_>> {
    pairs(segment.strip_prefix('?').unwrap_or(segment))
}

/// True when the URL holds an auth parameter anywhere: in the query or in any `#` segment.
pub fn has_auth_keys(href: &str) -> bool {
    let (before_hash, fragment) = cut_or_all(href, b'#');
    let query = cut_or_all(before_hash, b'?').1;
    has_auth(&pairs(query)) || pieces(fragment, b'#').any(|seg| has_auth(&segment_pairs(seg)))
}

/// Parses a callback URL (an absolute URL as `location.href` gives it).
pub fn parse(href: &str) -> Parsed {
    let (before_hash, fragment) = match cut(href, b'#') {
        Some((b, f)) => (b, Some(f)),
        None => (href, None),
    };
    let (base, query) = cut_or_all(before_hash, b'?');
    // `#/route#access_token=…`: Supabase Auth appends the callback after the app's own fragment,
    // so the auth part is the last `#` segment and the ones before it are the app's.
    let segments: Vec<&str> = fragment
        .map(|f| pieces(f, b'#').collect())
        .unwrap_or_default();
    let query_pairs = pairs(query);
    let mut segment_parts: Vec<Vec<Pair<'_>>> = Vec::with_capacity(segments.len());
    for segment in &segments {
        segment_parts.push(segment_pairs(segment));
    }

    // The nonce stands in a segment before the one Supabase Auth appended, so it is looked for in
    // every part; given twice, the URL is not one this library's sign-in made.
    let mut nonce = None;
    let mut twice = false;
    let mut auth_anywhere = false;
    for part in core::iter::once(&query_pairs).chain(&segment_parts) {
        auth_anywhere |= has_auth(part);
        for p in part {
            if p.key == NONCE_KEY {
                twice |= nonce.is_some();
                nonce = Some(p.value.clone());
            }
        }
    }
    let fragment_pairs = segment_parts.last().map_or(&[][..], |p| p);
    let callback = if twice {
        Err(MALFORMED)
    } else {
        classify(&query_pairs, fragment_pairs, nonce)
    };
    let cleaned = match &callback {
        Ok(Callback::None) => None,
        _ if !auth_anywhere => None,
        _ => {
            let mut out = String::with_capacity(href.len());
            out.push_str(base);
            rebuild(&mut out, '?', &query_pairs);
            // Every segment loses its auth pairs (an app route keeps its text when it has none);
            // a segment left empty leaves no bare `#` behind.
            for (i, segment) in segments.iter().enumerate() {
                let kept = segment_parts.get(i).map_or(&[][..], |p| p);
                if has_auth(kept) {
                    rebuild(&mut out, '#', kept);
                } else if !segment.is_empty() {
                    out.push('#');
                    out.push_str(segment);
                }
            }
            Some(out)
        }
    };
    Parsed { callback, cleaned }
}

fn classify(
    query: &[Pair<'_>],
    fragment: &[Pair<'_>],
    nonce: Option<String>,
) -> Result<Callback, Error> {
    let q = auth_pairs(query)?;
    let f = auth_pairs(fragment)?;
    let get = |key: &str| {
        q.iter()
            .chain(f.iter())
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    };
    let owned = |key: &str| get(key).map(String::from);

    if get("error").is_some() || get("error_description").is_some() || get("error_code").is_some() {
        let detail = ServerDetail {
            status: 0,
            code: owned("error_code"),
            message: owned("error_description"),
            error: owned("error"),
        };
        return Ok(Callback::Error(Error::with_server(
            ErrorCode::Redirect,
            "Error in URL with unspecified error_description",
            detail,
        )));
    }
    if let Some(access_token) = get("access_token") {
        let (Some(refresh_token), Some(token_type)) = (get("refresh_token"), get("token_type"))
        else {
            return Err(MALFORMED);
        };
        // The access token travels in an `Authorization` header: visible ASCII only (a JWT
        // always is). Anything else is a damaged or forged URL.
        if access_token.is_empty()
            || !access_token.bytes().all(|b| b.is_ascii_graphic())
            || refresh_token.is_empty()
        {
            return Err(MALFORMED);
        }
        return Ok(Callback::Implicit(ImplicitParams {
            access_token: Secret::new(access_token),
            refresh_token: Secret::new(refresh_token),
            token_type: token_type.into(),
            expires_in: get("expires_in").and_then(strict_uint),
            expires_at: get("expires_at").and_then(strict_uint),
            provider_token: get("provider_token").map(Secret::new),
            provider_refresh_token: get("provider_refresh_token").map(Secret::new),
            recovery: get("type") == Some("recovery"),
            nonce,
        }));
    }
    match get("code") {
        Some(code) if !code.is_empty() => {
            let flow_id = owned("sb_flow_id");
            if flow_id.as_deref().is_some_and(|id| !valid_flow_id(id)) {
                return Err(MALFORMED);
            }
            Ok(Callback::Pkce {
                code: Secret::new(code),
                flow_id,
            })
        }
        _ => Ok(Callback::None),
    }
}
