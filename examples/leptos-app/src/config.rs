//! What the page says about the project: `config.js` sets `window.DEMO_CONFIG` (the same file the
//! script-tag demo reads), and `?flow=implicit` in the address bar picks the implicit flow.
//! An app of your own would more likely write these down as constants.

use wasm_bindgen::JsValue;

/// The Supabase project, and the WorkOS ids the page offers a button for.
#[derive(Clone, Debug)]
pub struct Config {
    /// `https://<project>.supabase.co`, or the emulator's URL.
    pub supabase_url: String,
    /// The project's anon key.
    pub anon_key: String,
    /// A WorkOS connection, `conn_…`.
    pub connection: Option<String>,
    /// A WorkOS organization, `org_…`.
    pub organization: Option<String>,
    /// A WorkOS OAuth provider, `GoogleOAuth`, ….
    pub provider: Option<String>,
    /// The implicit flow instead of PKCE.
    pub implicit: bool,
}

/// A string member of a JS object; `None` when missing, not a string, or empty.
fn member(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()
        .filter(|s| !s.is_empty())
}

impl Config {
    /// Reads `window.DEMO_CONFIG` and the address bar's `?flow=`.
    pub fn from_page() -> Result<Config, &'static str> {
        let page = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("DEMO_CONFIG"))
            .ok()
            .filter(JsValue::is_object)
            .ok_or("config.js is missing: it sets window.DEMO_CONFIG")?;
        let flow = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
            .and_then(|params| params.get("flow"));
        Ok(Config {
            supabase_url: member(&page, "supabaseUrl").ok_or("config.js has no supabaseUrl")?,
            anon_key: member(&page, "anonKey").ok_or("config.js has no anonKey")?,
            connection: member(&page, "connection"),
            organization: member(&page, "organization"),
            provider: member(&page, "provider"),
            implicit: flow.as_deref() == Some("implicit"),
        })
    }
}
