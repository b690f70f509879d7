//! The app: a home page that signs in or shows who is signed in, and the callback route Supabase
//! Auth sends the browser back to. Every component reads the [`Auth`] context.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{path, NavigateOptions};

use crate::auth::{self, provide_auth, Auth};
use crate::config::Config;

/// Which WorkOS SSO to start: exactly one, by type.
#[derive(Clone, Debug)]
pub enum Selector {
    Connection(String),
    Organization(String),
    Provider(String),
}

impl Selector {
    /// The WorkOS id, or the provider's name.
    fn id(&self) -> &str {
        match self {
            Selector::Connection(id) | Selector::Organization(id) | Selector::Provider(id) => id,
        }
    }
}

/// What the signed-in view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub email: String,
    pub user_id: String,
    pub organization: Option<String>,
    pub connection: Option<String>,
    /// When the access token expires, unix seconds.
    pub expires_at: u64,
}

#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    provide_auth(config.as_ref().map_err(|e| *e));
    if let Ok(config) = config {
        provide_context(config);
    }
    view! {
        <Router>
            <main>
                <h1>"Sign in with WorkOS through Supabase Auth"</h1>
                <Routes fallback=|| view! { <p>"This page could not be found."</p> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/callback") view=Callback/>
                </Routes>
                <ErrorText/>
            </main>
        </Router>
    }
}

/// The address bar's last word is the client's: it finished the callback and took the auth
/// parameters out. Then this route hands over to the home page, replacing its history entry.
#[component]
fn Callback() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let navigate = use_navigate();
    Effect::new(move || {
        if auth.ready.get() {
            navigate(
                "/",
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! { <p id="status">"Finishing sign-in…"</p> }
}

#[component]
fn Home() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let profile = move || auth.session.with(|s| s.as_ref().map(auth::profile));
    view! {
        <Show when=move || auth.ready.get() fallback=|| view! { <p id="status">"Loading…"</p> }>
            {move || match profile() {
                Some(profile) => Either::Left(view! { <SignedIn profile/> }),
                None => Either::Right(view! { <SignedOut/> }),
            }}
        </Show>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let config = use_context::<Config>();
    let implicit = config.as_ref().is_some_and(|c| c.implicit);
    let sign_in = Action::new_local(move |selector: &Selector| auth.sign_in(selector.clone()));
    let button = move |id: &'static str, label: &'static str, selector: Selector| {
        let shown = selector.id().to_owned();
        view! {
            <button id=id type="button" disabled=sign_in.pending()
                on:click=move |_| { sign_in.dispatch(selector.clone()); }>
                {label} " " <code>{shown}</code>
            </button>
        }
    };
    let buttons = config.map(|c| {
        let connection = c.connection.map(Selector::Connection);
        let organization = c.organization.map(Selector::Organization);
        let provider = c.provider.map(Selector::Provider);
        (
            connection.map(|s| button("signin-connection", "Sign in with connection", s)),
            organization.map(|s| button("signin-organization", "Sign in with organization", s)),
            provider.map(|s| button("signin-provider", "Sign in with", s)),
        )
    });
    view! {
        <section id="signed-out">
            <p>
                "Flow: " <strong id="flow">{if implicit { "implicit" } else { "PKCE" }}</strong> " ("
                <a href=if implicit { "/" } else { "/?flow=implicit" } rel="external">
                    {if implicit { "use PKCE" } else { "use the implicit flow" }}
                </a> ")"
            </p>
            <div class="buttons">{buttons}</div>
        </section>
    }
}

#[component]
fn SignedIn(profile: Profile) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let refresh = Action::new_local(move |_: &()| auth.refresh());
    let sign_out = Action::new_local(move |_: &()| auth.sign_out());
    let expires = js_sys::Date::new(&(profile.expires_at as f64 * 1000.0).into()).to_iso_string();
    let or_dash = |id: Option<String>| id.unwrap_or_else(|| "—".into());
    view! {
        <section id="signed-in">
            <p>"Signed in as " <strong id="email">{profile.email}</strong></p>
            <dl>
                <dt>"User id"</dt><dd id="user-id">{profile.user_id}</dd>
                <dt>"Organization"</dt><dd id="organization-id">{or_dash(profile.organization)}</dd>
                <dt>"Connection"</dt><dd id="connection-id">{or_dash(profile.connection)}</dd>
                <dt>"Access token expires"</dt>
                <dd id="expires" data-unix=profile.expires_at.to_string()>{String::from(expires)}</dd>
                <dt>"Last event"</dt><dd id="event">{move || auth.event.get()}</dd>
            </dl>
            <div class="buttons">
                <button id="refresh" type="button" disabled=refresh.pending()
                    on:click=move |_| { refresh.dispatch(()); }>"Refresh session"</button>
                <button id="signout" type="button" disabled=sign_out.pending()
                    on:click=move |_| { sign_out.dispatch(()); }>"Sign out"</button>
            </div>
        </section>
    }
}

/// A failed callback, sign-in, refresh or sign-out, as text.
#[component]
fn ErrorText() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Show when=move || auth.error.read().is_some()>
            <p id="error" role="alert">{move || auth.error.get()}</p>
        </Show>
    }
}
