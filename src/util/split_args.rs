//! Splits a line into arguments the way Redis's `sdssplitargs` does: used by inline
//! requests (`set k "a b"\n`) and by the config file parser (which also drops inline
//! `#` comments).

/// Splits one line into arguments with Redis's quoting rules.
///
/// * Unquoted tokens end at space, tab, CR or LF.
/// * `"..."` understands `\n \r \t \b \a \xHH` and `\<any>` (the byte itself).
/// * `'...'` understands only `\'`.
/// * A closing quote must be followed by whitespace or the end of the line.
///
/// When `inline_comments` is set, a token that *starts* with an unquoted `#` after the
/// directive's first value (i.e. at argument index 2 or later) starts a comment: it and
/// the rest of the line are dropped, unbalanced quotes there included.
///
/// Returns `None` for unbalanced quotes or a closing quote glued to more text.
pub fn split_args(line: &[u8], inline_comments: bool) -> Option<Vec<Vec<u8>>> {
    let mut args: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_c_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        if inline_comments && args.len() >= 2 && line[i] == b'#' {
            return Some(args);
        }
        let (token, next) = read_token(line, i)?;
        args.push(token);
        i = next;
    }
}

/// Quoting state while reading one token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Double,
    Single,
}

/// Reads one token starting at `i` (not whitespace); returns it and the index after it.
fn read_token(line: &[u8], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let mut cur = Vec::new();
    let mut quote = Quote::None;
    loop {
        let c = line.get(i).copied();
        match quote {
            Quote::Double => match c {
                None => return None,
                Some(b'\\') if is_hex_escape(line, i) => {
                    cur.push(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
                    i += 4;
                }
                Some(b'\\') if i + 1 < line.len() => {
                    cur.push(unescape(line[i + 1]));
                    i += 2;
                }
                Some(b'"') => return close_quote(line, i, cur),
                Some(b) => {
                    cur.push(b);
                    i += 1;
                }
            },
            Quote::Single => match c {
                None => return None,
                Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                    cur.push(b'\'');
                    i += 2;
                }
                Some(b'\'') => return close_quote(line, i, cur),
                Some(b) => {
                    cur.push(b);
                    i += 1;
                }
            },
            Quote::None => match c {
                None | Some(b' ' | b'\n' | b'\r' | b'\t') => return Some((cur, i)),
                Some(b'"') => {
                    quote = Quote::Double;
                    i += 1;
                }
                Some(b'\'') => {
                    quote = Quote::Single;
                    i += 1;
                }
                Some(b) => {
                    cur.push(b);
                    i += 1;
                }
            },
        }
    }
}

/// Ends a quoted token at the quote at `i`: the next byte must be whitespace or nothing.
fn close_quote(line: &[u8], i: usize, cur: Vec<u8>) -> Option<(Vec<u8>, usize)> {
    match line.get(i + 1) {
        Some(&b) if !is_c_space(b) => None,
        _ => Some((cur, i + 1)),
    }
}

/// Whether `line[i..]` is `\xHH` with two hex digits.
fn is_hex_escape(line: &[u8], i: usize) -> bool {
    line.get(i + 1) == Some(&b'x')
        && line.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        && line.get(i + 3).is_some_and(u8::is_ascii_hexdigit)
}

/// The value of one hex digit (callers checked it is one).
fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// The byte a backslash escape inside double quotes stands for.
fn unescape(b: u8) -> u8 {
    match b {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    }
}

/// C's `isspace` in the "C" locale.
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        split_args(s.as_bytes(), false)
            .unwrap()
            .into_iter()
            .map(|a| String::from_utf8(a).unwrap())
            .collect()
    }

    #[test]
    fn splits_like_sdssplitargs() {
        assert_eq!(split("set k1 v1"), ["set", "k1", "v1"]);
        assert_eq!(split("  set  \"a b\"  'c d' "), ["set", "a b", "c d"]);
        assert_eq!(split(r#"x "\x41\n" 'it\'s'"#), ["x", "A\n", "it's"]);
        assert_eq!(split(r#"x "" ''"#), ["x", "", ""]);
        assert!(split("").is_empty());
    }

    #[test]
    fn rejects_unbalanced_quotes() {
        for bad in ["set \"abc", "set 'abc", "set \"a\"b", "set 'a'b"] {
            assert_eq!(split_args(bad.as_bytes(), false), None, "{bad}");
        }
    }
}
