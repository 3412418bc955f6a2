//! What COMMAND DOCS says of a command beyond its table row: its arguments (name,
//! type, token, flags and nested arguments) and its doc flags (deprecated, system
//! command). redis-cli builds its `help` pages and the hints it shows while a command
//! is typed from the arguments, so they are Redis 7.0's description, argument for
//! argument.
//!
//! The descriptions live in [`ARGUMENTS`] in a compact notation, one line per command,
//! parsed when the command table is built:
//!
//! ```text
//! item    := flag* body
//! flag    := '?' optional | '*' multiple | '+' multiple_token
//! body    := TOKEN suffix*                    pure token named after it ("NX" -> nx)
//!          | name '=' token suffix*           pure token with another name or symbol
//!          | [TOKEN '/'] name [':' type] suffix* [group]
//! group   := '(' item ('|' item)* ')'         oneof
//!          | '{' item (' ' item)* '}'         block
//! suffix  := '#' n                            key_spec_index (keys default to 0)
//!          | '^' version                      since
//!          | '!' version                      deprecated_since
//! type    := 'i' integer | 'd' double | 't' unix-time | 'p' pattern | 'k' key | 's' string
//! ```
//!
//! A name is lower case (`[a-z0-9_-]`) or quoted (`'ip:port'`); a bare upper-case word
//! is a token. An argument without a type is a string, or a key when it is named `key`.
//! So `key value ?condition(NX|XX)` is SET's start: a key, a string, and an optional
//! oneof of two pure tokens.

use std::fmt;

use crate::protocol::reply::ReplyBuf;

mod arguments;
use arguments::ARGUMENTS;

/// What kind of value an argument takes (Redis's argument types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgKind {
    /// The type's name in COMMAND DOCS.
    fn wire_name(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Key => "key",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::OneOf => "oneof",
            ArgKind::Block => "block",
        }
    }

    /// The type of a one-letter code after `:`.
    fn from_code(code: u8) -> Option<ArgKind> {
        Some(match code {
            b'i' => ArgKind::Integer,
            b'd' => ArgKind::Double,
            b't' => ArgKind::UnixTime,
            b'p' => ArgKind::Pattern,
            b'k' => ArgKind::Key,
            b's' => ArgKind::String,
            _ => return None,
        })
    }
}

/// Argument flags, in the order COMMAND DOCS prints them.
pub const OPTIONAL: u8 = 1;
pub const MULTIPLE: u8 = 2;
pub const MULTIPLE_TOKEN: u8 = 4;
const FLAG_NAMES: [(u8, &str); 3] = [
    (OPTIONAL, "optional"),
    (MULTIPLE, "multiple"),
    (MULTIPLE_TOKEN, "multiple_token"),
];

/// One argument of a command.
#[derive(Debug, PartialEq)]
pub struct ArgDoc {
    pub name: String,
    pub kind: ArgKind,
    /// Which of the command's key specs finds this argument (keys, and the patterns
    /// that name keys).
    pub key_spec_index: Option<u32>,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub flags: u8,
    /// The choices of a oneof, the parts of a block.
    pub args: Vec<ArgDoc>,
}

/// Why a line of the notation does not parse.
#[derive(Debug, PartialEq, Eq)]
pub enum NotationError {
    /// A character that cannot come here.
    Unexpected { at: usize, found: char },
    /// The line ends inside an argument or a group.
    UnexpectedEnd,
    /// `:` followed by something other than a type code.
    UnknownType { at: usize },
    /// A quoted name without its closing quote.
    UnclosedQuote { at: usize },
}

impl fmt::Display for NotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotationError::Unexpected { at, found } => {
                write!(f, "unexpected '{found}' at byte {at}")
            }
            NotationError::UnexpectedEnd => write!(f, "unexpected end"),
            NotationError::UnknownType { at } => write!(f, "unknown type code at byte {at}"),
            NotationError::UnclosedQuote { at } => write!(f, "unclosed quote at byte {at}"),
        }
    }
}

/// Commands Redis documents as deprecated, with the version that deprecated them.
const DEPRECATED: &[(&str, &str)] = &[
    ("brpoplpush", "6.2.0"),
    ("cluster|slaves", "5.0.0"),
    ("cluster|slots", "7.0.0"),
    ("georadius", "6.2.0"),
    ("georadius_ro", "6.2.0"),
    ("georadiusbymember", "6.2.0"),
    ("georadiusbymember_ro", "6.2.0"),
    ("getset", "6.2.0"),
    ("hmset", "4.0.0"),
    ("rpoplpush", "6.2.0"),
    ("slaveof", "5.0.0"),
    ("substr", "2.0.0"),
    ("zrangebylex", "6.2.0"),
    ("zrangebyscore", "6.2.0"),
    ("zrevrange", "6.2.0"),
    ("zrevrangebylex", "6.2.0"),
    ("zrevrangebyscore", "6.2.0"),
];

/// Commands Redis documents as system commands: for servers and tools, not
/// applications.
const SYSTEM_COMMANDS: &[&str] = &[
    "debug",
    "pfdebug",
    "pfselftest",
    "replconf",
    "restore-asking",
];

/// The version that deprecated the command with this full name, if it is deprecated.
pub fn deprecated_since(full_name: &str) -> Option<&'static str> {
    DEPRECATED
        .iter()
        .find(|(name, _)| *name == full_name)
        .map(|(_, version)| *version)
}

/// The command's doc flags, in Redis's order ("deprecated", "syscmd").
pub fn doc_flags(full_name: &str) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if deprecated_since(full_name).is_some() {
        flags.push("deprecated");
    }
    if SYSTEM_COMMANDS.contains(&full_name) {
        flags.push("syscmd");
    }
    flags
}

/// The arguments of the command with this full name ("set", "config|get"): empty for
/// a command without arguments. A line that fails to parse (a defect the unit tests
/// catch) is logged and leaves the command without arguments.
pub fn arguments_of(full_name: &str) -> Vec<ArgDoc> {
    let Ok(i) = ARGUMENTS.binary_search_by(|(name, _)| name.cmp(&full_name)) else {
        return Vec::new();
    };
    parse(ARGUMENTS[i].1).unwrap_or_else(|e| {
        log::warn!("COMMAND DOCS arguments of {full_name}: {e}");
        Vec::new()
    })
}

/// Parses one line of the notation.
pub fn parse(src: &'static str) -> Result<Vec<ArgDoc>, NotationError> {
    let mut p = Parser { src, pos: 0 };
    let args = p.list(b' ', None)?;
    match p.peek() {
        None => Ok(args),
        Some(c) => Err(p.unexpected(c)),
    }
}

/// Writes `args` as COMMAND DOCS's "arguments" array (Redis's field order).
pub fn reply_arguments(reply: &mut ReplyBuf, args: &[ArgDoc]) {
    reply.array_len(args.len());
    for arg in args {
        let nested = matches!(arg.kind, ArgKind::OneOf | ArgKind::Block);
        let fields = 2
            + usize::from(arg.key_spec_index.is_some())
            + usize::from(arg.token.is_some())
            + usize::from(arg.since.is_some())
            + usize::from(arg.deprecated_since.is_some())
            + usize::from(arg.flags != 0)
            + usize::from(nested);
        reply.map_len(fields);
        reply.bulk(b"name");
        reply.bulk(arg.name.as_bytes());
        reply.bulk(b"type");
        reply.bulk(arg.kind.wire_name().as_bytes());
        if let Some(index) = arg.key_spec_index {
            reply.bulk(b"key_spec_index");
            reply.int(i64::from(index));
        }
        for (field, value) in [
            ("token", arg.token),
            ("since", arg.since),
            ("deprecated_since", arg.deprecated_since),
        ] {
            if let Some(value) = value {
                reply.bulk(field.as_bytes());
                reply.bulk(value.as_bytes());
            }
        }
        if arg.flags != 0 {
            reply.bulk(b"flags");
            reply.set_len(arg.flags.count_ones() as usize);
            for (bit, name) in FLAG_NAMES {
                if arg.flags & bit != 0 {
                    reply.simple(name);
                }
            }
        }
        if nested {
            reply.bulk(b"arguments");
            reply_arguments(reply, &arg.args);
        }
    }
}

/// A recursive-descent reader of one line.
struct Parser {
    src: &'static str,
    pos: usize,
}

/// Characters that end a token written after `=` (which may be a symbol such as `*`).
const TOKEN_END: &[u8] = b" |)}^!#";

impl Parser {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn unexpected(&self, c: u8) -> NotationError {
        NotationError::Unexpected {
            at: self.pos,
            found: c as char,
        }
    }

    /// The longest run of bytes from here that satisfy `keep`.
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'static str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// Items separated by `sep`, up to `end` (not consumed) or the end of the line.
    fn list(&mut self, sep: u8, end: Option<u8>) -> Result<Vec<ArgDoc>, NotationError> {
        let mut items = vec![self.item()?];
        loop {
            match self.peek() {
                None if end.is_none() => return Ok(items),
                None => return Err(NotationError::UnexpectedEnd),
                Some(c) if Some(c) == end => return Ok(items),
                Some(c) if c == sep => {
                    self.pos += 1;
                    items.push(self.item()?);
                }
                Some(c) => return Err(self.unexpected(c)),
            }
        }
    }

    fn item(&mut self) -> Result<ArgDoc, NotationError> {
        let mut flags = 0;
        while let Some(flag) = self.peek().and_then(|c| match c {
            b'?' => Some(OPTIONAL),
            b'*' => Some(MULTIPLE),
            b'+' => Some(MULTIPLE_TOKEN),
            _ => None,
        }) {
            flags |= flag;
            self.pos += 1;
        }
        let mut arg = if self.peek() == Some(b'\'') {
            let name = self.quoted()?;
            self.typed(name.to_string(), None)?
        } else {
            let word = self.take_while(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
            match (word.is_empty(), self.peek()) {
                (true, Some(c)) => return Err(self.unexpected(c)),
                (true, None) => return Err(NotationError::UnexpectedEnd),
                (false, Some(b'=')) => {
                    self.pos += 1;
                    let token = self.take_while(|c| !TOKEN_END.contains(&c));
                    ArgDoc::pure_token(word.to_string(), token)
                }
                (false, Some(b'/')) => {
                    self.pos += 1;
                    let name = self.name()?;
                    self.typed(name, Some(word))?
                }
                _ if is_token(word) => ArgDoc::pure_token(word.to_ascii_lowercase(), word),
                _ => self.typed(word.to_string(), None)?,
            }
        };
        arg.flags = flags;
        self.suffixes(&mut arg)?;
        if arg.key_spec_index.is_none() && arg.kind == ArgKind::Key {
            arg.key_spec_index = Some(0);
        }
        if matches!(arg.kind, ArgKind::String | ArgKind::Key) && arg.args.is_empty() {
            self.group(&mut arg)?;
        }
        Ok(arg)
    }

    /// A name after a token and `/`: lower case or quoted.
    fn name(&mut self) -> Result<String, NotationError> {
        if self.peek() == Some(b'\'') {
            return Ok(self.quoted()?.to_string());
        }
        let name = self
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
        match (name.is_empty(), self.peek()) {
            (false, _) => Ok(name.to_string()),
            (true, Some(c)) => Err(self.unexpected(c)),
            (true, None) => Err(NotationError::UnexpectedEnd),
        }
    }

    /// The text between two single quotes.
    fn quoted(&mut self) -> Result<&'static str, NotationError> {
        let open = self.pos;
        self.pos += 1;
        let text = self.take_while(|c| c != b'\'');
        if self.peek().is_none() {
            return Err(NotationError::UnclosedQuote { at: open });
        }
        self.pos += 1;
        Ok(text)
    }

    /// A valued argument: its `:type`, if any.
    fn typed(
        &mut self,
        name: String,
        token: Option<&'static str>,
    ) -> Result<ArgDoc, NotationError> {
        let mut kind = if name == "key" {
            ArgKind::Key
        } else {
            ArgKind::String
        };
        if self.peek() == Some(b':') {
            self.pos += 1;
            let at = self.pos;
            kind = self
                .peek()
                .and_then(ArgKind::from_code)
                .ok_or(NotationError::UnknownType { at })?;
            self.pos += 1;
        }
        Ok(ArgDoc {
            token,
            ..ArgDoc::new(name, kind)
        })
    }

    fn suffixes(&mut self, arg: &mut ArgDoc) -> Result<(), NotationError> {
        while let Some(c @ (b'#' | b'^' | b'!')) = self.peek() {
            self.pos += 1;
            let at = self.pos;
            let text = self.take_while(|c| c.is_ascii_digit() || c == b'.');
            if text.is_empty() {
                return Err(match self.peek() {
                    Some(found) => self.unexpected(found),
                    None => NotationError::UnexpectedEnd,
                });
            }
            match c {
                b'#' => {
                    let index = text.parse().map_err(|_| NotationError::Unexpected {
                        at,
                        found: text.as_bytes()[0] as char,
                    })?;
                    arg.key_spec_index = Some(index);
                }
                b'^' => arg.since = Some(text),
                _ => arg.deprecated_since = Some(text),
            }
        }
        Ok(())
    }

    /// A `( | )` or `{ }` group after a name, which makes the argument a oneof or a
    /// block.
    fn group(&mut self, arg: &mut ArgDoc) -> Result<(), NotationError> {
        let (kind, sep, close) = match self.peek() {
            Some(b'(') => (ArgKind::OneOf, b'|', b')'),
            Some(b'{') => (ArgKind::Block, b' ', b'}'),
            _ => return Ok(()),
        };
        self.pos += 1;
        arg.args = self.list(sep, Some(close))?;
        self.pos += 1;
        arg.kind = kind;
        arg.key_spec_index = None;
        Ok(())
    }
}

impl ArgDoc {
    fn pure_token(name: String, token: &'static str) -> ArgDoc {
        ArgDoc {
            token: Some(token),
            ..ArgDoc::new(name, ArgKind::PureToken)
        }
    }

    fn new(name: String, kind: ArgKind) -> ArgDoc {
        ArgDoc {
            name,
            kind,
            key_spec_index: None,
            token: None,
            since: None,
            deprecated_since: None,
            flags: 0,
            args: Vec::new(),
        }
    }
}

/// A bare word that is a token: it starts with an upper-case letter and has no
/// lower-case one.
fn is_token(word: &str) -> bool {
    word.as_bytes()[0].is_ascii_uppercase() && !word.bytes().any(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses_and_names_a_command_in_order() {
        for pair in ARGUMENTS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        let table = crate::commands::CommandTable::build(&crate::commands::all_families());
        for (name, line) in ARGUMENTS {
            assert!(
                table.full_names.iter().any(|n| n == name),
                "{name} is not a command"
            );
            if let Err(e) = parse(line) {
                panic!("{name}: {e}");
            }
        }
    }

    #[test]
    fn set_reads_as_redis_describes_it() {
        let args = parse("key value ?condition^2.6.12(NX|XX) ?EX/seconds:i").unwrap();
        assert_eq!(args.len(), 4);
        assert_eq!(
            (args[0].kind, args[0].key_spec_index),
            (ArgKind::Key, Some(0))
        );
        assert_eq!(
            (args[1].kind, args[1].key_spec_index),
            (ArgKind::String, None)
        );
        let cond = &args[2];
        assert_eq!(
            (cond.name.as_str(), cond.kind, cond.flags, cond.since),
            ("condition", ArgKind::OneOf, OPTIONAL, Some("2.6.12"))
        );
        assert_eq!(cond.args[1].name, "xx");
        assert_eq!(cond.args[1].token, Some("XX"));
        assert_eq!(cond.args[1].kind, ArgKind::PureToken);
        assert_eq!(
            (args[3].name.as_str(), args[3].token, args[3].kind),
            ("seconds", Some("EX"), ArgKind::Integer)
        );
    }

    #[test]
    fn symbols_quotes_and_blocks() {
        let args = parse("id(auto_id=*|id) ?*+GET/pattern:p#1 *data{'ip:port'!2.8.12 m=}").unwrap();
        assert_eq!(args[0].args[0].token, Some("*"));
        assert_eq!(args[0].args[0].name, "auto_id");
        let get = &args[1];
        assert_eq!(get.flags, OPTIONAL | MULTIPLE | MULTIPLE_TOKEN);
        assert_eq!((get.kind, get.key_spec_index), (ArgKind::Pattern, Some(1)));
        let block = &args[2];
        assert_eq!((block.kind, block.flags), (ArgKind::Block, MULTIPLE));
        assert_eq!(block.args[0].name, "ip:port");
        assert_eq!(block.args[0].deprecated_since, Some("2.8.12"));
        assert_eq!(block.args[1].token, Some(""));
    }

    #[test]
    fn malformed_lines_say_where() {
        assert_eq!(parse("a b("), Err(NotationError::UnexpectedEnd));
        assert_eq!(parse("a:q"), Err(NotationError::UnknownType { at: 2 }));
        assert_eq!(parse("'ab"), Err(NotationError::UnclosedQuote { at: 0 }));
        assert_eq!(
            parse("a)"),
            Err(NotationError::Unexpected { at: 1, found: ')' })
        );
        assert_eq!(
            parse("a  b"),
            Err(NotationError::Unexpected { at: 2, found: ' ' })
        );
    }
}
