//! The authorize builder on any options: never panics; a URL it builds starts at the project's
//! authorize endpoint, carries exactly one selector, and has no raw space, `#` or control character.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::api;
use supabase_workos::protocol::authorize::AuthorizeOptions;
use supabase_workos::protocol::pkce::Verifier;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    host: &'a str,
    path: &'a str,
    connection: Option<&'a str>,
    organization: Option<&'a str>,
    provider: Option<&'a str>,
    redirect_to: Option<&'a str>,
    redirect_https: bool,
    scopes: Option<&'a str>,
    login_hint: Option<&'a str>,
    domain_hint: Option<&'a str>,
    query: &'a str,
    random: Option<[u8; 56]>,
}

fuzz_target!(|i: Input<'_>| {
    let origin = ["https://", i.host].concat();
    let url = Some(("https:", origin.as_str(), i.host, i.path, true));
    let redirect = i.redirect_to.map(|r| {
        (
            // Any scheme but the refused ones is sent; `javascript:` never is.
            if i.redirect_https { "https:" } else { "javascript:" },
            r,
            r,
            r,
            true,
        )
    });
    // The shell's PKCE: a verifier from 56 random bytes and its S256 challenge.
    let verifier = i.random.as_ref().map(Verifier::from_random);
    // The core checks that a challenge comes with the verifier, not how it was made (the browser
    // hashes with crypto.subtle).
    let challenge = verifier.as_ref().map(|_| "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    // The implicit flow's nonce, and the page it comes back to without redirectTo.
    let nonce = verifier.is_none().then_some("0123456789abcdef0123456789abcdef");
    let out = api::sign_in(
        url,
        redirect,
        "sb-x-auth-token",
        AuthorizeOptions {
            connection: i.connection,
            organization: i.organization,
            provider: i.provider,
            redirect_to: i.redirect_to,
            scopes: i.scopes,
            login_hint: i.login_hint,
            domain_hint: i.domain_hint,
            query_params: api::query_pairs(i.query),
            code_challenge: None,
        },
        verifier.as_ref().map(Verifier::secret),
        verifier.as_ref().map(|_| "pkce"),
        challenge,
        nonce,
        Some("https://app.example/page#old"),
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    if let Some(url) = v["url"].as_str() {
        // (The fuzzed host is not a parsed origin, so the query is found after the endpoint.)
        let query = url
            .rsplit_once("/auth/v1/authorize?")
            .map(|(_, q)| q)
            .expect("the endpoint");
        assert!(query.starts_with("provider=workos"));
        assert!(
            !query.bytes().any(|b| b == b' ' || b == b'#' || b < 0x20),
            "{url}"
        );
        let selectors = query
            .split('&')
            .filter(|p| {
                p.starts_with("connection=")
                    || p.starts_with("organization=")
                    || p.starts_with("workos_provider=")
            })
            .count();
        assert_eq!(selectors, 1, "{url}");
        assert_eq!(v["verifierKey"].is_string(), i.random.is_some());
        assert_eq!(v["nonce"].is_string(), i.random.is_none());
        // The nonce goes out inside redirect_to, encoded: never a bare '#'.
        assert_eq!(query.contains("sbw_nonce%3D"), i.random.is_none(), "{url}");
    } else {
        assert!(v["error"]["code"].is_string());
    }
});
