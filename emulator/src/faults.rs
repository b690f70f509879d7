//! Fault injection: make chosen endpoints fail the next N times, or for S
//! seconds, in ways a real network and a real server fail.

use serde::Serialize;
use serde_json::Value;

/// Endpoints a fault can target. `token` covers both grants; `token_pkce`
/// and `token_refresh` only one; `all` every endpoint but the control API.
pub const ENDPOINTS: [&str; 11] = [
    "token",
    "token_pkce",
    "token_refresh",
    "user",
    "logout",
    "authorize",
    "callback",
    "health",
    "sso_authorize",
    "sso_token",
    "all",
];

/// How a faulty request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// HTTP 500 in GoTrue's error shape.
    Status500,
    /// HTTP 503.
    Status503,
    /// HTTP 429 with `Retry-After`.
    Status429,
    /// The request is held for `seconds`, then the connection dropped.
    Timeout,
    /// 200 with a body that is not JSON.
    Garbage,
    /// 200 with a 5 MiB body.
    Big,
    /// 302 to another URL.
    Redirect,
    /// The connection is dropped without an answer.
    Down,
}

impl Kind {
    fn parse(s: &str) -> Result<Kind, String> {
        Ok(match s {
            "500" => Kind::Status500,
            "503" => Kind::Status503,
            "429" => Kind::Status429,
            "timeout" => Kind::Timeout,
            "garbage" => Kind::Garbage,
            "big" => Kind::Big,
            "redirect" => Kind::Redirect,
            "down" => Kind::Down,
            other => {
                return Err(format!(
                    "unknown fault kind {other:?}: 500, 503, 429, timeout, garbage, big, redirect, down"
                ))
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Status500 => "500",
            Kind::Status503 => "503",
            Kind::Status429 => "429",
            Kind::Timeout => "timeout",
            Kind::Garbage => "garbage",
            Kind::Big => "big",
            Kind::Redirect => "redirect",
            Kind::Down => "down",
        }
    }
}

/// A fault as asked for (flag or control API).
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    pub endpoint: String,
    pub kind: Kind,
    /// Requests to hit; `None` means 1 (unlimited for `down`), 0 unlimited.
    pub count: Option<u32>,
    /// `timeout`: how long to hold (default 10). Others: how long the fault
    /// lasts (default: until used up; `down` 5).
    pub seconds: Option<u64>,
}

fn check_endpoint(e: &str) -> Result<String, String> {
    if ENDPOINTS.contains(&e) {
        Ok(e.to_string())
    } else {
        Err(format!(
            "unknown fault endpoint {e:?}: {}",
            ENDPOINTS.join(", ")
        ))
    }
}

impl FaultSpec {
    /// `ENDPOINT=KIND[:COUNT[:SECONDS]]`, e.g. `token=500:3`.
    pub fn parse_flag(s: &str) -> Result<FaultSpec, String> {
        let (endpoint, rest) = s
            .split_once('=')
            .ok_or_else(|| format!("--fault {s:?} is not ENDPOINT=KIND[:COUNT[:SECONDS]]"))?;
        let mut parts = rest.split(':');
        let kind = Kind::parse(parts.next().unwrap_or(""))?;
        let num = |p: Option<&str>| -> Result<Option<u64>, String> {
            match p {
                None | Some("") => Ok(None),
                Some(n) => n
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("--fault {s:?}: {n:?} is not a number")),
            }
        };
        let count = num(parts.next())?.map(|c| u32::try_from(c).unwrap_or(u32::MAX));
        let seconds = num(parts.next())?;
        if parts.next().is_some() {
            return Err(format!("--fault {s:?} has too many parts"));
        }
        Ok(FaultSpec {
            endpoint: check_endpoint(endpoint)?,
            kind,
            count,
            seconds,
        })
    }

    /// The control API's JSON form.
    pub fn from_json(v: &Value) -> Result<FaultSpec, String> {
        let endpoint = v
            .get("endpoint")
            .and_then(Value::as_str)
            .ok_or("`endpoint` (string) is required")?;
        let kind = match v.get("kind") {
            Some(Value::String(s)) => Kind::parse(s)?,
            Some(Value::Number(n)) => Kind::parse(&n.to_string())?,
            _ => return Err("`kind` is required".into()),
        };
        let count = match v.get("count") {
            None | Some(Value::Null) => None,
            Some(c) => Some(
                c.as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or("`count` must be a non-negative integer")?,
            ),
        };
        let seconds = match v.get("seconds") {
            None | Some(Value::Null) => None,
            Some(s) => Some(
                s.as_u64()
                    .ok_or("`seconds` must be a non-negative integer")?,
            ),
        };
        Ok(FaultSpec {
            endpoint: check_endpoint(endpoint)?,
            kind,
            count,
            seconds,
        })
    }
}

/// What the server must do for one faulty request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub kind: Kind,
    pub hold_seconds: u64,
}

#[derive(Clone, Debug)]
struct Fault {
    id: u64,
    spec: FaultSpec,
    remaining: Option<u32>,
    until_ms: Option<i64>,
}

#[derive(Serialize)]
struct FaultView<'a> {
    id: u64,
    endpoint: &'a str,
    kind: &'static str,
    remaining: Option<u32>,
    seconds: Option<u64>,
}

/// The active faults.
#[derive(Debug, Default)]
pub struct Faults {
    list: Vec<Fault>,
    next_id: u64,
    pub triggered: u64,
}

impl Faults {
    pub fn add(&mut self, spec: FaultSpec, now_ms: i64) -> u64 {
        self.next_id += 1;
        let remaining = match (spec.count, spec.kind) {
            (Some(0), _) | (None, Kind::Down) => None,
            (Some(n), _) => Some(n),
            (None, _) => Some(1),
        };
        let window = match (spec.kind, spec.seconds) {
            (Kind::Timeout, _) => None,
            (Kind::Down, s) => Some(s.unwrap_or(5)),
            (_, s) => s,
        };
        let until_ms = window.map(|s| {
            now_ms.saturating_add(
                i64::try_from(s)
                    .unwrap_or(i64::MAX / 2000)
                    .saturating_mul(1000),
            )
        });
        self.list.push(Fault {
            id: self.next_id,
            spec,
            remaining,
            until_ms,
        });
        self.next_id
    }

    pub fn clear(&mut self) {
        self.list.clear();
    }

    /// The first live fault for a request to `endpoint` (and its narrower
    /// name `sub`, e.g. `token_refresh`), consuming one use of it.
    pub fn take(&mut self, endpoint: &str, sub: Option<&str>, now_ms: i64) -> Option<Action> {
        self.list
            .retain(|f| f.until_ms.is_none_or(|u| now_ms < u) && f.remaining != Some(0));
        let f = self.list.iter_mut().find(|f| {
            let e = f.spec.endpoint.as_str();
            e == "all" || e == endpoint || Some(e) == sub
        })?;
        if let Some(r) = f.remaining.as_mut() {
            *r = r.saturating_sub(1);
        }
        self.triggered += 1;
        Some(Action {
            kind: f.spec.kind,
            hold_seconds: if f.spec.kind == Kind::Timeout {
                f.spec.seconds.unwrap_or(10)
            } else {
                0
            },
        })
    }

    /// The live faults, for the control API.
    pub fn to_json(&self) -> Value {
        let views: Vec<FaultView<'_>> = self
            .list
            .iter()
            .filter(|f| f.remaining != Some(0))
            .map(|f| FaultView {
                id: f.id,
                endpoint: &f.spec.endpoint,
                kind: f.spec.kind.name(),
                remaining: f.remaining,
                seconds: f.spec.seconds,
            })
            .collect();
        serde_json::to_value(views).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_syntax() {
        let f = FaultSpec::parse_flag("token=500:3").unwrap();
        assert_eq!(
            (f.endpoint.as_str(), f.kind, f.count),
            ("token", Kind::Status500, Some(3))
        );
        let f = FaultSpec::parse_flag("user=timeout:1:2").unwrap();
        assert_eq!((f.kind, f.seconds), (Kind::Timeout, Some(2)));
        assert!(FaultSpec::parse_flag("nowhere=500").is_err());
        assert!(FaultSpec::parse_flag("token").is_err());
        assert!(FaultSpec::parse_flag("token=500:x").is_err());
    }

    #[test]
    fn counts_windows_and_narrow_endpoints() {
        let mut faults = Faults::default();
        faults.add(FaultSpec::parse_flag("token_refresh=503:2").unwrap(), 0);
        assert_eq!(faults.take("token", Some("token_pkce"), 0), None);
        assert_eq!(
            faults.take("token", Some("token_refresh"), 0).unwrap().kind,
            Kind::Status503
        );
        assert!(faults.take("token", Some("token_refresh"), 0).is_some());
        assert_eq!(faults.take("token", Some("token_refresh"), 0), None);

        faults.add(FaultSpec::parse_flag("all=down:0:5").unwrap(), 1_000);
        assert!(faults.take("user", None, 5_999).is_some());
        assert!(faults.take("user", None, 6_000).is_none());
        assert_eq!(faults.triggered, 3);
    }
}
