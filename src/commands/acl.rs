//! ACL and its subcommands, and the server's side of access control: the check before
//! each request, the ACL log, the users configured at start-up (`user` lines or
//! `aclfile`) and `requirepass`, which is the default user's password.

use super::client::{client_info_line, reply_help};
use super::flags::*;
use super::table::container_handler;
use super::{CommandError, CommandId, CommandResult, CommandSpec, Keys};
use crate::acl::{
    self, describe, rules, Denied, LogContext, LogEntry, LogReason, SetUserError, UserId,
    DEFAULT_USER,
};
use crate::server::client::redact;
use crate::server::{random_hex, Client, Server};
use crate::util::numbers::{format_double, parse_i64};
use crate::util::time;

const ACL_SUBCOMMANDS: &[CommandSpec] = &[
    sub(
        "cat",
        acl_cat,
        -2,
        0,
        "6.0.0",
        "List the ACL categories or the commands inside a category",
        "O(1) since the categories and commands are a fixed set.",
    ),
    sub(
        "deluser",
        acl_deluser,
        -3,
        ADMIN,
        "6.0.0",
        "Remove the specified ACL users and the associated rules",
        "O(1) amortized time considering the typical user.",
    ),
    sub(
        "dryrun",
        acl_dryrun,
        -4,
        ADMIN,
        "7.0.0",
        "Returns whether the user can execute the given command without executing the command.",
        "O(1).",
    ),
    sub(
        "genpass",
        acl_genpass,
        -2,
        0,
        "6.0.0",
        "Generate a pseudorandom secure password to use for ACL users",
        "O(1)",
    ),
    sub(
        "getuser",
        acl_getuser,
        3,
        ADMIN,
        "6.0.0",
        "Get the rules for a specific ACL user",
        "O(N). Where N is the number of password, command and pattern rules that the user has.",
    ),
    CommandSpec::new(
        "help",
        acl_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "server",
        "6.0.0",
        "Show helpful text about the different subcommands",
    )
    .with_complexity("O(1)"),
    sub(
        "list",
        acl_list,
        2,
        ADMIN,
        "6.0.0",
        "List the current ACL rules in ACL config file format",
        "O(N). Where N is the number of configured users.",
    ),
    sub(
        "load",
        acl_load,
        2,
        ADMIN,
        "6.0.0",
        "Reload the ACLs from the configured ACL file",
        "O(N). Where N is the number of configured users.",
    ),
    sub(
        "log",
        acl_log_cmd,
        -2,
        ADMIN,
        "6.0.0",
        "List latest events denied because of ACLs in place",
        "O(N) with N being the number of entries shown.",
    ),
    sub(
        "save",
        acl_save,
        2,
        ADMIN,
        "6.0.0",
        "Save the current ACL rules in the configured ACL file",
        "O(N). Where N is the number of configured users.",
    ),
    sub(
        "setuser",
        acl_setuser,
        -3,
        ADMIN,
        "6.0.0",
        "Modify or create the rules for a specific ACL user",
        "O(N). Where N is the number of rules provided.",
    ),
    sub(
        "users",
        acl_users,
        2,
        ADMIN,
        "6.0.0",
        "List the username of all the configured ACL rules",
        "O(N). Where N is the number of configured users.",
    ),
    sub(
        "whoami",
        acl_whoami,
        2,
        0,
        "6.0.0",
        "Return the name of the user associated to the current connection",
        "O(1)",
    ),
];

/// An ACL subcommand row: every one is `noscript loading stale` (plus `extra`).
const fn sub(
    name: &'static str,
    handler: super::Handler,
    arity: i32,
    extra: u32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
) -> CommandSpec {
    CommandSpec::new(
        name,
        handler,
        arity,
        extra | NOSCRIPT | LOADING | STALE | SENTINEL,
        Keys::NONE,
        "server",
        since,
        summary,
    )
    .with_complexity(complexity)
}

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new(
    "acl",
    container_handler,
    -2,
    SENTINEL,
    Keys::NONE,
    "server",
    "6.0.0",
    "A container for Access List Control commands ",
)
.with_complexity("Depends on subcommand.")
.with_subcommands(ACL_SUBCOMMANDS)];

// ---------------------------------------------------------------------------------------
// The server's side

/// Where a denial for client `c` happened: inside MULTI or at top level.
pub fn log_context(c: &Client) -> LogContext {
    if c.multi.is_some() {
        LogContext::Multi
    } else {
        LogContext::Toplevel
    }
}

impl Server {
    /// Whether `c`'s user may run `c.argv` as row `id`; a denial is logged in the ACL
    /// log under `context`.
    pub fn acl_check_request(
        &mut self,
        c: &Client,
        id: CommandId,
        context: LogContext,
    ) -> Result<(), Denied> {
        self.acl_denied(c, id).inspect_err(|&denied| {
            self.acl_log_request_denial(c, id, denied, context);
        })
    }

    /// Whether `c`'s user may run `c.argv` as row `id` (no logging).
    pub fn acl_denied(&self, c: &Client, id: CommandId) -> Result<(), Denied> {
        match c.user {
            Some(user) if !self.acl.is_unrestricted(user) => {
                self.acl.check(&self.commands, user, id, &c.argv)
            }
            _ => Ok(()),
        }
    }

    /// Logs that `c`'s request (row `id`) was denied.
    pub fn acl_log_request_denial(
        &mut self,
        c: &Client,
        id: CommandId,
        denied: Denied,
        context: LogContext,
    ) {
        let Some(user) = c.user else { return };
        let info = client_info_line(self, c);
        self.acl_log_denied(user, denied, context, id, &c.argv, info);
    }

    /// Logs a denial: the command's full name, or the key or channel at fault.
    pub fn acl_log_denied(
        &mut self,
        user: UserId,
        denied: Denied,
        context: LogContext,
        id: CommandId,
        argv: &[Vec<u8>],
        client_info: String,
    ) {
        let (reason, object) = match denied {
            Denied::Command => (
                LogReason::Command,
                self.commands.full_names[id].as_bytes().to_vec(),
            ),
            Denied::Key(pos) => (LogReason::Key, argv[pos].clone()),
            Denied::Channel(pos) => (LogReason::Channel, argv[pos].clone()),
        };
        let entry = LogEntry {
            count: 1,
            reason,
            context,
            object,
            username: self.acl.name_of(user).to_vec(),
            ctime_ms: time::now_ms(),
            client_info,
        };
        self.acl
            .log_event(entry, self.config.acllog_max_len as usize);
    }

    /// Logs an event about client `c` (a failed AUTH: `username` is the one tried).
    pub fn acl_log(
        &mut self,
        c: &Client,
        reason: LogReason,
        context: LogContext,
        object: Vec<u8>,
        username: Vec<u8>,
    ) {
        let entry = LogEntry {
            count: 1,
            reason,
            context,
            object,
            username,
            ctime_ms: time::now_ms(),
            client_info: client_info_line(self, c),
        };
        self.acl
            .log_event(entry, self.config.acllog_max_len as usize);
    }

    /// Makes `requirepass` the default user's only password (none: nopass), as Redis
    /// does when it is set.
    pub fn acl_apply_requirepass(&mut self) {
        let ops: Vec<Vec<u8>> = match &self.config.requirepass {
            Some(pass) => vec![b"resetpass".to_vec(), [b">", pass.as_slice()].concat()],
            None => vec![b"resetpass".to_vec(), b"nopass".to_vec()],
        };
        let ops: Vec<&[u8]> = ops.iter().map(Vec::as_slice).collect();
        self.acl.update_default(&self.commands, &ops);
    }

    /// Sets up the users at start-up: `requirepass`, then the config file's `user`
    /// lines or the `aclfile` (not both). The error names what was wrong.
    pub fn acl_load_at_startup(&mut self) -> Result<(), String> {
        self.acl_apply_requirepass();
        if !self.config.aclfile.is_empty() && !self.config.users.is_empty() {
            return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".to_string());
        }
        let users = self.config.users.clone();
        let mut seen: Vec<&[u8]> = Vec::new();
        for u in &users {
            let name = &u.args[0];
            let at = format!("{}:{}", u.origin, u.line);
            if seen.contains(&name.as_slice()) {
                return Err(format!(
                    "{at}: Error in user declaration '{}': {}",
                    String::from_utf8_lossy(name),
                    rules::RuleError::DuplicateUser
                ));
            }
            seen.push(name);
            if rules::has_spaces(name) {
                return Err(format!("{at}: Spaces not allowed in ACL usernames"));
            }
            // A `user default` line starts from a reset default user, as in Redis.
            if name.as_slice() == b"default" {
                self.acl
                    .set_user(&self.commands, name, &[b"reset".to_vec()])
                    .expect("reset is a valid rule");
            }
            if let Err(e) = self.acl.set_user(&self.commands, name, &u.args[1..]) {
                return Err(format!(
                    "{at}: Error loading ACL rule for the user named '{}': {}",
                    String::from_utf8_lossy(name),
                    set_user_error_text(&e)
                ));
            }
            let user = self.acl.find(name).and_then(|id| self.acl.user(id));
            if user.is_some_and(|u| !u.enabled) {
                log::info!(
                    "The user '{}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.",
                    String::from_utf8_lossy(name)
                );
            }
        }
        if !self.config.aclfile.is_empty() {
            self.acl_load_file()
                .map_err(|e| format!("Aborting Redis startup because of ACL errors: {e}"))?;
        }
        Ok(())
    }

    /// Replaces the users with the ACL file's (all or nothing); the connections of
    /// every user but `default` are closed, as Redis frees all the old users.
    fn acl_load_file(&mut self) -> Result<(), acl::AclFileError> {
        let path = self.config.aclfile.clone();
        let text = std::fs::read(&path).map_err(|e| {
            acl::AclFileError(format!(
                "Error loading ACLs, opening file '{path}': {}",
                crate::persistence::aof::writer::strerror(&e)
            ))
        })?;
        let users = acl::parse_file(&text, &path, &self.commands, &self.acl)?;
        let gone = self.acl.replace_all(&self.commands, users);
        for id in gone {
            self.acl_drop_clients_of(id, None);
        }
        Ok(())
    }

    /// Closes the connections authenticated as `user` (except `current`, which closes
    /// after its reply), as Redis does when a user is deleted.
    fn acl_drop_clients_of(&mut self, user: UserId, current: Option<&mut Client>) {
        let victims: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(token, slot)| slot.as_ref().map(|c| (token, c)))
            .filter(|(_, c)| c.user == Some(user))
            .map(|(token, _)| token)
            .collect();
        for token in victims {
            self.close_client(token);
        }
        if let Some(c) = current {
            if c.user == Some(user) {
                c.user = Some(DEFAULT_USER);
                c.authenticated = false;
                c.close_after_reply = true;
            }
        }
    }

    /// After a user's channel rules changed: closes its subscribers whose channels
    /// the new rules no longer allow (Redis's ACLKillPubsubClientsIfNeeded).
    fn acl_drop_revoked_subscribers(&mut self, user: UserId, current: &mut Client) {
        let Some(u) = self.acl.user(user) else { return };
        if u.selectors.iter().any(|s| s.allchannels) {
            return;
        }
        let allowed: Vec<Vec<u8>> = u
            .selectors
            .iter()
            .flat_map(|s| s.channels.iter().cloned())
            .collect();
        let revoked = |c: &Client| {
            c.user == Some(user)
                && c.subscriptions
                    .as_ref()
                    .is_some_and(|s| !s.allowed_by(&allowed))
        };
        let victims: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(token, slot)| slot.as_ref().map(|c| (token, c)))
            .filter(|(_, c)| revoked(c))
            .map(|(token, _)| token)
            .collect();
        for token in victims {
            self.close_client(token);
        }
        if revoked(current) {
            current.close_after_reply = true;
        }
    }

    /// The `user` lines CONFIG REWRITE writes (none when an ACL file holds the users).
    pub fn acl_config_lines(&self) -> Option<Vec<String>> {
        if !self.config.aclfile.is_empty() {
            return None;
        }
        let cat = self.acl.catalog(&self.commands);
        Some(
            self.acl
                .users()
                .map(|(_, u)| self.acl.user_line(&cat, u))
                .collect(),
        )
    }
}

/// ACL SETUSER's error text for `e` (without the `ERR ` prefix).
fn set_user_error_text(e: &SetUserError) -> String {
    match e {
        SetUserError::UnmatchedParenthesis(arg) => format!(
            "Unmatched parenthesis in acl selector starting at '{}'.",
            String::from_utf8_lossy(arg)
        ),
        SetUserError::Rule(op, e) => format!(
            "Error in ACL SETUSER modifier '{}': {e}",
            String::from_utf8_lossy(op)
        ),
    }
}

/// An `ERR ...` error whose text may hold user input: newlines become spaces so the
/// reply stays one line (Redis's addReplyErrorSdsSafe).
fn safe_error(text: String) -> CommandError {
    let clean: String = text
        .chars()
        .map(|ch| if ch == '\r' || ch == '\n' { ' ' } else { ch })
        .collect();
    CommandError::Raw(format!("ERR {clean}"))
}

// ---------------------------------------------------------------------------------------
// Subcommands

fn acl_setuser(srv: &mut Server, c: &mut Client) -> CommandResult {
    // Rules hold passwords: none of them is shown by MONITOR or SLOWLOG.
    let mut args: Vec<Vec<u8>> = c.argv[2..].iter_mut().map(redact).collect();
    let ops = args.split_off(1);
    let name = args.pop().expect("arity guarantees a name");
    if rules::has_spaces(&name) {
        return Err(CommandError::Err(
            "Usernames can't contain spaces or null characters",
        ));
    }
    let existed = srv.acl.find(&name);
    let id = srv
        .acl
        .set_user(&srv.commands, &name, &ops)
        .map_err(|e| safe_error(set_user_error_text(&e)))?;
    if existed.is_some() {
        srv.acl_drop_revoked_subscribers(id, c);
    }
    c.reply.ok();
    Ok(())
}

fn acl_deluser(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argv[2..].iter().any(|n| n.as_slice() == b"default") {
        return Err(CommandError::Err("The 'default' user cannot be removed"));
    }
    let mut deleted = 0;
    // Copied: closing the deleted users' connections may need `c` itself.
    let names: Vec<Vec<u8>> = c.argv[2..].to_vec();
    for name in names {
        if let Some(id) = srv.acl.delete(&name) {
            srv.acl_drop_clients_of(id, Some(c));
            deleted += 1;
        }
    }
    c.reply.int(deleted);
    Ok(())
}

/// The commands, keys and channels fields of one selector (ACL GETUSER).
fn reply_selector(srv: &Server, c: &mut Client, s: &rules::Selector) {
    let cat = srv.acl.catalog(&srv.commands);
    c.reply.bulk(b"commands");
    c.reply.bulk(describe::command_rules(&cat, s).as_bytes());
    c.reply.bulk(b"keys");
    c.reply.bulk(describe::keys_field(s).as_bytes());
    c.reply.bulk(b"channels");
    c.reply.bulk(describe::channels_field(s).as_bytes());
}

fn acl_getuser(srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(user) = srv.acl.find(&c.argv[2]).and_then(|id| srv.acl.user(id)) else {
        c.reply.null();
        return Ok(());
    };
    let user = user.clone();
    c.reply.map_len(6);
    c.reply.bulk(b"flags");
    let flags = describe::user_flags(&user);
    c.reply.set_len(flags.len());
    for f in flags {
        c.reply.bulk(f.as_bytes());
    }
    c.reply.bulk(b"passwords");
    c.reply.array_len(user.passwords.len());
    for p in &user.passwords {
        c.reply.bulk(p.as_bytes());
    }
    reply_selector(srv, c, &user.selectors[0]);
    c.reply.bulk(b"selectors");
    c.reply.array_len(user.selectors.len() - 1);
    for s in &user.selectors[1..] {
        c.reply.map_len(3);
        reply_selector(srv, c, s);
    }
    Ok(())
}

fn acl_list(srv: &mut Server, c: &mut Client) -> CommandResult {
    let cat = srv.acl.catalog(&srv.commands);
    let lines: Vec<String> = srv
        .acl
        .users()
        .map(|(_, u)| srv.acl.user_line(&cat, u))
        .collect();
    c.reply.array_len(lines.len());
    for l in lines {
        c.reply.bulk(l.as_bytes());
    }
    Ok(())
}

fn acl_users(srv: &mut Server, c: &mut Client) -> CommandResult {
    let names: Vec<Vec<u8>> = srv.acl.users().map(|(_, u)| u.name.clone()).collect();
    c.reply.array_len(names.len());
    for n in names {
        c.reply.bulk(&n);
    }
    Ok(())
}

fn acl_whoami(srv: &mut Server, c: &mut Client) -> CommandResult {
    match c.user {
        Some(id) => {
            let name = srv.acl.name_of(id).to_vec();
            c.reply.bulk(&name);
        }
        None => c.reply.null(),
    }
    Ok(())
}

/// LOAD and SAVE need `aclfile`.
fn require_aclfile(srv: &Server) -> Result<(), CommandError> {
    if srv.config.aclfile.is_empty() {
        return Err(CommandError::Err(
            "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.",
        ));
    }
    Ok(())
}

fn acl_load(srv: &mut Server, c: &mut Client) -> CommandResult {
    require_aclfile(srv)?;
    let me = c.user;
    srv.acl_load_file()
        .map_err(|e| CommandError::Raw(format!("ERR {e}")))?;
    // The caller's own user went away with the others (unless it is default).
    if me.is_some_and(|u| u != DEFAULT_USER) {
        c.user = Some(DEFAULT_USER);
        c.authenticated = false;
        c.close_after_reply = true;
    }
    c.reply.ok();
    Ok(())
}

fn acl_save(srv: &mut Server, c: &mut Client) -> CommandResult {
    require_aclfile(srv)?;
    let text = srv.acl.file_text(&srv.commands);
    let path = std::path::PathBuf::from(&srv.config.aclfile);
    let tmp = path.with_file_name(format!(
        "{}.tmp-{}-{}",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id(),
        time::now_ms()
    ));
    let written = std::fs::write(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        log::warn!("Writing the ACL file for ACL SAVE: {e}");
        let _ = std::fs::remove_file(&tmp);
        return Err(CommandError::Err(
            "There was an error trying to save the ACLs. Please check the server logs for more information",
        ));
    }
    c.reply.ok();
    Ok(())
}

/// CAT, GENPASS and LOG take at most one argument; more is Redis's subcommand error.
fn at_most_one_arg(c: &Client) -> Result<(), CommandError> {
    if c.argc() > 3 {
        return Err(super::server_cmds::subcommand_syntax_error(c));
    }
    Ok(())
}

fn acl_cat(srv: &mut Server, c: &mut Client) -> CommandResult {
    at_most_one_arg(c)?;
    if c.argc() == 2 {
        c.reply.array_len(rules::ACL_CATEGORIES.len());
        for name in rules::ACL_CATEGORIES {
            c.reply.bulk(name.as_bytes());
        }
        return Ok(());
    }
    let Some(bit) = rules::Catalog::category(&c.argv[2]) else {
        let name = String::from_utf8_lossy(&c.argv[2]);
        let name: String = name.chars().take(128).collect();
        return Err(CommandError::Raw(format!("ERR Unknown category '{name}'")));
    };
    let mut names = Vec::new();
    for top in srv.commands.top_level() {
        for id in std::iter::once(top).chain(srv.commands.subcommands_of(top)) {
            if srv.acl.categories[id] & bit != 0 {
                names.push(srv.commands.full_names[id].clone());
            }
        }
    }
    c.reply.array_len(names.len());
    for n in names {
        c.reply.bulk(n.as_bytes());
    }
    Ok(())
}

const GENPASS_MAX_BITS: i64 = 4096;

fn acl_genpass(_srv: &mut Server, c: &mut Client) -> CommandResult {
    at_most_one_arg(c)?;
    let bits = match c.argv.get(2) {
        Some(arg) => parse_i64(arg).ok_or(CommandError::NotInteger)?,
        None => 256,
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return Err(CommandError::Raw(format!(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}"
        )));
    }
    let chars = (bits as usize).div_ceil(4);
    c.reply.bulk(random_hex(chars).as_bytes());
    Ok(())
}

fn acl_log_cmd(srv: &mut Server, c: &mut Client) -> CommandResult {
    at_most_one_arg(c)?;
    let mut count = 10usize;
    if let Some(arg) = c.argv.get(2) {
        if arg.eq_ignore_ascii_case(b"reset") {
            srv.acl.log.clear();
            c.reply.ok();
            return Ok(());
        }
        count = parse_i64(arg).ok_or(CommandError::NotInteger)?.max(0) as usize;
    }
    let now = time::now_ms();
    let entries: Vec<LogEntry> = srv.acl.log.iter().take(count).cloned().collect();
    c.reply.array_len(entries.len());
    for e in entries {
        c.reply.map_len(7);
        c.reply.bulk(b"count");
        c.reply.int(e.count as i64);
        c.reply.bulk(b"reason");
        c.reply.bulk(e.reason.name().as_bytes());
        c.reply.bulk(b"context");
        c.reply.bulk(e.context.name().as_bytes());
        c.reply.bulk(b"object");
        c.reply.bulk(&e.object);
        c.reply.bulk(b"username");
        c.reply.bulk(&e.username);
        c.reply.bulk(b"age-seconds");
        c.reply
            .double_text(format_double((now - e.ctime_ms) as f64 / 1000.0).as_bytes());
        c.reply.bulk(b"client-info");
        c.reply.bulk(e.client_info.as_bytes());
    }
    Ok(())
}

fn acl_dryrun(srv: &mut Server, c: &mut Client) -> CommandResult {
    let Some(user) = srv.acl.find(&c.argv[2]) else {
        return Err(CommandError::Raw(format!(
            "ERR User '{}' not found",
            String::from_utf8_lossy(&c.argv[2])
        )));
    };
    let argv = &c.argv[3..];
    let not_found = || {
        CommandError::Raw(format!(
            "ERR Command '{}' not found",
            String::from_utf8_lossy(&argv[0])
        ))
    };
    let mut id = srv.commands.lookup(&argv[0]).ok_or_else(not_found)?;
    if !srv.commands.spec(id).subcommands.is_empty() && argv.len() >= 2 {
        id = srv
            .commands
            .lookup_sub(id, &argv[1])
            .ok_or_else(not_found)?;
    }
    if !super::table::arity_ok(srv.commands.spec(id).arity, argv.len()) {
        return Err(CommandError::Raw(format!(
            "ERR wrong number of arguments for '{}' command",
            srv.commands.full_names[id]
        )));
    }
    let u = srv.acl.user(user).expect("found above");
    match acl::check_user(&srv.commands, u, id, argv) {
        Ok(()) => c.reply.ok(),
        Err(denied) => {
            let text = match denied {
                Denied::Command => format!(
                    "This user has no permissions to run the '{}' command",
                    srv.commands.full_names[id]
                ),
                Denied::Key(pos) => format!(
                    "This user has no permissions to access the '{}' key",
                    String::from_utf8_lossy(&argv[pos])
                ),
                Denied::Channel(pos) => format!(
                    "This user has no permissions to access the '{}' channel",
                    String::from_utf8_lossy(&argv[pos])
                ),
            };
            c.reply.bulk(text.as_bytes());
        }
    }
    Ok(())
}

fn acl_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    reply_help(
        c,
        &[
            "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}
