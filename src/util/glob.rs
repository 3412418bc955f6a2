//! Redis-style glob matching (`KEYS`, `SCAN MATCH`, `CONFIG GET`, `PSUBSCRIBE`).
//!
//! The semantics are those of Redis's `stringmatchlen`, quirks included:
//!
//! * `*` matches any run of bytes, `?` exactly one byte;
//! * `[abc]`, `[^abc]`, `[a-z]` (a reversed range `[z-a]` is swapped), `[\]]` (a backslash
//!   escapes the next byte inside a class and is then compared case-sensitively);
//! * a class missing its closing `]` extends to the end of the pattern;
//! * `\x` outside a class matches `x` literally; a trailing lone `\` matches a `\`;
//! * an empty subject matches only the empty pattern: even `*` does not match `""`
//!   (`KEYS *` short-cuts that case itself, callers that want it must do the same);
//! * with `nocase`, literals and range bounds compare ASCII case-insensitively.
//!
//! Redis walks the pattern recursively (with an early-exit flag to tame backtracking).
//! Here the pattern is first cut into single-byte tokens and matched with the classic
//! "remember the last star" two-pointer walk, which is O(pattern × subject) in the worst
//! case and never exponential (`*a*a*a*a*b` against a long run of `a`s is cheap).

/// One element of a character class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClassItem {
    /// A `\`-escaped byte: always compared case-sensitively.
    Escaped(u8),
    /// A plain byte: compared case-insensitively under `nocase`.
    Byte(u8),
    /// `lo-hi` as written (bounds are swapped at match time if reversed).
    Range(u8, u8),
}

/// One pattern token; every token but `Star` consumes exactly one subject byte.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Star,
    Any,
    Byte(u8),
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
}

/// Returns whether `s` matches the glob `pattern` exactly as Redis's `stringmatchlen`
/// decides it (`nocase` folds ASCII letters).
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    if s.is_empty() {
        return pattern.is_empty();
    }
    let tokens = tokenize(pattern);
    match_tokens(&tokens, s, nocase)
}

/// Cuts a pattern into tokens, reproducing how Redis advances through it.
fn tokenize(p: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'*' => {
                if tokens.last() != Some(&Token::Star) {
                    tokens.push(Token::Star);
                }
                i += 1;
            }
            b'?' => {
                tokens.push(Token::Any);
                i += 1;
            }
            b'[' => {
                let (token, next) = parse_class(p, i + 1);
                tokens.push(token);
                i = next;
            }
            b'\\' if p.len() - i >= 2 => {
                tokens.push(Token::Byte(p[i + 1]));
                i += 2;
            }
            b => {
                tokens.push(Token::Byte(b));
                i += 1;
            }
        }
    }
    tokens
}

/// Parses a class whose body starts at `i` (just past `[`); returns it and the index of
/// the first pattern byte after it. An unterminated class runs to the end of the pattern.
fn parse_class(p: &[u8], mut i: usize) -> (Token, usize) {
    let negated = p.get(i) == Some(&b'^');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    loop {
        let rest = p.len() - i;
        if rest >= 2 && p[i] == b'\\' {
            items.push(ClassItem::Escaped(p[i + 1]));
            i += 2;
        } else if rest == 0 {
            // Unterminated: Redis steps back one byte and then forward past it.
            return (Token::Class { negated, items }, p.len());
        } else if p[i] == b']' {
            return (Token::Class { negated, items }, i + 1);
        } else if rest >= 3 && p[i + 1] == b'-' {
            items.push(ClassItem::Range(p[i], p[i + 2]));
            i += 3;
        } else {
            items.push(ClassItem::Byte(p[i]));
            i += 1;
        }
    }
}

/// Returns whether the single-byte token `t` accepts byte `c`.
fn token_accepts(t: &Token, c: u8, nocase: bool) -> bool {
    match t {
        Token::Star | Token::Any => true,
        Token::Byte(b) => bytes_equal(*b, c, nocase),
        Token::Class { negated, items } => {
            let hit = items
                .iter()
                .any(|item| class_item_accepts(*item, c, nocase));
            hit != *negated
        }
    }
}

/// Returns whether one class element accepts `c` (ranges compare bytes as C `char`s do
/// on x86, i.e. signed, like Redis).
fn class_item_accepts(item: ClassItem, c: u8, nocase: bool) -> bool {
    match item {
        ClassItem::Escaped(b) => b == c,
        ClassItem::Byte(b) => bytes_equal(b, c, nocase),
        ClassItem::Range(a, b) => {
            let (mut lo, mut hi, mut x) = (signed(a), signed(b), signed(c));
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            if nocase {
                lo = ascii_lower_signed(lo);
                hi = ascii_lower_signed(hi);
                x = ascii_lower_signed(x);
            }
            lo <= x && x <= hi
        }
    }
}

/// Compares two bytes, folding ASCII case when `nocase`.
fn bytes_equal(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Reads a byte as a signed C `char`.
fn signed(b: u8) -> i32 {
    i32::from(b as i8)
}

/// Lower-cases an ASCII upper-case letter held as a signed char value.
fn ascii_lower_signed(v: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&v) {
        v + 32
    } else {
        v
    }
}

/// Matches a non-empty subject against tokens, backtracking only to the latest star.
fn match_tokens(tokens: &[Token], s: &[u8], nocase: bool) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    // (index of the latest star token, subject index it is currently extended to)
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match tokens.get(ti) {
            Some(Token::Star) => {
                star = Some((ti, si));
                ti += 1;
            }
            Some(t) if token_accepts(t, s[si], nocase) => {
                ti += 1;
                si += 1;
            }
            _ => match star {
                Some((st, ss)) => {
                    star = Some((st, ss + 1));
                    ti = st + 1;
                    si = ss + 1;
                }
                None => return false,
            },
        }
    }
    tokens[ti..].iter().all(|t| *t == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A straightforward re-statement of Redis's recursive algorithm, used as the oracle.
    fn reference(p: &[u8], s: &[u8], nocase: bool) -> bool {
        let mut skip = false;
        reference_impl(p, s, nocase, &mut skip)
    }

    fn reference_impl(p: &[u8], s: &[u8], nocase: bool, skip: &mut bool) -> bool {
        // `pi`/`si` index the pattern and subject; their remaining lengths play the
        // role of Redis's patternLen/stringLen.
        let (mut pi, mut si) = (0usize, 0usize);
        while pi < p.len() && si < s.len() {
            match p[pi] {
                b'*' => {
                    while p.len() - pi > 1 && p[pi + 1] == b'*' {
                        pi += 1;
                    }
                    if p.len() - pi == 1 {
                        return true;
                    }
                    while si < s.len() {
                        if reference_impl(&p[pi + 1..], &s[si..], nocase, skip) {
                            return true;
                        }
                        if *skip {
                            return false;
                        }
                        si += 1;
                    }
                    *skip = true;
                    return false;
                }
                b'?' => si += 1,
                b'[' => {
                    pi += 1;
                    let not = p.get(pi) == Some(&b'^');
                    if not {
                        pi += 1;
                    }
                    let mut matched = false;
                    loop {
                        let rest = p.len() - pi;
                        if rest >= 2 && p[pi] == b'\\' {
                            pi += 1;
                            if p[pi] == s[si] {
                                matched = true;
                            }
                        } else if rest > 0 && p[pi] == b']' {
                            break;
                        } else if rest == 0 {
                            pi -= 1;
                            break;
                        } else if rest >= 3 && p[pi + 1] == b'-' {
                            let mut a = i32::from(p[pi] as i8);
                            let mut b = i32::from(p[pi + 2] as i8);
                            let mut c = i32::from(s[si] as i8);
                            if a > b {
                                std::mem::swap(&mut a, &mut b);
                            }
                            if nocase {
                                a = ascii_lower_signed(a);
                                b = ascii_lower_signed(b);
                                c = ascii_lower_signed(c);
                            }
                            pi += 2;
                            if a <= c && c <= b {
                                matched = true;
                            }
                        } else if bytes_equal(p[pi], s[si], nocase) {
                            matched = true;
                        }
                        pi += 1;
                    }
                    if not {
                        matched = !matched;
                    }
                    if !matched {
                        return false;
                    }
                    si += 1;
                }
                b'\\' if p.len() - pi >= 2 => {
                    pi += 1;
                    if !bytes_equal(p[pi], s[si], nocase) {
                        return false;
                    }
                    si += 1;
                }
                b => {
                    if !bytes_equal(b, s[si], nocase) {
                        return false;
                    }
                    si += 1;
                }
            }
            pi += 1;
            if si == s.len() {
                while p.get(pi) == Some(&b'*') {
                    pi += 1;
                }
                break;
            }
        }
        pi == p.len() && si == s.len()
    }

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn basics() {
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges are swapped");
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("[\\]]", "]"));
        assert!(m("[\\^]", "^"));
        assert!(m("ab\\", "ab\\"), "a trailing backslash is literal");
        assert!(!m("abc", "abcd"));
        assert!(m("abc*", "abc"));
        assert!(m("a**b", "ab"));
    }

    #[test]
    fn empty_subject_only_matches_empty_pattern() {
        assert!(m("", ""));
        assert!(!m("*", ""));
        assert!(!m("**", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn class_quirks() {
        // Unterminated class runs to the end of the pattern.
        assert!(m("[abc", "b"));
        assert!(!m("[abc", "d"));
        assert!(!m("[", "a"));
        assert!(m("[^", "a"));
        // `[a-]` takes `]` as the (swapped) range end `]`..`a`, and the class runs on.
        assert!(m("[a-]", "_"));
        assert!(!m("[a-]", "b"));
        assert!(m("[]", "]") == reference(b"[]", b"]", false));
        assert!(!m("[]", "a"));
        // Escapes inside a class compare case-sensitively even under nocase.
        assert!(!glob_match(b"[\\A]", b"a", true));
        assert!(glob_match(b"[A]", b"a", true));
        assert!(glob_match(b"[A-C]", b"b", true));
        assert!(glob_match(b"[a-c]", b"B", true));
    }

    #[test]
    fn nocase() {
        assert!(glob_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!glob_match(b"MAXMEM*", b"maxmemory", false));
    }

    #[test]
    fn high_bytes_in_ranges_compare_signed() {
        // 'a'..0xff as signed chars becomes -1..97: 0xff and '0' match, 0x80 does not.
        assert!(glob_match(b"[a-\xff]", b"\xff", false));
        assert!(glob_match(b"[a-\xff]", b"0", false));
        assert!(!glob_match(b"[a-\xff]", b"\x80", false));
        assert_eq!(
            glob_match(b"[a-\xff]", b"\x80", false),
            reference(b"[a-\xff]", b"\x80", false)
        );
    }

    #[test]
    fn no_exponential_blowup() {
        let subject = vec![b'a'; 10_000];
        let pattern = b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let start = std::time::Instant::now();
        assert!(!glob_match(pattern, &subject, false));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn agrees_with_reference(
            p in proptest::collection::vec(prop::sample::select(b"ab*?[]^-\\A".to_vec()), 0..9),
            s in proptest::collection::vec(prop::sample::select(b"abAB]^-\\*\xff".to_vec()), 0..7),
            nocase in any::<bool>(),
        ) {
            prop_assert_eq!(glob_match(&p, &s, nocase), reference(&p, &s, nocase),
                "pattern {:?} subject {:?}", String::from_utf8_lossy(&p), String::from_utf8_lossy(&s));
        }
    }
}
