//! The authorize vectors, natively: every supabase-js URL reproduced byte for byte, except the
//! deliberate differences, each of which also has a test of its own below.
#![allow(clippy::indexing_slicing)] // test code: serde_json indexing returns Null, never panics
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cases, expectation, expected_url, map_authorize, Expect, AUTHORIZE};
use serde_json::{json, Value};
use supabase_workos::protocol::api::query_pairs;
use supabase_workos::protocol::encode::form_component;
use supabase_workos::protocol::pkce::{Verifier, VERIFIER_BYTES};
use supabase_workos::protocol::project::verifier_key;
use supabase_workos::{AuthorizeOptions, AuthorizeRequest, ErrorCode, ProjectUrl, UrlParts};

/// A small stand-in for the browser's URL parser, enough for the vectors' inputs: lower-cases
/// scheme and host, drops the default port. (The browser tests use the real `URL`.)
struct Parsed {
    protocol: String,
    origin: String,
    hostname: String,
    pathname: String,
    bare: bool,
}

fn parse(url: &str) -> Option<Parsed> {
    let hierarchical = url
        .split_once(':')
        .and_then(|(s, r)| Some(s).zip(r.strip_prefix("//")));
    let Some((scheme, rest)) = hierarchical else {
        // `scheme:path` without an authority (`data:`, `com.example.app:/cb`): as the browser's
        // `URL` reports it, an opaque or path-only URL with an empty host.
        let (scheme, path) = url.split_once(':')?;
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        let scheme = scheme.to_ascii_lowercase();
        return valid.then(|| Parsed {
            origin: "null".to_owned(),
            protocol: [scheme.as_str(), ":"].concat(),
            hostname: String::new(),
            pathname: path.to_owned(),
            bare: !path.contains(['?', '#']),
        });
    };
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.to_ascii_lowercase();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h.to_owned(), Some(p.to_owned()))
        }
        _ => (authority.clone(), None),
    };
    let default = if scheme == "https" { "443" } else { "80" };
    let host_port = match port {
        Some(p) if p != default => [host.as_str(), ":", &p].concat(),
        _ => host.clone(),
    };
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, query) = tail.split_at(path_end);
    Some(Parsed {
        origin: [scheme.as_str(), "://", &host_port].concat(),
        protocol: [scheme.as_str(), ":"].concat(),
        hostname: host,
        pathname: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
        bare: query.is_empty(),
    })
}

fn parts(p: &Parsed) -> UrlParts<'_> {
    UrlParts {
        protocol: &p.protocol,
        origin: &p.origin,
        hostname: &p.hostname,
        pathname: &p.pathname,
        bare: p.bare,
    }
}

fn string<'v>(v: &'v Value, key: &str) -> Result<Option<&'v str>, ErrorCode> {
    match &v[key] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(ErrorCode::InvalidOptions),
    }
}

/// Our options object through the core, as the wasm boundary does it.
fn build(
    supabase_url: &str,
    options: &Value,
    challenge: Option<String>,
) -> Result<String, ErrorCode> {
    let project = parse(supabase_url).ok_or(ErrorCode::InvalidOptions)?;
    let project = ProjectUrl::new(parts(&project)).map_err(|e| e.code())?;
    // What the shell passes: the pairs as `URLSearchParams` writes them.
    let mut query = String::new();
    match &options["queryParams"] {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(ErrorCode::InvalidOptions),
                };
                if !query.is_empty() {
                    query.push('&');
                }
                form_component(&mut query, k);
                query.push('=');
                form_component(&mut query, &v);
            }
        }
        _ => return Err(ErrorCode::InvalidOptions),
    }
    let query_params = query_pairs(&query);
    let redirect_to = string(options, "redirectTo")?;
    let redirect = redirect_to.and_then(parse);
    let opts = AuthorizeOptions {
        connection: string(options, "connection")?,
        organization: string(options, "organization")?,
        provider: string(options, "provider").unwrap_or(Some("?")),
        redirect_to,
        scopes: string(options, "scopes")?,
        login_hint: string(options, "loginHint")?,
        domain_hint: string(options, "domainHint")?,
        query_params,
        code_challenge: challenge.as_deref(),
    };
    let req = AuthorizeRequest::new(opts, redirect.as_ref().map(parts)).map_err(|e| e.code())?;
    Ok(req.url(&project))
}

#[test]
fn every_authorize_vector_matches_or_is_a_listed_difference() {
    let all = cases(AUTHORIZE);
    assert_eq!(all.len(), 53, "the vector file changed");
    let verifier = Verifier::from_random(&[7; VERIFIER_BYTES]);
    let challenge = common::s256(verifier.secret());
    let mut same = 0;
    for case in &all {
        let m = map_authorize(case);
        let got = build(
            &m.supabase_url,
            &m.options,
            m.pkce.then(|| challenge.clone()),
        );
        match expectation(&case.id) {
            Expect::Refused(code) => {
                assert_eq!(got.map_err(|c| c.as_str()), Err(code), "{}", case.id);
                continue;
            }
            Expect::Same => same += 1,
            Expect::Url(_) => {}
        }
        let want = expected_url(case, &challenge).expect("a URL");
        assert_eq!(got.as_deref(), Ok(want.as_str()), "{}", case.id);

        let project = parse(&m.supabase_url).expect("url");
        let project = ProjectUrl::new(parts(&project)).expect("project");
        let key = m
            .storage_key
            .clone()
            .unwrap_or_else(|| project.default_storage_key());
        assert_eq!(
            key,
            case.expected["storageKey"].as_str().expect("key"),
            "{}",
            case.id
        );
        if let Some(pkce) = case.expected["pkce"].as_object() {
            assert!(m.pkce);
            assert_eq!(
                verifier_key(&key),
                pkce["verifier_storage_key"],
                "{}",
                case.id
            );
            assert_eq!(
                verifier.secret().len() as u64,
                pkce["verifier_length"],
                "{}",
                case.id
            );
            assert_eq!(
                challenge.len() as u64,
                pkce["code_challenge_length"],
                "{}",
                case.id
            );
            let stored = &case.expected["storageAfter"][verifier_key(&key)]["raw"];
            assert_eq!(
                stored
                    .as_str()
                    .expect("raw")
                    .replace("{VERIFIER}", verifier.secret()),
                verifier.stored_json()
            );
        }
    }
    assert_eq!(same, 33, "vectors reproduced byte for byte");
}

#[test]
fn rfc7636_appendix_b() {
    // RFC 7636 Appendix B: the verifier and the S256 challenge derived from it.
    let v = Verifier::from_string("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
    assert_eq!(
        common::s256(v.secret()),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn the_stored_verifier_hashes_to_the_challenge_in_the_url() {
    let verifier = Verifier::from_random(&[0x5a; VERIFIER_BYTES]);
    let url = build(
        "https://abcd.supabase.co",
        &json!({ "connection": "conn_1" }),
        Some(common::s256(verifier.secret())),
    )
    .expect("url");
    let stored: String = serde_json::from_str(&verifier.stored_json()).expect("a JSON string");
    let (_, rest) = url.split_once("code_challenge=").expect("challenge");
    let in_url = rest.split('&').next().expect("value");
    assert_eq!(in_url, common::s256(&stored));
    assert!(url.contains("&code_challenge_method=s256&connection=conn_1"));
}

#[test]
fn provider_is_sent_as_workos_provider() {
    for name in [
        "GoogleOAuth",
        "MicrosoftOAuth",
        "GitHubOAuth",
        "AppleOAuth",
        "SalesforceOAuth",
    ] {
        let url = build(
            "https://abcd.supabase.co",
            &json!({ "provider": name }),
            None,
        )
        .expect("url");
        assert_eq!(
            url,
            [
                "https://abcd.supabase.co/auth/v1/authorize?provider=workos&workos_provider=",
                name
            ]
            .concat()
        );
    }
}

#[test]
fn exactly_one_selector() {
    let cases = [
        (json!({}), "missing_selector"),
        (json!({ "connection": "" }), "missing_selector"),
        (json!({ "connection": "  " }), "missing_selector"),
        (json!({ "organization": "\t\n" }), "missing_selector"),
        (
            json!({ "connection": null, "queryParams": { "login_hint": "a@b.c" } }),
            "missing_selector",
        ),
        (
            json!({ "connection": "c", "organization": "o" }),
            "ambiguous_selector",
        ),
        (
            json!({ "connection": "c", "provider": "GoogleOAuth" }),
            "ambiguous_selector",
        ),
        (
            json!({ "organization": "o", "provider": "googleoauth" }),
            "ambiguous_selector",
        ),
        (json!({ "provider": "googleoauth" }), "invalid_provider"),
        (json!({ "provider": "workos" }), "invalid_provider"),
        (json!({ "provider": 7 }), "invalid_provider"),
    ];
    for (opts, code) in cases {
        assert_eq!(
            build("https://abcd.supabase.co", &opts, None).map_err(|c| c.as_str()),
            Err(code),
            "{opts}"
        );
    }
}

#[test]
fn a_blank_selector_is_not_given_and_scopes_go_once() {
    let url = build(
        "https://a.co",
        &json!({ "connection": " ", "organization": "org_1" }),
        None,
    );
    assert!(url.expect("url").ends_with("&organization=org_1"));
    // `scopes` from the option and again from queryParams would send it twice.
    let twice =
        json!({ "connection": "c", "scopes": "openid", "queryParams": { "scopes": "email" } });
    assert_eq!(
        build("https://a.co", &twice, None),
        Err(ErrorCode::InvalidOptions)
    );
    let once = json!({ "connection": "c", "queryParams": { "scopes": "email" } });
    assert!(build("https://a.co", &once, None)
        .expect("url")
        .ends_with("&connection=c&scopes=email"));
}

#[test]
fn null_values_are_omitted_and_no_trailing_ampersand() {
    let url = build(
        "https://abcd.supabase.co",
        &json!({ "organization": "org_1", "queryParams": { "max_age": 0, "x": null } }),
        None,
    );
    assert_eq!(
        url.as_deref(),
        Ok("https://abcd.supabase.co/auth/v1/authorize?provider=workos&organization=org_1&max_age=0")
    );
    let url = build(
        "https://abcd.supabase.co",
        &json!({ "organization": "o", "queryParams": {} }),
        None,
    );
    assert!(!url.expect("url").ends_with('&'));
}

#[test]
fn query_param_keys_are_form_encoded_in_order_after_the_selector_and_hints() {
    let url = build(
        "https://abcd.supabase.co",
        &json!({
            "connection": "a&b c", "loginHint": "ada+1@example.com", "domainHint": "example.com",
            "queryParams": { "my key&=": "v~'()!*", "z": "1" }
        }),
        None,
    );
    assert_eq!(
        url.as_deref(),
        Ok("https://abcd.supabase.co/auth/v1/authorize?provider=workos&connection=a%26b+c&login_hint=ada%2B1%40example.com&domain_hint=example.com&my+key%26%3D=v%7E%27%28%29%21*&z=1")
    );
}

#[test]
fn reserved_and_repeated_query_params_are_refused() {
    for key in supabase_workos::protocol::authorize::RESERVED_KEYS {
        let opts = json!({ "connection": "c", "queryParams": { key: "x" } });
        assert_eq!(
            build("https://a.co", &opts, None),
            Err(ErrorCode::InvalidOptions),
            "{key}"
        );
    }
    let opts = json!({ "connection": "c", "loginHint": "a", "queryParams": { "login_hint": "b" } });
    assert_eq!(
        build("https://a.co", &opts, None),
        Err(ErrorCode::InvalidOptions)
    );
}

#[test]
fn query_params_are_sent_as_url_search_params_wrote_them_and_nothing_else() {
    let project = ProjectUrl::new(UrlParts {
        protocol: "https:",
        origin: "https://a.co",
        hostname: "a.co",
        pathname: "/",
        bare: true,
    })
    .unwrap();
    let request = |query: &'static str| {
        AuthorizeRequest::new(
            AuthorizeOptions {
                connection: Some("c"),
                query_params: query_pairs(query),
                ..Default::default()
            },
            None,
        )
    };
    // Written by URLSearchParams: passed on byte for byte, after the selector.
    let url = request("a+b=%7E*-._&caf%C3%A9=x%3Dy")
        .unwrap()
        .url(&project);
    assert!(
        url.ends_with("&connection=c&a+b=%7E*-._&caf%C3%A9=x%3Dy"),
        "{url}"
    );
    // A byte URLSearchParams never writes is refused, so it cannot reach the URL. Keys are
    // checked decoded: `%73tate` is `state`, and `a+b` and `a%20b` are one key.
    for query in [
        "a=b c",
        "a=#",
        "a=b/c",
        "a=\u{e9}",
        "a=b?",
        "a=b\n",
        "%73tate=x",
        "state=x",
        "provider=x",
        "a=1&a=2",
        "a+b=1&a%20b=2",
    ] {
        assert_eq!(
            request(query).map(|_| ()).map_err(|e| e.code()),
            Err(ErrorCode::InvalidOptions),
            "{query}"
        );
    }
}

#[test]
fn bad_urls_are_invalid_options() {
    for url in [
        "ftp://abcd.supabase.co",
        "https://abcd.supabase.co/?x=1",
        "https://abcd.supabase.co/#f",
        "abcd",
    ] {
        assert_eq!(
            build(url, &json!({ "connection": "c" }), None),
            Err(ErrorCode::InvalidOptions),
            "{url}"
        );
    }
    for redirect in [
        "/relative",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "blob:https://a.co/0b7e1c2a",
        "no scheme",
    ] {
        let opts = json!({ "connection": "c", "redirectTo": redirect });
        assert_eq!(
            build("https://a.co", &opts, None),
            Err(ErrorCode::InvalidOptions),
            "{redirect}"
        );
    }
}

#[test]
fn custom_scheme_redirects_are_sent_as_supabase_js_sends_them() {
    // The deep links desktop and mobile shells return through; the server checks its allow list.
    for (redirect, sent) in [
        ("myapp://auth/callback", "myapp%3A%2F%2Fauth%2Fcallback"),
        ("com.example.app:/callback", "com.example.app%3A%2Fcallback"),
        ("ftp://x/y", "ftp%3A%2F%2Fx%2Fy"),
    ] {
        let opts = json!({ "connection": "c", "redirectTo": redirect });
        let url = build("https://a.co", &opts, None).expect(redirect);
        assert!(
            url.contains(&["&redirect_to=", sent, "&"].concat()),
            "{url}"
        );
    }
}

#[test]
fn storage_keys_follow_supabase_js() {
    for (url, key) in [
        ("https://abcd.supabase.co", "sb-abcd-auth-token"),
        ("http://127.0.0.1:54321", "sb-127-auth-token"),
        ("http://localhost:54321", "sb-localhost-auth-token"),
        ("https://auth.example.com/x/", "sb-auth-auth-token"),
    ] {
        let p = parse(url).expect("url");
        let project = ProjectUrl::new(parts(&p)).expect("project");
        assert_eq!(project.default_storage_key(), key);
        assert_eq!(verifier_key(key), [key, "-code-verifier"].concat());
    }
}

#[test]
fn errors_never_show_option_values() {
    let secretish = "conn_SECRET_VALUE";
    let opts = json!({ "connection": secretish, "organization": secretish });
    let p = parse("https://abcd.supabase.co").expect("url");
    let _ = ProjectUrl::new(parts(&p)).expect("project");
    let err = AuthorizeRequest::new(
        AuthorizeOptions {
            connection: opts["connection"].as_str(),
            organization: opts["organization"].as_str(),
            ..Default::default()
        },
        None,
    )
    .expect_err("ambiguous");
    assert!(!err.message().contains("SECRET"));
    assert!(!format!("{err:?} {err}").contains("SECRET"));
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;
    use supabase_workos::protocol::callback::form_decode;

    fn value() -> impl Strategy<Value = String> {
        "\\PC{1,12}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Options → URL → parsed query gives back every option, in the documented order.
        #[test]
        fn options_survive_the_url(
            kind in 0..3usize,
            // A selector of white space only is not given (a_blank_selector_is_not_given…).
            selector in value().prop_filter("not blank", |s| !s.trim_ascii().is_empty()),
            redirect in "[a-z]{1,8}(/[a-z0-9 ?&=%+]{0,10})?",
            scopes in proptest::option::of(value()),
            login in proptest::option::of(value()),
            domain in proptest::option::of(value()),
            extra in proptest::collection::btree_map("[a-z]{1,6}_x", value(), 0..4),
        ) {
            let providers = ["GoogleOAuth", "MicrosoftOAuth", "GitHubOAuth", "AppleOAuth", "SalesforceOAuth"];
            let provider = providers[selector.len() % providers.len()];
            let (key, sent, opts_key, opt_value) = match kind {
                0 => ("connection", selector.clone(), "connection", selector.clone()),
                1 => ("organization", selector.clone(), "organization", selector.clone()),
                _ => ("workos_provider", provider.to_owned(), "provider", provider.to_owned()),
            };
            let redirect_to = ["https://app.example.com/", redirect.as_str()].concat();
            let mut opts = json!({ opts_key: opt_value, "redirectTo": redirect_to, "queryParams": extra });
            if let Some(s) = &scopes { opts["scopes"] = json!(s); }
            if let Some(l) = &login { opts["loginHint"] = json!(l); }
            if let Some(d) = &domain { opts["domainHint"] = json!(d); }
            let url = build("https://abcd.supabase.co", &opts, None).expect("a URL");
            let query = url.strip_prefix("https://abcd.supabase.co/auth/v1/authorize?").expect("the endpoint");
            let pairs: Vec<(String, String)> = query
                .split('&')
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    // redirect_to and scopes use encodeURIComponent: `+` is literal there.
                    let decode = |s: &str| if k == "redirect_to" || k == "scopes" {
                        form_decode(&s.replace('+', "%2B"))
                    } else {
                        form_decode(s)
                    };
                    (decode(k), decode(v))
                })
                .collect();
            let mut want = vec![("provider".to_owned(), "workos".to_owned()), ("redirect_to".into(), redirect_to.clone())];
            if let Some(s) = scopes.filter(|s| !s.is_empty()) { want.push(("scopes".into(), s)); }
            want.push((key.into(), sent));
            if let Some(l) = login.filter(|s| !s.is_empty()) { want.push(("login_hint".into(), l)); }
            if let Some(d) = domain.filter(|s| !s.is_empty()) { want.push(("domain_hint".into(), d)); }
            want.extend(extra.into_iter());
            prop_assert_eq!(pairs, want);
        }
    }
}
