//! PKCE (RFC 7636): a verifier from caller-supplied random bytes. The S256 challenge is the
//! browser's to compute (`crypto.subtle.digest`, then base64url): the shells hash it there, and the
//! protocol checks the verifier's shape ([`Verifier::from_hex`]) and stores it.

use alloc::string::String;

use super::encode::hex_digit;

/// Random bytes that make one verifier: 56 bytes, written as 112 lower-case hex characters,
/// the same shape supabase-js uses (the server accepts any 43–128 unreserved characters).
pub const VERIFIER_BYTES: usize = 56;

/// A PKCE code verifier. A secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier(String);

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Verifier([redacted])")
    }
}

impl Verifier {
    /// The verifier for these random bytes (take them from a CSPRNG such as `crypto.getRandomValues`).
    pub fn from_random(bytes: &[u8; VERIFIER_BYTES]) -> Self {
        let mut s = String::with_capacity(VERIFIER_BYTES * 2);
        for &b in bytes {
            s.push(hex_digit(b >> 4, b'a'));
            s.push(hex_digit(b, b'a'));
        }
        Verifier(s)
    }

    /// A verifier made elsewhere from [`VERIFIER_BYTES`] random bytes: 112 lower-case hex
    /// characters, as [`Verifier::from_random`] writes them; `None` for anything else.
    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (s.len() == VERIFIER_BYTES * 2 && s.bytes().all(hex)).then(|| Verifier(s.into()))
    }

    /// Wraps an existing verifier string (e.g. read back from storage).
    pub fn from_string(s: String) -> Self {
        Verifier(s)
    }

    /// The secret value.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The value as stored for supabase-js: a JSON string (hex needs no escaping).
    pub fn stored_json(&self) -> String {
        let mut s = String::with_capacity(self.0.len() + 2);
        s.push('"');
        s.push_str(&self.0);
        s.push('"');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn verifier_is_112_lower_hex_and_debug_hides_it() {
        let v = Verifier::from_random(&[0xab; VERIFIER_BYTES]);
        assert_eq!(v.secret().len(), 112);
        assert!(v.secret().bytes().all(|b| b == b'a' || b == b'b'));
        assert!(!format!("{v:?}").contains("ab"));
        assert_eq!(v.stored_json(), ["\"", v.secret(), "\""].concat());
    }
}
