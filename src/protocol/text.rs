//! Splitting text at ASCII bytes. std's `split`, `split_once` and `find` take any pattern and
//! compile a searcher for each use (close to a kilobyte of wasm apiece); these are a byte loop,
//! kept out of line so every caller shares it.

/// The text before and after the first `sep` (an ASCII byte), or `None` when there is none.
#[inline(never)]
pub fn cut(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The text before and after the first `sep`; all of it and `""` when there is none.
pub fn cut_or_all(s: &str, sep: u8) -> (&str, &str) {
    cut(s, sep).unwrap_or((s, ""))
}

/// The pieces of `s` between `sep` bytes, as `str::split` gives them.
pub fn pieces(s: &str, sep: u8) -> Pieces<'_> {
    Pieces { rest: Some(s), sep }
}

/// See [`pieces`].
#[derive(Clone, Debug)]
pub struct Pieces<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (piece, after) = match cut(rest, self.sep) {
            Some((piece, after)) => (piece, Some(after)),
            None => (rest, None),
        };
        self.rest = after;
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn pieces_and_cuts_agree_with_std() {
        for s in ["", "&", "a", "a&b", "&a&&b&", "é&ü&", "a=b=c"] {
            assert_eq!(
                pieces(s, b'&').collect::<Vec<_>>(),
                s.split('&').collect::<Vec<_>>()
            );
            assert_eq!(cut(s, b'='), s.split_once('='));
        }
        assert_eq!(cut_or_all("abc", b'#'), ("abc", ""));
    }
}
