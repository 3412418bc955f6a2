//! SORT and SORT_RO, as Redis 7.0's `sort.c`: sort the elements of a list, set or sorted
//! set numerically (default) or by bytes (ALPHA), ascending or descending, optionally by
//! the values of other keys (BY pattern, `*` substituted by the element, `->field` for a
//! hash field; a pattern without `*` skips sorting), with LIMIT, GET patterns (`#` is the
//! element itself), and (SORT only) STORE into a list.
//!
//! STORE counts the stored elements in `srv.dirty` (one for deleting an emptied
//! destination) and propagates as is.

use std::cmp::Ordering;
use std::sync::Arc;

use super::flags::*;
use super::keys::{exists_for_write, lookup_read};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::server::{Client, Server};
use crate::types::value::itoa_buf;
use crate::types::{EncodingLimits, List, Value};
use crate::util::numbers::{parse_f64, parse_i64};

/// The sort family's rows.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sort", sort, -2, WRITE | DENYOOM, Keys::ONE, "generic", "1.0.0", "Sort the elements in a list, set or sorted set")
        .with_complexity("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
    CommandSpec::new("sort_ro", sort_ro, -2, READONLY, Keys::ONE, "generic", "7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.")
        .with_complexity("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."),
];

/// The parsed options of one SORT call.
#[derive(Debug, Default)]
struct Options {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    limit_count: i64,
    store: Option<Vec<u8>>,
    by: Option<Vec<u8>>,
    /// BY with a pattern lacking `*`: keep the native order.
    dont_sort: bool,
    gets: Vec<Vec<u8>>,
}

/// The kind of collection being sorted (an absent key sorts as an empty list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Set,
    ZSet,
}

/// One element to sort with its sort weight.
struct Entry {
    elem: Vec<u8>,
    score: f64,
    /// ALPHA with BY: the looked up value (None when missing).
    cmp: Option<Vec<u8>>,
}

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dst]
fn sort(srv: &mut Server, c: &mut Client) -> CommandResult {
    sort_generic(srv, c, false)
}

/// SORT_RO: SORT without STORE.
fn sort_ro(srv: &mut Server, c: &mut Client) -> CommandResult {
    sort_generic(srv, c, true)
}

/// Parses the options after the key, in Redis's order of checks: an unknown word or an
/// option missing its arguments is a syntax error, a LIMIT bound that is not an integer
/// is "not an integer".
///
/// `any_key`: the user may read every key; BY (with a pattern) and GET need that.
fn parse_options(argv: &[Vec<u8>], readonly: bool, any_key: bool) -> Result<Options, CommandError> {
    let mut o = Options {
        limit_count: -1,
        ..Options::default()
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let word = argv[j].to_ascii_lowercase();
        match word.as_slice() {
            b"asc" => o.desc = false,
            b"desc" => o.desc = true,
            b"alpha" => o.alpha = true,
            b"limit" if left >= 2 => {
                o.limit_start = parse_i64(&argv[j + 1]).ok_or(CommandError::NotInteger)?;
                o.limit_count = parse_i64(&argv[j + 2]).ok_or(CommandError::NotInteger)?;
                j += 2;
            }
            b"store" if !readonly && left >= 1 => {
                o.store = Some(argv[j + 1].clone());
                j += 1;
            }
            b"by" if left >= 1 => {
                let pattern = argv[j + 1].clone();
                if pattern.contains(&b'*') && !any_key {
                    return Err(CommandError::Err(
                        "BY option of SORT denied due to insufficient ACL permissions.",
                    ));
                }
                // Once a constant pattern was given, a later one does not bring sorting
                // (or its lookups) back, as in Redis.
                o.dont_sort |= !pattern.contains(&b'*');
                o.by = Some(pattern);
                j += 1;
            }
            b"get" if left >= 1 => {
                if !any_key {
                    return Err(CommandError::Err(
                        "GET option of SORT denied due to insufficient ACL permissions.",
                    ));
                }
                o.gets.push(argv[j + 1].clone());
                j += 1;
            }
            _ => return Err(CommandError::Syntax),
        }
        j += 1;
    }
    Ok(o)
}

/// Redis's lookupKeyByPattern: `#` is the element itself; a pattern without `*` finds
/// nothing; otherwise the first `*` is replaced by the element and the key read (with
/// `->field` after the `*` reading that field of a hash). Wrong types find nothing.
fn lookup_by_pattern(srv: &mut Server, db: usize, pattern: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(elem.to_vec());
    }
    let star = pattern.iter().position(|&b| b == b'*')?;
    let after = &pattern[star + 1..];
    let field = after
        .windows(2)
        .position(|w| w == b"->")
        .filter(|&at| at + 2 < after.len())
        .map(|at| (star + 1 + at, &after[at + 2..]));
    let key_end = field.map_or(pattern.len(), |(at, _)| at);
    let mut key = Vec::with_capacity(key_end + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let obj = lookup_read(srv, db, &key, true)?;
    match (field, &obj.value) {
        (Some((_, name)), Value::Hash(h)) => h.get(name).map(|item| item.to_vec()),
        (Some(_), _) => None,
        (None, v) => {
            let mut scratch = itoa_buf::Buffer::new();
            v.string_bytes(&mut scratch).map(|b| b.to_vec())
        }
    }
}

/// C's `strtod` as SORT uses it: the text up to a NUL must be consumed entirely, leading
/// white space is allowed, an empty text is 0; NaN and out of range values are errors.
fn sort_score(text: &[u8]) -> Option<f64> {
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))?;
    parse_f64(&text[start..])
}

/// Reads the elements of the key to sort (None: no key; WRONGTYPE for other types).
fn load(srv: &mut Server, db: usize, key: &[u8]) -> Result<(Kind, Vec<Vec<u8>>), CommandError> {
    let mut out = Vec::new();
    let kind = match lookup_read(srv, db, key, true).map(|o| &o.value) {
        None => Kind::List,
        Some(Value::List(l)) => {
            l.for_each(|e| out.push(e.to_vec()));
            Kind::List
        }
        Some(Value::Set(s)) => {
            s.for_each(|e| out.push(e.to_vec()));
            Kind::Set
        }
        Some(Value::ZSet(z)) => {
            z.for_each(|e, _| out.push(e.to_vec()));
            Kind::ZSet
        }
        Some(_) => return Err(CommandError::WrongType),
    };
    Ok((kind, out))
}

/// Redis's clamping of LIMIT into an inclusive `[start, end]` window over `len`
/// elements (empty when end < start).
fn window(start: i64, count: i64, len: i64) -> (i64, i64) {
    let mut start = start.clamp(0, len.max(0));
    let count = count.clamp(-1, len.max(-1));
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    (start, end)
}

/// Compares two entries as Redis's sortCompare (before DESC is applied).
fn compare(a: &Entry, b: &Entry, alpha: bool, by: bool) -> Ordering {
    if !alpha {
        return a
            .score
            .partial_cmp(&b.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.elem.cmp(&b.elem));
    }
    if by {
        match (&a.cmp, &b.cmp) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        }
    } else {
        a.elem.cmp(&b.elem)
    }
}

/// The body shared by SORT and SORT_RO.
fn sort_generic(srv: &mut Server, c: &mut Client, readonly: bool) -> CommandResult {
    // A script's commands run as the script's caller.
    let user = match srv.scripting.running.as_ref() {
        Some(run) if c.id == crate::scripting::SCRIPT_CLIENT_ID => run.caller_user,
        _ => c.user,
    };
    let any_key = match user {
        Some(user) if !srv.acl.is_unrestricted(user) => srv
            .commands
            .lookup(&c.argv[0])
            .is_none_or(|id| srv.acl.may_read_any_key(&srv.commands, user, id, &c.argv)),
        _ => true,
    };
    let mut o = parse_options(&c.argv, readonly, any_key)?;
    let db = c.db;
    let key = c.argv[1].clone();
    let (kind, mut elems) = load(srv, db, &key)?;
    // A set has no stable order: when storing, or for a script (whose effects must be
    // the same on replicas), sort it by bytes instead.
    let for_script = c.id == crate::scripting::SCRIPT_CLIENT_ID;
    if o.dont_sort && kind == Kind::Set && (o.store.is_some() || for_script) {
        o.dont_sort = false;
        o.alpha = true;
        o.by = None;
    }
    let len = elems.len() as i64;
    let (start, end) = window(o.limit_start, o.limit_count, len);
    let selected: Vec<Vec<u8>> = if o.dont_sort {
        if o.desc && kind != Kind::Set {
            elems.reverse();
        }
        take_window(elems, start, end)
    } else {
        let mut entries: Vec<Entry> = Vec::with_capacity(elems.len());
        let mut conversion_error = false;
        for elem in elems.drain(..) {
            let mut entry = Entry {
                elem,
                score: 0.0,
                cmp: None,
            };
            let weight = match &o.by {
                Some(p) => lookup_by_pattern(srv, db, p, &entry.elem),
                None => Some(entry.elem.clone()),
            };
            if let Some(w) = weight {
                if o.alpha {
                    if o.by.is_some() {
                        entry.cmp = Some(w);
                    }
                } else {
                    match sort_score(&w) {
                        Some(s) => entry.score = s,
                        None => conversion_error = true,
                    }
                }
            }
            entries.push(entry);
        }
        let (alpha, by, desc) = (o.alpha, o.by.is_some(), o.desc);
        entries.sort_by(|a, b| {
            let ord = compare(a, b, alpha, by);
            if desc {
                ord.reverse()
            } else {
                ord
            }
        });
        if conversion_error {
            return Err(CommandError::Err(
                "One or more scores can't be converted into double",
            ));
        }
        take_window(entries.into_iter().map(|e| e.elem).collect(), start, end)
    };
    let output = expand(srv, db, &o.gets, &selected);
    match o.store {
        None => {
            c.reply.array_len(output.len());
            for v in &output {
                match v {
                    Some(b) => c.reply.bulk(b),
                    None => c.reply.null(),
                }
            }
        }
        Some(dst) => {
            let n = output.len();
            if n > 0 {
                let items = output.into_iter().map(|v| v.unwrap_or_default()).collect();
                let list = List::from_items(items, &EncodingLimits::from_config(&srv.config));
                let lru = srv.lru_clock();
                // As Redis's setKey, a destination whose time has passed is expired
                // first (and announced so), the list then being a new key.
                exists_for_write(srv, db, &dst);
                srv.dbs[db].set(&dst, Value::List(Arc::new(list)), lru, false);
                srv.notify_keyspace_event(c, notify::LIST, "sortstore", &dst, db);
                srv.dirty += n as u64;
            } else if srv.dbs[db].remove(&dst).is_some() {
                srv.notify_keyspace_event(c, notify::GENERIC, "del", &dst, db);
                srv.dirty += 1;
            }
            c.reply.int(n as i64);
        }
    }
    Ok(())
}

/// The elements of the inclusive window `[start, end]` of `all`.
fn take_window(all: Vec<Vec<u8>>, start: i64, end: i64) -> Vec<Vec<u8>> {
    if end < start || start < 0 {
        return Vec::new();
    }
    all.into_iter()
        .skip(start as usize)
        .take((end - start + 1) as usize)
        .collect()
}

/// The output values: the elements themselves without GET, else each GET pattern's
/// value (None when missing) for each element in turn.
fn expand(
    srv: &mut Server,
    db: usize,
    gets: &[Vec<u8>],
    selected: &[Vec<u8>],
) -> Vec<Option<Vec<u8>>> {
    if gets.is_empty() {
        return selected.iter().map(|e| Some(e.clone())).collect();
    }
    let mut out = Vec::with_capacity(selected.len() * gets.len());
    for elem in selected {
        for pattern in gets {
            out.push(lookup_by_pattern(srv, db, pattern, elem));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_window_matches_redis_clamping() {
        assert_eq!(window(0, -1, 5), (0, 4));
        assert_eq!(window(1, 2, 5), (1, 2));
        assert_eq!(window(10, 2, 5), (4, 3));
        assert_eq!(window(-3, 100, 5), (0, 4));
        assert_eq!(window(0, 0, 5), (0, -1));
        assert_eq!(window(0, -1, 0), (-1, -2));
    }

    #[test]
    fn sort_score_is_strtod_whole() {
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b" 1.5"), Some(1.5));
        assert_eq!(sort_score(b"1.5 "), None);
        assert_eq!(sort_score(b"nan"), None);
        assert_eq!(sort_score(b"1e999"), None);
        assert_eq!(sort_score(b"abc"), None);
    }
}
