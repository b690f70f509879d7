//! The auth context: one [`Client`] for the app, and a signal of its session fed by
//! `on_auth_state_change`. Provided once by the app, read by the components with
//! `expect_context::<Auth>()`.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local;
use supabase_workos::browser::{Client, Error, ErrorCode, Flow, Provider, Scope, Session, SignIn};

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
    client: StoredValue<Option<Client>, LocalStorage>,
}

/// An error as the page shows it: supabase-js's class name, the code, the message (never a
/// token, code or verifier).
fn describe(e: &Error) -> String {
    [e.code().js_name(), ": ", e.code_str(), ": ", e.message()].concat()
}

/// What the signed-in view shows of a session.
pub fn profile(session: &Session) -> Profile {
    let user = &session.user;
    Profile {
        email: user.email.clone().unwrap_or_default(),
        user_id: user.id.clone(),
        // WorkOS's ids, as Supabase Auth keeps them in the user's metadata.
        organization: user.organization_id(),
        connection: user.connection_id(),
        expires_at: session.expires_at(),
    }
}

/// Where Supabase Auth sends the browser back: this app's callback route.
fn callback_url() -> Option<String> {
    let origin = window().location().origin().ok()?;
    Some(origin + "/callback")
}

/// A call of the client, boxed: every button's future is then one type, compiled once.
type Task = Pin<Box<dyn Future<Output = Result<(), Error>>>>;

/// Runs `task`, showing its error as text; then marks the client `ready`, when given.
async fn run(
    task: Option<Task>,
    error: RwSignal<Option<String>>,
    ready: Option<WriteSignal<bool>>,
) {
    if let Some(task) = task {
        if let Err(e) = task.await {
            error.set(Some(describe(&e)));
        }
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
            // Kept as long as the app: dropping it unsubscribes.
            StoredValue::new_local(subscription);
            let starting = client.clone();
            let task: Task = Box::pin(async move { starting.initialize().await.map(drop) });
            spawn_local(run(Some(task), error, Some(set_ready)));
            Some(client)
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
    /// Runs `f` with the client, showing its error as text.
    fn run(self, f: impl FnOnce(Client) -> Task) -> impl Future<Output = ()> + 'static {
        self.error.set(None);
        run(self.client.get_value().map(f), self.error, None)
    }

    /// Starts WorkOS SSO: the browser leaves for the WorkOS page and comes back to `/callback`.
    pub fn sign_in(self, selector: Selector) -> impl Future<Output = ()> + 'static {
        let sign_in = match selector {
            Selector::Connection(id) => Some(SignIn::connection(id)),
            Selector::Organization(id) => Some(SignIn::organization(id)),
            Selector::Provider(name) => Provider::from_name(&name).map(SignIn::provider),
        };
        self.run(move |client| {
            Box::pin(async move {
                let sign_in = sign_in.ok_or(Error::new(
                    ErrorCode::InvalidProvider,
                    "provider must be one of WorkOS's OAuth providers",
                ))?;
                let sign_in = match callback_url() {
                    Some(to) => sign_in.redirect_to(to),
                    None => sign_in,
                };
                client.sign_in_with_workos(sign_in).await.map(drop)
            })
        })
    }

    /// Refreshes the session now (the client also does it ahead of expiry).
    pub fn refresh(self) -> impl Future<Output = ()> + 'static {
        self.run(|client| Box::pin(async move { client.refresh_session().await.map(drop) }))
    }

    /// Signs out everywhere the user is signed in.
    pub fn sign_out(self) -> impl Future<Output = ()> + 'static {
        self.run(|client| Box::pin(async move { client.sign_out(Scope::Global).await }))
    }
}
