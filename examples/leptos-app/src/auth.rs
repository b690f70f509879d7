//! The auth context: one [`Client`] for the app, and a signal of its session fed by
//! `on_auth_state_change`. Provided once by the app, read by the components with
//! `expect_context::<Auth>()`.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use supabase_workos::browser::{
    Client, Error, ErrorCode, Flow, Provider, Scope, Session, SignIn, Subscription,
};
use wasm_bindgen::JsValue;

use crate::config::Config;
use crate::view::{Profile, Selector};

/// The app's auth state. `Copy`: every field is a handle into Leptos's arena.
#[derive(Clone, Copy)]
pub struct Auth {
    /// The session; `None` when signed out.
    pub session: ReadSignal<Option<Session>, LocalStorage>,
    /// The last auth event's name (`SIGNED_IN`, `TOKEN_REFRESHED`, …).
    pub event: ReadSignal<Option<&'static str>>,
    /// The client has started: a callback in the address bar has been finished or refused.
    pub ready: ReadSignal<bool>,
    /// What failed last, as text: a refused callback, a failed refresh or sign-out.
    pub error: RwSignal<Option<String>>,
    /// The client, and its subscription to the session's changes.
    client: StoredValue<Option<(Client, Subscription)>, LocalStorage>,
}

/// An error as the page shows it: supabase-js's class name, the code, the message (never a
/// token, code or verifier).
fn describe(e: &Error) -> String {
    [e.code().js_name(), ": ", e.code_str(), ": ", e.message()].concat()
}

/// What the signed-in view shows of a session.
pub fn profile(session: &Session) -> Profile {
    let user = &session.user;
    // WorkOS's ids, as Supabase Auth keeps them in the user's metadata (an empty one shown as
    // it is, which `User::organization_id` would read as none).
    let claims = js_sys::Reflect::get(&user.user_metadata, &JsValue::from_str("custom_claims"))
        .unwrap_or(JsValue::UNDEFINED);
    let claim = |key: &str| {
        js_sys::Reflect::get(&claims, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    Profile {
        email: user.email.clone().unwrap_or_default(),
        user_id: user.id.clone(),
        organization: claim("organization_id"),
        connection: claim("connection_id"),
        expires_at: session.expires_at(),
    }
}

/// Where Supabase Auth sends the browser back: this app's callback route.
fn callback_url() -> Option<String> {
    let origin = window().location().origin().ok()?;
    Some(origin + "/callback")
}

/// What the app asks of the client: one type, so that every button's future is one state
/// machine, compiled once.
enum Call {
    /// Start the client (a callback in the address bar is finished), then mark it `ready`.
    Start(WriteSignal<bool>),
    /// Start WorkOS SSO; `None` for a provider WorkOS does not have.
    SignIn(Option<SignIn>),
    Refresh,
    SignOut,
}

/// Makes `call`, showing its error as text.
async fn run(client: Option<Client>, call: Call, error: RwSignal<Option<String>>) {
    let Some(client) = client else { return };
    let mut ready = None;
    let result = match call {
        Call::Start(set_ready) => {
            ready = Some(set_ready);
            client.initialize().await.map(drop)
        }
        Call::SignIn(None) => Err(Error::new(
            ErrorCode::InvalidProvider,
            "provider must be one of WorkOS's OAuth providers",
        )),
        Call::SignIn(Some(sign_in)) => {
            let sign_in = match callback_url() {
                Some(to) => sign_in.redirect_to(to),
                None => sign_in,
            };
            client.sign_in_with_workos(sign_in).await.map(drop)
        }
        Call::Refresh => client.refresh_session().await.map(drop),
        Call::SignOut => client.sign_out(Scope::Global).await,
    };
    if let Err(e) = result {
        error.set(Some(describe(&e)));
    }
    if let Some(ready) = ready {
        ready.set(true);
    }
}

/// Starts the client and provides the [`Auth`] context.
pub fn provide_auth(config: Result<&Config, &'static str>) {
    let (session, set_session) = signal_local(None::<Session>);
    let (event, set_event) = signal(None);
    let (ready, set_ready) = signal(false);
    let error = RwSignal::new(None);
    let client = config.map_err(String::from).and_then(|config| {
        let flow = if config.implicit {
            Flow::Implicit
        } else {
            Flow::Pkce
        };
        Client::builder(&config.supabase_url, &config.anon_key)
            .flow(flow)
            .build()
            .map_err(|e| describe(&e))
    });
    let client = match client {
        Ok(client) => {
            let subscription = client.on_auth_state_change(move |e, s| {
                set_event.set(Some(e.as_str()));
                set_session.set(s.cloned());
            });
            spawn_local(run(Some(client.clone()), Call::Start(set_ready), error));
            // The subscription is kept as long as the app: dropping it unsubscribes.
            Some((client, subscription))
        }
        Err(text) => {
            error.set(Some(text));
            set_ready.set(true);
            None
        }
    };
    provide_context(Auth {
        session,
        event,
        ready,
        error,
        client: StoredValue::new_local(client),
    });
}

impl Auth {
    /// Makes `call` with the client, showing its error as text.
    fn call(self, call: Call) -> impl Future<Output = ()> + 'static {
        self.error.set(None);
        let client = self
            .client
            .with_value(|c| c.as_ref().map(|(c, _)| c.clone()));
        run(client, call, self.error)
    }

    /// Starts WorkOS SSO: the browser leaves for the WorkOS page and comes back to `/callback`.
    pub fn sign_in(self, selector: Selector) -> impl Future<Output = ()> + 'static {
        self.call(Call::SignIn(match selector {
            Selector::Connection(id) => Some(SignIn::connection(id)),
            Selector::Organization(id) => Some(SignIn::organization(id)),
            Selector::Provider(name) => Provider::from_name(&name).map(SignIn::provider),
        }))
    }

    /// Refreshes the session now (the client also does it ahead of expiry).
    pub fn refresh(self) -> impl Future<Output = ()> + 'static {
        self.call(Call::Refresh)
    }

    /// Signs out everywhere the user is signed in.
    pub fn sign_out(self) -> impl Future<Output = ()> + 'static {
        self.call(Call::SignOut)
    }
}
