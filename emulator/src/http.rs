//! Request and response plumbing shared by every route: GoTrue's two error
//! shapes, redirects written as `net/http.Redirect` writes them, CORS.
//!
//! [`redirect`] follows `net/http.Redirect` of Go 1.23 (the Go that
//! supabase/auth builds with): the Location's non-ASCII bytes escaped and, for
//! GET and HEAD, the body `<a href="…">Found</a>.` and two newlines.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

use crate::gourl::{hex_escape_non_ascii, Values};
use crate::json::to_go_json;

/// Every response the emulator sends.
pub type Resp = axum::response::Response;

/// Largest request body read (anything bigger is refused with 413).
pub const MAX_BODY: usize = 1 << 20;

/// The answer to a body over [`MAX_BODY`].
pub fn too_large() -> Resp {
    json(
        413,
        serde_json::json!({"message": "Request body too large"}).to_string(),
    )
}

/// A request, fully read.
pub struct Req {
    pub method: hyper::Method,
    pub path: String,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Req {
    type Rejection = Resp;

    async fn from_request(req: Request, _state: &S) -> Result<Req, Resp> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| too_large())?;
        Ok(Req {
            method: parts.method,
            path: parts.uri.path().to_string(),
            raw_query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts.headers,
            body,
        })
    }
}

impl Req {
    /// `r.URL.Query()`.
    pub fn query(&self) -> Values {
        Values::parse(&self.raw_query)
    }

    /// A header as text (empty when absent or not visible ASCII).
    pub fn header(&self, name: &str) -> String {
        header_text(&self.headers, name)
    }

    fn is_form(&self) -> bool {
        self.header("content-type")
            .split(';')
            .next()
            .is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
    }

    /// Go's `r.Form` after `ParseForm`: body values first for a form POST,
    /// then the query's.
    pub fn form(&self) -> Values {
        let mut all = String::new();
        if self.method == hyper::Method::POST && self.is_form() {
            all.push_str(&String::from_utf8_lossy(&self.body));
        }
        if !self.raw_query.is_empty() {
            if !all.is_empty() {
                all.push('&');
            }
            all.push_str(&self.raw_query);
        }
        Values::parse(&all)
    }

    /// Whether the client asked for the 2024-01-01 error shape.
    pub fn api_version_2024(&self) -> bool {
        api_version_2024(&self.header("x-supabase-api-version"))
    }
}

/// GoTrue's `DetermineClosestAPIVersion`: a `YYYY-MM-DD` date on or after
/// 2024-01-01 selects the new shape; anything else the initial one.
pub fn api_version_2024(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = value.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if d == 0 || d > days {
        return false;
    }
    y >= 2024
}

/// GoTrue's `HTTPError`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub msg: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, msg: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            msg: msg.into(),
        }
    }

    pub fn bad_request(code: &str, msg: impl Into<String>) -> ApiError {
        ApiError::new(400, code, msg)
    }

    pub fn internal(msg: impl Into<String>) -> ApiError {
        ApiError::new(500, "unexpected_failure", msg)
    }
}

/// Any failure a GoTrue handler returns: an `HTTPError` or an `OAuthError`.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthError {
    Http(ApiError),
    OAuth { error: String, description: String },
}

impl From<ApiError> for AuthError {
    fn from(e: ApiError) -> AuthError {
        AuthError::Http(e)
    }
}

impl AuthError {
    pub fn oauth(error: &str, description: &str) -> AuthError {
        AuthError::OAuth {
            error: error.to_string(),
            description: description.to_string(),
        }
    }

    /// `HandleResponseError`: the 2024-01-01 shape (and the echoed header)
    /// when asked for, the legacy shape otherwise.
    pub fn into_response(self, v2024: bool) -> Resp {
        match self {
            AuthError::Http(e) => {
                #[derive(Serialize)]
                struct Legacy<'a> {
                    code: u16,
                    error_code: &'a str,
                    msg: &'a str,
                }
                #[derive(Serialize)]
                struct V2024<'a> {
                    code: &'a str,
                    message: &'a str,
                }
                let body = if v2024 {
                    to_go_json(&V2024 {
                        code: &e.code,
                        message: &e.msg,
                    })
                } else {
                    to_go_json(&Legacy {
                        code: e.status,
                        error_code: &e.code,
                        msg: &e.msg,
                    })
                };
                let mut resp = json(e.status, body);
                if v2024 {
                    resp.headers_mut().insert(
                        "x-supabase-api-version",
                        HeaderValue::from_static("2024-01-01"),
                    );
                }
                resp
            }
            AuthError::OAuth { error, description } => {
                #[derive(Serialize)]
                struct OAuth<'a> {
                    error: &'a str,
                    #[serde(skip_serializing_if = "str::is_empty")]
                    error_description: &'a str,
                }
                json(
                    400,
                    to_go_json(&OAuth {
                        error: &error,
                        error_description: &description,
                    }),
                )
            }
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A response with a body and a content type.
pub fn respond(code: u16, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Body::from(body.into()));
    *resp.status_mut() = status(code);
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    resp
}

/// A JSON response.
pub fn json(code: u16, body: String) -> Resp {
    respond(code, "application/json", body)
}

/// An empty response.
pub fn empty(code: u16) -> Resp {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status(code);
    resp
}

/// `net/http.Redirect`: non-ASCII bytes escaped in the Location and, for GET
/// and HEAD, a tiny HTML body.
pub fn redirect(code: u16, location: &str, method: &hyper::Method) -> Resp {
    let loc = hex_escape_non_ascii(location);
    let mut resp = if method == hyper::Method::GET || method == hyper::Method::HEAD {
        let text = status(code).canonical_reason().unwrap_or("Redirect");
        respond(
            code,
            "text/html; charset=utf-8",
            format!("<a href=\"{}\">{text}</a>.\n\n", html_escape(&loc)),
        )
    } else {
        empty(code)
    };
    if let Ok(v) = HeaderValue::from_str(&loc) {
        resp.headers_mut().insert("location", v);
    }
    resp
}

/// Escapes text for HTML bodies and attributes.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const ALLOW_HEADERS: &str =
    "apikey, authorization, x-client-info, x-supabase-api-version, content-type";

/// Adds the CORS headers for `origin` (reflected) to a response.
pub fn add_cors(resp: &mut Resp, origin: &str) {
    if origin.is_empty() {
        return;
    }
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert("access-control-allow-origin", v);
        h.insert("vary", HeaderValue::from_static("Origin"));
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-supabase-api-version"),
        );
    }
}

/// A header as text (empty when absent or not visible ASCII).
pub fn header_text(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The answer to a CORS preflight on any path: 204, the requested headers
/// added to the list. tower-http's `CorsLayer` answers differently, so the
/// headers are written out here.
pub fn preflight(req: &HeaderMap) -> Resp {
    let mut resp = empty(204);
    let mut allow = ALLOW_HEADERS.to_string();
    for h in header_text(req, "access-control-request-headers")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
    {
        if !allow.split(", ").any(|a| a == h) && h.bytes().all(|c| c.is_ascii_graphic()) {
            allow.push_str(", ");
            allow.push_str(&h);
        }
    }
    let headers = resp.headers_mut();
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    if let Ok(v) = HeaderValue::from_str(&allow) {
        headers.insert("access-control-allow-headers", v);
    }
    headers.insert("access-control-max-age", HeaderValue::from_static("0"));
    add_cors(&mut resp, &header_text(req, "origin"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_header_parsing() {
        assert!(api_version_2024("2024-01-01"));
        assert!(api_version_2024("2025-06-30"));
        assert!(!api_version_2024("2023-12-31"));
        assert!(!api_version_2024("2024-1-01"));
        assert!(!api_version_2024("2024-02-30"));
        assert!(!api_version_2024(""));
        assert!(!api_version_2024("garbage!!"));
    }
}
