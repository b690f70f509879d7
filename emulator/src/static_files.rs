//! A static site on its own port (`--serve DIR --app-port N`), so the demo
//! needs no other server: correct MIME types (`application/wasm` included),
//! `index.html` for directories and for extension-less unknown paths, and
//! extra headers such as a Content-Security-Policy.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request};
use tokio::net::TcpListener;

use crate::http::{self, Resp};

/// What the static server needs.
pub struct Site {
    pub root: PathBuf,
    pub headers: Vec<(String, String)>,
}

/// The content type for a file name.
pub fn mime_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file a URL path names, if it is inside the root.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let mut candidate = root.join(rel);
    if candidate.is_dir() {
        candidate = candidate.join("index.html");
    }
    if !candidate.exists() && rel.extension().is_none() {
        candidate = root.join("index.html");
    }
    let real = candidate.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

fn serve_file(site: &Site, method: &Method, path: &str) -> Resp {
    if method != Method::GET && method != Method::HEAD {
        return http::respond(405, "text/plain; charset=utf-8", "method not allowed\n");
    }
    let Some(file) = resolve(&site.root, path) else {
        return http::respond(404, "text/plain; charset=utf-8", "not found\n");
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return http::respond(404, "text/plain; charset=utf-8", "not found\n");
    };
    let body = if method == Method::HEAD {
        Vec::new()
    } else {
        bytes
    };
    let mut resp = http::respond(200, mime_for(&file), body);
    let h = resp.headers_mut();
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    for (name, value) in &site.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            h.insert(n, v);
        }
    }
    resp
}

/// Serves the site until the task is dropped.
pub async fn serve(listener: TcpListener, site: Arc<Site>) {
    crate::server::accept(listener, move |req: Request<Incoming>| {
        let site = site.clone();
        async move {
            let resp = serve_file(&site, req.method(), req.uri().path());
            eprintln!(
                "[emulator] app {} {} -> {}",
                req.method(),
                req.uri().path(),
                resp.status().as_u16()
            );
            Ok::<_, std::convert::Infallible>(resp)
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_root_only() {
        let root = std::env::temp_dir().join(format!("emu-static-{}", std::process::id()));
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("index.html"), "<h1>hi</h1>").unwrap();
        std::fs::write(root.join("pkg/a.wasm"), [0u8, 97, 115, 109]).unwrap();
        let canon = root.canonicalize().unwrap();
        assert_eq!(resolve(&root, "/").unwrap(), canon.join("index.html"));
        assert_eq!(
            resolve(&root, "/pkg/a.wasm").unwrap(),
            canon.join("pkg/a.wasm")
        );
        assert_eq!(
            resolve(&root, "/auth/callback").unwrap(),
            canon.join("index.html")
        );
        assert!(resolve(&root, "/missing.js").is_none());
        assert!(resolve(&root, "/../etc/passwd").is_none());
        assert!(resolve(&root, "/%2e%2e/etc/passwd").is_none());
        assert!(resolve(&root, "/%zz").is_none());
        assert_eq!(mime_for(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            mime_for(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
    }
}
