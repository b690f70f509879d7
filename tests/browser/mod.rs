//! Helpers of the Rust API's browser tests: the emulator's control API (faults, stats, revocation,
//! the redirect dance walked server-side), storage, and waiting.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect, JSON};
use supabase_workos::browser::{AuthEvent, Client, Flow, Session, StorageKind};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The emulator scripts/test-rust-api started.
pub fn auth_url() -> &'static str {
    option_env!("SUPABASE_WORKOS_TEST_URL")
        .expect("SUPABASE_WORKOS_TEST_URL: run these tests with scripts/test-rust-api")
}

pub fn anon_key() -> &'static str {
    option_env!("SUPABASE_WORKOS_TEST_ANON_KEY")
        .expect("SUPABASE_WORKOS_TEST_ANON_KEY: run these tests with scripts/test-rust-api")
}

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// A storage key of this test's own, so that tests sharing the page's storage do not meet.
pub fn unique_key(name: &str) -> String {
    let n = (js_sys::Math::random() * 1e12) as u64;
    format!("sb-test-{name}-{n}")
}

/// The test page's own URL with another path: a loopback URL the emulator accepts as
/// `redirect_to`, and one `history.replaceState` may put in the address bar.
pub fn app_url(path: &str) -> String {
    let origin = window().location().origin().expect("origin");
    format!("{origin}{path}")
}

/// A client of the emulator with this storage key: no address-bar detection and no timer unless
/// asked for.
pub fn client(key: &str, flow: Flow) -> Client {
    Client::builder(auth_url(), anon_key())
        .flow(flow)
        .storage_key(key)
        .detect_session_in_url(false)
        .auto_refresh(false)
        .build()
        .expect("client")
}

pub fn client_with(key: &str, flow: Flow, storage: StorageKind) -> Client {
    Client::builder(auth_url(), anon_key())
        .flow(flow)
        .storage(storage)
        .storage_key(key)
        .detect_session_in_url(false)
        .auto_refresh(false)
        .build()
        .expect("client")
}

pub fn local() -> web_sys::Storage {
    window().local_storage().unwrap().unwrap()
}

pub fn session_storage() -> web_sys::Storage {
    window().session_storage().unwrap().unwrap()
}

pub fn stored(key: &str) -> Option<String> {
    local().get_item(key).unwrap()
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn parse(text: &str) -> JsValue {
    JSON::parse(text).expect("JSON")
}

async fn fetch_json(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
        let headers = web_sys::Headers::new().unwrap();
        headers.set("content-type", "application/json").unwrap();
        init.set_headers(&headers);
    }
    let url = format!("{}{path}", auth_url());
    let res: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(&url, &init))
        .await
        .expect("the emulator answers")
        .dyn_into()
        .unwrap();
    JsFuture::from(res.json().unwrap())
        .await
        .unwrap_or(JsValue::NULL)
}

/// `POST /__emulator/follow`: the final callback URL of the redirect dance from `authorize_url`,
/// signing in as `email` (or, with `cancel`, pressing Cancel on the WorkOS page).
pub async fn follow(authorize_url: &str, email: Option<&str>, cancel: bool) -> String {
    let mut body = serde_json::json!({ "url": authorize_url });
    if let Some(e) = email {
        body["email"] = e.into();
    }
    if cancel {
        body["action"] = "cancel".into();
    }
    let out = fetch_json("POST", "/__emulator/follow", Some(&body.to_string())).await;
    get(&out, "url").as_string().unwrap_or_else(|| {
        panic!(
            "follow failed: {}",
            JSON::stringify(&out).map(String::from).unwrap_or_default()
        )
    })
}

/// Injects a fault for the next request of `endpoint`. A `timeout` holds the request for a
/// second, then drops the connection; it hits up to four times, as a browser may send a request
/// again on a dropped connection, unseen by the page (Chromium once; Firefox at times twice or
/// more). Every test clears the faults left after its call.
pub async fn fault(endpoint: &str, kind: &str) {
    let body = if kind == "timeout" {
        serde_json::json!({ "endpoint": endpoint, "kind": kind, "count": 4, "seconds": 1 })
    } else {
        serde_json::json!({ "endpoint": endpoint, "kind": kind, "count": 1 })
    };
    let out = fetch_json("POST", "/__emulator/faults", Some(&body.to_string())).await;
    assert!(
        get(&out, "id").as_f64().is_some(),
        "fault refused: {}",
        JSON::stringify(&out).map(String::from).unwrap_or_default()
    );
}

pub async fn clear_faults() {
    fetch_json("DELETE", "/__emulator/faults", None).await;
}

/// `GET /__emulator/stats`.
pub async fn stats() -> JsValue {
    fetch_json("GET", "/__emulator/stats", None).await
}

/// How many requests `endpoint` has had.
pub async fn requests(endpoint: &str) -> f64 {
    get(&get(&stats().await, "requests"), endpoint)
        .as_f64()
        .unwrap_or(0.0)
}

pub async fn revoke(email: &str) {
    let body = serde_json::json!({ "email": email }).to_string();
    fetch_json("POST", "/__emulator/revoke", Some(&body)).await;
}

pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Waits until `cond` holds, for at most `ms`.
pub async fn wait_until(ms: i32, mut cond: impl FnMut() -> bool) -> bool {
    let mut waited = 0;
    while !cond() {
        if waited >= ms {
            return false;
        }
        sleep(20).await;
        waited += 20;
    }
    true
}

/// The events a client emitted, with the access token of each session.
#[derive(Clone, Default)]
pub struct Events(pub Rc<RefCell<Vec<(AuthEvent, Option<String>)>>>);

impl Events {
    pub fn record(&self) -> impl FnMut(AuthEvent, Option<&Session>) + 'static {
        let log = self.0.clone();
        move |e, s| {
            log.borrow_mut()
                .push((e, s.map(|s| s.access_token.expose().to_owned())))
        }
    }

    pub fn names(&self) -> Vec<AuthEvent> {
        self.0.borrow().iter().map(|(e, _)| *e).collect()
    }

    pub fn count(&self, event: AuthEvent) -> usize {
        self.0.borrow().iter().filter(|(e, _)| *e == event).count()
    }
}

/// A JS function from source (the test page has no Content-Security-Policy).
pub fn js(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// Makes `Storage.prototype.setItem` (or every method, with `all`) throw for localStorage only,
/// and counts `console.warn` calls; `restore_storage` undoes both.
pub fn break_local_storage(all: bool) {
    js(
        "all",
        "const P = Storage.prototype;
         globalThis.__saved = { set: P.setItem, get: P.getItem, remove: P.removeItem, warn: console.warn };
         globalThis.__warnings = [];
         console.warn = (...a) => { globalThis.__warnings.push(a.join(' ')); };
         const refuse = (orig) => function (...a) {
           if (this === globalThis.localStorage) throw new DOMException('full', 'QuotaExceededError');
           return orig.apply(this, a);
         };
         P.setItem = refuse(__saved.set);
         if (all) { P.getItem = refuse(__saved.get); P.removeItem = refuse(__saved.remove); }",
    )
    .call1(&JsValue::NULL, &JsValue::from_bool(all))
    .unwrap();
}

/// Makes every Web Storage call throw, for sessionStorage too.
pub fn break_all_storage() {
    js(
        "",
        "const P = Storage.prototype;
         globalThis.__saved = { set: P.setItem, get: P.getItem, remove: P.removeItem, warn: console.warn };
         globalThis.__warnings = [];
         console.warn = (...a) => { globalThis.__warnings.push(a.join(' ')); };
         const refuse = () => { throw new DOMException('denied', 'SecurityError'); };
         P.setItem = refuse; P.getItem = refuse; P.removeItem = refuse;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
}

/// Undoes `break_*_storage`; the warnings given meanwhile.
pub fn restore_storage() -> Vec<String> {
    let out = js(
        "",
        "const P = Storage.prototype, s = globalThis.__saved;
         P.setItem = s.set; P.getItem = s.get; P.removeItem = s.remove; console.warn = s.warn;
         return globalThis.__warnings;",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    js_sys::Array::from(&out)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// base64url(SHA-256(verifier)): the S256 challenge, computed apart from the browser's.
pub fn s256(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// A query parameter of a URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    web_sys::Url::new(url).ok()?.search_params().get(key)
}
