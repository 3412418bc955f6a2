//! Expiry commands, as Redis's `expire.c`: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX
//! GT LT), TTL PTTL EXPIRETIME PEXPIRETIME and PERSIST.
//!
//! A new expiry time is propagated as `PEXPIREAT key <absolute ms>` so that replicas and
//! the AOF agree whenever they apply it; a time already in the past deletes the key at
//! once on a master and is propagated as `DEL key`.

use super::flags::*;
use super::keys::{deletes_expired, exists_for_write, lookup_read};
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::config::notify;
use crate::server::{Client, Server};
use crate::util::numbers::parse_i64;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "expire",
        expire,
        -3,
        WRITE | FAST,
        Keys::ONE,
        "generic",
        "1.0.0",
        "Sets the expiration time of a key in seconds.",
    ),
    CommandSpec::new(
        "pexpire",
        pexpire,
        -3,
        WRITE | FAST,
        Keys::ONE,
        "generic",
        "2.6.0",
        "Sets the expiration time of a key in milliseconds.",
    ),
    CommandSpec::new(
        "expireat",
        expireat,
        -3,
        WRITE | FAST,
        Keys::ONE,
        "generic",
        "1.2.0",
        "Sets the expiration time of a key to a Unix timestamp.",
    ),
    CommandSpec::new(
        "pexpireat",
        pexpireat,
        -3,
        WRITE | FAST,
        Keys::ONE,
        "generic",
        "2.6.0",
        "Sets the expiration time of a key to a Unix milliseconds timestamp.",
    ),
    CommandSpec::new(
        "ttl",
        ttl,
        2,
        READONLY | FAST,
        Keys::ONE,
        "generic",
        "1.0.0",
        "Returns the expiration time in seconds of a key.",
    ),
    CommandSpec::new(
        "pttl",
        pttl,
        2,
        READONLY | FAST,
        Keys::ONE,
        "generic",
        "2.6.0",
        "Returns the expiration time in milliseconds of a key.",
    ),
    CommandSpec::new(
        "expiretime",
        expiretime,
        2,
        READONLY | FAST,
        Keys::ONE,
        "generic",
        "7.0.0",
        "Returns the expiration time of a key as a Unix timestamp.",
    ),
    CommandSpec::new(
        "pexpiretime",
        pexpiretime,
        2,
        READONLY | FAST,
        Keys::ONE,
        "generic",
        "7.0.0",
        "Returns the expiration time of a key as a Unix milliseconds timestamp.",
    ),
    CommandSpec::new(
        "persist",
        persist,
        2,
        WRITE | FAST,
        Keys::ONE,
        "generic",
        "2.2.0",
        "Removes the expiration time of a key.",
    ),
];

/// How an EXPIRE-family command reads its time argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeArg {
    /// Seconds from now (EXPIRE).
    Seconds,
    /// Milliseconds from now (PEXPIRE).
    Millis,
    /// A Unix time in seconds (EXPIREAT).
    UnixSeconds,
    /// A Unix time in milliseconds (PEXPIREAT).
    UnixMillis,
}

impl TimeArg {
    /// The command's name as its errors quote it.
    fn command(self) -> &'static str {
        match self {
            TimeArg::Seconds => "expire",
            TimeArg::Millis => "pexpire",
            TimeArg::UnixSeconds => "expireat",
            TimeArg::UnixMillis => "pexpireat",
        }
    }

    fn in_seconds(self) -> bool {
        matches!(self, TimeArg::Seconds | TimeArg::UnixSeconds)
    }

    fn relative(self) -> bool {
        matches!(self, TimeArg::Seconds | TimeArg::Millis)
    }

    /// The absolute time in ms that `arg` designates at `now_ms`, or Redis's
    /// invalid-expire-time error when the unit conversion or the addition overflows.
    fn absolute_ms(self, arg: i64, now_ms: i64) -> Result<i64, CommandError> {
        let invalid = CommandError::InvalidExpireTime(self.command());
        let ms = if self.in_seconds() {
            arg.checked_mul(1000).ok_or(invalid.clone())?
        } else {
            arg
        };
        let base = if self.relative() { now_ms } else { 0 };
        if ms > i64::MAX - base {
            return Err(invalid);
        }
        Ok(ms + base)
    }
}

/// The NX XX GT LT conditions of the EXPIRE family.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl Conditions {
    /// Parses the options after the time argument, rejecting unknown and incompatible ones.
    fn parse(args: &[Vec<u8>]) -> Result<Conditions, CommandError> {
        let mut cond = Conditions::default();
        for opt in args {
            let flag = match opt.to_ascii_lowercase().as_slice() {
                b"nx" => &mut cond.nx,
                b"xx" => &mut cond.xx,
                b"gt" => &mut cond.gt,
                b"lt" => &mut cond.lt,
                _ => {
                    let name = String::from_utf8_lossy(opt).into_owned();
                    return Err(CommandError::UnsupportedOption(name));
                }
            };
            *flag = true;
        }
        if cond.nx && (cond.xx || cond.gt || cond.lt) {
            return Err(CommandError::Err(
                "NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if cond.gt && cond.lt {
            return Err(CommandError::Err(
                "GT and LT options at the same time are not compatible",
            ));
        }
        Ok(cond)
    }

    /// Whether a key whose expiry time is `current` may get `when`. No expiry counts as
    /// an infinite time: GT never passes against it, LT always does.
    fn allow(self, current: Option<i64>, when: i64) -> bool {
        !(self.nx && current.is_some()
            || self.xx && current.is_none()
            || self.gt && current.is_none_or(|cur| when <= cur)
            || self.lt && current.is_some_and(|cur| when >= cur))
    }
}

/// EXPIRE key seconds [NX|XX|GT|LT]
fn expire(srv: &mut Server, c: &mut Client) -> CommandResult {
    expire_generic(srv, c, TimeArg::Seconds)
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
fn pexpire(srv: &mut Server, c: &mut Client) -> CommandResult {
    expire_generic(srv, c, TimeArg::Millis)
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
fn expireat(srv: &mut Server, c: &mut Client) -> CommandResult {
    expire_generic(srv, c, TimeArg::UnixSeconds)
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
fn pexpireat(srv: &mut Server, c: &mut Client) -> CommandResult {
    expire_generic(srv, c, TimeArg::UnixMillis)
}

/// The EXPIRE family: sets the key's expiry time if the key exists and the conditions
/// allow it (reply 1, else 0). A time not after now deletes the key on a master.
fn expire_generic(srv: &mut Server, c: &mut Client, arg: TimeArg) -> CommandResult {
    let cond = Conditions::parse(&c.argv[3..])?;
    let n = parse_i64(&c.argv[2]).ok_or(CommandError::NotInteger)?;
    let when = arg.absolute_ms(n, srv.now_ms)?;
    let key = c.argv[1].as_slice();
    if !exists_for_write(srv, c.db, key) {
        c.reply.int(0);
        return Ok(());
    }
    if !cond.allow(srv.dbs[c.db].expire_of(key), when) {
        c.reply.int(0);
        return Ok(());
    }
    srv.dirty += 1;
    if when <= srv.now_ms && deletes_expired(srv) {
        srv.dbs[c.db].remove(key);
        let del = vec![b"DEL".to_vec(), key.to_vec()];
        c.rewrite_propagated(del);
        srv.notify_key(c, notify::GENERIC, "del", 1);
    } else {
        srv.dbs[c.db].set_expire(key, when);
        if arg != TimeArg::UnixMillis {
            let absolute = pexpireat_argv(&c.argv, when);
            c.rewrite_propagated(absolute);
        }
        srv.notify_key(c, notify::GENERIC, "expire", 1);
    }
    c.reply.int(1);
    Ok(())
}

/// `argv` of an EXPIRE-family request rewritten as `PEXPIREAT key <when> [options]`.
fn pexpireat_argv(argv: &[Vec<u8>], when: i64) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(argv.len());
    out.push(b"PEXPIREAT".to_vec());
    out.push(argv[1].clone());
    out.push(when.to_string().into_bytes());
    out.extend(argv[3..].iter().cloned());
    out
}

/// TTL key
fn ttl(srv: &mut Server, c: &mut Client) -> CommandResult {
    ttl_generic(srv, c, false, false)
}

/// PTTL key
fn pttl(srv: &mut Server, c: &mut Client) -> CommandResult {
    ttl_generic(srv, c, true, false)
}

/// EXPIRETIME key
fn expiretime(srv: &mut Server, c: &mut Client) -> CommandResult {
    ttl_generic(srv, c, false, true)
}

/// PEXPIRETIME key
fn pexpiretime(srv: &mut Server, c: &mut Client) -> CommandResult {
    ttl_generic(srv, c, true, true)
}

/// TTL and friends: -2 for a missing key, -1 for a key without expiry, else the time
/// left (or the absolute time when `absolute`) in ms or in seconds rounded to nearest.
fn ttl_generic(srv: &mut Server, c: &mut Client, millis: bool, absolute: bool) -> CommandResult {
    let now = srv.now_ms;
    if lookup_read(srv, c.db, &c.argv[1], false).is_none() {
        c.reply.int(-2);
        return Ok(());
    }
    let reply = match srv.dbs[c.db].expire_of(&c.argv[1]) {
        None => -1,
        Some(when) => ttl_reply(when, now, millis, absolute),
    };
    c.reply.int(reply);
    Ok(())
}

/// The TTL-family reply for a key expiring at `when` (never negative).
fn ttl_reply(when: i64, now_ms: i64, millis: bool, absolute: bool) -> i64 {
    let ms = if absolute {
        when
    } else {
        when.saturating_sub(now_ms)
    }
    .max(0);
    if millis {
        ms
    } else {
        ((i128::from(ms) + 500) / 1000) as i64
    }
}

/// PERSIST key: removes the expiry time; 1 if there was one.
fn persist(srv: &mut Server, c: &mut Client) -> CommandResult {
    let key = c.argv[1].as_slice();
    let removed = exists_for_write(srv, c.db, key) && srv.dbs[c.db].persist(key);
    if removed {
        srv.notify_key(c, notify::GENERIC, "persist", 1);
        srv.dirty += 1;
    }
    c.reply.int(removed as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::keys::testing::Harness;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn conditions_parse_and_conflict() {
        let c = Conditions::parse(&args(&["Gt", "xx"])).unwrap();
        assert!(c.gt && c.xx && !c.nx && !c.lt);
        assert_eq!(
            Conditions::parse(&args(&["nx", "lt"]))
                .unwrap_err()
                .to_string(),
            "ERR NX and XX, GT or LT options at the same time are not compatible"
        );
        assert_eq!(
            Conditions::parse(&args(&["gt", "lt"]))
                .unwrap_err()
                .to_string(),
            "ERR GT and LT options at the same time are not compatible"
        );
        assert_eq!(
            Conditions::parse(&args(&["foo"])).unwrap_err().to_string(),
            "ERR Unsupported option foo"
        );
    }

    #[test]
    fn conditions_decide_like_redis() {
        let gt = Conditions {
            gt: true,
            ..Default::default()
        };
        let lt = Conditions {
            lt: true,
            ..Default::default()
        };
        assert!(!gt.allow(None, 5));
        assert!(!gt.allow(Some(5), 5));
        assert!(gt.allow(Some(5), 6));
        assert!(lt.allow(None, 5));
        assert!(!lt.allow(Some(5), 5));
        assert!(lt.allow(Some(5), 4));
        let nx = Conditions {
            nx: true,
            ..Default::default()
        };
        assert!(nx.allow(None, 1) && !nx.allow(Some(1), 1));
        let xx = Conditions {
            xx: true,
            ..Default::default()
        };
        assert!(!xx.allow(None, 1) && xx.allow(Some(1), 1));
    }

    #[test]
    fn absolute_time_overflow_checks() {
        let now = 1_700_000_000_000;
        assert_eq!(TimeArg::Seconds.absolute_ms(10, now), Ok(now + 10_000));
        assert_eq!(TimeArg::UnixSeconds.absolute_ms(10, now), Ok(10_000));
        assert_eq!(TimeArg::UnixMillis.absolute_ms(i64::MAX, now), Ok(i64::MAX));
        assert_eq!(
            TimeArg::Millis.absolute_ms(i64::MAX, now),
            Err(CommandError::InvalidExpireTime("pexpire"))
        );
        assert_eq!(
            TimeArg::Seconds.absolute_ms(i64::MAX / 1000 + 1, now),
            Err(CommandError::InvalidExpireTime("expire"))
        );
        assert!(TimeArg::Seconds.absolute_ms(i64::MIN / 1000, now).is_ok());
        assert!(TimeArg::UnixSeconds
            .absolute_ms(i64::MIN / 1000 - 1, now)
            .is_err());
    }

    #[test]
    fn propagated_as_pexpireat_keeping_options() {
        let argv = args(&["expire", "k", "10", "NX"]);
        assert_eq!(
            pexpireat_argv(&argv, 1234),
            args(&["PEXPIREAT", "k", "1234", "NX"])
        );
    }

    #[test]
    fn ttl_rounding() {
        assert_eq!(ttl_reply(2_499, 1_000, false, false), 1);
        assert_eq!(ttl_reply(2_500, 1_000, false, false), 2);
        assert_eq!(ttl_reply(500, 1_000, true, false), 0);
        assert_eq!(ttl_reply(i64::MAX, 0, false, true), 9_223_372_036_854_776);
        assert_eq!(ttl_reply(i64::MAX, 0, true, true), i64::MAX);
    }

    #[test]
    fn expire_is_propagated_as_absolute_pexpireat() {
        let mut h = Harness::new();
        h.run(&["set", "k", "v"]);
        let now = h.srv.now_ms;
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["expire", "k", "100", "NX"]), b":1\r\n");
        let when = (now + 100_000).to_string();
        assert_eq!(
            h.propagated(),
            Some(strings(&["PEXPIREAT", "k", &when, "NX"]))
        );
        assert_eq!(h.srv.dirty, dirty + 1);
        assert_eq!(h.run(&["pexpire", "k", "5"]), b":1\r\n");
        assert_eq!(
            h.propagated(),
            Some(strings(&["PEXPIREAT", "k", &(now + 5).to_string()]))
        );
        assert_eq!(h.run(&["expireat", "k", "4000000000"]), b":1\r\n");
        assert_eq!(
            h.propagated(),
            Some(strings(&["PEXPIREAT", "k", "4000000000000"]))
        );
        assert_eq!(h.run(&["pexpireat", "k", "4000000000001"]), b":1\r\n");
        assert_eq!(h.propagated(), None, "PEXPIREAT propagates as it came");
        assert_eq!(h.srv.dbs[0].expire_of(b"k"), Some(4_000_000_000_001));
    }

    #[test]
    fn expire_in_the_past_deletes_and_propagates_del() {
        let mut h = Harness::new();
        h.run(&["set", "k", "v"]);
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["expire", "k", "0"]), b":1\r\n");
        assert_eq!(h.propagated(), Some(strings(&["DEL", "k"])));
        assert_eq!(h.srv.dirty, dirty + 1);
        assert!(h.srv.dbs[0].is_empty());
        assert_eq!(h.run(&["expire", "k", "10"]), b":0\r\n");
        assert_eq!(h.srv.dirty, dirty + 1, "a missing key changes nothing");
    }

    #[test]
    fn replica_keeps_keys_expired_by_expire() {
        let mut h = Harness::new();
        h.srv.expire_mode = crate::db::ExpireMode::HideOnly;
        h.run(&["set", "k", "v"]);
        assert_eq!(h.run(&["pexpireat", "k", "1"]), b":1\r\n");
        assert_eq!(h.srv.dbs[0].len(), 1);
        assert_eq!(h.run(&["ttl", "k"]), b":-2\r\n");
    }

    #[test]
    fn ttl_follows_the_clock() {
        let mut h = Harness::new();
        h.run(&["set", "k", "v"]);
        assert_eq!(h.run(&["ttl", "k"]), b":-1\r\n");
        h.run(&["pexpire", "k", "2600"]);
        assert_eq!(h.run(&["ttl", "k"]), b":3\r\n");
        assert_eq!(h.run(&["pttl", "k"]), b":2600\r\n");
        h.srv.now_ms += 2_000;
        assert_eq!(h.run(&["pttl", "k"]), b":600\r\n");
        assert_eq!(h.run(&["ttl", "k"]), b":1\r\n");
        h.srv.now_ms += 600;
        assert_eq!(h.run(&["ttl", "k"]), b":-2\r\n");
        assert_eq!(
            h.srv.dbs[0].expired_to_propagate.len(),
            1,
            "lazy expiry queues a DEL"
        );
    }

    #[test]
    fn persist_counts_one_change() {
        let mut h = Harness::new();
        h.run(&["set", "k", "v"]);
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["persist", "k"]), b":0\r\n");
        h.run(&["expire", "k", "100"]);
        assert_eq!(h.run(&["persist", "k"]), b":1\r\n");
        assert_eq!(h.srv.dirty, dirty + 2);
        assert_eq!(h.run(&["ttl", "k"]), b":-1\r\n");
    }
}
