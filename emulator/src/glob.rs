//! The allow-list globs GoTrue compiles with `github.com/gobwas/glob` v0.2.3
//! (its only release) and the separators `.` and `/`: `*` stops at a separator, `**` does not, `?` is one
//! non-separator character, `[a-z]`/`[!x]` a class, `{a,b}` alternatives and
//! `\` escapes. A pattern matches the whole string.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Lit(char),
    Star,
    Super,
    Single,
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    Alt(Vec<Vec<Tok>>),
}

/// A compiled allow-list pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    source: String,
    tokens: Vec<Tok>,
}

const SEPARATORS: [char; 2] = ['.', '/'];

impl Glob {
    /// Compiles `pattern`; an unclosed `[` or `{` is an error, as in gobwas.
    pub fn compile(pattern: &str) -> Result<Glob, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_seq(&chars, &mut pos, false)
            .map_err(|e| format!("invalid allow-list pattern {pattern:?}: {e}"))?;
        if pos != chars.len() {
            return Err(format!(
                "invalid allow-list pattern {pattern:?}: unexpected character"
            ));
        }
        Ok(Glob {
            source: pattern.to_string(),
            tokens,
        })
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let text: Vec<char> = s.chars().collect();
        let mut start = vec![false; text.len() + 1];
        if let Some(first) = start.first_mut() {
            *first = true;
        }
        let ends = match_set(&self.tokens, &text, start);
        ends.get(text.len()).copied().unwrap_or(false)
    }
}

fn parse_seq(chars: &[char], pos: &mut usize, in_alt: bool) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    while let Some(&c) = chars.get(*pos) {
        match c {
            '\\' => {
                let next = chars.get(*pos + 1).copied().ok_or("dangling escape")?;
                out.push(Tok::Lit(next));
                *pos += 2;
            }
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    out.push(Tok::Super);
                    *pos += 2;
                } else {
                    out.push(Tok::Star);
                    *pos += 1;
                }
            }
            '?' => {
                out.push(Tok::Single);
                *pos += 1;
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'!');
                if negated {
                    *pos += 1;
                }
                let mut items = Vec::new();
                loop {
                    let c = chars.get(*pos).copied().ok_or("unclosed [")?;
                    if c == ']' {
                        *pos += 1;
                        break;
                    }
                    if chars.get(*pos + 1) == Some(&'-') {
                        if let Some(&hi) = chars.get(*pos + 2) {
                            if hi != ']' {
                                items.push((c, hi));
                                *pos += 3;
                                continue;
                            }
                        }
                    }
                    items.push((c, c));
                    *pos += 1;
                }
                out.push(Tok::Class { negated, items });
            }
            '{' => {
                *pos += 1;
                let mut alts = Vec::new();
                loop {
                    alts.push(parse_seq(chars, pos, true)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err("unclosed {".to_string()),
                    }
                }
                out.push(Tok::Alt(alts));
            }
            ',' | '}' if in_alt => return Ok(out),
            _ => {
                out.push(Tok::Lit(c));
                *pos += 1;
            }
        }
    }
    if in_alt {
        return Err("unclosed {".to_string());
    }
    Ok(out)
}

/// The set of positions reachable after `toks`, from the set `from`
/// (a bitmap over `0..=text.len()`); linear in the text for each token.
fn match_set(toks: &[Tok], text: &[char], from: Vec<bool>) -> Vec<bool> {
    let mut current = from;
    for tok in toks {
        current = step(tok, text, &current);
        if !current.iter().any(|&b| b) {
            break;
        }
    }
    current
}

fn step(tok: &Tok, text: &[char], current: &[bool]) -> Vec<bool> {
    let n = text.len();
    let mut next = vec![false; n + 1];
    match tok {
        Tok::Star => {
            let mut active = false;
            for q in 0..=n {
                if q > 0 && active {
                    active = text.get(q - 1).is_some_and(|c| !SEPARATORS.contains(c));
                }
                if current.get(q).copied().unwrap_or(false) {
                    active = true;
                }
                if let Some(slot) = next.get_mut(q) {
                    *slot = active;
                }
            }
        }
        Tok::Super => {
            if let Some(first) = current.iter().position(|&b| b) {
                for slot in next.iter_mut().skip(first) {
                    *slot = true;
                }
            }
        }
        Tok::Alt(alts) => {
            for alt in alts {
                let ends = match_set(alt, text, current.to_vec());
                for (slot, e) in next.iter_mut().zip(ends) {
                    *slot |= e;
                }
            }
        }
        single => {
            for (p, c) in text.iter().enumerate() {
                if !current.get(p).copied().unwrap_or(false) {
                    continue;
                }
                let ok = match single {
                    Tok::Lit(l) => l == c,
                    Tok::Single => !SEPARATORS.contains(c),
                    Tok::Class { negated, items } => {
                        items.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated
                    }
                    _ => false,
                };
                if ok {
                    if let Some(slot) = next.get_mut(p + 1) {
                        *slot = true;
                    }
                }
            }
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn star_stops_at_separators_super_star_does_not() {
        let cases: &[(&str, &str, bool)] = &[
            (
                "http://localhost:8000/*",
                "http://localhost:8000/path",
                true,
            ),
            (
                "http://localhost:8000/*",
                "http://localhost:8000/path/to/page",
                false,
            ),
            ("http://localhost:8000/*", "http://localhost:8000", false),
            (
                "http://localhost:8000/*",
                "http://localhost:8000/path?param=1",
                true,
            ),
            (
                "http://localhost:8000/**",
                "http://localhost:8000/path/to/page",
                true,
            ),
            (
                "http://*.localhost:8000/*",
                "http://a.localhost:8000/x",
                true,
            ),
            (
                "http://*.localhost:8000/*",
                "http://a.b.localhost:8000/x",
                false,
            ),
            (
                "http://**.localhost:8000/*",
                "http://a.b.localhost:8000/x",
                true,
            ),
            (
                "https://*.example.com/**",
                "https://app.example.com/auth/cb?x=1",
                true,
            ),
            (
                "https://*.example.com/**",
                "https://example.com/auth",
                false,
            ),
            (
                "https://app.example.com/cb?x=?",
                "https://app.example.com/cb?x=1",
                true,
            ),
            (
                "https://app.example.com/cb",
                "https://app.example.com/cb?x=1",
                false,
            ),
            (
                "https://{a,b}.example.com/*",
                "https://b.example.com/x",
                true,
            ),
            (
                "https://{a,b}.example.com/*",
                "https://c.example.com/x",
                false,
            ),
            (
                "https://[ab].example.com/*",
                "https://a.example.com/x",
                true,
            ),
            (
                "https://[!ab].example.com/*",
                "https://a.example.com/x",
                false,
            ),
            (
                "https://app.example.com/\\*",
                "https://app.example.com/*",
                true,
            ),
            (
                "https://app.example.com/\\*",
                "https://app.example.com/x",
                false,
            ),
            ("**", "anything://at/all", true),
        ];
        for (pattern, input, want) in cases {
            let g = Glob::compile(pattern).unwrap();
            assert_eq!(g.matches(input), *want, "{pattern} vs {input}");
        }
    }

    #[test]
    fn unclosed_patterns_are_errors() {
        assert!(Glob::compile("https://[ab.example.com").is_err());
        assert!(Glob::compile("https://{a,b.example.com").is_err());
    }
}
