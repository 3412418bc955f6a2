//! The optional first line of a script, `#!lua flags=no-writes,allow-oom`, and what
//! its flags change: Redis 7.0 checks a script that declares flags up front, with the
//! command flags its declaration implies, instead of command by command.

use crate::commands::flags;
use crate::util::split_args::split_args;

/// What a script declared about itself (Redis's SCRIPT_FLAG_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScriptFlags(u8);

impl ScriptFlags {
    pub const NO_WRITES: u8 = 1 << 0;
    pub const ALLOW_OOM: u8 = 1 << 1;
    pub const ALLOW_STALE: u8 = 1 << 2;
    pub const NO_CLUSTER: u8 = 1 << 3;
    /// No shebang: the script is checked as before Redis 7.0, command by command.
    pub const EVAL_COMPAT_MODE: u8 = 1 << 4;
    pub const ALLOW_CROSS_SLOT: u8 = 1 << 5;

    /// The flag names a shebang may use.
    const NAMES: &'static [(u8, &'static str)] = &[
        (Self::NO_WRITES, "no-writes"),
        (Self::ALLOW_OOM, "allow-oom"),
        (Self::ALLOW_STALE, "allow-stale"),
        (Self::NO_CLUSTER, "no-cluster"),
        (Self::ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
    ];

    /// The flags of a function (never in compatibility mode).
    pub fn from_bits(bits: u8) -> ScriptFlags {
        ScriptFlags(bits & !Self::EVAL_COMPAT_MODE)
    }

    /// The bit of the flag called `name` (case-insensitive), as functions declare them.
    pub fn bit_named(name: &str) -> Option<u8> {
        Self::NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(bit, _)| *bit)
    }

    /// The names of the flags set, in Redis's order (FUNCTION LIST).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .iter()
            .filter(move |(bit, _)| self.0 & bit != 0)
            .map(|(_, n)| *n)
    }

    pub fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    /// Whether the script has no shebang.
    pub fn compat(self) -> bool {
        self.has(Self::EVAL_COMPAT_MODE)
    }

    /// The flags EVAL is checked with before it runs a script that declared flags
    /// (Redis's scriptFlagsToCmdFlags): write and deny-oom unless the script said it
    /// does not write or may run out of memory, stale only if it allows it.
    pub fn command_flags(self, cmd_flags: u32) -> u32 {
        if self.compat() {
            return cmd_flags;
        }
        let mut out = cmd_flags & !(flags::STALE | flags::DENYOOM | flags::WRITE);
        if !self.has(Self::ALLOW_OOM | Self::NO_WRITES) {
            out |= flags::DENYOOM;
        }
        if !self.has(Self::NO_WRITES) {
            out |= flags::WRITE;
        }
        if self.has(Self::ALLOW_STALE) {
            out |= flags::STALE;
        }
        out & !flags::MAY_REPLICATE
    }
}

/// Reads the shebang of `body`, if any: returns the declared flags and the length of
/// the shebang line (without its line feed), or the error text Redis replies.
pub fn parse(body: &[u8]) -> Result<(ScriptFlags, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((ScriptFlags(ScriptFlags::EVAL_COMPAT_MODE), 0));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err("Invalid script shebang".to_string());
    };
    let parts = match split_args(&body[..end], false) {
        Some(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid engine in script shebang".to_string()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut declared = 0u8;
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "Unknown lua shebang option: {}",
                String::from_utf8_lossy(part)
            ));
        };
        // "flags=" alone declares no flag; "a,,b" has an empty (unknown) one.
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            match ScriptFlags::NAMES
                .iter()
                .find(|(_, n)| n.as_bytes() == name)
            {
                Some((bit, _)) => declared |= bit,
                None => {
                    return Err(format!(
                        "Unexpected flag in script shebang: {}",
                        String::from_utf8_lossy(name)
                    ))
                }
            }
        }
    }
    Ok((ScriptFlags(declared), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_shebang_is_compat_mode() {
        let (f, len) = parse(b"return 1").unwrap();
        assert!(f.compat());
        assert_eq!(len, 0);
        assert_eq!(f.command_flags(flags::STALE), flags::STALE);
    }

    #[test]
    fn flags_are_read_and_turned_into_command_flags() {
        let (f, len) = parse(b"#!lua flags=no-writes,allow-stale\nreturn 1").unwrap();
        assert_eq!(len, 33);
        assert!(f.has(ScriptFlags::NO_WRITES) && f.has(ScriptFlags::ALLOW_STALE));
        assert_eq!(
            f.command_flags(flags::NOSCRIPT),
            flags::NOSCRIPT | flags::STALE
        );
        let (f, _) = parse(b"#!lua\nreturn 1").unwrap();
        assert_eq!(
            f.command_flags(flags::STALE | flags::MAY_REPLICATE),
            flags::WRITE | flags::DENYOOM
        );
        let (f, _) = parse(b"#!lua flags=\nreturn 1").unwrap();
        assert_eq!(f, ScriptFlags(0));
    }

    #[test]
    fn bad_shebangs_are_refused_with_redis_words() {
        assert_eq!(parse(b"#!lua").unwrap_err(), "Invalid script shebang");
        assert_eq!(
            parse(b"#!python\n").unwrap_err(),
            "Unexpected engine in script shebang: #!python"
        );
        assert_eq!(
            parse(b"#!lua flags=no-writes,bad\n").unwrap_err(),
            "Unexpected flag in script shebang: bad"
        );
        assert_eq!(
            parse(b"#!lua x=y\n").unwrap_err(),
            "Unknown lua shebang option: x=y"
        );
        assert_eq!(
            parse(b"#!lua \"open\n").unwrap_err(),
            "Invalid engine in script shebang"
        );
    }
}
