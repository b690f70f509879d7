//! Identifiers and secrets: random ones from the OS, stable ones from a hash.

use sha2::{Digest, Sha256};
use uuid::Uuid;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // Without OS randomness there is no secret worth issuing.
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    buf
}

/// `len` random characters from `[a-z0-9]`, GoTrue's refresh-token alphabet.
pub fn random_lower_alnum(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random_from(ALPHABET, len)
}

/// `len` random characters from Crockford's base 32, as WorkOS codes look.
pub fn random_crockford(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    random_from(ALPHABET, len)
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            // Rejection sampling keeps the distribution uniform.
            let limit = 256 - 256 % alphabet.len();
            if usize::from(b) < limit {
                if let Some(&c) = alphabet.get(usize::from(b) % alphabet.len()) {
                    out.push(char::from(c));
                }
            }
            if out.len() == len {
                break;
            }
        }
    }
    out
}

/// A random version-4 UUID.
pub fn uuid_v4() -> Uuid {
    Uuid::new_v4()
}

/// A UUID that is always the same for the same `seed` (so a test user keeps
/// their Supabase id across emulator restarts).
pub fn stable_uuid(seed: &str) -> Uuid {
    let digest = Sha256::digest(format!("supabase-workos-emulator:{seed}").as_bytes());
    let mut bytes = [0u8; 16];
    for (d, s) in bytes.iter_mut().zip(digest.iter()) {
        *d = *s;
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let t = random_lower_alnum(12);
        assert_eq!(t.len(), 12);
        assert!(t
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_ne!(random_lower_alnum(12), t);
        assert_eq!(stable_uuid("a"), stable_uuid("a"));
        assert_ne!(stable_uuid("a"), stable_uuid("b"));
        assert_eq!(stable_uuid("a").get_version_num(), 4);
    }
}
