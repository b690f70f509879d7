//! Shared by the native and the browser conformance tests: the golden vectors of
//! `tests/vectors/` (copied from the conformance suite) and how a supabase-js call maps onto ours.
#![allow(dead_code, clippy::indexing_slicing)]

use serde_json::{Map, Value};

/// One vector.
pub struct Case {
    pub id: String,
    pub input: Value,
    pub expected: Value,
}

/// serde_json refuses lone UTF-16 surrogates; the browser turns them into U+FFFD when a JS
/// string crosses into Rust, so the native side reads them as that too.
fn replace_lone_surrogates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("\\ud8").or_else(|| rest.find("\\udb")) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let escape = tail.get(..6).unwrap_or(tail);
        let next = tail.get(6..12).unwrap_or("");
        let paired = next.starts_with("\\udc")
            || next.starts_with("\\udd")
            || next.starts_with("\\ude")
            || next.starts_with("\\udf");
        if paired {
            out.push_str(tail.get(..12).unwrap_or(tail));
            rest = tail.get(12..).unwrap_or("");
        } else {
            out.push_str("\\ufffd");
            rest = tail.get(escape.len()..).unwrap_or("");
        }
    }
    out.push_str(rest);
    out
}

/// The cases of a vector file.
pub fn cases(text: &str) -> Vec<Case> {
    let doc: Value = serde_json::from_str(&replace_lone_surrogates(text)).expect("vectors parse");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            id: c["id"].as_str().expect("id").to_owned(),
            input: c["input"].clone(),
            expected: c["expected"].clone(),
        })
        .collect()
}

pub const AUTHORIZE: &str = include_str!("../vectors/authorize.json");

/// A supabase-js `signInWithOAuth` call, as the same intent in our API.
pub struct Mapped {
    pub supabase_url: String,
    /// An explicit `storageKey` (bare GoTrueClient cases use `supabase.auth.token`).
    pub storage_key: Option<String>,
    pub pkce: bool,
    /// Our `signInWithWorkOS` options, as a plain JSON object.
    pub options: Value,
}

/// supabase-js's `queryParams.connection|organization|provider|workos_provider` become our
/// selector fields; every other query parameter stays in `queryParams`, in order.
pub fn map_authorize(case: &Case) -> Mapped {
    let input = &case.input;
    let (supabase_url, storage_key) = match input["supabaseUrl"].as_str() {
        Some(u) => (u.to_owned(), None),
        None => {
            let auth = input["authUrl"].as_str().expect("authUrl");
            let base = auth.strip_suffix("/auth/v1").expect("an /auth/v1 URL");
            (
                base.to_owned(),
                case.expected["storageKey"].as_str().map(str::to_owned),
            )
        }
    };
    let opts = &input["signInWithOAuth"]["options"];
    let mut ours = Map::new();
    for (from, to) in [("redirectTo", "redirectTo"), ("scopes", "scopes")] {
        if let Some(v) = opts.get(from) {
            ours.insert(to.to_owned(), v.clone());
        }
    }
    match &opts["queryParams"] {
        Value::Object(qp) => {
            let mut rest = Map::new();
            for (k, v) in qp {
                let our_key = match k.as_str() {
                    "connection" | "organization" => k.as_str(),
                    "provider" | "workos_provider" => "provider",
                    _ => {
                        rest.insert(k.clone(), v.clone());
                        continue;
                    }
                };
                ours.insert(our_key.to_owned(), v.clone());
            }
            ours.insert("queryParams".to_owned(), Value::Object(rest));
        }
        Value::Null => {}
        other => {
            ours.insert("queryParams".to_owned(), other.clone());
        }
    }
    if opts.get("skipBrowserRedirect").is_some() {
        ours.insert(
            "skipBrowserRedirect".to_owned(),
            opts["skipBrowserRedirect"].clone(),
        );
    }
    Mapped {
        supabase_url,
        storage_key,
        pkce: input["flowType"] == "pkce",
        options: Value::Object(ours),
    }
}

/// What we do for a vector.
#[derive(Debug, PartialEq)]
pub enum Expect {
    /// The URL (with `{CODE_CHALLENGE}` for the challenge) and storage key supabase-js produced.
    Same,
    /// A deliberate difference (conformance/README.md): this URL instead.
    Url(&'static str),
    /// A deliberate difference: refused with this code, nothing stored, no navigation.
    Refused(&'static str),
}

const BASE: &str = "https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos";

/// Where we deliberately differ from supabase-js, and why (each also has a test of its own).
pub fn expectation(id: &str) -> Expect {
    match id {
        // `provider` is sent as `workos_provider`, the key GoTrue forwards to WorkOS as `provider`;
        // supabase-js's second `provider=` is dropped by the server.
        "provider-param-MicrosoftOAuth" => Expect::Url(
            "https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos&workos_provider=MicrosoftOAuth",
        ),
        "provider-param-GitHubOAuth" => Expect::Url(
            "https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos&workos_provider=GitHubOAuth",
        ),
        // Exactly one selector.
        "connection-and-organization" => Expect::Refused("ambiguous_selector"),
        "domain_hint" | "qp-key-needs-encoding" | "qp-empty-object" => {
            Expect::Refused("missing_selector")
        }
        // An empty selector is no selector; `null` values are omitted, not sent as "null".
        "qp-empty-value" | "qp-null-and-number" => Expect::Refused("missing_selector"),
        // `state` is reserved: GoTrue strips it before WorkOS sees it.
        "qp-slash-question" => Expect::Refused("invalid_options"),
        // `queryParams` is a record; an array of pairs (with a repeated key) is refused.
        "qp-array-pairs" => Expect::Refused("invalid_options"),
        // The selector is a typed option and always comes first (PROTOCOL.md §2, item 5).
        "hints-order" => Expect::Url(
            "https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos&connection=conn_1&domain_hint=example.com&login_hint=ada%40example.com",
        ),
        // We only ever sign in with `provider=workos`.
        "provider-needs-encoding" => Expect::Url(
            "https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos&connection=conn_1",
        ),
        // A redirectTo that runs script or content where it lands (supabase-js 2.119.1 sends
        // these too); custom-scheme deep links are sent as it sends them.
        "redirectTo-javascript-implicit"
        | "redirectTo-javascript-pkce"
        | "redirectTo-data-implicit"
        | "redirectTo-data-pkce"
        | "redirectTo-vbscript-implicit"
        | "redirectTo-vbscript-pkce"
        | "redirectTo-blob-implicit"
        | "redirectTo-blob-pkce" => Expect::Refused("invalid_options"),
        _ => Expect::Same,
    }
}

/// The expected URL for a case, with our challenge in place of `{CODE_CHALLENGE}`.
pub fn expected_url(case: &Case, challenge: &str) -> Option<String> {
    match expectation(&case.id) {
        Expect::Same => Some(
            case.expected["url"]
                .as_str()
                .expect("url")
                .replace("{CODE_CHALLENGE}", challenge),
        ),
        Expect::Url(u) => {
            assert!(u.starts_with(BASE));
            Some(u.to_owned())
        }
        Expect::Refused(_) => None,
    }
}

/// The S256 PKCE challenge of a verifier, base64url(SHA-256) without padding: what the shells get
/// from `crypto.subtle`, computed here by the `sha2` and `base64` crates.
pub fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}
