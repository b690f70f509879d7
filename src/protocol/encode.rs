//! The two percent-encodings of the authorize URL, byte-identical to the browser's.

use alloc::string::String;

/// The hex digit for the low four bits of `n`; `a` is `b'a'` or `b'A'` for the letters' case.
pub fn hex_digit(n: u8, a: u8) -> char {
    let n = n & 15;
    char::from(if n < 10 { b'0' + n } else { a - 10 + n })
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(hex_digit(b >> 4, b'A'));
    out.push(hex_digit(b, b'A'));
}

/// Appends `s` as `encodeURIComponent` writes it: `A-Z a-z 0-9 - _ . ! ~ * ' ( )` stay, a space
/// becomes `%20`, everything else is UTF-8 percent-encoded.
pub fn uri_component(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(char::from(b)),
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                out.push(char::from(b))
            }
            _ => push_escaped(out, b),
        }
    }
}

/// Appends `s` as `URLSearchParams` serialises it (`application/x-www-form-urlencoded`):
/// `A-Z a-z 0-9 * - . _` stay, a space becomes `+`, everything else is UTF-8 percent-encoded.
pub fn form_component(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => push_escaped(out, b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn uri(s: &str) -> String {
        let mut o = String::new();
        uri_component(&mut o, s);
        o
    }
    fn form(s: &str) -> String {
        let mut o = String::new();
        form_component(&mut o, s);
        o
    }

    #[test]
    fn uri_component_keeps_its_marks_and_escapes_the_rest() {
        assert_eq!(
            uri("a b~*'()!+&=/?:@#"),
            "a%20b~*'()!%2B%26%3D%2F%3F%3A%40%23"
        );
        assert_eq!(uri("caf\u{e9}\u{1F510}"), "caf%C3%A9%F0%9F%94%90");
    }

    #[test]
    fn form_component_writes_space_as_plus_and_escapes_marks() {
        assert_eq!(form("a b~*'()!+&="), "a+b%7E*%27%28%29%21%2B%26%3D");
        assert_eq!(form("x\u{FFFD}y"), "x%EF%BF%BDy");
    }
}
