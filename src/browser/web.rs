//! The browser objects the client uses, each reached without a panic: workers, privacy modes and
//! blocked storage are real, so a missing `window`, `crypto` or `history` is an error or a no-op.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::protocol::encode::hex_digit;
use crate::protocol::error::{Error, ErrorCode};
use crate::protocol::pkce::{Verifier, VERIFIER_BYTES};
use crate::protocol::project::UrlParts;
use crate::protocol::shell::client_error;

// Web Locks are behind `web_sys_unstable_apis` in web-sys: the few calls needed, bound here, so
// that no user of the crate sets a cfg flag.
#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`
    pub(crate) type LockManager;
    #[wasm_bindgen(method, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &JsValue,
    ) -> Promise;
    #[wasm_bindgen(method, js_name = request)]
    fn request(this: &LockManager, name: &str, callback: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn query(this: &LockManager) -> Promise;
}

/// A future on the heap, polled through a vtable: each of the client's async bodies is compiled
/// once, however many futures await it, instead of being inlined into each.
pub(crate) type Fut<'a, T> =
    core::pin::Pin<alloc::boxed::Box<dyn core::future::Future<Output = T> + 'a>>;

/// `f`, boxed as a [`Fut`].
pub(crate) fn boxed<'a, T>(f: impl core::future::Future<Output = T> + 'a) -> Fut<'a, T> {
    alloc::boxed::Box::pin(f)
}

/// The device clock, unix milliseconds.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A member of a JS object, `undefined` when it is missing or the object throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets a member of a JS object (a plain object we made, which does not refuse).
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// A promise and the function that resolves it.
pub(crate) fn pending() -> (Function, Promise) {
    let mut resolve = JsValue::UNDEFINED;
    let promise = Promise::new(&mut |res, _| resolve = res.into());
    (resolve.unchecked_into(), promise)
}

/// Calls `f` after `ms` milliseconds; `None` without a window.
pub(crate) fn set_timeout(f: &Function, ms: u32) -> Option<i32> {
    let ms = i32::try_from(ms).unwrap_or(i32::MAX);
    web_sys::window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(f, ms)
        .ok()
}

/// Cancels a timer set by [`set_timeout`].
pub(crate) fn clear_timeout(handle: i32) {
    if let Some(w) = web_sys::window() {
        w.clear_timeout_with_handle(handle);
    }
}

/// Resolves after `ms` milliseconds (at once without a window); its result means nothing.
pub(crate) fn sleep(ms: u32) -> JsFuture {
    let (resolve, promise) = pending();
    if set_timeout(&resolve, ms).is_none() {
        let _ = resolve.call0(&JsValue::NULL);
    }
    JsFuture::from(promise)
}

/// A signal that aborts after `ms` (`AbortSignal.timeout` is missing from browsers that have Web
/// Locks).
pub(crate) fn timeout_signal(ms: u32) -> Option<web_sys::AbortSignal> {
    let controller = web_sys::AbortController::new().ok()?;
    let signal = controller.signal();
    let abort = Closure::once_into_js(move || controller.abort());
    set_timeout(abort.unchecked_ref(), ms);
    Some(signal)
}

/// `console.warn`, for the notices the JS shell also gives (never with a secret in them).
pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// A URL as the browser's parser (`new URL`) reads it, owned, for the protocol's [`UrlParts`].
pub(crate) struct ParsedUrl {
    protocol: String,
    origin: String,
    hostname: String,
    pathname: String,
    bare: bool,
}

impl ParsedUrl {
    /// `None` when the browser does not parse it.
    pub(crate) fn parse(url: &str) -> Option<Self> {
        let u = web_sys::Url::new(url).ok()?;
        Some(ParsedUrl {
            protocol: u.protocol(),
            origin: u.origin(),
            hostname: u.hostname(),
            pathname: u.pathname(),
            bare: u.search().is_empty() && u.hash().is_empty(),
        })
    }

    pub(crate) fn parts(&self) -> UrlParts<'_> {
        UrlParts {
            protocol: &self.protocol,
            origin: &self.origin,
            hostname: &self.hostname,
            pathname: &self.pathname,
            bare: self.bare,
        }
    }
}

/// `location.href`, when there is a window.
pub(crate) fn location_href() -> Option<String> {
    web_sys::window()?.location().href().ok()
}

/// Replaces the address bar's URL (same document, no history entry), keeping `history.state`.
pub(crate) fn replace_url(url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let state = history.state().unwrap_or(JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(url));
    }
}

/// Navigates to `url` with `location.assign`.
pub(crate) fn assign(url: &str) -> Result<(), Error> {
    web_sys::window()
        .and_then(|w| w.location().assign(url).ok())
        .ok_or(Error::new(
            ErrorCode::InvalidOptions,
            "there is no window to navigate",
        ))
}

/// A new PKCE verifier from `crypto.getRandomValues`, and its S256 challenge from
/// `crypto.subtle`. Without `crypto.subtle` (outside a secure context) PKCE is refused, never
/// downgraded to `plain`.
pub(crate) fn pkce_pair() -> Fut<'static, Result<(Verifier, String), Error>> {
    boxed(async move {
        let insecure = || client_error(ErrorCode::InsecureContext);
        let window = web_sys::window().ok_or_else(insecure)?;
        let crypto = window.crypto().map_err(|_| insecure())?;
        if get(&crypto, "subtle").is_undefined() {
            return Err(insecure());
        }
        let mut bytes = [0u8; VERIFIER_BYTES];
        crypto
            .get_random_values_with_u8_array(&mut bytes)
            .map_err(|_| insecure())?;
        let verifier = Verifier::from_random(&bytes);
        let text = verifier.secret().as_bytes();
        let digest = crypto
            .subtle()
            .digest_with_str_and_u8_array("SHA-256", text)
            .map_err(|_| insecure())?;
        let hash = JsFuture::from(digest).await.map_err(|_| insecure())?;
        let hash = js_sys::Uint8Array::new(&hash).to_vec();
        let challenge = base64url(&hash);
        Ok((verifier, challenge))
    })
}

/// Bytes as base64url without padding (RFC 4648 §5), as PKCE's S256 challenge is written.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        // 2, 3 or 4 characters for 1, 2 or 3 bytes.
        for i in 0..=chunk.len() {
            if let Some(&c) = ALPHABET.get((n >> (18 - 6 * i)) as usize & 63) {
                out.push(char::from(c));
            }
        }
    }
    out
}

/// `N` random bytes from `crypto.getRandomValues`, as lower-case hex.
pub(crate) fn random_hex<const N: usize>() -> Result<String, Error> {
    let mut bytes = [0u8; N];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .ok_or(client_error(ErrorCode::InsecureContext))?;
    let mut s = String::with_capacity(N * 2);
    for b in bytes {
        s.push(hex_digit(b >> 4, b'a'));
        s.push(hex_digit(b, b'a'));
    }
    Ok(s)
}

fn lock_manager() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = get(&navigator, "locks");
    (!locks.is_undefined() && !locks.is_null()).then(|| locks.unchecked_into())
}

/// Runs `run` holding the Web Lock `name` across tabs; without Web Locks, as it is. Never an
/// unbounded wait: past `wait_ms`, or when the lock manager refuses, it runs without the lock.
/// Not generic, so compiled once for every locked section.
pub(crate) fn with_lock<'a>(name: String, wait_ms: u32, run: Fut<'a, ()>) -> Fut<'a, ()> {
    boxed(async move {
        let release = acquire(&name, wait_ms).await;
        run.await;
        if let Some(release) = release {
            let _ = release.call0(&JsValue::NULL);
        }
    })
}

/// Waits for the Web Lock `name` (or until it is refused, or for `wait_ms`): the function that
/// lets it go, `None` without Web Locks.
fn acquire(name: &str, wait_ms: u32) -> Fut<'_, Option<Function>> {
    boxed(async move {
        let locks = lock_manager()?;
        let (release, hold) = pending();
        let (grant, granted) = pending();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = grant.call1(&JsValue::NULL, &JsValue::TRUE);
            hold.into()
        });
        let options = js_sys::Object::new();
        if let Some(signal) = timeout_signal(wait_ms) {
            set(&options, "signal", &signal);
        }
        let request = locks.request_with_options(name, &options, &callback);
        // Granted, or refused (timed out, an opaque origin) before it was: the request settles
        // only then, or once the lock is let go.
        let (settle, settled) = pending();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(request).await;
            let _ = settle.call0(&JsValue::NULL);
        });
        let race = Promise::race(&Array::of2(&granted, &settled));
        let _ = JsFuture::from(race).await;
        Some(release)
    })
}

/// Takes the Web Lock `name` for `hold_ms` without waiting for it (the spent-session mark).
pub(crate) fn hold_lock(name: &str, hold_ms: u32) {
    let Some(locks) = lock_manager() else {
        return;
    };
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let (resolve, promise) = pending();
        set_timeout(&resolve, hold_ms);
        promise.into()
    });
    let request = locks.request(name, &callback);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(request).await;
    });
}

/// Whether the Web Lock `name` is held or requested by any tab (the query's `held` and `pending`
/// lists: a request not granted yet counts, rule 4.2); `None` when the lock manager cannot tell.
pub(crate) fn lock_held(name: &str) -> Fut<'_, Option<bool>> {
    boxed(async move {
        let locks = lock_manager()?;
        let snapshot = JsFuture::from(locks.query()).await.ok()?;
        let held: Array = get(&snapshot, "held").dyn_into().ok()?;
        // A pending list the browser leaves out holds nothing.
        let pending: Array = get(&snapshot, "pending").dyn_into().unwrap_or_default();
        Some(
            held.iter()
                .chain(pending.iter())
                .any(|l| get(&l, "name").as_string().as_deref() == Some(name)),
        )
    })
}

/// Whether the document is hidden (no document: never).
pub(crate) fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}
