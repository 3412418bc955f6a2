//! Server commands (the server-commands helper fills this family).

use super::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
