//! `CommandSpec` rows and the `CommandTable` that looks them up by name.

use std::collections::HashMap;

use super::docs::{self, ArgDoc};
use super::key_specs::{KeyInfo, KeyRef};
use super::Handler;

/// Where a command's keys are in argv: Redis's legacy (first, last, step) triple.
/// `last` < 0 counts from the end (-1 = last argument). All zero: no keys.
/// A row's triple must equal the one its key specs give (see `key_specs`), which are
/// what COMMAND INFO, COMMAND GETKEYS and WATCH use; commands whose keys a triple
/// cannot describe (numkeys, SORT ... STORE) keep only the part it can.
#[derive(Debug, Clone, Copy)]
pub struct Keys {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

impl Keys {
    pub const NONE: Keys = Keys {
        first: 0,
        last: 0,
        step: 0,
    };
    /// One key at position 1.
    pub const ONE: Keys = Keys {
        first: 1,
        last: 1,
        step: 1,
    };
    /// Every argument from 1 on is a key.
    pub const ALL: Keys = Keys {
        first: 1,
        last: -1,
        step: 1,
    };
    /// Key-value pairs from 1 on (MSET).
    pub const PAIRS: Keys = Keys {
        first: 1,
        last: -1,
        step: 2,
    };
    /// Keys at 1 and 2 (RENAME, COPY...).
    pub const TWO: Keys = Keys {
        first: 1,
        last: 2,
        step: 1,
    };

    /// The argv positions of the keys of a request with `argc` arguments.
    pub fn positions(&self, argc: usize) -> Vec<usize> {
        if self.first <= 0 || self.step <= 0 {
            return Vec::new();
        }
        let last = if self.last < 0 {
            argc as i32 + self.last
        } else {
            self.last
        };
        let mut out = Vec::new();
        let mut i = self.first;
        while i <= last && (i as usize) < argc {
            out.push(i as usize);
            i += self.step;
        }
        out
    }
}

/// One command (or subcommand) of the table.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lower-case name (for a subcommand, just the subcommand: "get" in CONFIG GET).
    pub name: &'static str,
    /// Handler; for a container command (CONFIG, CLIENT...) it is never called directly.
    pub handler: Handler,
    /// Number of arguments including the name; negative means "at least -arity".
    pub arity: i32,
    pub flags: u32,
    pub keys: Keys,
    /// Redis's doc group ("string", "generic", "connection", "server"...).
    pub group: &'static str,
    /// Version of Redis that introduced it (COMMAND DOCS "since").
    pub since: &'static str,
    pub summary: &'static str,
    pub complexity: &'static str,
    /// Subcommands (CONFIG GET...). When non-empty, argv[1] selects the row.
    pub subcommands: &'static [CommandSpec],
}

/// Index of a row in the table (stable for the life of the process).
pub type CommandId = usize;

/// Every command, looked up case-insensitively without allocating.
pub struct CommandTable {
    pub specs: Vec<&'static CommandSpec>,
    /// Full name of each row: "get", or "config|get" for subcommands.
    pub full_names: Vec<String>,
    /// Id of the parent row, for subcommands.
    pub parent: Vec<Option<CommandId>>,
    /// Key specs, key procedure, legacy triple and movablekeys of each row.
    pub key_info: Vec<KeyInfo>,
    /// Whether each row runs a script (EVAL and its kin), looked up per request.
    pub runs_script: Vec<bool>,
    /// The arguments COMMAND DOCS describes for each row.
    pub arguments: Vec<Vec<ArgDoc>>,
    /// Whether each row runs other commands (EXEC, EVAL...), see
    /// [`super::runs_other_commands`].
    pub runs_others: Vec<bool>,
    by_name: HashMap<&'static [u8], CommandId, foldhash::fast::RandomState>,
    /// (parent id, subcommand name) -> id.
    by_sub: HashMap<(CommandId, &'static [u8]), CommandId, foldhash::fast::RandomState>,
}

/// Longest command name we look up; longer names cannot match.
const MAX_NAME: usize = 64;

impl CommandTable {
    /// Builds the table from every family.
    pub fn build(families: &[&'static [CommandSpec]]) -> CommandTable {
        let mut t = CommandTable {
            specs: Vec::new(),
            full_names: Vec::new(),
            parent: Vec::new(),
            key_info: Vec::new(),
            runs_script: Vec::new(),
            runs_others: Vec::new(),
            arguments: Vec::new(),
            by_name: HashMap::default(),
            by_sub: HashMap::default(),
        };
        for fam in families {
            for spec in fam.iter() {
                let id = t.specs.len();
                t.specs.push(spec);
                t.full_names.push(spec.name.to_string());
                t.parent.push(None);
                t.key_info.push(KeyInfo::for_command(spec.name, spec));
                t.runs_script.push(super::scripting::runs_script(spec));
                t.runs_others.push(super::runs_other_commands(spec));
                t.arguments.push(docs::arguments_of(spec.name));
                let dup = t.by_name.insert(spec.name.as_bytes(), id);
                assert!(dup.is_none(), "command {} defined twice", spec.name);
                for sub in spec.subcommands {
                    let sid = t.specs.len();
                    t.specs.push(sub);
                    let full = format!("{}|{}", spec.name, sub.name);
                    t.key_info.push(KeyInfo::for_command(&full, sub));
                    t.runs_script.push(false);
                    t.runs_others.push(false);
                    t.arguments.push(docs::arguments_of(&full));
                    t.full_names.push(full);
                    t.parent.push(Some(id));
                    t.by_sub.insert((id, sub.name.as_bytes()), sid);
                }
            }
        }
        t
    }

    /// Looks up a top-level command by name, ignoring case.
    pub fn lookup(&self, name: &[u8]) -> Option<CommandId> {
        let mut buf = [0u8; MAX_NAME];
        let lower = lowercase_into(name, &mut buf)?;
        self.by_name.get(lower).copied()
    }

    /// Looks up a subcommand of `parent`, ignoring case.
    pub fn lookup_sub(&self, parent: CommandId, name: &[u8]) -> Option<CommandId> {
        let mut buf = [0u8; MAX_NAME];
        let lower = lowercase_into(name, &mut buf)?;
        self.by_sub.get(&(parent, lower)).copied()
    }

    pub fn spec(&self, id: CommandId) -> &'static CommandSpec {
        self.specs[id]
    }

    /// The keys of request `argv` (command name first) for row `id`, with their key
    /// flags, as COMMAND GETKEYS finds them: empty when the arguments do not let them
    /// be found (bad numkeys...) or the command has none.
    pub fn get_keys(&self, id: CommandId, argv: &[Vec<u8>]) -> Vec<KeyRef> {
        self.key_info[id].find(argv)
    }

    /// Whether row `id`'s keys cannot be told by its legacy (first, last, step) triple.
    pub fn movable_keys(&self, id: CommandId) -> bool {
        self.key_info[id].movable
    }

    /// Ids of the top-level commands, in table order.
    pub fn top_level(&self) -> impl Iterator<Item = CommandId> + '_ {
        (0..self.specs.len()).filter(|&i| self.parent[i].is_none())
    }

    /// Ids of the subcommands of `id`.
    pub fn subcommands_of(&self, id: CommandId) -> impl Iterator<Item = CommandId> + '_ {
        (0..self.specs.len()).filter(move |&i| self.parent[i] == Some(id))
    }

    pub fn len(&self) -> usize {
        self.specs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}

/// Lower-cases `name` into `buf`; None if it is too long to be a command name.
fn lowercase_into<'a>(name: &[u8], buf: &'a mut [u8; MAX_NAME]) -> Option<&'a [u8]> {
    if name.len() > MAX_NAME {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..name.len()])
}

/// Whether `argc` arguments satisfy `arity`.
pub fn arity_ok(arity: i32, argc: usize) -> bool {
    if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= (-arity) as usize
    }
}

impl CommandSpec {
    /// A row without subcommands or complexity note.
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        handler: Handler,
        arity: i32,
        flags: u32,
        keys: Keys,
        group: &'static str,
        since: &'static str,
        summary: &'static str,
    ) -> CommandSpec {
        CommandSpec {
            name,
            handler,
            arity,
            flags,
            keys,
            group,
            since,
            summary,
            complexity: "",
            subcommands: &[],
        }
    }

    /// The same row with subcommands (a container command such as CONFIG).
    pub const fn with_subcommands(mut self, subcommands: &'static [CommandSpec]) -> CommandSpec {
        self.subcommands = subcommands;
        self
    }

    /// The same row with a complexity note for COMMAND DOCS.
    pub const fn with_complexity(mut self, complexity: &'static str) -> CommandSpec {
        self.complexity = complexity;
        self
    }

    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

/// Handler of container rows (CONFIG, CLIENT...): never called, because the call path
/// always resolves a subcommand first.
pub fn container_handler(
    _srv: &mut crate::server::Server,
    _c: &mut crate::server::Client,
) -> super::CommandResult {
    Err(super::CommandError::Syntax)
}
