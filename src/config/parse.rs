//! Lexical layer of `redis.conf`: splitting a line into arguments the way Redis's
//! `sdssplitargs` does, quoting a value back (`sdscatrepr`), and the number formats
//! (strict integers, memory units, octal, C `strtoll`).

pub use crate::util::split_args::{is_c_space, split_args};

/// Trims the bytes Redis trims from each config line (space, tab, CR, LF).
pub fn trim_line(line: &[u8]) -> &[u8] {
    let is_trim = |b: &u8| matches!(*b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !is_trim(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !is_trim(b))
        .map_or(start, |e| e + 1);
    &line[start..end]
}

/// Quotes a value so that [`split_args`] reads it back unchanged (Redis's `sdscatrepr`).
pub fn repr(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for &b in value {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Writes an argument bare when it survives [`split_args`] unquoted, else quoted.
pub fn quote_if_needed(value: &str) -> String {
    let bare_ok = !value.is_empty()
        && !value.starts_with('#')
        && value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\'' && b != b'\\');
    if bare_ok {
        value.to_string()
    } else {
        repr(value.as_bytes())
    }
}

/// Parses a strict decimal `i64` like Redis's `string2ll`: optional `-`, no `+`, no
/// leading zeros, no spaces.
pub fn parse_i64_strict(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses a memory amount: decimal digits then an optional case-insensitive unit
/// (`b`, `k`=1000, `kb`=1024, `m`, `mb`, `g`, `gb`). Unlike Redis, an empty number or
/// an overflow is an error instead of 0 or a wrapped value.
pub fn parse_memory(s: &[u8]) -> Option<u64> {
    let split = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return None;
    }
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    v.checked_mul(mul)
}

/// Formats a byte count the way CONFIG REWRITE writes it (largest exact of gb/mb/kb).
pub fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * 1024 * 1024;
    match bytes {
        0 => "0".to_string(),
        b if b % GB == 0 => format!("{}gb", b / GB),
        b if b % MB == 0 => format!("{}mb", b / MB),
        b if b % KB == 0 => format!("{}kb", b / KB),
        b => b.to_string(),
    }
}

/// C `strtoll(s, &end, radix)` that must consume the whole string: leading whitespace,
/// an optional sign, then digits (possibly none, giving 0). Saturates on overflow like
/// `strtoll`; returns `None` if bytes remain after the digits.
pub fn c_strtoll_full(s: &[u8], radix: u32) -> Option<i64> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if let Some(&sign @ (b'+' | b'-')) = s.get(i) {
        negative = sign == b'-';
        i += 1;
    }
    let start = i;
    let mut v: i128 = 0;
    while let Some(d) = s.get(i).and_then(|&b| char::from(b).to_digit(radix)) {
        v = (v * i128::from(radix) + i128::from(d)).min(i128::from(u64::MAX));
        i += 1;
    }
    if i < s.len() {
        return None;
    }
    if i == start {
        // No digits: strtoll leaves the end pointer at the start of the string.
        return if s.is_empty() { Some(0) } else { None };
    }
    let v = if negative { -v } else { v };
    Some(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// Parses an octal permission like Redis (`strtoll(.., 8)` with no overflow).
pub fn parse_octal(s: &[u8]) -> Option<i64> {
    let v = c_strtoll_full(s, 8)?;
    if v == i64::MAX || v == i64::MIN {
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes(), true).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn splits_plain_and_quoted_tokens() {
        assert_eq!(split("port 6379").unwrap(), ["port", "6379"]);
        assert_eq!(split("  a\tb  c ").unwrap(), ["a", "b", "c"]);
        assert_eq!(split(r#"x "a b" 'c d'"#).unwrap(), ["x", "a b", "c d"]);
        assert_eq!(split(r#"x "" ''"#).unwrap(), ["x", "", ""]);
        assert_eq!(split(r#"x a"b c"d"#), None, "closing quote glued to text");
        assert_eq!(split(r#"x ab"c d""#).unwrap(), ["x", "abc d"]);
    }

    #[test]
    fn double_quote_escapes() {
        let v = split_args(br#"k "\n\r\t\b\a\\\"\x41\x4g\q""#, false).unwrap();
        assert_eq!(v[1], b"\n\r\t\x08\x07\\\"Ax4gq".to_vec());
    }

    #[test]
    fn single_quote_escapes_only_quote() {
        let v = split_args(br"k 'it\'s \n'", false).unwrap();
        assert_eq!(v[1], b"it's \\n".to_vec());
    }

    #[test]
    fn unbalanced_quotes() {
        assert_eq!(split(r#"k "abc"#), None);
        assert_eq!(split("k 'abc"), None);
        assert_eq!(split(r#"k "abc\""#), None);
    }

    #[test]
    fn inline_comments_start_after_the_first_value() {
        assert_eq!(
            split("requirepass 123456 # password").unwrap(),
            ["requirepass", "123456"]
        );
        assert_eq!(split("requirepass #abc").unwrap(), ["requirepass", "#abc"]);
        assert_eq!(
            split(r##"requirepass x "#y" z"##).unwrap(),
            ["requirepass", "x", "#y", "z"]
        );
        assert_eq!(
            split("save 900 1 #don't \"worry").unwrap(),
            ["save", "900", "1"]
        );
        assert_eq!(
            split_args(b"a b #c", false).unwrap(),
            vec![b"a".to_vec(), b"b".to_vec(), b"#c".to_vec()]
        );
    }

    #[test]
    fn repr_round_trips() {
        let raw: Vec<u8> = (0u8..=255).collect();
        let quoted = format!("k {}", repr(&raw));
        let back = split_args(quoted.as_bytes(), false).unwrap();
        assert_eq!(back[1], raw);
        assert_eq!(repr(b"dump.rdb"), "\"dump.rdb\"");
        for v in ["a b", "", "#x", "it's", "plain", "q\"uote"] {
            let line = format!("k {}", quote_if_needed(v));
            let back = split_args(line.as_bytes(), true).unwrap();
            assert_eq!(back[1], v.as_bytes(), "{v}");
        }
        assert_eq!(quote_if_needed("plain"), "plain");
    }

    #[test]
    fn strict_integers() {
        assert_eq!(parse_i64_strict(b"0"), Some(0));
        assert_eq!(parse_i64_strict(b"-12"), Some(-12));
        assert_eq!(parse_i64_strict(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64_strict(b"9223372036854775808"), None);
        for bad in ["", "-", "+1", "01", "-0", " 1", "1 ", "1x", "0x10"] {
            assert_eq!(parse_i64_strict(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn memory_units() {
        let cases = [
            ("0", 0),
            ("100", 100),
            ("5b", 5),
            ("1k", 1000),
            ("1kb", 1024),
            ("1K", 1000),
            ("1KB", 1024),
            ("2m", 2_000_000),
            ("2mb", 2 * 1024 * 1024),
            ("1g", 1_000_000_000),
            ("1Gb", 1024 * 1024 * 1024),
        ];
        for (s, v) in cases {
            assert_eq!(parse_memory(s.as_bytes()), Some(v), "{s}");
        }
        for bad in [
            "",
            "mb",
            "-1",
            "+1",
            "1x",
            "1 mb",
            " 1",
            "1.5mb",
            "99999999999999999999",
        ] {
            assert_eq!(parse_memory(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(1024), "1kb");
        assert_eq!(format_memory(1025), "1025");
        assert_eq!(format_memory(64 * 1024 * 1024), "64mb");
        assert_eq!(format_memory(1024 * 1024 * 1024), "1gb");
    }

    #[test]
    fn strtoll_and_octal() {
        assert_eq!(c_strtoll_full(b" +12", 10), Some(12));
        assert_eq!(c_strtoll_full(b"-3", 10), Some(-3));
        assert_eq!(c_strtoll_full(b"12x", 10), None);
        assert_eq!(c_strtoll_full(b"", 10), Some(0));
        assert_eq!(c_strtoll_full(b"x", 10), None);
        assert_eq!(parse_octal(b"700"), Some(0o700));
        assert_eq!(parse_octal(b"0777"), Some(0o777));
        assert_eq!(parse_octal(b"8"), None);
    }

    #[test]
    fn trims_like_redis() {
        assert_eq!(trim_line(b" \t port 1 \r\n"), b"port 1");
        assert_eq!(trim_line(b"   "), b"");
    }
}
