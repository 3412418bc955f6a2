//! A user's rules and how ACL SETUSER's modifiers change them, as Redis 7.0 applies
//! them: users, their passwords and flags, and selectors (the root one plus any number
//! of `(...)` ones), each with a command bitmap, key patterns and channel patterns.

use std::fmt;

use crate::commands::{CommandId, CommandTable};
use crate::util::sha256::sha256_hex;
use crate::util::split_args::{is_c_space, split_args};

/// What the rules need from the command table: names, parents and categories.
pub struct Catalog<'a> {
    pub table: &'a CommandTable,
    /// Each row's ACL category mask (bit i = `ACL_CATEGORIES[i]`).
    pub categories: &'a [u32],
    /// `acl-pubsub-default allchannels`: new selectors may use every channel.
    pub pubsub_default_all: bool,
}

impl Catalog<'_> {
    /// The row for `name` ("get", "config|get"), as Redis's ACLLookupCommand: a `|`
    /// names a subcommand of a container, more than one `|` names nothing.
    pub fn lookup(&self, name: &[u8]) -> Option<CommandId> {
        let mut parts = name.split(|&b| b == b'|');
        let first = parts.next()?;
        let id = self.table.lookup(first)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(id),
            (Some(sub), None) if !self.table.spec(id).subcommands.is_empty() => {
                self.table.lookup_sub(id, sub)
            }
            _ => None,
        }
    }

    /// The category bit of `name` (case-insensitive), if it is one.
    pub fn category(name: &[u8]) -> Option<u32> {
        ACL_CATEGORIES
            .iter()
            .position(|c| c.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| 1 << i)
    }
}

pub use crate::commands::server_cmds::ACL_CATEGORIES;

/// Why a modifier was refused (Redis's errno values in ACLSetUser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// ENOENT
    UnknownCommand,
    /// EINVAL
    Syntax,
    /// EEXIST
    KeyPatternAfterAll,
    /// EISDIR
    ChannelPatternAfterAll,
    /// ENODEV
    NoSuchPassword,
    /// EBADMSG
    BadHash,
    /// EALREADY
    DuplicateUser,
    /// ECHILD
    SubcommandFirstArg,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyPatternAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelPatternAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            RuleError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
            }
            RuleError::DuplicateUser => {
                "Duplicate user found. A user can only be defined once in config files"
            }
            RuleError::SubcommandFirstArg => "Allowing first-arg of a subcommand is not supported",
        })
    }
}

/// Read (`%R~`), write (`%W~`) or both (`~`).
pub const KEY_READ: u8 = 1;
pub const KEY_WRITE: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    pub pattern: Vec<u8>,
    /// `KEY_READ` | `KEY_WRITE`.
    pub perms: u8,
}

impl KeyPattern {
    /// The pattern as a rule: `~p`, `%R~p` or `%W~p`.
    pub fn rule(&self) -> Vec<u8> {
        let mut out = match self.perms {
            KEY_READ => b"%R~".to_vec(),
            KEY_WRITE => b"%W~".to_vec(),
            _ => b"~".to_vec(),
        };
        out.extend_from_slice(&self.pattern);
        out
    }
}

/// One set of permissions; a command is allowed if any of a user's selectors allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub allkeys: bool,
    pub allchannels: bool,
    /// Set by `+@all` and cleared by any later removal: every command, no bit test.
    pub allcommands: bool,
    /// Set only by `+@all`: the rules started from everything (Redis's reserved bit,
    /// which decides whether a description starts with `+@all` or `-@all`).
    pub all_base: bool,
    /// One bit per command table row.
    pub commands: Vec<u64>,
    /// Rows denied as a whole but allowed with these first arguments (`+select|0`).
    pub first_args: Vec<(CommandId, Vec<Vec<u8>>)>,
    pub keys: Vec<KeyPattern>,
    pub channels: Vec<Vec<u8>>,
}

impl Selector {
    /// A selector that allows nothing (channels per `acl-pubsub-default`).
    pub fn new(cat: &Catalog) -> Selector {
        Selector {
            allkeys: false,
            allchannels: cat.pubsub_default_all,
            allcommands: false,
            all_base: false,
            commands: vec![0; cat.table.len().div_ceil(64)],
            first_args: Vec::new(),
            keys: Vec::new(),
            channels: Vec::new(),
        }
    }

    pub fn allows(&self, id: CommandId) -> bool {
        self.commands[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: CommandId, on: bool) {
        if on {
            self.commands[id / 64] |= 1 << (id % 64);
        } else {
            self.commands[id / 64] &= !(1 << (id % 64));
            self.allcommands = false;
        }
    }

    /// Allows or denies row `id` and, for a container, all its subcommands; its
    /// first-argument exceptions go (Redis's ACLChangeSelectorPerm).
    pub fn change(&mut self, table: &CommandTable, id: CommandId, on: bool) {
        self.set_bit(id, on);
        self.first_args.retain(|(row, _)| *row != id);
        for sub in table.subcommands_of(id) {
            self.set_bit(sub, on);
        }
    }

    /// Applies `+@cat`/`-@cat`: every row (subcommands included) in the category.
    pub fn change_category(&mut self, cat: &Catalog, bit: u32, on: bool) {
        for top in cat.table.top_level() {
            if cat.categories[top] & bit != 0 {
                self.change(cat.table, top, on);
            }
            for sub in cat.table.subcommands_of(top) {
                if cat.categories[sub] & bit != 0 {
                    self.change(cat.table, sub, on);
                }
            }
        }
    }

    fn set_everything(&mut self, on: bool) {
        self.commands
            .iter_mut()
            .for_each(|w| *w = if on { !0 } else { 0 });
        self.allcommands = on;
        self.all_base = on;
        self.first_args.clear();
    }

    /// Applies one selector modifier (keys, channels, commands).
    pub fn apply(&mut self, cat: &Catalog, op: &[u8]) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("allkeys") || is("~*") {
            self.allkeys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.set_everything(true);
        } else if is("nocommands") || is("-@all") {
            self.set_everything(false);
        } else if op[0] == b'~' || op[0] == b'%' {
            self.add_key_pattern(op)?;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelPatternAfterAll);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(pattern.to_vec());
            }
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let bit = Catalog::category(&op[2..]).ok_or(RuleError::UnknownCommand)?;
            self.change_category(cat, bit, op[0] == b'+');
        } else if op[0] == b'+' {
            self.allow_command(cat, &op[1..])?;
        } else if op[0] == b'-' {
            let id = cat.lookup(&op[1..]).ok_or(RuleError::UnknownCommand)?;
            self.change(cat.table, id, false);
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.allkeys {
            return Err(RuleError::KeyPatternAfterAll);
        }
        let (perms, offset) = if op[0] == b'%' {
            let mut perms = 0;
            let mut offset = 1;
            while offset < op.len() {
                let b = op[offset];
                offset += 1;
                match b.to_ascii_uppercase() {
                    b'R' if perms & KEY_READ == 0 => perms |= KEY_READ,
                    b'W' if perms & KEY_WRITE == 0 => perms |= KEY_WRITE,
                    b'~' => break,
                    _ => return Err(RuleError::Syntax),
                }
            }
            // `%~x` (neither R nor W) grants nothing: Redis calls it a syntax error.
            if perms == 0 {
                return Err(RuleError::Syntax);
            }
            (perms, offset)
        } else {
            (KEY_READ | KEY_WRITE, 1)
        };
        let pattern = &op[offset..];
        if has_spaces(pattern) {
            return Err(RuleError::Syntax);
        }
        match self.keys.iter_mut().find(|k| k.pattern == pattern) {
            Some(existing) => existing.perms |= perms,
            None => self.keys.push(KeyPattern {
                pattern: pattern.to_vec(),
                perms,
            }),
        }
        self.allkeys = false;
        Ok(())
    }

    /// `+cmd`, `+container|sub`, or `+cmd|first-arg`.
    fn allow_command(&mut self, cat: &Catalog, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let id = cat.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change(cat.table, id, true);
            return Ok(());
        };
        let (base, first_arg) = (&name[..bar], &name[bar + 1..]);
        let id = cat.lookup(base).ok_or(RuleError::UnknownCommand)?;
        if cat.table.parent[id].is_some() {
            return Err(RuleError::SubcommandFirstArg);
        }
        if first_arg.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !cat.table.spec(id).subcommands.is_empty() {
            let sub = cat.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change(cat.table, sub, true);
            return Ok(());
        }
        log::warn!(
            "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +{})",
            String::from_utf8_lossy(name)
        );
        let lower = first_arg.to_ascii_lowercase();
        match self.first_args.iter_mut().find(|(row, _)| *row == id) {
            Some((_, args)) => {
                if !args.iter().any(|a| a.eq_ignore_ascii_case(&lower)) {
                    args.push(first_arg.to_vec());
                }
            }
            None => self.first_args.push((id, vec![first_arg.to_vec()])),
        }
        Ok(())
    }

    /// The first arguments row `id` is allowed with while its bit is off.
    pub fn first_args_of(&self, id: CommandId) -> Option<&[Vec<u8>]> {
        self.first_args
            .iter()
            .find(|(row, _)| *row == id)
            .map(|(_, args)| args.as_slice())
    }
}

/// Whether `s` holds a space or NUL (not allowed in names and patterns).
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&b| is_c_space(b) || b == 0)
}

/// A user: flags, password hashes and selectors (the first is the root selector).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: Vec<u8>,
    pub enabled: bool,
    pub nopass: bool,
    /// `Some(true)`: sanitize-payload, `Some(false)`: skip-sanitize-payload.
    pub sanitize_payload: Option<bool>,
    /// Lower-case hex SHA-256 of each password, in the order added.
    pub passwords: Vec<String>,
    pub selectors: Vec<Selector>,
}

impl User {
    /// A new user: off, no passwords, allowed nothing.
    pub fn new(name: &[u8], cat: &Catalog) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize_payload: None,
            passwords: Vec::new(),
            selectors: vec![Selector::new(cat)],
        }
    }

    /// The `default` user as a fresh server has it: everything, no password.
    pub fn new_default(cat: &Catalog) -> User {
        let mut u = User::new(b"default", cat);
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            u.apply(cat, op.as_bytes())
                .expect("the default user's rules are valid");
        }
        u
    }

    /// Whether some selector allows every command on every key and channel: the
    /// permission check can be skipped (the common case, the default user).
    pub fn unrestricted(&self) -> bool {
        self.selectors
            .iter()
            .any(|s| s.allcommands && s.allkeys && s.allchannels)
    }

    /// Whether `password` logs this user in (enabled, and nopass or a matching hash).
    pub fn accepts(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let hashed = sha256_hex(password);
        // Compare every hash in full, so timing does not tell how much matched.
        self.passwords.iter().fold(false, |found, p| {
            let diff = p
                .bytes()
                .zip(hashed.bytes())
                .fold(0u8, |d, (a, b)| d | (a ^ b));
            found | (diff == 0)
        })
    }

    /// Applies one ACL SETUSER modifier (Redis's ACLSetUser).
    pub fn apply(&mut self, cat: &Catalog, op: &[u8]) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize_payload = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize_payload = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                sha256_hex(&op[1..])
            } else {
                valid_hash(&op[1..])?
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                sha256_hex(&op[1..])
            } else {
                valid_hash(&op[1..])?
            };
            let at = self
                .passwords
                .iter()
                .position(|p| *p == hash)
                .ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(at);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let inner = &op[1..op.len() - 1];
            let ops = split_args(inner, false).ok_or(RuleError::Syntax)?;
            let mut selector = Selector::new(cat);
            for sub in &ops {
                if !sub.is_empty() {
                    selector.apply(cat, sub)?;
                }
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for step in ["resetpass", "resetkeys", "resetchannels"] {
                self.apply(cat, step.as_bytes())?;
            }
            if cat.pubsub_default_all {
                self.apply(cat, b"allchannels")?;
            }
            for step in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                self.apply(cat, step.as_bytes())?;
            }
        } else {
            self.selectors[0].apply(cat, op)?;
        }
        Ok(())
    }
}

/// A `#<hash>` rule's hash, if it is 64 lower-case hex digits.
fn valid_hash(hash: &[u8]) -> Result<String, RuleError> {
    if hash.len() != 64 || !hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(RuleError::BadHash);
    }
    Ok(String::from_utf8_lossy(hash).into_owned())
}

/// Joins selector definitions split over several arguments (`(~x` `+get)`) back into
/// one, as Redis's ACLMergeSelectorArguments. On an unclosed `(`, returns the index
/// of the argument that opened it.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (i, op) in args.iter().enumerate() {
        if let Some((_, acc)) = open.as_mut() {
            acc.push(b' ');
            acc.extend_from_slice(op);
            if op.last() == Some(&b')') {
                out.push(open.take().expect("open selector").1);
            }
            continue;
        }
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((i, op.clone()));
            continue;
        }
        out.push(op.clone());
    }
    match open {
        Some((start, _)) => Err(start),
        None => Ok(out),
    }
}
