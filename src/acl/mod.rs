//! Access control lists, as Redis 7.0's: named users with passwords, each allowed a
//! set of commands, key patterns (read, write or both) and channel patterns, through
//! one or more selectors. Every connection runs as a user (`default` until AUTH or
//! HELLO names another); the check before each command is skipped for a user allowed
//! everything, which is the default user unless it is restricted.
//!
//! `rules` parses and applies ACL SETUSER modifiers, `describe` writes users back as
//! rules, this module keeps the users, checks requests and keeps the ACL log.

pub mod describe;
pub mod rules;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use crate::commands::key_specs::key_flags;
use crate::commands::{CommandId, CommandTable};
use crate::util::glob::glob_match;
use rules::{Catalog, RuleError, Selector, User, KEY_READ, KEY_WRITE};

/// A user's slot; slot 0 is always `default`.
pub type UserId = usize;
pub const DEFAULT_USER: UserId = 0;

/// Why a request was refused, with the argv position of the key or channel at fault.
/// The order matters: across selectors the highest kind is reported (Redis's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denied {
    /// How a script's error names the denial (Redis's getAclErrorMessage).
    pub fn script_phrase(self) -> &'static str {
        match self {
            Denied::Command => "can't run this command or subcommand",
            Denied::Key(_) => {
                "can't access at least one of the keys mentioned in the command arguments"
            }
            Denied::Channel(_) => "can't publish to the channel mentioned in the command",
        }
    }

    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(pos) => (2, pos),
            Denied::Channel(pos) => (4, pos),
        }
    }
}

/// Where a denial happened, as ACL LOG's `context` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogContext {
    Toplevel,
    Multi,
    Lua,
}

impl LogContext {
    pub fn name(self) -> &'static str {
        match self {
            LogContext::Toplevel => "toplevel",
            LogContext::Multi => "multi",
            LogContext::Lua => "lua",
        }
    }
}

/// What an ACL LOG entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    Command,
    Key,
    Channel,
    Auth,
}

impl LogReason {
    pub fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Channel => "channel",
            LogReason::Auth => "auth",
        }
    }
}

/// One ACL LOG entry; similar events within a minute are counted in one.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub count: u64,
    pub reason: LogReason,
    pub context: LogContext,
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    pub ctime_ms: i64,
    /// CLIENT LIST line of the client, at the last occurrence.
    pub client_info: String,
}

/// Events closer than this are grouped into one entry.
const LOG_GROUPING_MS: i64 = 60_000;
/// How many recent entries are looked at for grouping.
const LOG_GROUPING_SCAN: usize = 10;

/// Why an ACL file could not be loaded: one line per problem, as Redis reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclFileError(pub String);

impl fmt::Display for AclFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every user, by slot and by name, plus what the checks need from the command table.
pub struct Acl {
    users: Vec<Option<User>>,
    by_name: BTreeMap<Vec<u8>, UserId>,
    /// Cached [`User::unrestricted`] per slot.
    unrestricted: Vec<bool>,
    /// Each command row's category mask.
    pub categories: Vec<u32>,
    pub pubsub_default_all: bool,
    /// Newest first.
    pub log: VecDeque<LogEntry>,
}

impl Acl {
    /// The ACLs of a fresh server: just `default`, allowed everything, no password.
    pub fn new(table: &CommandTable, pubsub_default_all: bool) -> Acl {
        let categories = (0..table.len())
            .map(|id| crate::commands::server_cmds::acl_category_mask(table, id))
            .collect();
        let mut acl = Acl {
            users: Vec::new(),
            by_name: BTreeMap::new(),
            unrestricted: Vec::new(),
            categories,
            pubsub_default_all,
            log: VecDeque::new(),
        };
        let default = User::new_default(&acl.catalog(table));
        acl.insert(default);
        acl
    }

    pub fn catalog<'a>(&'a self, table: &'a CommandTable) -> Catalog<'a> {
        Catalog {
            table,
            categories: &self.categories,
            pubsub_default_all: self.pubsub_default_all,
        }
    }

    /// Adds a user in a new slot. Slots are never reused, so a connection still
    /// holding a deleted user's slot can never act as a newer user.
    fn insert(&mut self, user: User) -> UserId {
        self.by_name.insert(user.name.clone(), self.users.len());
        self.unrestricted.push(user.unrestricted());
        self.users.push(Some(user));
        self.users.len() - 1
    }

    /// Whether `id` may run anything (the check can be skipped).
    pub fn is_unrestricted(&self, id: UserId) -> bool {
        self.unrestricted.get(id).copied().unwrap_or(false)
    }

    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(id).and_then(Option::as_ref)
    }

    pub fn default_user(&self) -> &User {
        self.user(DEFAULT_USER)
            .expect("the default user always exists")
    }

    pub fn find(&self, name: &[u8]) -> Option<UserId> {
        self.by_name.get(name).copied()
    }

    /// Users in name order (as Redis's radix tree lists them).
    pub fn users(&self) -> impl Iterator<Item = (UserId, &User)> {
        self.by_name
            .values()
            .filter_map(|&id| self.user(id).map(|u| (id, u)))
    }

    pub fn name_of(&self, id: UserId) -> &[u8] {
        self.user(id).map_or(b"default", |u| &u.name)
    }

    /// Whether a connection that has not authenticated must (Redis's authRequired
    /// for a client with `authenticated` false).
    pub fn auth_required(&self) -> bool {
        let d = self.default_user();
        !d.nopass || !d.enabled
    }

    /// ACL SETUSER: applies `ops` to the named user (created if new), all or nothing.
    pub fn set_user(
        &mut self,
        table: &CommandTable,
        name: &[u8],
        ops: &[Vec<u8>],
    ) -> Result<UserId, SetUserError> {
        let merged = rules::merge_selector_args(ops)
            .map_err(|i| SetUserError::UnmatchedParenthesis(ops[i].clone()))?;
        let existing = self.find(name);
        let cat = self.catalog(table);
        let mut staged = match existing.and_then(|id| self.user(id)) {
            Some(u) => u.clone(),
            None => User::new(name, &cat),
        };
        for op in &merged {
            staged
                .apply(&cat, op)
                .map_err(|e| SetUserError::Rule(op.clone(), e))?;
        }
        Ok(self.store(existing, staged))
    }

    /// Puts `user` in slot `existing` (or a new one) and refreshes the cache.
    fn store(&mut self, existing: Option<UserId>, user: User) -> UserId {
        match existing {
            Some(id) => {
                self.unrestricted[id] = user.unrestricted();
                self.users[id] = Some(user);
                id
            }
            None => self.insert(user),
        }
    }

    /// Applies `ops` to the default user (internal updates: `requirepass`).
    pub fn update_default(&mut self, table: &CommandTable, ops: &[&[u8]]) {
        let cat = self.catalog(table);
        let mut u = self.default_user().clone();
        for op in ops {
            if let Err(e) = u.apply(&cat, op) {
                log::warn!("Updating the default user: {e}");
            }
        }
        self.store(Some(DEFAULT_USER), u);
    }

    /// Removes a user; returns its slot so its connections can be closed.
    pub fn delete(&mut self, name: &[u8]) -> Option<UserId> {
        let id = self.by_name.remove(name)?;
        self.users[id] = None;
        self.unrestricted[id] = false;
        Some(id)
    }

    /// Replaces every user with `users` (ACL LOAD, start-up); `default` keeps slot 0
    /// and is created fresh if `users` lacks it. Returns the slots that went away
    /// (every one but default's, as Redis frees all old users).
    pub fn replace_all(&mut self, table: &CommandTable, users: Vec<User>) -> Vec<UserId> {
        let gone: Vec<UserId> = self
            .by_name
            .values()
            .copied()
            .filter(|&id| id != DEFAULT_USER)
            .collect();
        for id in &gone {
            self.users[*id] = None;
            self.unrestricted[*id] = false;
        }
        self.by_name.retain(|_, id| *id == DEFAULT_USER);
        let mut default = None;
        for u in users {
            if u.name == b"default" {
                default = Some(u);
            } else {
                self.insert(u);
            }
        }
        let default = default.unwrap_or_else(|| User::new_default(&self.catalog(table)));
        self.store(Some(DEFAULT_USER), default);
        gone
    }

    /// Checks the credentials; `Some(user)` when they log in.
    pub fn authenticate(&self, name: &[u8], password: &[u8]) -> Option<UserId> {
        let id = self.find(name)?;
        self.user(id)?.accepts(password).then_some(id)
    }

    /// Whether `user` may run row `id` with `argv` (the command name first).
    pub fn check(
        &self,
        table: &CommandTable,
        user: UserId,
        id: CommandId,
        argv: &[Vec<u8>],
    ) -> Result<(), Denied> {
        if self.unrestricted.get(user).copied().unwrap_or(false) {
            return Ok(());
        }
        let Some(u) = self.user(user) else {
            return Err(Denied::Command);
        };
        check_user(table, u, id, argv)
    }

    /// Whether some selector of `user` both allows the request and may read every
    /// key (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reads): SORT's BY
    /// and GET read keys no key spec names.
    pub fn may_read_any_key(
        &self,
        table: &CommandTable,
        user: UserId,
        id: CommandId,
        argv: &[Vec<u8>],
    ) -> bool {
        if self.is_unrestricted(user) {
            return true;
        }
        let Some(u) = self.user(user) else {
            return false;
        };
        let mut keys = None;
        u.selectors.iter().any(|s| {
            check_selector(table, s, id, argv, &mut keys).is_ok()
                && (s.allkeys
                    || s.keys
                        .iter()
                        .any(|p| p.perms & KEY_READ != 0 && p.pattern == b"*"))
        })
    }

    /// Adds an ACL LOG entry, or counts it in a recent similar one.
    pub fn log_event(&mut self, entry: LogEntry, max_len: usize) {
        let similar = self.log.iter().take(LOG_GROUPING_SCAN).position(|e| {
            e.reason == entry.reason
                && e.context == entry.context
                && (e.ctime_ms - entry.ctime_ms).abs() <= LOG_GROUPING_MS
                && e.object == entry.object
                && e.username == entry.username
        });
        match similar {
            Some(i) => {
                let mut e = self.log.remove(i).expect("found above");
                e.count += 1;
                e.ctime_ms = entry.ctime_ms;
                e.client_info = entry.client_info;
                self.log.push_front(e);
            }
            None => {
                self.log.push_front(entry);
                self.log.truncate(max_len);
            }
        }
    }

    /// The ACL file text: one `user <name> <rules>` line per user, in name order.
    pub fn file_text(&self, table: &CommandTable) -> String {
        let cat = self.catalog(table);
        let mut out = String::new();
        for (_, u) in self.users() {
            out.push_str(&self.user_line(&cat, u));
            out.push('\n');
        }
        out
    }

    /// `user <name> <rules>`, as ACL LIST and ACL SAVE write it.
    pub fn user_line(&self, cat: &Catalog, u: &User) -> String {
        format!(
            "user {} {}",
            String::from_utf8_lossy(&u.name),
            describe::user_rules(cat, u)
        )
    }
}

/// Why ACL SETUSER failed (its wire text is made in `commands::acl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetUserError {
    UnmatchedParenthesis(Vec<u8>),
    Rule(Vec<u8>, RuleError),
}

/// The check of one user over all its selectors (Redis's ACLCheckAllUserCommandPerm):
/// allowed if any selector allows; otherwise the most telling denial.
pub fn check_user(
    table: &CommandTable,
    u: &User,
    id: CommandId,
    argv: &[Vec<u8>],
) -> Result<(), Denied> {
    let mut keys = None;
    let mut worst = Denied::Command;
    for s in &u.selectors {
        match check_selector(table, s, id, argv, &mut keys) {
            Ok(()) => return Ok(()),
            Err(d) => {
                if d.rank() > worst.rank() {
                    worst = d;
                }
            }
        }
    }
    Err(worst)
}

fn check_selector(
    table: &CommandTable,
    s: &Selector,
    id: CommandId,
    argv: &[Vec<u8>],
    keys: &mut Option<Vec<crate::commands::key_specs::KeyRef>>,
) -> Result<(), Denied> {
    let no_auth = table.spec(id).flags & crate::commands::flags::NO_AUTH != 0;
    if !s.allcommands && !no_auth && !s.allows(id) {
        let idx = if table.parent[id].is_some() { 2 } else { 1 };
        let first_ok = match (s.first_args_of(id), argv.get(idx)) {
            (Some(args), Some(arg)) => args.iter().any(|a| a.eq_ignore_ascii_case(arg)),
            _ => false,
        };
        if !first_ok {
            return Err(Denied::Command);
        }
    }
    if !s.allkeys && table.key_info[id].has_keys() {
        let found = keys.get_or_insert_with(|| table.get_keys(id, argv));
        for k in found.iter() {
            if !key_allowed(s, &argv[k.pos], k.flags) {
                return Err(Denied::Key(k.pos));
            }
        }
    }
    if !s.allchannels {
        for (pos, is_pattern) in channels_of(&table.full_names[id], argv) {
            if !channel_allowed(&s.channels, &argv[pos], is_pattern) {
                return Err(Denied::Channel(pos));
            }
        }
    }
    Ok(())
}

/// Whether a key used with key-spec `flags` matches one of the selector's patterns
/// that grants the access those flags need.
pub fn key_allowed(s: &Selector, key: &[u8], flags: u32) -> bool {
    if s.allkeys {
        return true;
    }
    let mut need = 0;
    if flags & key_flags::ACCESS != 0 {
        need |= KEY_READ;
    }
    if flags & (key_flags::INSERT | key_flags::DELETE | key_flags::UPDATE) != 0 {
        need |= KEY_WRITE;
    }
    s.keys
        .iter()
        .any(|p| p.perms & need == need && glob_match(&p.pattern, key, false))
}

/// A channel (or, with `is_pattern`, a PSUBSCRIBE pattern, matched literally) against
/// a selector's channel patterns.
pub fn channel_allowed(patterns: &[Vec<u8>], channel: &[u8], is_pattern: bool) -> bool {
    patterns.iter().any(|p| {
        if is_pattern {
            p == channel
        } else {
            glob_match(p, channel, false)
        }
    })
}

/// The channels a request publishes or subscribes to, with whether each is a pattern
/// (unsubscribing needs no permission).
pub fn channels_of(command: &str, argv: &[Vec<u8>]) -> Vec<(usize, bool)> {
    match command {
        "publish" | "spublish" if argv.len() > 1 => vec![(1, false)],
        "subscribe" | "ssubscribe" => (1..argv.len()).map(|i| (i, false)).collect(),
        "psubscribe" => (1..argv.len()).map(|i| (i, true)).collect(),
        _ => Vec::new(),
    }
}

/// Reads ACL file text into users, as Redis's ACLLoadFromFile: every problem is
/// collected; any problem means nothing is loaded. `filename` names the file in errors.
pub fn parse_file(
    text: &[u8],
    filename: &str,
    table: &CommandTable,
    acl: &Acl,
) -> Result<Vec<User>, AclFileError> {
    let cat = acl.catalog(table);
    let mut users: Vec<User> = Vec::new();
    let mut errors = String::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let linenum = i + 1;
        let line = trim(raw);
        if line.is_empty() {
            continue;
        }
        let args: Vec<Vec<u8>> = line
            .split(|&b| b == b' ')
            .filter(|a| !a.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        if args.is_empty() {
            continue;
        }
        if args[0] != b"user" || args.len() < 2 {
            errors.push_str(&format!(
                "{filename}:{linenum} should start with user keyword followed by the username. "
            ));
            continue;
        }
        let name = &args[1];
        if rules::has_spaces(name) {
            errors.push_str(&format!(
                "'{filename}:{linenum}: username '{}' contains invalid characters. ",
                String::from_utf8_lossy(name)
            ));
            continue;
        }
        if users.iter().any(|u| &u.name == name) {
            errors.push_str(&format!(
                "WARNING: Duplicate user '{}' found on line {linenum}. ",
                String::from_utf8_lossy(name)
            ));
            continue;
        }
        let mut user = User::new(name, &cat);
        let merged = match rules::merge_selector_args(&args[2..]) {
            Ok(m) => m,
            Err(_) => {
                errors.push_str(&format!(
                    "{filename}:{linenum}: Unmatched parenthesis in selector definition."
                ));
                Vec::new()
            }
        };
        let mut syntax_error = false;
        for op in &merged {
            let op = trim(op);
            if let Err(e) = user.apply(&cat, op) {
                if e == RuleError::UnknownCommand {
                    errors.push_str(&format!(
                        "{filename}:{linenum}: Error in applying operation '{}': {e}. ",
                        String::from_utf8_lossy(op)
                    ));
                } else if !syntax_error {
                    errors.push_str(&format!("{filename}:{linenum}: {e}. "));
                    syntax_error = true;
                }
            }
        }
        users.push(user);
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        errors.push_str(
            "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
        );
        Err(AclFileError(errors))
    }
}

/// `s` without leading and trailing spaces, tabs, CRs and LFs.
fn trim(s: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = s.iter().position(|b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !ws(b)).map_or(start, |e| e + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests;
