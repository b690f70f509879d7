//! A static site on its own port (`--serve DIR --app-port N`), so the demo
//! needs no other server: correct MIME types (`application/wasm` included),
//! `index.html` for directories and for extension-less unknown paths, and
//! extra headers such as a Content-Security-Policy.

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::Router;
use hyper::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::Method;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

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

/// Whether an unknown path gets `index.html` (a client-side route): no file
/// extension and nothing that leaves the root.
pub fn is_app_route(url_path: &str) -> bool {
    let Some(decoded) = percent_decode(url_path) else {
        return false;
    };
    if decoded.contains('\0') || decoded.contains('\\') {
        return false;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && rel.extension().is_none()
}

/// The static site: tower-http's `ServeDir` (directories get their
/// `index.html`), `index.html` for unknown extension-less paths, plain-text
/// 404 and 405 answers, and on every file served `Cache-Control: no-store`
/// and the `--app-header`s.
pub fn router(site: &Site) -> Router {
    let index = site.root.join("index.html");
    let missing = tower::service_fn(move |req: Request| {
        let index = index.clone();
        async move { Ok::<_, Infallible>(not_found(req, index).await) }
    });
    let files = ServeDir::new(&site.root)
        .call_fallback_on_method_not_allowed(true)
        .fallback(missing);
    let mut router = Router::new().fallback_service(files);
    let mut headers = vec![(CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    headers.extend(site.headers.iter().filter_map(|(name, value)| {
        Some((
            HeaderName::from_bytes(name.as_bytes()).ok()?,
            HeaderValue::from_str(value).ok()?,
        ))
    }));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            move |resp: &Resp| resp.status().is_success().then(|| value.clone()),
        ));
    }
    router
        .layer(middleware::from_fn(content_type))
        .layer(middleware::from_fn(log))
}

fn text(status: u16, body: &'static str) -> Resp {
    http::respond(status, "text/plain; charset=utf-8", body)
}

/// What `ServeDir` did not find: the app's `index.html` for a client-side
/// route, else 404; any method but GET and HEAD is 405.
async fn not_found(req: Request, index: PathBuf) -> Resp {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(405, "method not allowed\n");
    }
    if is_app_route(req.uri().path()) && index.is_file() {
        return match ServeFile::new(index).oneshot(req).await {
            Ok(resp) => resp.into_response(),
            Err(e) => match e {},
        };
    }
    text(404, "not found\n")
}

/// The content type from this module's table (`ServeDir` guesses without a
/// charset): by the URL's extension, or for an `index.html` served in place of
/// a directory or a client-side route.
async fn content_type(req: Request, next: Next) -> Resp {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    let named = (!path.ends_with('/'))
        .then(|| {
            Path::new(&path)
                .extension()
                .map(|_| mime_for(Path::new(&path)))
        })
        .flatten();
    let served_html = resp
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"text/html");
    let mime = named.or(served_html.then(|| mime_for(Path::new("index.html"))));
    if let Some(mime) = mime {
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    resp
}

async fn log(req: Request, next: Next) -> Resp {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    eprintln!(
        "[emulator] app {method} {path} -> {}",
        resp.status().as_u16()
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_and_types() {
        assert!(is_app_route("/auth/callback"));
        assert!(is_app_route("/"));
        assert!(!is_app_route("/missing.js"));
        assert!(!is_app_route("/../etc/passwd"));
        assert!(!is_app_route("/%2e%2e/etc/passwd"));
        assert!(!is_app_route("/%zz"));
        assert_eq!(mime_for(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            mime_for(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
    }
}
