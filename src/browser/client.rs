//! The client: one Supabase project in one tab, a cheap handle (`Clone`) over shared state.

use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::events::{AuthEvent, AuthState, Subscribers, Subscription};
use super::http::{body, request};
use super::session::{read_stored, stringify, Session, Stored, User};
use super::sign_in::SignIn;
use super::storage::{Chain, StorageKind};
use super::web::{self, boxed, get, pending, set, Fut, ParsedUrl};
use crate::protocol::api::{clock_skew_ms, implicit_pending, query_pairs};
use crate::protocol::authorize::{AuthorizeOptions, AuthorizeRequest};
use crate::protocol::callback::{self, Callback};
use crate::protocol::error::{Error, ErrorCode};
use crate::protocol::json::push_uint;
use crate::protocol::project::{verifier_key, ProjectUrl};
use crate::protocol::refresh;
use crate::protocol::session::{whole_seconds, SessionShape};
use crate::protocol::shell::{
    client_error, implicit_expiry, redirect_with_nonce, refusal_ends_session, stored_verifier,
    survives_failed_refresh, user_of_token,
};
use crate::protocol::tabs::{self, Held};
use core::future::Future;

/// The OAuth flow a sign-in uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    /// Authorization code with PKCE (the default): the callback carries `?code=`, exchanged with
    /// the verifier this browser stored.
    #[default]
    Pkce,
    /// Tokens in the callback's fragment; accepted only when this browser started the sign-in.
    Implicit,
}

/// Which sessions `sign_out` ends on the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every session of the user (the default).
    #[default]
    Global,
    /// This session only.
    Local,
    /// Every other session of the user; this one stays signed in.
    Others,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Local => "local",
            Scope::Others => "others",
        }
    }
}

/// The options of [`Client::builder`], the JS `createClient`'s.
#[derive(Debug)]
#[must_use = "a ClientBuilder does nothing until built"]
pub struct ClientBuilder {
    url: String,
    key: String,
    flow: Flow,
    storage: StorageKind,
    storage_key: Option<String>,
    auto_refresh: bool,
    detect_session_in_url: bool,
    allow_unsolicited_implicit: bool,
}

impl ClientBuilder {
    /// The OAuth flow; PKCE by default.
    pub fn flow(mut self, flow: Flow) -> Self {
        self.flow = flow;
        self
    }

    /// Where the session is kept; `localStorage` by default.
    pub fn storage(mut self, storage: StorageKind) -> Self {
        self.storage = storage;
        self
    }

    /// The storage key; by default supabase-js's, `sb-<first label of the host>-auth-token`.
    pub fn storage_key(mut self, key: impl Into<String>) -> Self {
        self.storage_key = Some(key.into());
        self
    }

    /// Refresh the session ahead of expiry while the tab is visible (default `true`).
    pub fn auto_refresh(mut self, on: bool) -> Self {
        self.auto_refresh = on;
        self
    }

    /// Finish a sign-in found in the address bar when the client starts (default `true`).
    pub fn detect_session_in_url(mut self, on: bool) -> Self {
        self.detect_session_in_url = on;
        self
    }

    /// Accept implicit-flow callbacks that no sign-in in this browser started (default `false`).
    /// Turning it on opens the door to login CSRF: an attacker's callback URL signs the victim in
    /// to the attacker's account.
    pub fn allow_unsolicited_implicit(mut self, on: bool) -> Self {
        self.allow_unsolicited_implicit = on;
        self
    }

    /// The client, started: a callback in the address bar is being handled (see
    /// [`Client::initialize`]). `invalid_options` for a URL that is not absolute http(s) without
    /// query or fragment, an empty key or an empty storage key.
    pub fn build(self) -> Result<Client, Error> {
        let parsed = ParsedUrl::parse(&self.url).ok_or(Error::new(
            ErrorCode::InvalidOptions,
            "supabaseUrl must be an absolute http(s) URL",
        ))?;
        let project = ProjectUrl::new(parsed.parts())?;
        if self.key.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "supabaseKey must be a non-empty string",
            ));
        }
        let storage_key = match self.storage_key {
            None => project.default_storage_key(),
            Some(k) if k.is_empty() => {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    "storageKey must be a non-empty string",
                ))
            }
            Some(k) => k,
        };
        let (resolve_init, init) = pending();
        let inner = Rc::new(Inner {
            auth_url: project.auth_url(),
            project,
            anon_key: self.key,
            storage: Chain::new(&self.storage, &storage_key),
            storage_key,
            pkce: self.flow == Flow::Pkce,
            auto_refresh: self.auto_refresh,
            allow_unsolicited: self.allow_unsolicited_implicit,
            skew: Cell::new(0.0),
            subscribers: Rc::default(),
            initializing: Cell::new(true),
            queued: RefCell::default(),
            out: Cell::new(true),
            init,
            init_error: RefCell::default(),
            refreshing: RefCell::default(),
            timer: Cell::new(None),
            timer_closure: RefCell::default(),
            attempt: Cell::new(0),
            disposed: Cell::new(false),
            channel: RefCell::default(),
            listeners: RefCell::default(),
            inbox: RefCell::default(),
            busy: Cell::new(false),
            after_init: RefCell::default(),
        });
        let client = Client { inner };
        spawn_local(
            client
                .clone()
                .start(self.detect_session_in_url, resolve_init),
        );
        Ok(client)
    }
}

/// What a listener of the client hears.
#[derive(Clone, Copy)]
enum Heard {
    /// A `BroadcastChannel` message of another tab.
    Message,
    /// A `storage` event: another tab wrote `localStorage` (without `BroadcastChannel`).
    Storage,
    /// The page was hidden or shown.
    Visibility,
}

type Listener = (
    web_sys::EventTarget,
    &'static str,
    Closure<dyn FnMut(JsValue)>,
);
type Shared<T> = Rc<RefCell<Option<T>>>;
/// A refresh in flight: settles when done, with its result.
type InFlight = (Promise, Shared<Result<Box<Session>, Error>>);
/// A callback URL this page finished or is finishing, per storage key (the key and the URL):
/// the client that did, a promise settled when it is done, and its outcome.
type Finished = (
    String,
    Weak<Inner>,
    Promise,
    Shared<Result<Option<Box<Session>>, Error>>,
);

std::thread_local! {
    /// Each callback URL of this page, per storage key.
    static FINISHED: RefCell<Vec<Finished>> = const { RefCell::new(Vec::new()) };
}

type Outcome = Shared<Result<Option<Box<Session>>, Error>>;

/// A callback URL as this page has it: [`Flight::Joined`] when it is finished or being finished
/// (whether by the asking client itself, the promise settled when it is done, and the outcome),
/// or [`Flight::Started`] once it is registered as the asking client's (the function that
/// settles the promise, and the outcome to fill).
enum Flight {
    Joined(bool, Promise, Outcome),
    Started(Function, Outcome),
}

/// The callback `key` (the storage key and the URL), joined or started by `inner`'s client.
fn finished(key: &str, inner: &Rc<Inner>) -> Flight {
    FINISHED.with(|f| {
        let mut f = f.borrow_mut();
        if let Some(e) = f.iter().find(|e| e.0 == key) {
            return Flight::Joined(e.1.ptr_eq(&Rc::downgrade(inner)), e.2.clone(), e.3.clone());
        }
        let (resolve, done) = pending();
        let outcome = Outcome::default();
        f.push((key.to_owned(), Rc::downgrade(inner), done, outcome.clone()));
        Flight::Started(resolve, outcome)
    })
}

/// Records a callback's outcome and settles its promise; a URL that was no callback is
/// forgotten, to be tried again.
fn settle(
    key: &str,
    out: &Result<Option<Box<Session>>, Error>,
    resolve: Function,
    outcome: &Outcome,
) {
    if matches!(out, Ok(None)) {
        FINISHED.with(|f| f.borrow_mut().retain(|e| e.0 != key));
    }
    *outcome.borrow_mut() = Some(out.clone());
    let _ = resolve.call0(&JsValue::NULL);
}

struct Inner {
    project: ProjectUrl,
    auth_url: String,
    anon_key: String,
    storage_key: String,
    storage: Chain,
    pkce: bool,
    auto_refresh: bool,
    allow_unsolicited: bool,
    /// Milliseconds the device clock is ahead of the server's.
    skew: Cell<f64>,
    subscribers: Rc<Subscribers>,
    initializing: Cell<bool>,
    queued: RefCell<Vec<(AuthEvent, Option<Session>)>>,
    /// The last event said there is no session.
    out: Cell<bool>,
    init: Promise,
    init_error: RefCell<Option<Error>>,
    refreshing: RefCell<Option<InFlight>>,
    timer: Cell<Option<i32>>,
    timer_closure: RefCell<Option<Closure<dyn FnMut()>>>,
    attempt: Cell<u32>,
    disposed: Cell<bool>,
    channel: RefCell<Option<web_sys::BroadcastChannel>>,
    listeners: RefCell<Vec<Listener>>,
    inbox: RefCell<VecDeque<JsValue>>,
    busy: Cell<bool>,
    after_init: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Inner {
    /// Stops the timer, the listeners and the channel.
    fn stop(&self) {
        self.stop_timer();
        if let Some(c) = self.channel.take() {
            c.close();
        }
        for (target, name, f) in self.listeners.take() {
            let _ = target.remove_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        }
    }

    fn stop_timer(&self) {
        if let Some(h) = self.timer.take() {
            web::clear_timeout(h);
        }
    }

    fn server_now_ms(&self) -> f64 {
        web::now_ms() - self.skew.get()
    }

    fn server_now(&self) -> u64 {
        whole_seconds((self.server_now_ms() / 1000.0).floor()).unwrap_or(0)
    }
}

/// A client for one Supabase project: the Rust twin of the JS `createClient`'s. Cloning it is
/// cheap and every clone is the same client; it stops (timer, listeners, channel) when the last
/// clone is dropped, or at [`Client::dispose`].
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("auth_url", &self.inner.auth_url)
            .field("storage_key", &self.inner.storage_key)
            .finish()
    }
}

/// A stored skew, whole milliseconds as both shells write it (a fraction is dropped); read as
/// an integer, which keeps the float parser out of the wasm.
fn whole_ms(text: &str) -> Option<f64> {
    let text = text.trim().as_bytes();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let whole = digits.split(|&b| b == b'.').next().unwrap_or(digits);
    // Up to 15 digits: within f64's exact integers, and far beyond any clock's skew.
    if whole.is_empty() || whole.len() > 15 {
        return None;
    }
    let mut n = 0.0;
    for &b in whole {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10.0 + f64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
}

fn int_text(n: f64) -> String {
    let mut s = String::new();
    if n < 0.0 {
        s.push('-');
    }
    push_uint(&mut s, n.abs() as u64);
    s
}

/// The error a `/token` or `/user` answer that is not a session or a user gives.
fn not_a_session() -> Error {
    SessionShape::default()
        .token_expiry(0)
        .err()
        .unwrap_or(client_error(ErrorCode::InvalidOptions))
}

/// A `/user` answer (the user, or `{"user":{…}}` as supabase-js also reads it), checked to be the
/// user of `access_token` (and of `user_id`).
fn user_answer(answer: JsValue, access_token: &str, user_id: Option<&str>) -> Result<User, Error> {
    let inner = get(&answer, "user");
    let answer = if inner.is_object() { inner } else { answer };
    let user = User::read(&answer).map_err(|_| not_a_session())?;
    if user.id.is_empty() {
        return Err(not_a_session());
    }
    user_of_token(&user.id, access_token, user_id)?;
    Ok(user)
}

impl Client {
    /// A client with the default options: PKCE, `localStorage`, automatic refresh, and a
    /// callback in the address bar finished at once.
    pub fn new(supabase_url: &str, anon_key: &str) -> Result<Client, Error> {
        Client::builder(supabase_url, anon_key).build()
    }

    /// A client with options.
    pub fn builder(supabase_url: &str, anon_key: &str) -> ClientBuilder {
        ClientBuilder {
            url: supabase_url.into(),
            key: anon_key.into(),
            flow: Flow::Pkce,
            storage: StorageKind::Local,
            storage_key: None,
            auto_refresh: true,
            detect_session_in_url: true,
            allow_unsolicited_implicit: false,
        }
    }

    /// The key the session is stored under.
    pub fn storage_key(&self) -> &str {
        &self.inner.storage_key
    }

    fn key(&self) -> &str {
        &self.inner.storage_key
    }

    // ---- start ----

    /// Starts the client; `started` is called once it has.
    fn start(self, detect: bool, started: Function) -> Fut<'static, ()> {
        boxed(async move {
            let i = &self.inner;
            let mut session = None;
            let mut handled = false;
            if detect {
                if let Some(href) = web::location_href() {
                    match self.callback(&href, true).await {
                        Ok(Some(s)) => {
                            handled = true;
                            session = Some(s);
                        }
                        Ok(None) => {}
                        Err(e) => *i.init_error.borrow_mut() = Some(e),
                    }
                }
            }
            if !handled {
                self.load_skew();
            }
            let due = session.as_ref().is_some_and(|s| self.due(s));
            if session.is_none() || due {
                session = self.session_now().await.ok().flatten();
            }
            i.initializing.set(false);
            i.out.set(session.is_none());
            i.subscribers
                .emit(AuthEvent::InitialSession, session.as_deref(), None);
            for (event, s) in i.queued.take() {
                self.emit(event, s.as_ref());
            }
            self.listen();
            let _ = web::sleep(0).await;
            for task in i.after_init.take() {
                task();
            }
            self.schedule();
            let _ = started.call0(&JsValue::NULL);
        })
    }

    /// Waits until the client has started: a callback found in the address bar (with
    /// `detect_session_in_url`) has been finished and removed from it. Resolves to the session,
    /// or to the callback's error (a WorkOS error redirect, a refused or failed callback).
    pub fn initialize(&self) -> impl Future<Output = Result<Option<Session>, Error>> + '_ {
        boxed(async move {
            let _ = JsFuture::from(self.inner.init.clone()).await;
            if let Some(e) = self.inner.init_error.borrow().clone() {
                return Err(e);
            }
            Ok(self.session_now().await?.map(|s| *s))
        })
    }

    fn after_init(&self, task: impl FnOnce() + 'static) {
        if self.inner.initializing.get() {
            self.inner.after_init.borrow_mut().push(Box::new(task));
        } else {
            task();
        }
    }

    // ---- time ----

    fn load_skew(&self) {
        let stored = self
            .inner
            .storage
            .get(&tabs::skew_key(self.key()))
            .ok()
            .flatten()
            .and_then(|s| whole_ms(&s));
        self.inner.skew.set(stored.unwrap_or(0.0));
    }

    /// Keeps a measured skew; from a callback's token (not `fresh`), 0 changes nothing.
    fn note_skew(&self, skew: f64, fresh: bool) {
        if !fresh && skew == 0.0 {
            return;
        }
        self.inner.skew.set(skew);
        let key = tabs::skew_key(self.key());
        let _ = if skew != 0.0 {
            self.inner.storage.set(&key, &int_text(skew))
        } else {
            self.inner.storage.remove(&key, None)
        };
    }

    fn due(&self, s: &Session) -> bool {
        refresh::due(
            s.expires_at(),
            s.expires_in,
            self.inner.server_now_ms() as u64,
        )
    }

    /// A `/token` answer checked by the protocol, with `expires_at` set: the session to store.
    fn fresh(&self, answer: JsValue) -> Result<Box<Session>, Error> {
        let token = get(&answer, "access_token").as_string().unwrap_or_default();
        let skew = clock_skew_ms(&token, web::now_ms() as u64, true);
        let now = whole_seconds(((web::now_ms() - skew) / 1000.0).floor()).unwrap_or(0);
        let mut session = Box::new(Session::from_answer(&answer).map_err(|_| not_a_session())?);
        let expires_at = session.shape().token_expiry(now)?;
        self.note_skew(skew, true);
        session.expires_at = Some(expires_at);
        Ok(session)
    }

    // ---- events ----

    fn emit(&self, event: AuthEvent, session: Option<&Session>) {
        let i = &self.inner;
        i.out.set(session.is_none());
        if i.disposed.get() {
            return;
        }
        if i.initializing.get() {
            i.queued.borrow_mut().push((event, session.cloned()));
            return;
        }
        i.subscribers.emit(event, session, None);
    }

    /// Calls `f` on every auth event: [`AuthEvent::InitialSession`] once, when the client has
    /// started, then each change, including those made in other tabs of the origin. Dropping
    /// the [`Subscription`] unsubscribes.
    pub fn on_auth_state_change(
        &self,
        f: impl FnMut(AuthEvent, Option<&Session>) + 'static,
    ) -> Subscription {
        let (id, subscription) = self.inner.subscribers.add(f);
        if !self.inner.initializing.get() {
            let client = self.clone();
            spawn_local(async move {
                let session = client.session().await.ok().flatten();
                if client.inner.subscribers.has(id) {
                    client.inner.subscribers.emit(
                        AuthEvent::InitialSession,
                        session.as_ref(),
                        Some(id),
                    );
                }
            });
        }
        subscription
    }

    /// Calls `f` with the [`AuthState`] after every auth event: the shape a UI signal holds.
    pub fn on_auth_state(&self, mut f: impl FnMut(AuthState) + 'static) -> Subscription {
        self.on_auth_state_change(move |event, session| f(AuthState::next(event, session)))
    }

    // ---- other tabs ----

    fn listen(&self) {
        let i = &self.inner;
        if i.disposed.get() || i.channel.borrow().is_some() || !i.listeners.borrow().is_empty() {
            return;
        }
        let window = web_sys::window();
        match web_sys::BroadcastChannel::new(&tabs::channel(self.key())) {
            Ok(channel) => {
                self.add_listener(channel.clone().into(), "message", Heard::Message);
                *i.channel.borrow_mut() = Some(channel);
            }
            Err(_) => {
                // Without BroadcastChannel, localStorage's own events tell what another tab did.
                if let Some(w) = &window {
                    self.add_listener(w.clone().into(), "storage", Heard::Storage);
                }
            }
        }
        if let Some(document) = window.and_then(|w| w.document()) {
            self.add_listener(document.into(), "visibilitychange", Heard::Visibility);
        }
    }

    /// Listens to `name` on `target` until the client stops. Every listener is one closure type,
    /// compiled once.
    fn add_listener(&self, target: web_sys::EventTarget, name: &'static str, what: Heard) {
        let weak = Rc::downgrade(&self.inner);
        let f = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if let Some(inner) = weak.upgrade() {
                Client { inner }.heard(what, &e);
            }
        });
        let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        self.inner.listeners.borrow_mut().push((target, name, f));
    }

    /// An event of another tab, or of the page's visibility.
    fn heard(self, what: Heard, e: &JsValue) {
        match what {
            Heard::Message => self.enqueue(get(e, "data")),
            Heard::Storage => {
                if get(e, "key").as_string().as_deref() != Some(self.key()) {
                    return;
                }
                let (old, new) = (
                    get(e, "oldValue").as_string(),
                    get(e, "newValue").as_string(),
                );
                let m = js_sys::Object::new();
                set(
                    &m,
                    "event",
                    &tabs::storage_event(old.as_deref(), new.as_deref()).into(),
                );
                self.enqueue(m.into());
            }
            Heard::Visibility => {
                if web::hidden() {
                    self.inner.stop_timer();
                } else {
                    spawn_local(self.tick());
                }
            }
        }
    }

    /// `user`: the id of the user whose session a `SIGNED_OUT` ended (`Some(None)`: none).
    fn broadcast(&self, event: AuthEvent, session: Option<&Session>, user: Option<Option<&str>>) {
        let channel = self.inner.channel.borrow();
        let Some(channel) = channel.as_ref() else {
            return;
        };
        let m = js_sys::Object::new();
        set(&m, "event", &event.as_str().into());
        set(
            &m,
            "session",
            &session.map_or(JsValue::NULL, Session::to_js),
        );
        if let Some(u) = user {
            set(&m, "user", &u.map_or(JsValue::NULL, JsValue::from_str));
        }
        let _ = channel.post_message(&m);
    }

    /// One message at a time, in the order they came (rule 7.1).
    fn enqueue(&self, message: JsValue) {
        self.inner.inbox.borrow_mut().push_back(message);
        if self.inner.busy.replace(true) {
            return;
        }
        let client = self.clone();
        spawn_local(async move {
            loop {
                let next = client.inner.inbox.borrow_mut().pop_front();
                let Some(m) = next else { break };
                let _ = client.on_remote(m).await;
            }
            client.inner.busy.set(false);
        });
    }

    fn on_remote(&self, message: JsValue) -> Fut<'_, Result<(), Error>> {
        boxed(async move {
            let i = &self.inner;
            let Some(name) = get(&message, "event").as_string() else {
                return Ok(());
            };
            if i.disposed.get() {
                return Ok(());
            }
            let _ = JsFuture::from(i.init.clone()).await;
            let key = self.key();
            if name == "ASK" {
                if let Stored::Session(s, _) = read_stored(i.storage.get(key)?.as_deref()) {
                    self.broadcast_session(&s);
                }
                return Ok(());
            }
            let event = AuthEvent::from_name(&name);
            if event == Some(AuthEvent::SignedOut) {
                if i.storage.owned_by_tab() {
                    // Storage of this tab's own ends only the session of the user whose session
                    // ended (rule 7.3).
                    let user = get(&message, "user");
                    if !user.is_undefined() {
                        let ours = match read_stored(i.storage.get(key)?.as_deref()) {
                            Stored::Session(s, _) => Some(s.user.id),
                            _ => None,
                        };
                        if ours != user.as_string() {
                            return Ok(());
                        }
                    }
                    i.storage.remove(key, None)?;
                }
                i.stop_timer();
                if !i.out.get() {
                    self.emit(AuthEvent::SignedOut, None);
                }
                return Ok(());
            }
            let Some(
                event @ (AuthEvent::SignedIn | AuthEvent::TokenRefreshed | AuthEvent::UserUpdated),
            ) = event
            else {
                return Ok(());
            };
            self.load_skew();
            let raw = i.storage.get(key)?;
            let theirs = get(&message, "session");
            let text = (!theirs.is_null() && !theirs.is_undefined())
                .then(|| stringify(&theirs))
                .flatten();
            let mut wait = false;
            if let Some(text) = text {
                let ours = read_stored(raw.as_deref());
                if i.storage.owned_by_tab() {
                    if !self.newer(&text, raw.as_deref(), &ours) {
                        return Ok(());
                    }
                    let _ = i.storage.set(key, &text);
                } else if let Stored::Session(_, theirs_at) = read_stored(Some(&text)) {
                    let mine = match ours {
                        Stored::Session(_, at) => Some(at),
                        _ => None,
                    };
                    wait = event == AuthEvent::SignedIn && tabs::waits_for_sign_in(theirs_at, mine);
                }
            }
            let raw = self.caught_up(i.storage.get(key)?, wait).await;
            if let Stored::Session(s, _) = read_stored(raw.as_deref()) {
                self.emit(event, Some(&s));
            }
            i.attempt.set(0);
            self.schedule();
            Ok(())
        })
    }

    fn broadcast_session(&self, s: &Session) {
        if let Some(channel) = self.inner.channel.borrow().as_ref() {
            let m = js_sys::Object::new();
            set(&m, "event", &"SESSION".into());
            set(&m, "session", &s.to_js());
            let _ = channel.post_message(&m);
        }
    }

    /// Whether the session in `text` (another tab's) is one this tab with storage of its own
    /// takes over `raw` (whose reading is `ours`).
    fn newer(&self, text: &str, raw: Option<&str>, ours: &Stored) -> bool {
        let Stored::Session(theirs, at) = read_stored(Some(text)) else {
            return false;
        };
        let mine = match ours {
            Stored::Session(s, e) => Some(Held {
                user: &s.user.id,
                expires_at: *e,
            }),
            _ => None,
        };
        let theirs = Held {
            user: &theirs.user.id,
            expires_at: at,
        };
        tabs::takes_theirs(theirs, Some(text) != raw, mine)
    }

    /// The newest session of this user that the other tabs hold, when newer than `raw`, after
    /// [`tabs::ASK_MS`] (rule 5.3).
    fn ask<'a>(&'a self, raw: Option<&'a str>) -> Fut<'a, Option<String>> {
        boxed(async move {
            let channel = web_sys::BroadcastChannel::new(&tabs::channel(self.key())).ok()?;
            let found: Rc<RefCell<(Option<String>, Option<String>)>> =
                Rc::new(RefCell::new((raw.map(String::from), None)));
            let weak = Rc::downgrade(&self.inner);
            let seen = found.clone();
            let f = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let data = get(&e, "data");
                if get(&data, "event").as_string().as_deref() != Some("SESSION") {
                    return;
                }
                let (Some(inner), Some(text)) = (weak.upgrade(), stringify(&get(&data, "session")))
                else {
                    return;
                };
                let mut seen = seen.borrow_mut();
                let ours = read_stored(seen.0.as_deref());
                if (Client { inner }).newer(&text, seen.0.as_deref(), &ours) {
                    seen.0 = Some(text.clone());
                    seen.1 = Some(text);
                }
            });
            let _ = channel.add_event_listener_with_callback("message", f.as_ref().unchecked_ref());
            let ask = js_sys::Object::new();
            set(&ask, "event", &"ASK".into());
            let _ = channel.post_message(&ask);
            let _ = web::sleep(tabs::ASK_MS).await;
            channel.close();
            drop(f);
            let newest = found.borrow_mut().1.take();
            newest
        })
    }

    /// The stored text once another tab's write has reached this tab's copy (rule 4.2).
    fn caught_up(&self, raw: Option<String>, wait: bool) -> Fut<'_, Option<String>> {
        boxed(async move {
            let key = self.key();
            if !wait {
                let Some(text) = raw.as_deref() else {
                    return raw;
                };
                match web::lock_held(&tabs::spent_lock(key, text)).await {
                    None => return raw,
                    Some(false) => return self.inner.storage.get(key).unwrap_or(raw),
                    Some(true) => {}
                }
            }
            let end = web::now_ms() + f64::from(tabs::CATCH_UP_MS);
            while web::now_ms() < end {
                let _ = web::sleep(tabs::CATCH_UP_POLL_MS).await;
                let Ok(text) = self.inner.storage.get(key) else {
                    break;
                };
                if text != raw {
                    return text;
                }
            }
            raw
        })
    }

    /// The stored text; from shared storage, once caught up.
    fn current(&self) -> Result<Fut<'_, Option<String>>, Error> {
        let raw = self.inner.storage.get(self.key())?;
        Ok(if self.inner.storage.owned_by_tab() {
            boxed(core::future::ready(raw))
        } else {
            self.caught_up(raw, false)
        })
    }

    fn mark_spent(&self, raw: Option<&str>) {
        if let Some(raw) = raw {
            web::hold_lock(&tabs::spent_lock(self.key(), raw), tabs::SPENT_MS);
        }
    }

    /// Runs `run` under the refresh lock of the storage key.
    fn locked<'a>(&self, run: Fut<'a, ()>) -> Fut<'a, ()> {
        web::with_lock(tabs::refresh_lock(self.key()), tabs::LOCK_WAIT_MS, run)
    }

    // ---- sign-in ----

    /// Starts WorkOS SSO: builds the authorize URL, stores the PKCE verifier where supabase-js
    /// and the npm package look for it (or, for the implicit flow, the login-CSRF marker), then
    /// navigates with `location.assign` unless [`SignIn::skip_browser_redirect`]. Returns the
    /// URL. On bad input nothing is stored and nothing navigates.
    pub fn sign_in_with_workos(
        &self,
        sign_in: SignIn,
    ) -> impl Future<Output = Result<String, Error>> + '_ {
        boxed(async move {
            let i = &self.inner;
            let pair = if i.pkce {
                Some(web::pkce_pair().await?)
            } else {
                None
            };
            // The implicit flow's login-CSRF nonce: 16 random bytes as 32 hex characters.
            let nonce = match pair {
                Some(_) => None,
                None => Some(web::random_hex::<16>()?),
            };
            let params = web_sys::UrlSearchParams::new()
                .map_err(|_| client_error(ErrorCode::InvalidOptions))?;
            for (k, v) in &sign_in.query {
                params.append(k, v);
            }
            let query: String = params.to_string().into();
            let redirect = sign_in
                .redirect_to
                .as_deref()
                .filter(|r| !r.is_empty())
                .and_then(ParsedUrl::parse);
            let (connection, organization, provider) = sign_in.selector();
            let opts = AuthorizeOptions {
                connection,
                organization,
                provider,
                redirect_to: sign_in.redirect_to.as_deref(),
                scopes: sign_in.scopes.as_deref(),
                login_hint: sign_in.login_hint.as_deref(),
                domain_hint: sign_in.domain_hint.as_deref(),
                query_params: query_pairs(&query),
                code_challenge: pair.as_ref().map(|(_, c)| c.as_str()),
            };
            let req = AuthorizeRequest::new(opts, redirect.as_ref().map(ParsedUrl::parts))?;
            let warn = req.redirect_has_fragment();
            // Checked as the caller wrote it; then the nonce is added.
            let with_nonce = nonce.as_deref().map(|n| {
                let page = web::location_href().unwrap_or_default();
                redirect_with_nonce(req.redirect_to(), &page, n)
            });
            let req = match &with_nonce {
                Some(r) => req.redirected(r),
                None => req,
            };
            let url = req.url(&i.project);
            if warn {
                web::warn("supabase-workos: redirectTo has a fragment; Supabase Auth appends the callback after a second '#'");
            }
            if let Some((verifier, _)) = pair {
                let key = verifier_key(self.key());
                i.storage.set(&key, &verifier.stored_json())?;
                // A verifier kept only in memory is lost with the redirect: refuse before navigating.
                if i.storage.fell_back_to_memory() {
                    i.storage.remove(&key, None)?;
                    return Err(client_error(ErrorCode::StorageUnavailable));
                }
            } else if let Some(n) = &nonce {
                // The implicit flow has no verifier to bind the callback to this browser: the nonce
                // it carries back is kept here (login CSRF).
                i.storage.set(&tabs::pending_key(self.key()), n)?;
            }
            if !sign_in.skip_browser_redirect {
                web::assign(&url)?;
            }
            Ok(url)
        })
    }

    /// Finishes a sign-in from a callback URL (default: the address bar's): the PKCE code
    /// exchanged with the stored verifier, or the implicit tokens checked with `GET /user`. The
    /// auth parameters leave the address bar with `history.replaceState` before any request.
    /// `Ok(None)` when the URL is not a callback. A callback URL is finished once per page and
    /// storage key: a second call, concurrent or later, or another client of the key gets the
    /// first one's outcome without a request of its own.
    pub fn handle_redirect_callback<'a>(
        &'a self,
        url: Option<&'a str>,
    ) -> impl Future<Output = Result<Option<Session>, Error>> + 'a {
        boxed(async move {
            let _ = JsFuture::from(self.inner.init.clone()).await;
            let href = match url {
                Some(u) => u.to_owned(),
                None => web::location_href().unwrap_or_default(),
            };
            Ok(self.callback(&href, false).await?.map(|s| *s))
        })
    }

    /// Finishes a callback once per page and storage key, as the JS shell does: a code or a
    /// token is good for one request. A second call, or a second client of the key (a framework's
    /// development mode mounts twice), gets the first one's outcome, and a second client tells
    /// its own subscribers. A URL that is no callback may be tried again.
    fn callback<'a>(
        &'a self,
        href: &'a str,
        auto: bool,
    ) -> Fut<'a, Result<Option<Box<Session>>, Error>> {
        let key = [self.key(), "\n", href].concat();
        match finished(&key, &self.inner) {
            Flight::Joined(first, done, outcome) => boxed(async move {
                let _ = JsFuture::from(done).await;
                let out = outcome.borrow().clone().unwrap_or(Ok(None));
                if let (false, Ok(Some(s))) = (first, &out) {
                    self.emit(AuthEvent::SignedIn, Some(s));
                }
                out
            }),
            Flight::Started(resolve, outcome) => boxed(async move {
                let out = self.finish_callback(href, auto).await;
                settle(&key, &out, resolve, &outcome);
                out
            }),
        }
    }

    fn finish_callback<'a>(
        &'a self,
        href: &'a str,
        auto: bool,
    ) -> Fut<'a, Result<Option<Box<Session>>, Error>> {
        boxed(async move {
            let i = &self.inner;
            let key = self.key();
            let parsed = callback::parse(href);
            let cb = match parsed.callback {
                Ok(Callback::None) => return Ok(None),
                other => other,
            };
            let mut verifier = None;
            let mut verifier_raw = None;
            if let Ok(Callback::Pkce { flow_id, .. }) = &cb {
                let raw = i
                    .storage
                    .get(&tabs::flow_verifier_key(key, flow_id.as_deref()))?;
                verifier = raw
                    .as_deref()
                    .and_then(|r| js_sys::JSON::parse(r).ok())
                    .and_then(|v| v.as_string())
                    .and_then(|s| stored_verifier(&s).map(String::from));
                // On auto-detect a `?code=` without a verifier may belong to another flow.
                if auto && verifier.is_none() {
                    return Ok(None);
                }
                verifier_raw = raw;
            }
            // From here the auth parameters leave the address bar, whatever the outcome, before any
            // request: those of the address as it is now, which a router may have rewritten since
            // `href` was read.
            if let Some(current) = web::location_href() {
                let clean = if current == href {
                    parsed.cleaned.clone()
                } else {
                    callback::parse(&current).cleaned
                };
                if let Some(clean) = clean {
                    web::replace_url(&clean);
                }
            }
            let (session, recovery) = match cb? {
                Callback::None => return Ok(None),
                Callback::Error(e) => {
                    // The sign-in this browser started is over: its verifier and marker go with it.
                    let _ = i.storage.remove(&verifier_key(key), None);
                    let _ = i.storage.remove(&tabs::pending_key(key), None);
                    return Err(e);
                }
                Callback::Pkce { code, flow_id } => {
                    let Some(verifier) = verifier else {
                        return Err(client_error(ErrorCode::PkceCodeVerifierNotFound));
                    };
                    let payload =
                        body(&[("auth_code", code.expose()), ("code_verifier", &verifier)]);
                    let answer = self
                        .request("POST", "/token?grant_type=pkce", Some(&payload), None)
                        .await;
                    // The verifier is spent once sent, whatever the answer.
                    self.remove_verifier(flow_id.as_deref(), verifier_raw.as_deref());
                    (self.fresh(answer?)?, false)
                }
                Callback::Implicit(p) => {
                    // Login CSRF: only a sign-in started in this browser is finished, and a token it
                    // did not ask for is never sent anywhere.
                    let pending_key = tabs::pending_key(key);
                    let pending = i.storage.get(&pending_key).ok().flatten();
                    let _ = i.storage.remove(&pending_key, None);
                    if !i.allow_unsolicited
                        && !implicit_pending(pending.as_deref(), p.nonce.as_deref())
                    {
                        return Err(client_error(ErrorCode::UnsolicitedCallback));
                    }
                    self.load_skew();
                    let token = p.access_token.expose();
                    let (expires_at, expires_in) = implicit_expiry(&p, i.server_now())?;
                    let answer = self.request("GET", "/user", None, Some(token)).await?;
                    let user = user_answer(answer, token, None)?;
                    self.note_skew(clock_skew_ms(token, web::now_ms() as u64, false), false);
                    let session = Session {
                        provider_token: p.provider_token,
                        provider_refresh_token: p.provider_refresh_token,
                        access_token: p.access_token.clone(),
                        token_type: p.token_type,
                        expires_in: Some(expires_in),
                        expires_at: Some(expires_at),
                        refresh_token: p.refresh_token,
                        user,
                    };
                    (Box::new(session), p.recovery)
                }
            };
            let text = session.text();
            // Not under the refresh lock (rule 3.3): the session replaced is marked instead.
            let replaced = i.storage.read_first(key).ok().flatten();
            i.storage.set(key, &text)?;
            let event = if recovery {
                AuthEvent::PasswordRecovery
            } else {
                AuthEvent::SignedIn
            };
            self.emit(event, Some(&session));
            let announcer = self.clone();
            let announced = session.clone();
            self.after_init(move || {
                announcer.mark_spent(replaced.as_deref());
                announcer.broadcast(event, Some(&announced), None);
                if !announcer.inner.initializing.get() {
                    announcer.schedule();
                }
            });
            Ok(Some(session))
        })
    }

    /// Removes a used verifier: supabase-js's slot for the flow (named by the redirect's flow
    /// id, or found by its value), its entry in supabase-js's index, and the legacy key when it
    /// holds the same verifier.
    fn remove_verifier(&self, flow_id: Option<&str>, used: Option<&str>) {
        let storage = &self.inner.storage;
        let key = self.key();
        let index_key = tabs::flow_index_key(key);
        let index: Vec<String> = storage
            .get(&index_key)
            .ok()
            .flatten()
            .and_then(|t| js_sys::JSON::parse(&t).ok())
            .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
            .map(|a| a.iter().filter_map(|x| x.as_string()).collect())
            .unwrap_or_default();
        let id = flow_id.map(String::from).or_else(|| {
            index
                .iter()
                .rev()
                .find(|c| {
                    storage
                        .get(&tabs::flow_verifier_key(key, Some(c)))
                        .ok()
                        .flatten()
                        .as_deref()
                        == used
                })
                .cloned()
        });
        if let Some(id) = id {
            let _ = storage.remove(&tabs::flow_verifier_key(key, Some(&id)), used);
            let rest: Vec<&String> = index.iter().filter(|x| **x != id).collect();
            if rest.len() != index.len() {
                let _ = if rest.is_empty() {
                    storage.remove(&index_key, None)
                } else {
                    let list = js_sys::Array::new();
                    for r in rest {
                        list.push(&JsValue::from_str(r));
                    }
                    match stringify(&list) {
                        Some(t) => storage.set(&index_key, &t),
                        None => Ok(()),
                    }
                };
            }
        }
        let legacy = verifier_key(key);
        if used.is_some() && storage.get(&legacy).ok().flatten().as_deref() == used {
            let _ = storage.remove(&legacy, used);
        }
    }

    fn request<'a>(
        &'a self,
        method: &'a str,
        path: &'a str,
        json: Option<&'a JsValue>,
        token: Option<&'a str>,
    ) -> Fut<'a, Result<JsValue, Error>> {
        let i = &self.inner;
        request(&i.auth_url, &i.anon_key, method, path, json, token)
    }

    // ---- the session ----

    /// The session as stored, refreshed first when due, without waiting for the client to
    /// start.
    fn session_now(&self) -> Fut<'_, Result<Option<Box<Session>>, Error>> {
        boxed(async move {
            let i = &self.inner;
            let (s, expires_at) = match read_stored(i.storage.get(self.key())?.as_deref()) {
                Stored::None => return Ok(None),
                Stored::Corrupt => {
                    i.storage.remove(self.key(), None)?;
                    return Ok(None);
                }
                Stored::Session(s, e) => (s, e),
            };
            if !self.due(&s) {
                return Ok(Some(s));
            }
            match self.refresh(false).await {
                Ok(s) => Ok(Some(s)),
                Err(e) if survives_failed_refresh(&e, expires_at, i.server_now_ms() as u64) => {
                    Ok(Some(s))
                }
                Err(e) => Err(e),
            }
        })
    }

    /// The current session, refreshed first when it is about to expire; `None` when signed out.
    /// A corrupt stored value is removed, not trusted.
    pub fn session(&self) -> impl Future<Output = Result<Option<Session>, Error>> + '_ {
        boxed(async move {
            let _ = JsFuture::from(self.inner.init.clone()).await;
            Ok(self.session_now().await?.map(|s| *s))
        })
    }

    /// The stored access token, synchronously, for a request header; `None` when signed out or
    /// when the token has expired (then [`Client::session`] refreshes it).
    pub fn access_token(&self) -> Option<String> {
        let raw = self.inner.storage.get(self.key()).ok().flatten();
        match read_stored(raw.as_deref()) {
            Stored::Session(s, expires_at)
                if expires_at * 1000 > self.inner.server_now_ms() as u64 =>
            {
                Some(s.access_token.expose().to_owned())
            }
            _ => None,
        }
    }

    /// Refreshes the session now.
    pub fn refresh_session(&self) -> impl Future<Output = Result<Session, Error>> + '_ {
        boxed(async move {
            let _ = JsFuture::from(self.inner.init.clone()).await;
            let s = self.refresh(true).await?;
            self.schedule();
            Ok(*s)
        })
    }

    /// One refresh at a time in this client; across tabs, one at a time per storage key.
    fn refresh(&self, force: bool) -> Fut<'_, Result<Box<Session>, Error>> {
        boxed(async move {
            let running = self.inner.refreshing.borrow().clone();
            if let Some((promise, result)) = running {
                let _ = JsFuture::from(promise).await;
                let out = result.borrow().clone();
                return out.unwrap_or(Err(client_error(ErrorCode::SessionMissing)));
            }
            let (resolve, promise) = pending();
            let result: Shared<Result<Box<Session>, Error>> = Rc::default();
            *self.inner.refreshing.borrow_mut() = Some((promise, result.clone()));
            let mut out = Err(client_error(ErrorCode::SessionMissing));
            self.locked(boxed(async { out = self.refresh_once(force).await }))
                .await;
            *result.borrow_mut() = Some(out.clone());
            *self.inner.refreshing.borrow_mut() = None;
            let _ = resolve.call0(&JsValue::NULL);
            out
        })
    }

    fn refresh_once(&self, force: bool) -> Fut<'_, Result<Box<Session>, Error>> {
        boxed(async move {
            let i = &self.inner;
            let key = self.key();
            let missing = || client_error(ErrorCode::SessionMissing);
            let mut raw = self.current()?.await;
            let Stored::Session(mut stored, _) = read_stored(raw.as_deref()) else {
                return Err(missing());
            };
            if !force && !self.due(&stored) {
                return Ok(stored);
            }
            if i.storage.owned_by_tab() {
                if let Some(newer) = self.ask(raw.as_deref()).await {
                    // Unless a message changed this tab's session meanwhile.
                    let now = i.storage.get(key)?;
                    if now == raw {
                        i.storage.set(key, &newer)?;
                        if let Stored::Session(s, _) = read_stored(Some(&newer)) {
                            self.emit(AuthEvent::TokenRefreshed, Some(&s));
                        }
                        raw = Some(newer);
                    } else {
                        raw = now;
                    }
                    let Stored::Session(s, _) = read_stored(raw.as_deref()) else {
                        return Err(missing());
                    };
                    if !force && !self.due(&s) {
                        return Ok(s);
                    }
                    stored = s;
                }
            }
            let payload = body(&[("refresh_token", stored.refresh_token.expose())]);
            let answer = match self
                .request(
                    "POST",
                    "/token?grant_type=refresh_token",
                    Some(&payload),
                    None,
                )
                .await
            {
                Ok(a) => a,
                Err(e) => {
                    let unchanged = i.storage.get(key).ok().flatten() == raw;
                    if refusal_ends_session(e.status(), unchanged) {
                        self.sign_out_locally();
                    }
                    return Err(e);
                }
            };
            let next = self.fresh(answer)?;
            // A result is discarded when the stored session changed meanwhile.
            let now = self.current()?.await;
            if now != raw {
                return match read_stored(now.as_deref()) {
                    Stored::Session(s, _) => Ok(s),
                    _ => Err(missing()),
                };
            }
            i.storage.set(key, &next.text())?;
            // Asked for before the refresh lock is let go, so the next tab to hold it sees the mark.
            self.mark_spent(raw.as_deref());
            self.emit(AuthEvent::TokenRefreshed, Some(&next));
            self.broadcast(AuthEvent::TokenRefreshed, Some(&next), None);
            Ok(next)
        })
    }

    /// The signed-in user, from `GET /auth/v1/user`; a changed user is stored and
    /// [`AuthEvent::UserUpdated`] emitted.
    pub fn user(&self) -> impl Future<Output = Result<User, Error>> + '_ {
        boxed(async move {
            let session = self
                .session()
                .await?
                .ok_or(client_error(ErrorCode::SessionMissing))?;
            let answer = self
                .request("GET", "/user", None, Some(session.access_token.expose()))
                .await?;
            let user = user_answer(
                answer,
                session.access_token.expose(),
                Some(&session.user.id),
            )?;
            if user.text() != session.user.text() {
                let raw = session.text();
                let updated = Session {
                    user: user.clone(),
                    ..session
                };
                self.locked(boxed(async move {
                    let now = match self.current() {
                        Ok(now) => now.await,
                        Err(_) => None,
                    };
                    if now.as_deref() != Some(raw.as_str()) {
                        return;
                    }
                    if self.inner.storage.set(self.key(), &updated.text()).is_ok() {
                        self.emit(AuthEvent::UserUpdated, Some(&updated));
                        self.broadcast(AuthEvent::UserUpdated, Some(&updated), None);
                    }
                }))
                .await;
            }
            Ok(user)
        })
    }

    fn sign_out_locally(&self) {
        let i = &self.inner;
        i.stop_timer();
        let key = self.key();
        // Whose session ends: `Some(None)` for none, `None` when storage cannot tell.
        let user = match i.storage.get(key) {
            Ok(raw) => Some(match read_stored(raw.as_deref()) {
                Stored::Session(s, _) => Some(s.user.id),
                _ => None,
            }),
            Err(_) => None,
        };
        let _ = i.storage.remove(key, None);
        let _ = i.storage.remove(&verifier_key(key), None);
        self.emit(AuthEvent::SignedOut, None);
        self.broadcast(
            AuthEvent::SignedOut,
            None,
            user.as_ref().map(|u| u.as_deref()),
        );
    }

    /// Signs out: `POST /logout?scope=…`; with [`Scope::Global`] or [`Scope::Local`] the local
    /// session and verifier are cleared even when the server call fails, and the failure is then
    /// returned.
    pub fn sign_out(&self, scope: Scope) -> impl Future<Output = Result<(), Error>> + '_ {
        boxed(async move {
            let _ = JsFuture::from(self.inner.init.clone()).await;
            let stored = read_stored(self.inner.storage.get(self.key())?.as_deref());
            let mut failure = None;
            if let Stored::Session(s, _) = stored {
                let path = ["/logout?scope=", scope.as_str()].concat();
                if let Err(e) = self
                    .request("POST", &path, None, Some(s.access_token.expose()))
                    .await
                {
                    failure = Some(e);
                }
            }
            if scope != Scope::Others {
                self.locked(boxed(async { self.sign_out_locally() })).await;
            }
            failure.map_or(Ok(()), Err)
        })
    }

    // ---- automatic refresh: one timer, only while the tab is visible ----

    fn set_timer(&self, ms: u64) {
        let i = &self.inner;
        i.stop_timer();
        let weak: Weak<Inner> = Rc::downgrade(&self.inner);
        let f = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                spawn_local(Client { inner }.tick());
            }
        });
        let ms = u32::try_from(ms)
            .unwrap_or(i32::MAX as u32)
            .min(i32::MAX as u32);
        i.timer
            .set(web::set_timeout(f.as_ref().unchecked_ref::<Function>(), ms));
        *i.timer_closure.borrow_mut() = Some(f);
    }

    fn schedule(&self) {
        let i = &self.inner;
        i.stop_timer();
        if !i.auto_refresh || i.disposed.get() || web::hidden() {
            return;
        }
        self.load_skew();
        let raw = i.storage.get(self.key()).ok().flatten();
        if let Stored::Session(s, expires_at) = read_stored(raw.as_deref()) {
            let delay = refresh::delay_ms(
                expires_at,
                s.expires_in,
                i.server_now_ms() as u64,
                js_sys::Math::random(),
            );
            self.set_timer(delay);
        }
    }

    fn tick(self) -> Fut<'static, ()> {
        boxed(async move {
            let i = &self.inner;
            i.stop_timer();
            if i.disposed.get() || !i.auto_refresh {
                return;
            }
            match self.session_now().await {
                Ok(_) => {
                    i.attempt.set(0);
                    self.schedule();
                }
                Err(e) => {
                    let attempt = i.attempt.get().saturating_add(1);
                    i.attempt.set(attempt);
                    let wait = match refresh::classify_failure(e.status()) {
                        refresh::Failure::Retry => Some(refresh::retry_delay_ms(attempt)),
                        refresh::Failure::Cooldown(ms) => Some(ms),
                        refresh::Failure::SignOut => None,
                    };
                    if let Some(ms) = wait {
                        if e.code() != ErrorCode::SessionMissing
                            && !i.disposed.get()
                            && !web::hidden()
                        {
                            self.set_timer(ms);
                        }
                    }
                }
            }
        })
    }

    /// Stops the timer, the listeners and the channel; the client does nothing more. Dropping
    /// the last clone does the same.
    pub fn dispose(&self) {
        let i = &self.inner;
        i.disposed.set(true);
        i.subscribers.clear();
        i.stop();
    }
}
