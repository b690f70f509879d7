//! `supabase-workos-emulator`: Supabase Auth (GoTrue) and the WorkOS SSO API
//! on loopback, wire-compatible enough for unmodified supabase-js to sign in.
//!
//! The binary (`main.rs`) parses flags and calls [`start`]; tests call it
//! directly with port 0 and a [`clock::Clock`] they can move.
#![forbid(unsafe_code)]

pub mod clock;
pub mod config;
pub mod control;
pub mod faults;
pub mod follow;
pub mod glob;
pub mod gotrue;
pub mod gourl;
pub mod http;
pub mod ids;
pub mod json;
pub mod jwt;
pub mod redirect;
pub mod server;
pub mod static_files;
pub mod store;
pub mod users;
pub mod workos;

use std::net::SocketAddr;
use std::sync::Arc;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::Config;
use crate::server::App;

/// A running emulator. Dropping it stops both listeners.
pub struct Emulator {
    pub auth_addr: SocketAddr,
    pub app_addr: Option<SocketAddr>,
    pub app: Arc<App>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[derive(Serialize)]
struct Ready<'a> {
    auth_url: String,
    app_url: Option<String>,
    anon_key: &'a str,
    site_url: &'a str,
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, the Supabase URL to give supabase-js.
    pub fn auth_url(&self) -> String {
        self.app.base_url.clone()
    }

    /// The one line printed on stdout once both listeners are up.
    pub fn ready_line(&self) -> String {
        let ready = Ready {
            auth_url: self.auth_url(),
            app_url: self.app_addr.map(|a| format!("http://{a}")),
            anon_key: &self.app.anon_key,
            site_url: &self.app.cfg.site_url,
        };
        format!(
            "READY {}",
            serde_json::to_string(&ready).unwrap_or_else(|_| "{}".into())
        )
    }
}

/// Binds the listeners on 127.0.0.1 and starts serving.
pub async fn start(cfg: Config, clock: Arc<Clock>) -> std::io::Result<Emulator> {
    let listener = bind(cfg.port).await?;
    let auth_addr = listener.local_addr()?;
    let app_listener = match &cfg.serve {
        Some(_) => Some(bind(cfg.app_port).await?),
        None => None,
    };
    let app_addr = match &app_listener {
        Some(l) => Some(l.local_addr()?),
        None => None,
    };
    let site = cfg.serve.clone().map(|root| static_files::Site {
        root,
        headers: cfg.app_headers.clone(),
    });
    let app = Arc::new(App::new(cfg, clock, format!("http://{auth_addr}")));
    let mut tasks = vec![tokio::spawn(server::serve(
        listener,
        server::router(app.clone()),
    ))];
    if let (Some(l), Some(site)) = (app_listener, site) {
        tasks.push(tokio::spawn(server::serve(l, static_files::router(&site))));
    }
    Ok(Emulator {
        auth_addr,
        app_addr,
        app,
        tasks,
    })
}

async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1:{port}: {e}"))
    })
}
