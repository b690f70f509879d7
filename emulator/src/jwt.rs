//! HS256 JSON Web Tokens, as GoTrue signs and checks its access tokens with
//! `github.com/golang-jwt/jwt/v5`: the header is `{"alg":"HS256","typ":"JWT"}`
//! in that order (v5 marshals its header map, whose keys Go sorts), which is
//! also the header of the Supabase CLI's anon key; the claims keep the field
//! order of their Go struct.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
}

/// Signs `claims` (serialized in field order, as Go's encoder does).
pub fn sign<T: Serialize>(secret: &str, claims: &T) -> String {
    let header = crate::json::to_go_json(&Header {
        alg: "HS256",
        typ: "JWT",
    });
    let payload = crate::json::to_go_json(claims);
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = mac(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn mac(secret: &str, data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; the error branch cannot happen.
    match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Verifies signature and time claims; the error text is golang-jwt v5's,
/// which GoTrue appends to "invalid JWT: unable to parse or verify signature, ".
pub fn verify(secret: &str, token: &str, now_s: i64) -> Result<Value, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err("token is malformed: token contains an invalid number of segments".into());
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(h.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("token is malformed: could not JSON decode header")?;
    let claims: Value = URL_SAFE_NO_PAD
        .decode(p.trim_end_matches('='))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("token is malformed: could not JSON decode claim")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "HS256" {
        return Err(format!(
            "token is unverifiable: error while executing keyfunc: signing method {alg} is invalid"
        ));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| "token is malformed: could not base64 decode signature".to_string())?;
    let mut m = HmacSha256::new_from_slice(secret.as_bytes())
        .map_err(|_| "token signature is invalid: signature is invalid".to_string())?;
    m.update(format!("{h}.{p}").as_bytes());
    m.verify_slice(&sig)
        .map_err(|_| "token signature is invalid: signature is invalid".to_string())?;
    if !claims.is_object() {
        return Err("token is malformed: could not JSON decode claim".into());
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_f64) {
        if (now_s as f64) >= exp {
            return Err("token has invalid claims: token is expired".into());
        }
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
        if (now_s as f64) < nbf {
            return Err("token has invalid claims: token is not valid yet".into());
        }
    }
    Ok(claims)
}

/// The claims of Supabase's local-development anon key.
#[derive(Serialize)]
pub struct AnonClaims {
    pub iss: &'static str,
    pub role: &'static str,
    pub exp: i64,
}

/// The anon key for `secret`: with the default secret this is byte for byte
/// the key every `supabase start` prints.
pub fn anon_key(secret: &str) -> String {
    sign(
        secret,
        &AnonClaims {
            iss: "supabase-demo",
            role: "anon",
            exp: 1_983_812_996,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "super-secret-jwt-token-with-at-least-32-characters-long";

    #[test]
    fn default_anon_key_is_the_supabase_cli_one() {
        assert_eq!(
            anon_key(SECRET),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
        );
    }

    #[test]
    fn verify_checks_signature_and_expiry() {
        let t = sign(SECRET, &serde_json::json!({"sub": "x", "exp": 100}));
        assert!(verify(SECRET, &t, 99).is_ok());
        assert_eq!(
            verify(SECRET, &t, 100).unwrap_err(),
            "token has invalid claims: token is expired"
        );
        assert_eq!(
            verify("another-secret", &t, 99).unwrap_err(),
            "token signature is invalid: signature is invalid"
        );
        assert!(verify(SECRET, "a.b", 0).unwrap_err().contains("segments"));
        assert!(verify(SECRET, "!!.!!.!!", 0).is_err());
    }
}
