//! Key specifications, as Redis 7.0 describes where a command's keys are and what the
//! command does to them: COMMAND INFO prints them, COMMAND GETKEYS / GETKEYSANDFLAGS
//! run them, and the server uses them to find the keys a write touched (WATCH).
//!
//! A command has zero or more [`KeySpec`]s (begin-search step + find-keys step + key
//! flags) and, for the commands whose keys the specs cannot pin down (SORT's STORE, a
//! numkeys that does not parse...), a [`GetKeysProc`] fallback. Key lookup follows
//! Redis's getKeysFromCommandWithSpecs: the specs first, then the procedure. The legacy
//! (first, last, step) triple and the `movablekeys` flag derive from the specs.
//!
//! The per-command data (specs, notes, tips) lives in `REGISTRY` below and mirrors
//! what redis-server 7.0 prints for COMMAND INFO; commands absent from it get one
//! range spec built from their table row's [`Keys`].

use super::table::Keys;
use super::{flags, CommandSpec};
use crate::util::numbers::parse_i64;

/// Key flags (Redis's CMD_KEY_*), in the order COMMAND INFO prints them.
pub mod key_flags {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    pub const NOT_KEY: u32 = 1 << 8;
    pub const INCOMPLETE: u32 = 1 << 9;
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    /// Flag names in the order Redis prints them.
    pub const NAMES: &[(u32, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];

    /// Whether a key with these flags is only read (RO without RW, OW or RM); keys
    /// without flags (found by a numkeys procedure) count as possibly written.
    pub fn is_read_only(flags: u32) -> bool {
        flags & RO != 0 && flags & (RW | OW | RM) == 0
    }

    /// The names of the bits set in `flags`, in print order.
    pub fn names(flags: u32) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(move |(bit, _)| flags & bit != 0)
            .map(|(_, name)| *name)
    }
}

use key_flags::*;

/// Where the search for a spec's keys starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// Cannot be told from the arguments alone.
    Unknown,
    /// At this argv index.
    Index(i32),
    /// Right after the first `keyword` met scanning from `startfrom` (negative: from
    /// the end, scanning backwards).
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
}

/// How the keys follow the begin-search position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// Cannot be told from the arguments alone.
    Unknown,
    /// Keys up to `lastkey` (relative to the start; negative counts from the end, and
    /// with `limit` > 0 only 1/limit of the remaining arguments), every `keystep`.
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    /// The argument at `keynumidx` (relative to the start) is the key count; the keys
    /// begin at `firstkey` (relative to the start), every `keystep`.
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
}

/// One key specification of a command.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// Free-text note COMMAND INFO prints ("" when none).
    pub notes: &'static str,
    /// [`key_flags`] bits.
    pub flags: u32,
    pub begin: BeginSearch,
    pub find: FindKeys,
}

/// One key found in a request: its argv position and its [`key_flags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: u32,
}

/// A procedure that finds the keys of a request (argv including the command name) when
/// the specs cannot: returns no keys for malformed requests.
pub type GetKeysProc = fn(&[Vec<u8>]) -> Vec<KeyRef>;

/// Everything the server knows about one command's keys.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub specs: Vec<KeySpec>,
    pub getkeys: Option<GetKeysProc>,
    /// COMMAND INFO tips ("nondeterministic_output"...).
    pub tips: &'static [&'static str],
    /// The legacy (first, last, step) triple COMMAND INFO prints.
    pub legacy: Keys,
    /// Whether the keys cannot be told by the legacy triple (Redis's `movablekeys`).
    pub movable: bool,
}

/// Why no keys could be found in a request (COMMAND GETKEYS's error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoKeys;

impl KeyInfo {
    /// The key information of table row `spec` named `full_name` ("get", "object|freq").
    pub fn for_command(full_name: &str, spec: &CommandSpec) -> KeyInfo {
        let (specs, getkeys, tips) = match REGISTRY.iter().find(|m| m.name == full_name) {
            Some(m) => (m.specs.to_vec(), m.getkeys, m.tips),
            None => (fallback_specs(spec), None, &[][..]),
        };
        let (legacy, movable) = legacy_range(&specs);
        KeyInfo {
            specs,
            getkeys,
            tips,
            legacy,
            movable,
        }
    }

    /// Whether the command may have keys at all (Redis's doesCommandHaveKeys).
    pub fn has_keys(&self) -> bool {
        self.getkeys.is_some() || self.specs.iter().any(|s| s.flags & NOT_KEY == 0)
    }

    /// The keys of `argv` (the command name first), as Redis's
    /// getKeysFromCommandWithSpecs: the specs when they are reliable and match, else
    /// the command's procedure; empty when neither finds any.
    pub fn find(&self, argv: &[Vec<u8>]) -> Vec<KeyRef> {
        let real = self.specs.iter().any(|s| s.flags & NOT_KEY == 0);
        let varflags = self.specs.iter().any(|s| s.flags & VARIABLE_FLAGS != 0);
        if real && !varflags {
            if let Ok(keys) = keys_from_specs(&self.specs, argv) {
                return keys;
            }
        }
        self.getkeys.map_or_else(Vec::new, |proc_| proc_(argv))
    }
}

/// One range spec from a row's legacy triple, flagged from the command's flags: what
/// the rows not in the registry get.
fn fallback_specs(spec: &CommandSpec) -> Vec<KeySpec> {
    let k = spec.keys;
    if k.first <= 0 {
        return Vec::new();
    }
    let flags = if spec.has_flag(flags::WRITE) {
        RW | UPDATE
    } else if spec.has_flag(flags::READONLY) {
        RO | ACCESS
    } else {
        RO
    };
    vec![KeySpec {
        notes: "",
        flags,
        begin: BeginSearch::Index(k.first),
        find: FindKeys::Range {
            lastkey: if k.last < 0 { k.last } else { k.last - k.first },
            keystep: k.step,
            limit: 0,
        },
    }]
}

/// Derives the legacy triple and the movablekeys flag from the specs, as Redis's
/// populateCommandLegacyRangeSpec: consecutive plain index/range specs merge into one
/// range; anything else makes the command's keys movable.
pub fn legacy_range(specs: &[KeySpec]) -> (Keys, bool) {
    if specs.is_empty() {
        return (Keys::NONE, false);
    }
    if let [only] = specs {
        if let (
            BeginSearch::Index(pos),
            FindKeys::Range {
                lastkey, keystep, ..
            },
        ) = (only.begin, only.find)
        {
            let last = if lastkey < 0 { lastkey } else { pos + lastkey };
            let keys = Keys {
                first: pos,
                last,
                step: keystep,
            };
            return (keys, only.flags & INCOMPLETE != 0);
        }
    }
    let mut movable = false;
    let mut first = i32::MAX;
    let mut last: i32 = 0;
    let mut prev_last: i32 = 0;
    for s in specs {
        let (
            BeginSearch::Index(pos),
            FindKeys::Range {
                lastkey, keystep, ..
            },
        ) = (s.begin, s.find)
        else {
            movable = true;
            continue;
        };
        if keystep != 1 || (prev_last != 0 && prev_last != pos - 1) {
            movable = true;
            continue;
        }
        if s.flags & INCOMPLETE != 0 {
            movable = true;
        }
        first = first.min(pos);
        let abs = if lastkey >= 0 { lastkey + pos } else { lastkey };
        // Redis compares as unsigned so that a negative (from the end) index wins.
        if (abs as u32) > (last as u32) {
            last = abs;
        }
        prev_last = last;
    }
    if first == i32::MAX {
        return (Keys::NONE, true);
    }
    let keys = Keys {
        first,
        last,
        step: 1,
    };
    (keys, movable)
}

/// Runs the specs over `argv` as Redis's getKeysUsingKeySpecs (NOT_KEY specs skipped);
/// `Err` when a spec is unknown, incomplete or does not fit the arguments.
fn keys_from_specs(specs: &[KeySpec], argv: &[Vec<u8>]) -> Result<Vec<KeyRef>, NoKeys> {
    let argc = argv.len() as i64;
    let mut out = Vec::new();
    for s in specs {
        if s.flags & NOT_KEY != 0 {
            continue;
        }
        let first = match s.begin {
            BeginSearch::Index(pos) => i64::from(pos),
            BeginSearch::Keyword { keyword, startfrom } => {
                match find_keyword(argv, keyword, startfrom) {
                    Some(i) => i as i64 + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => return Err(NoKeys),
        };
        let (first, last, step) = match s.find {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let lastkey = i64::from(lastkey);
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / i64::from(limit) + lastkey)
                };
                (first, last, i64::from(keystep))
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                let at = first + i64::from(keynumidx);
                if i64::from(keynumidx) >= argc || at >= argc {
                    return Err(NoKeys);
                }
                let numkeys = match parse_i64(&argv[at as usize]) {
                    Some(n) if n >= 0 => n,
                    _ => return Err(NoKeys),
                };
                let first = first + i64::from(firstkey);
                (first, first.saturating_add(numkeys) - 1, i64::from(keystep))
            }
            FindKeys::Unknown => return Err(NoKeys),
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return Err(NoKeys);
        }
        let mut i = first;
        while i <= last {
            out.push(KeyRef {
                pos: i as usize,
                flags: s.flags,
            });
            i += step;
        }
        if s.flags & INCOMPLETE != 0 {
            return Err(NoKeys);
        }
    }
    Ok(out)
}

/// The index of `keyword` (any case) for a keyword begin-search: scanning forwards from
/// `startfrom` up to (not including) the last argument, or backwards from
/// `argc + startfrom` down to (not including) argument 1.
fn find_keyword(argv: &[Vec<u8>], keyword: &str, startfrom: i32) -> Option<usize> {
    let argc = argv.len() as i64;
    let (start, end) = if startfrom > 0 {
        (i64::from(startfrom), argc - 1)
    } else {
        (argc + i64::from(startfrom), 1)
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            break;
        }
        if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
            return Some(i as usize);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

// ---------------------------------------------------------------------------------------
// Key procedures (the fallbacks Redis's getkeys_proc provide)
// ---------------------------------------------------------------------------------------

/// Keys of a "numkeys key..." command: the count at `count_at`, the keys from
/// `first_at`, then the destination at `store_at` (0: none). No keys (the command
/// will answer a syntax error) when the count is below 1 or exceeds the arguments.
/// The keys carry no flags, as Redis's genericGetKeys.
fn numkeys_keys(
    store_at: usize,
    count_at: usize,
    first_at: usize,
    argv: &[Vec<u8>],
) -> Vec<KeyRef> {
    let Some(count) = argv.get(count_at) else {
        return Vec::new();
    };
    let num = crate::util::numbers::atoi(count);
    let room = argv.len().saturating_sub(first_at);
    if num < 1 || num as usize > room {
        return Vec::new();
    }
    let mut out: Vec<KeyRef> = (0..num as usize)
        .map(|i| KeyRef {
            pos: first_at + i,
            flags: 0,
        })
        .collect();
    if store_at > 0 {
        out.push(KeyRef {
            pos: store_at,
            flags: 0,
        });
    }
    out
}

/// LMPOP, ZMPOP, SINTERCARD, ZINTERCARD, ZUNION, ZINTER, ZDIFF: `cmd numkeys key...`.
fn numkeys_at_1(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    numkeys_keys(0, 1, 2, argv)
}

/// BLMPOP, BZMPOP, EVAL and its kin: `cmd x numkeys key...`.
fn numkeys_at_2(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    numkeys_keys(0, 2, 3, argv)
}

/// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: `cmd destination numkeys key...`.
fn numkeys_with_store(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    numkeys_keys(1, 2, 3, argv)
}

/// SORT_RO key ...: only the sorted key (BY/GET patterns name no fixed key).
fn sort_ro_keys(_argv: &[Vec<u8>]) -> Vec<KeyRef> {
    vec![KeyRef {
        pos: 1,
        flags: RO | ACCESS,
    }]
}

/// SORT key ... [STORE destination]: the sorted key, then the destination of the last
/// STORE option. Options LIMIT (2 arguments), GET and BY (1) are skipped whole, so
/// that a pattern spelled "store" is not taken for the option.
fn sort_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut out = vec![KeyRef {
        pos: 1,
        flags: RO | ACCESS,
    }];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let arg = &argv[i];
        if arg.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if arg.eq_ignore_ascii_case(b"get") || arg.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(pos) = store {
        out.push(KeyRef {
            pos,
            flags: OW | UPDATE,
        });
    }
    out
}

/// SET key value [... GET ...]: overwritten, or read and updated when GET is given.
fn set_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    let flags = if get {
        RW | ACCESS | UPDATE
    } else {
        OW | UPDATE
    };
    vec![KeyRef { pos: 1, flags }]
}

/// BITFIELD key [GET|SET|INCRBY|OVERFLOW ...]: read-only while only GET and OVERFLOW
/// operations come first; a SET, INCRBY or anything malformed makes it read-write.
fn bitfield_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut readonly = true;
    let mut i = 2;
    while i < argv.len() {
        let rest = argv.len() - i - 1;
        let arg = &argv[i];
        if arg.eq_ignore_ascii_case(b"get") && rest >= 2 {
            i += 2;
        } else if (arg.eq_ignore_ascii_case(b"set") || arg.eq_ignore_ascii_case(b"incrby"))
            && rest >= 3
        {
            readonly = false;
            break;
        } else if arg.eq_ignore_ascii_case(b"overflow") && rest >= 1 {
            i += 1;
        } else {
            readonly = false;
            break;
        }
        i += 1;
    }
    let flags = if readonly {
        RO | ACCESS
    } else {
        RW | ACCESS | UPDATE
    };
    vec![KeyRef { pos: 1, flags }]
}

/// XREAD / XREADGROUP [options] STREAMS key... id...: the keys are the first half of
/// what follows STREAMS, found by skipping the options (a group, consumer or key may be
/// named "streams"), as Redis's xreadGetKeys. No keys for a malformed request; the keys
/// carry no flags.
fn xread_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let mut streams_at = None;
    let mut i = 1;
    while i < argv.len() {
        let arg = argv[i].as_slice();
        if arg.eq_ignore_ascii_case(b"block") || arg.eq_ignore_ascii_case(b"count") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"group") {
            i += 2;
        } else if arg.eq_ignore_ascii_case(b"noack") {
            // No argument.
        } else if arg.eq_ignore_ascii_case(b"streams") {
            streams_at = Some(i);
            break;
        } else {
            break;
        }
        i += 1;
    }
    let Some(at) = streams_at else {
        return Vec::new();
    };
    let rest = argv.len() - at - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return Vec::new();
    }
    (at + 1..at + 1 + rest / 2)
        .map(|pos| KeyRef { pos, flags: 0 })
        .collect()
}

/// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw]
/// [KEYS key...]: the keys after KEYS (none when the key argument is not empty, which
/// MIGRATE refuses), else the key argument; the options before KEYS are skipped with
/// their values, so that a password spelled "keys" is not taken for the option.
fn migrate_keys(argv: &[Vec<u8>]) -> Vec<KeyRef> {
    let (mut first, mut num) = (3, 1);
    let mut i = 6;
    while i < argv.len() {
        let arg = argv[i].as_slice();
        if arg.eq_ignore_ascii_case(b"keys") {
            if argv[3].is_empty() {
                first = i + 1;
                num = argv.len() - first;
            } else {
                num = 0;
            }
            break;
        } else if arg.eq_ignore_ascii_case(b"auth") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"auth2") {
            i += 2;
        }
        i += 1;
    }
    (first..first + num)
        .filter(|&pos| pos < argv.len())
        .map(|pos| KeyRef {
            pos,
            flags: RW | ACCESS | DELETE,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------

/// The key metadata of one command, by full name.
struct Meta {
    name: &'static str,
    tips: &'static [&'static str],
    specs: &'static [KeySpec],
    getkeys: Option<GetKeysProc>,
}

/// A spec without notes.
const fn ks(flags: u32, begin: BeginSearch, find: FindKeys) -> KeySpec {
    KeySpec {
        notes: "",
        flags,
        begin,
        find,
    }
}

/// A spec with notes.
const fn ksn(notes: &'static str, flags: u32, begin: BeginSearch, find: FindKeys) -> KeySpec {
    KeySpec {
        notes,
        flags,
        begin,
        find,
    }
}

const fn idx(pos: i32) -> BeginSearch {
    BeginSearch::Index(pos)
}

const fn range(lastkey: i32, keystep: i32, limit: i32) -> FindKeys {
    FindKeys::Range {
        lastkey,
        keystep,
        limit,
    }
}

const fn keynum(keynumidx: i32, firstkey: i32, keystep: i32) -> FindKeys {
    FindKeys::Keynum {
        keynumidx,
        firstkey,
        keystep,
    }
}

const UNKNOWN_BS: BeginSearch = BeginSearch::Unknown;
const UNKNOWN_FK: FindKeys = FindKeys::Unknown;

/// Key specs and tips of every command, as redis-server 7.0 reports them.
const REGISTRY: &[Meta] = &[
    Meta {
        name: "get",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "set",
        tips: &[],
        specs: &[ksn("RW and ACCESS due to the optional `GET` argument", RW | ACCESS | UPDATE | VARIABLE_FLAGS, idx(1), range(0, 1, 0))],
        getkeys: Some(set_keys),
    },
    Meta {
        name: "setnx",
        tips: &[],
        specs: &[ks(OW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "setex",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "psetex",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "getset",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "getdel",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "getex",
        tips: &[],
        specs: &[ksn("RW and UPDATE because it changes the TTL", RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "mget",
        tips: &["request_policy:multi_shard"],
        specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "mset",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        specs: &[ks(OW | UPDATE, idx(1), range(-1, 2, 0))],
        getkeys: None,
    },
    Meta {
        name: "msetnx",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        specs: &[ks(OW | INSERT, idx(1), range(-1, 2, 0))],
        getkeys: None,
    },
    Meta {
        name: "append",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "strlen",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "incr",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "decr",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "incrby",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "decrby",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "incrbyfloat",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "getrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "setrange",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "substr",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lcs",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "setbit",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "getbit",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bitcount",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bitpos",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bitop",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(2), range(0, 1, 0)), ks(RO | ACCESS, idx(3), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bitfield",
        tips: &[],
        specs: &[ksn("This command allows both access and modification of the key", RW | ACCESS | UPDATE | VARIABLE_FLAGS, idx(1), range(0, 1, 0))],
        getkeys: Some(bitfield_keys),
    },
    Meta {
        name: "bitfield_ro",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "del",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        specs: &[ks(RM | DELETE, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "unlink",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        specs: &[ks(RM | DELETE, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "exists",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "type",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "keys",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "scan",
        tips: &["nondeterministic_output", "request_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "randomkey",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "rename",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(OW | UPDATE, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "renamenx",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(OW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "move",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "copy",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0)), ks(OW | UPDATE, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "touch",
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "object|encoding",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "object|freq",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "object|idletime",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "object|refcount",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "dbsize",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "flushdb",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "flushall",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "expire",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pexpire",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "expireat",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pexpireat",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "ttl",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pttl",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "expiretime",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pexpiretime",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "persist",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "dump",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "restore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "module|list",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "restore-asking",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    // The single key, then the KEYS form (incomplete: a password may be spelled "KEYS").
    Meta {
        name: "migrate",
        tips: &["nondeterministic_output"],
        specs: &[ks(RW | ACCESS | DELETE, idx(3), range(0, 1, 0)), ks(RW | ACCESS | DELETE | INCOMPLETE, BeginSearch::Keyword { keyword: "KEYS", startfrom: -2 }, range(-1, 1, 0))],
        getkeys: Some(migrate_keys),
    },
    // Shard channels are declared as keys (for cluster slot routing), but flagged as
    // not being keys: GETKEYS and WATCH ignore them.
    Meta {
        name: "spublish",
        tips: &[],
        specs: &[ks(NOT_KEY, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "ssubscribe",
        tips: &[],
        specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sunsubscribe",
        tips: &[],
        specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "ping",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "client|list",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "client|info",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "slowlog|get",
        tips: &["request_policy:all_nodes", "nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "slowlog|len",
        tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "slowlog|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|latest",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|history",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|histogram",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|graph",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "latency|doctor",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "info",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "config|set",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "command",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "command|list",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "command|info",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "command|docs",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "time",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "lastsave",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "memory|doctor",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "memory|malloc-stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "memory|purge",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "memory|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "memory|usage",
        tips: &[],
        specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "wait",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "watch",
        tips: &[],
        specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pfadd",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pfcount",
        tips: &[],
        specs: &[ksn("RW because it may change the internal representation of the key, and propagate to replicas", RW | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pfmerge",
        tips: &[],
        specs: &[ks(RW | ACCESS | INSERT, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pfdebug",
        tips: &[],
        specs: &[ks(RW | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "pfselftest",
        tips: &[],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "lpush",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "rpush",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lpushx",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "rpushx",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "rpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "llen",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lindex",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lset",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "linsert",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lrem",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "ltrim",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lpos",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lmove",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "rpoplpush",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "lmpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "blpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "brpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "blmove",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "brpoplpush",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "blmpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "zadd",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zincrby",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrem",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zcard",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zcount",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zlexcount",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zscore",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zmscore",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrank",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrevrank",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrangestore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrevrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrangebyscore",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrevrangebyscore",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrangebylex",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zrevrangebylex",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zremrangebyrank",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zremrangebyscore",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zremrangebylex",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zpopmin",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zpopmax",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zmpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "bzpopmin",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bzpopmax",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "bzmpop",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "zrandmember",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "zunion",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "zinter",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "zdiff",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "zunionstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_with_store),
    },
    Meta {
        name: "zinterstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_with_store),
    },
    Meta {
        name: "zdiffstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_with_store),
    },
    Meta {
        name: "zintercard",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "zscan",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hset",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hsetnx",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hget",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hmset",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hmget",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hincrby",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hincrbyfloat",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hdel",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hlen",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hstrlen",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hkeys",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hvals",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hgetall",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hexists",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hrandfield",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "hscan",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sadd",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "srem",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "smove",
        tips: &[],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)), ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sismember",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "smismember",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "scard",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "spop",
        tips: &["nondeterministic_output"],
        specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "srandmember",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sinter",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sintercard",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_1),
    },
    Meta {
        name: "sinterstore",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sunion",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sunionstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sdiff",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sdiffstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(-1, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "smembers",
        tips: &["nondeterministic_output_order"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sscan",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "sort",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0)), ksn("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", RO | ACCESS, UNKNOWN_BS, UNKNOWN_FK), ksn("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array", OW | UPDATE, UNKNOWN_BS, UNKNOWN_FK)],
        getkeys: Some(sort_keys),
    },
    Meta {
        name: "sort_ro",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0)), ksn("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", RO | ACCESS, UNKNOWN_BS, UNKNOWN_FK)],
        getkeys: Some(sort_ro_keys),
    },
    Meta {
        name: "geoadd",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "geodist",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "geohash",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "geopos",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "georadius",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0)), ks(OW | UPDATE, BeginSearch::Keyword { keyword: "STORE", startfrom: 6 }, range(0, 1, 0)), ks(OW | UPDATE, BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 6 }, range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "georadiusbymember",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0)), ks(OW | UPDATE, BeginSearch::Keyword { keyword: "STORE", startfrom: 5 }, range(0, 1, 0)), ks(OW | UPDATE, BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 5 }, range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "georadius_ro",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "georadiusbymember_ro",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "geosearch",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "geosearchstore",
        tips: &[],
        specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0)), ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "cluster|bumpepoch",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|count-failure-reports",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|getkeysinslot",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|info",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|links",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|nodes",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|replicas",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|shards",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|slaves",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "cluster|slots",
        tips: &["nondeterministic_output"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "eval",
        tips: &[],
        specs: &[ksn(
            "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
            RW | ACCESS | UPDATE,
            idx(2),
            keynum(0, 1, 1),
        )],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "evalsha",
        tips: &[],
        specs: &[ks(RW | ACCESS | UPDATE, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "eval_ro",
        tips: &[],
        specs: &[ksn(
            "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
            RO | ACCESS,
            idx(2),
            keynum(0, 1, 1),
        )],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "evalsha_ro",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(2), keynum(0, 1, 1))],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "fcall",
        tips: &[],
        specs: &[ksn(
            "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
            RW | ACCESS | UPDATE,
            idx(2),
            keynum(0, 1, 1),
        )],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "fcall_ro",
        tips: &[],
        specs: &[ksn(
            "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
            RO | ACCESS,
            idx(2),
            keynum(0, 1, 1),
        )],
        getkeys: Some(numkeys_at_2),
    },
    Meta {
        name: "function|restore",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|load",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|list",
        tips: &["nondeterministic_output_order"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|flush",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|delete",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "function|stats",
        tips: &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "script|exists",
        tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "script|load",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "script|flush",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        specs: &[],
        getkeys: None,
    },
    Meta {
        name: "script|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        specs: &[],
        getkeys: None,
    },
    // Streams (the consumer-group commands follow in their own block).
    Meta {
        name: "xadd",
        tips: &["nondeterministic_output"],
        specs: &[ksn("UPDATE instead of INSERT because of the optional trimming feature", RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xrevrange",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xlen",
        tips: &[],
        specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xread",
        tips: &[],
        specs: &[ks(RO | ACCESS, BeginSearch::Keyword { keyword: "STREAMS", startfrom: 1 }, range(-1, 1, 2))],
        getkeys: Some(xread_keys),
    },
    Meta {
        name: "xreadgroup",
        tips: &[],
        specs: &[ks(RO | ACCESS, BeginSearch::Keyword { keyword: "STREAMS", startfrom: 4 }, range(-1, 1, 2))],
        getkeys: Some(xread_keys),
    },
    Meta {
        name: "xsetid",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xdel",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xtrim",
        tips: &["nondeterministic_output"],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    // Stream consumer groups (commands/stream_group.rs).
    Meta {
        name: "xack",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xautoclaim",
        tips: &["nondeterministic_output"],
        specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xclaim",
        tips: &["nondeterministic_output"],
        specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xpending",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xgroup|create",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xgroup|createconsumer",
        tips: &[],
        specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xgroup|delconsumer",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xgroup|destroy",
        tips: &[],
        specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xgroup|setid",
        tips: &[],
        specs: &[ks(RW | UPDATE, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xinfo|consumers",
        tips: &["nondeterministic_output"],
        specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xinfo|groups",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
    Meta {
        name: "xinfo|stream",
        tips: &[],
        specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{all_families, CommandTable};

    fn argv(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    fn positions(keys: &[KeyRef]) -> Vec<usize> {
        keys.iter().map(|k| k.pos).collect()
    }

    #[test]
    fn every_registry_row_names_a_command_of_the_table() {
        let table = CommandTable::build(&all_families());
        for m in REGISTRY {
            assert!(
                table.full_names.iter().any(|n| n == m.name),
                "registry row {} has no command",
                m.name
            );
        }
    }

    #[test]
    fn row_triples_agree_with_the_key_specs() {
        let table = CommandTable::build(&all_families());
        for id in 0..table.len() {
            let (row, derived) = (table.spec(id).keys, table.key_info[id].legacy);
            let same = (row.first <= 0 && derived.first <= 0)
                || (row.first, row.last, row.step) == (derived.first, derived.last, derived.step);
            assert!(
                same,
                "{}: row {row:?}, specs {derived:?}",
                table.full_names[id]
            );
        }
    }

    #[test]
    fn keynum_specs_and_their_fallback() {
        let table = CommandTable::build(&all_families());
        let keys = |a: &[&str]| {
            let v = argv(a);
            let id = table.lookup(&v[0]).unwrap();
            positions(&table.get_keys(id, &v))
        };
        assert_eq!(keys(&["lmpop", "2", "a", "b", "left"]), vec![2, 3]);
        assert_eq!(keys(&["zunionstore", "d", "2", "a", "b"]), vec![1, 3, 4]);
        assert_eq!(keys(&["lmpop", "0", "a", "left"]), Vec::<usize>::new());
        // Fallback: atoi reads "2" from "2x"; the destination comes last there.
        assert_eq!(keys(&["zunionstore", "d", "2x", "a", "b"]), vec![3, 4, 1]);
        assert_eq!(keys(&["sort", "k", "store", "d"]), vec![1, 3]);
        assert_eq!(keys(&["mset", "a", "1", "b", "2"]), vec![1, 3]);
        assert_eq!(keys(&["blpop", "a", "b", "0"]), vec![1, 2]);
    }

    #[test]
    fn keyword_search_scans_between_the_bounds() {
        let v = argv(&["cmd", "a", "STORE", "k", "STORE"]);
        assert_eq!(find_keyword(&v, "store", 1), Some(2));
        assert_eq!(find_keyword(&v, "store", -1), Some(4));
        assert_eq!(find_keyword(&v, "store", -2), Some(2));
        assert_eq!(find_keyword(&argv(&["cmd", "STORE"]), "store", 1), None);
    }

    #[test]
    fn legacy_range_merges_consecutive_plain_ranges() {
        let one = |pos, last| ks(RW, idx(pos), range(last, 1, 0));
        assert!(!legacy_range(&[]).1);
        let (k, movable) = legacy_range(&[one(1, 0), one(2, 0)]);
        assert_eq!((k.first, k.last, k.step, movable), (1, 2, 1, false));
        let (k, movable) = legacy_range(&[one(1, 0), ks(RO, idx(2), keynum(0, 1, 1))]);
        assert_eq!((k.first, k.last, k.step, movable), (1, 1, 1, true));
        let (k, movable) = legacy_range(&[ks(RO, UNKNOWN_BS, UNKNOWN_FK)]);
        assert_eq!((k.first, movable), (0, true));
    }

    #[test]
    fn xread_keys_follow_streams_after_the_options() {
        let table = CommandTable::build(&all_families());
        let keys = |a: &[&str]| {
            let v = argv(a);
            let id = table.lookup(&v[0]).unwrap();
            positions(&table.get_keys(id, &v))
        };
        assert_eq!(
            keys(&["xread", "count", "1", "streams", "a", "b", "0", "0"]),
            vec![4, 5]
        );
        assert_eq!(keys(&["xread", "streams", "streams", "0"]), vec![2]);
        assert_eq!(
            keys(&[
                "xreadgroup",
                "group",
                "streams",
                "c",
                "noack",
                "streams",
                "k",
                ">"
            ]),
            vec![6]
        );
        // Unbalanced: neither the specs nor the procedure find keys.
        assert_eq!(
            keys(&["xread", "count", "1", "streams", "a"]),
            Vec::<usize>::new()
        );
        assert_eq!(
            xread_keys(&argv(&["xread", "streams", "a", "b", "c"])),
            vec![]
        );
        assert_eq!(
            positions(&xread_keys(&argv(&[
                "xread", "block", "0", "streams", "a", "0"
            ]))),
            vec![4]
        );
    }
}
