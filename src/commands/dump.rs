//! DUMP and RESTORE, as Redis's `cluster.c`: a value serialised in the RDB format
//! followed by a 2-byte RDB version and a CRC-64 (the codec in `persistence::rdb`), and
//! back into a key with an optional TTL and access clock.
//!
//! A value is serialised straight from our encodings by `persistence::value_rdb`;
//! [`from_rdb`] is where a decoded `RdbValue` becomes our `Value` again.

use super::flags::*;
use super::keys::{
    deletes_expired, exists_for_write, lfu_minutes, lfu_policy_selected, lookup_read,
};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::persistence::rdb::{restore_payload_with, RdbValue};
use crate::persistence::value_rdb::dump_value;
use crate::server::{Client, Server};
use crate::types::{EncodingLimits, Value};
use crate::util::numbers::parse_i64;
use crate::util::time::LRU_CLOCK_MAX;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "dump",
        dump,
        2,
        READONLY,
        Keys::ONE,
        "generic",
        "2.6.0",
        "Returns a serialized representation of the value stored at a key.",
    ),
    CommandSpec::new(
        "restore",
        restore,
        -4,
        WRITE | DENYOOM,
        Keys::ONE,
        "generic",
        "2.6.0",
        "Creates a key from the serialized representation of a value.",
    ),
    // Cluster nodes send this form while migrating a slot; without cluster mode it is
    // RESTORE under another name, as in Redis.
    CommandSpec::new(
        "restore-asking",
        restore,
        -4,
        WRITE | DENYOOM | ASKING,
        Keys::ONE,
        "server",
        "3.0.0",
        "An internal command for migrating keys in a cluster",
    ),
];

/// Our value for a decoded RDB value; `Bad data format` for an empty collection, which
/// Redis also refuses to restore.
pub fn from_rdb(value: RdbValue, limits: &EncodingLimits) -> Result<Value, CommandError> {
    Value::from_rdb(value, limits).ok_or(CommandError::BadDataFormat)
}

/// DUMP key: the serialised value, or null for a missing key.
fn dump(srv: &mut Server, c: &mut Client) -> CommandResult {
    match lookup_read(srv, c.db, &c.argv[1], true) {
        Some(obj) => {
            let payload = dump_value(&obj.value);
            c.reply.bulk(&payload);
        }
        None => c.reply.null(),
    }
    Ok(())
}

/// The options of RESTORE after the payload.
#[derive(Debug, Default, PartialEq, Eq)]
struct RestoreOptions {
    replace: bool,
    absttl: bool,
    /// IDLETIME seconds (not with FREQ).
    idle: Option<i64>,
    /// FREQ counter 0..=255 (not with IDLETIME); kept only under an LFU policy.
    freq: Option<i64>,
}

impl RestoreOptions {
    /// Parses the arguments after the payload.
    fn parse(args: &[Vec<u8>]) -> Result<RestoreOptions, CommandError> {
        let mut opts = RestoreOptions::default();
        let mut i = 0;
        while i < args.len() {
            let opt = args[i].as_slice();
            let value = args.get(i + 1);
            if opt.eq_ignore_ascii_case(b"replace") {
                opts.replace = true;
            } else if opt.eq_ignore_ascii_case(b"absttl") {
                opts.absttl = true;
            } else if let (true, Some(v), None) =
                (opt.eq_ignore_ascii_case(b"idletime"), value, opts.freq)
            {
                let idle = parse_i64(v).ok_or(CommandError::NotInteger)?;
                if idle < 0 {
                    return Err(CommandError::Err("Invalid IDLETIME value, must be >= 0"));
                }
                opts.idle = Some(idle);
                i += 1;
            } else if let (true, Some(v), None) =
                (opt.eq_ignore_ascii_case(b"freq"), value, opts.idle)
            {
                let freq = parse_i64(v).ok_or(CommandError::NotInteger)?;
                if !(0..=255).contains(&freq) {
                    return Err(CommandError::Err(
                        "Invalid FREQ value, must be >= 0 and <= 255",
                    ));
                }
                opts.freq = Some(freq);
                i += 1;
            } else {
                return Err(CommandError::Syntax);
            }
            i += 1;
        }
        Ok(opts)
    }
}

/// Decodes a DUMP payload into a value, with Redis's two error texts: one for a bad
/// footer (version or checksum), one for a body that does not decode.
fn decode_payload(srv: &Server, key: &[u8], payload: &[u8]) -> Result<Value, CommandError> {
    let verify = !srv.skip_checksum_validation;
    let value = restore_payload_with(payload, verify).map_err(|e| {
        if e.is_version_or_checksum() {
            CommandError::DumpPayloadInvalid
        } else {
            // Corrupt data behind a valid footer: worth a word in the log, as Redis
            // gives one (what was wrong, and where), at the verbose level as Redis
            // does: any client may send such payloads, as many as it likes.
            log::debug!(
                "RESTORE of key '{}' refused: {e}",
                String::from_utf8_lossy(key)
            );
            CommandError::BadDataFormat
        }
    })?;
    from_rdb(value, &EncodingLimits::from_config(&srv.config))
}

/// The access clock that makes an object look idle for `idle_secs` seconds at clock
/// `now_clock`, computed as Redis's objectSetLRUOrLFU does (wrapping quirks included, so
/// OBJECT IDLETIME answers the same for absurd values).
pub(crate) fn lru_for_idle(now_clock: u32, idle_secs: i64) -> u32 {
    let idle = idle_secs.wrapping_mul(1000) / 1000;
    let mut clock = i64::from(now_clock).wrapping_sub(idle);
    if clock < 0 {
        clock = clock.wrapping_add(i64::from(LRU_CLOCK_MAX));
    }
    (clock as u64 & u64::from(LRU_CLOCK_MAX)) as u32
}

/// The access clock of a restored object: FREQ under an LFU policy, IDLETIME under any
/// other, else now (Redis's objectSetLRUOrLFU).
fn restored_clock(srv: &Server, opts: &RestoreOptions) -> u32 {
    if lfu_policy_selected(&srv.config) {
        if let Some(freq) = opts.freq {
            return (lfu_minutes(srv.now_ms) << 8) | (freq as u32 & 0xff);
        }
    } else if let Some(idle) = opts.idle {
        return lru_for_idle(srv.lru_clock(), idle);
    }
    srv.lru_clock()
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]:
/// creates `key` from a DUMP payload. A relative TTL is propagated as an absolute one
/// (`... ABSTTL`); a TTL already in the past creates nothing (replacing a key then
/// propagates as DEL).
fn restore(srv: &mut Server, c: &mut Client) -> CommandResult {
    let opts = RestoreOptions::parse(&c.argv[4..])?;
    let key = c.argv[1].as_slice();
    if !opts.replace && exists_for_write(srv, c.db, key) {
        return Err(CommandError::BusyKey);
    }
    let ttl = parse_i64(&c.argv[2]).ok_or(CommandError::NotInteger)?;
    if ttl < 0 {
        return Err(CommandError::Err("Invalid TTL value, must be >= 0"));
    }
    let value = decode_payload(srv, key, &c.argv[3])?;
    let now = srv.now_ms;
    let replaced = opts.replace && srv.dbs[c.db].remove(key).is_some();
    let when = if ttl != 0 && !opts.absttl {
        ttl.wrapping_add(now)
    } else {
        ttl
    };
    if when != 0 && when <= now && deletes_expired(srv) {
        if replaced {
            srv.dirty += 1;
            let del = vec![b"DEL".to_vec(), key.to_vec()];
            c.rewrite_propagated(del);
            srv.notify_key(c, notify::GENERIC, "del", 1);
        }
        c.reply.ok();
        return Ok(());
    }
    let lru = restored_clock(srv, &opts);
    let db = &mut srv.dbs[c.db];
    db.set(key, value, lru, false);
    if when != 0 {
        db.set_expire(key, when);
        if !opts.absttl {
            let absolute = absttl_argv(&c.argv, when);
            c.rewrite_propagated(absolute);
        }
    }
    srv.notify_key(c, notify::GENERIC, "restore", 1);
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// `argv` of a RESTORE with a relative TTL rewritten with the absolute time `when` and
/// `ABSTTL` appended.
fn absttl_argv(argv: &[Vec<u8>], when: i64) -> Vec<Vec<u8>> {
    let mut out = argv.to_vec();
    out[2] = when.to_string().into_bytes();
    out.push(b"ABSTTL".to_vec());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::keys::testing::Harness;
    use crate::persistence::rdb::dump_payload;
    use crate::util::time::idle_seconds;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options() {
        let o = RestoreOptions::parse(&args(&["REPLACE", "absttl", "idletime", "5"])).unwrap();
        assert_eq!(
            o,
            RestoreOptions {
                replace: true,
                absttl: true,
                idle: Some(5),
                freq: None
            }
        );
        assert_eq!(
            RestoreOptions::parse(&args(&["idletime", "1", "freq", "1"])),
            Err(CommandError::Syntax)
        );
        assert_eq!(
            RestoreOptions::parse(&args(&["freq", "256"]))
                .unwrap_err()
                .to_string(),
            "ERR Invalid FREQ value, must be >= 0 and <= 255"
        );
        assert_eq!(
            RestoreOptions::parse(&args(&["idletime", "-1"]))
                .unwrap_err()
                .to_string(),
            "ERR Invalid IDLETIME value, must be >= 0"
        );
        assert_eq!(
            RestoreOptions::parse(&args(&["idletime"])),
            Err(CommandError::Syntax)
        );
    }

    #[test]
    fn idle_clock_matches_redis_arithmetic() {
        let clock = 1_000_000;
        assert_eq!(idle_seconds(lru_for_idle(clock, 100), 1_000_000_000), 100);
        // Values Redis 7.0 answers for absurd idle times (its multiply overflows).
        assert_eq!(
            idle_seconds(lru_for_idle(clock, i64::MAX), 1_000_000_000),
            16_777_214
        );
        let big = lru_for_idle(clock, 99_999_999_999);
        let expected =
            (i64::from(clock) - 99_999_999_999 + i64::from(LRU_CLOCK_MAX)).rem_euclid(1 << 24);
        assert_eq!(i64::from(big), expected);
    }

    #[test]
    fn values_round_trip_through_the_codec_model() {
        for v in [
            Value::Int(-7),
            Value::string(b"hello"),
            Value::string_from_vec(vec![b'x'; 100]),
        ] {
            let back = from_rdb(v.to_rdb(), &EncodingLimits::default()).unwrap();
            assert_eq!(back.to_string_vec(), v.to_string_vec());
            assert_eq!(back.encoding_name(), v.encoding_name());
        }
        let list = from_rdb(
            RdbValue::List(vec![b"a".to_vec(), b"b".to_vec()]),
            &EncodingLimits::default(),
        )
        .unwrap();
        assert!(
            matches!(list.to_rdb(), RdbValue::List(items) if items == [b"a".to_vec(), b"b".to_vec()])
        );
        assert_eq!(
            from_rdb(RdbValue::Set(Vec::new()), &EncodingLimits::default()).unwrap_err(),
            CommandError::BadDataFormat
        );
    }

    #[test]
    fn relative_ttl_propagates_as_absttl() {
        let argv = args(&["restore", "k", "100", "payload", "REPLACE"]);
        assert_eq!(
            absttl_argv(&argv, 5000),
            args(&["restore", "k", "5000", "payload", "REPLACE", "ABSTTL"])
        );
    }

    /// The DUMP payload of `value` as a test argument.
    fn payload(value: &[u8]) -> Vec<u8> {
        dump_payload(&RdbValue::String(value.to_vec()))
    }

    fn restore_args(key: &str, ttl: &str, payload: &[u8], extra: &[&str]) -> Vec<Vec<u8>> {
        let mut argv = args(&["RESTORE", key, ttl]);
        argv.push(payload.to_vec());
        argv.extend(args(extra));
        argv
    }

    #[test]
    fn restore_with_relative_ttl_propagates_absttl() {
        let mut h = Harness::new();
        let now = h.srv.now_ms;
        let argv = restore_args("k", "1000", &payload(b"v"), &[]);
        assert_eq!(h.run_bytes(argv.clone()), b"+OK\r\n");
        let mut expected = argv;
        expected[2] = (now + 1000).to_string().into_bytes();
        expected.push(b"ABSTTL".to_vec());
        assert_eq!(h.c.propagate_argv, Some(expected));
        assert_eq!(h.srv.dbs[0].expire_of(b"k"), Some(now + 1000));

        let abs = (now + 5000).to_string();
        let argv = restore_args("k2", &abs, &payload(b"v"), &["ABSTTL"]);
        assert_eq!(h.run_bytes(argv), b"+OK\r\n");
        assert_eq!(h.c.propagate_argv, None);
    }

    #[test]
    fn restore_of_an_expired_ttl_replacing_a_key_propagates_del() {
        let mut h = Harness::new();
        h.run(&["set", "k", "old"]);
        let dirty = h.srv.dirty;
        let argv = restore_args("k", "1", &payload(b"v"), &["ABSTTL", "REPLACE"]);
        assert_eq!(h.run_bytes(argv), b"+OK\r\n");
        assert_eq!(
            h.propagated(),
            Some(vec!["DEL".to_string(), "k".to_string()])
        );
        assert_eq!(h.srv.dirty, dirty + 1);
        assert!(h.srv.dbs[0].is_empty());
        let argv = restore_args("k", "1", &payload(b"v"), &["ABSTTL"]);
        assert_eq!(h.run_bytes(argv), b"+OK\r\n");
        assert_eq!(h.srv.dirty, dirty + 1, "nothing existed, nothing changed");
        assert!(h.srv.dbs[0].is_empty());
    }

    #[test]
    fn restore_freq_is_kept_under_lfu() {
        let mut h = Harness::new();
        h.srv.config.maxmemory_policy = crate::config::MaxmemoryPolicy::AllkeysLfu;
        let argv = restore_args("k", "0", &payload(b"v"), &["FREQ", "77"]);
        assert_eq!(h.run_bytes(argv), b"+OK\r\n");
        assert_eq!(h.run(&["object", "freq", "k"]), b":77\r\n");
        let idle = h.run(&["object", "idletime", "k"]);
        assert!(idle.starts_with(b"-ERR An LFU maxmemory policy is selected"));
    }
}
