//! Signing in from a desktop or mobile shell (Tauri, Capacitor): the app's webview never visits
//! the callback itself. The sign-in's URL opens in the system browser, Supabase Auth sends the
//! browser back to the app's own scheme, and the operating system hands that deep link to the
//! app, which finishes the sign-in with it. `docs/leptos.md` shows this file.

use supabase_workos::browser::{Client, Error, Session, SignIn};

/// The app's scheme, registered with the operating system (Tauri's deep-link plugin, Capacitor's
/// `appUrlOpen`), and on the project's redirect allow list.
const CALLBACK: &str = "myapp://auth/callback";

/// The client of a shell: there is never a callback in the webview's address bar to look for.
pub fn client(supabase_url: &str, anon_key: &str) -> Result<Client, Error> {
    Client::builder(supabase_url, anon_key)
        .detect_session_in_url(false)
        .build()
}

/// Starts the sign-in without leaving the webview: the verifier is stored here, and the URL
/// goes to `open`, which opens it in the system browser (Tauri's opener plugin, Capacitor's
/// `Browser.open`).
pub async fn sign_in(auth: &Client, open: impl FnOnce(&str)) -> Result<(), Error> {
    let url = auth
        .sign_in_with_workos(
            SignIn::organization("org_01H…")
                .redirect_to(CALLBACK)
                .skip_browser_redirect(),
        )
        .await?;
    open(&url);
    Ok(())
}

/// Finishes it with the deep link the operating system handed the app,
/// `myapp://auth/callback?code=…`: the code is exchanged with the stored verifier, and the
/// session is stored and announced to `on_auth_state_change` as `SIGNED_IN`.
pub async fn on_deep_link(auth: &Client, url: &str) -> Result<Option<Session>, Error> {
    if !url.starts_with(CALLBACK) {
        return Ok(None);
    }
    auth.handle_redirect_callback(Some(url)).await
}

fn main() {
    let Ok(auth) = client("https://abcd.supabase.co", "<anon key>") else {
        return;
    };
    leptos::task::spawn_local(async move {
        let _ = sign_in(&auth, |_url| {}).await;
        let _ = on_deep_link(&auth, "myapp://auth/callback?code=…").await;
    });
}
