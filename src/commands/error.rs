//! `CommandError`: every error a command can answer, and the one place its wire text is
//! written. Clients parse these strings, so each one is Redis 7.0's, to the word.

use std::fmt;

/// An error reply. `Display` gives the text after the `-` (first word is the error code).
#[derive(Debug, Clone, PartialEq)]
pub enum CommandError {
    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `
    UnknownCommand {
        name: String,
        args: Vec<String>,
    },
    /// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    UnknownSubcommand {
        command: String,
        sub: String,
    },
    /// `ERR wrong number of arguments for '<cmd>' command`
    WrongArity(String),
    WrongType,
    Syntax,
    NotInteger,
    NotFloat,
    OutOfRange,
    IndexOutOfRange,
    NoSuchKey,
    /// INCR/DECR family past i64.
    IncrOverflow,
    /// INCRBYFLOAT produced NaN or infinity.
    IncrNanOrInfinity,
    /// `ERR invalid expire time in '<cmd>' command`
    InvalidExpireTime(&'static str),
    /// `ERR DB index is out of range`
    DbIndexOutOfRange,
    /// `ERR source and destination objects are the same`
    SourceAndDestinationSame,
    BitOffsetInvalid,
    BitValueInvalid,
    StringTooLong,
    NoAuth,
    /// Memory is over `maxmemory` and the command may grow it.
    Oom,
    /// `WRONGPASS invalid username-password pair or user is disabled.`
    WrongPass,
    /// `ERR AUTH <password> called without any password configured for the default user...`
    AuthNotConfigured,
    /// HELLO with a protocol version we do not speak.
    NoProto,
    BusyKey,
    /// RESTORE payload with a bad version or checksum.
    DumpPayloadInvalid,
    /// RESTORE's value could not be decoded.
    BadDataFormat,
    /// `ERR max number of clients reached`
    MaxClients,
    /// `ERR Protocol error: <detail>`: the connection closes after it.
    Protocol(String),
    /// `ERR Unsupported CONFIG parameter: <name>` and friends, produced by the config layer.
    Config(String),
    /// `LOADING Redis is loading the dataset in memory`
    Loading,
    /// `ERR <what> is negative` style timeouts and other single-phrase ERR messages
    /// whose text is fixed; the `&'static str` is the phrase after `ERR `.
    Err(&'static str),
    /// An error whose code and message were computed (e.g. from another layer's typed
    /// error). Holds the full line after the `-`.
    Raw(String),
    /// `ERR Unsupported option <opt>` (EXPIRE-family options).
    UnsupportedOption(String),
    /// `MISCONF ...`: writes refused after a failed BGSAVE (stop-writes-on-bgsave-error).
    MisconfRdb,
    /// `NOREPLICAS ...`: fewer good replicas than `min-replicas-to-write`.
    NoReplicas,
    /// `READONLY ...`: a write sent to a read-only replica.
    ReadOnlyReplica,
    /// `MASTERDOWN ...`: the link with the master is down and stale data is not served.
    MasterDown,
    /// `EXECABORT Transaction discarded because of previous errors.`
    ExecAbort,
    /// `NOPERM ...`: the client's ACL user may not run this request.
    NoPerm {
        denied: crate::acl::Denied,
        /// The command's full name ("get", "config|set").
        command: String,
    },
    /// `NOPERM ACLs rules changed ...`: a queued command no longer allowed at EXEC.
    NoPermInExec(crate::acl::Denied),
    /// `NOSCRIPT No matching script. Please use EVAL.`
    NoScript,
    /// `NOTBUSY No scripts in execution right now.`
    NotBusy,
    /// A script (`eval`) or a function has run past `busy-reply-threshold`: other
    /// commands wait.
    Busy {
        eval: bool,
    },
    /// `EXECABORT Transaction discarded because of: <reason>` (EXEC itself refused);
    /// holds the refusal's text without a leading `ERR `.
    ExecAbortBecause(String),
    /// `WRONGTYPE Key is not a valid HyperLogLog string value.`
    NotHll,
    /// `INVALIDOBJ Corrupted HLL object detected`
    CorruptHll,
    /// A command other than (P)(UN)SUBSCRIBE, PING, QUIT or RESET from a RESP2 client
    /// that listens to channels; holds the command's full name.
    NotInPubsubContext(String),
    /// `IOERR error or timeout connecting to the client`: MIGRATE could not reach its
    /// target.
    MigrateConnect,
    /// `IOERR error or timeout writing|reading to target instance`: MIGRATE's link to
    /// its target failed while sending (`writing`) or while waiting for the replies.
    MigrateLink {
        writing: bool,
    },
    /// `ERR Target instance replied with error: <text>`: MIGRATE's target refused a
    /// command; holds the target's error line without its `-`.
    TargetReplied(String),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CommandError::*;
        match self {
            UnknownCommand { name, args } => {
                write!(f, "ERR unknown command '{}', with args beginning with: ", name)?;
                for a in args {
                    write!(f, "'{}' ", a)?;
                }
                Ok(())
            }
            UnknownSubcommand { command, sub } => write!(
                f,
                "ERR unknown subcommand '{}'. Try {} HELP.",
                sub,
                command.to_uppercase()
            ),
            WrongArity(cmd) => write!(
                f,
                "ERR wrong number of arguments for '{}' command",
                cmd.to_lowercase()
            ),
            WrongType => f.write_str(
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            Syntax => f.write_str("ERR syntax error"),
            NotInteger => f.write_str("ERR value is not an integer or out of range"),
            NotFloat => f.write_str("ERR value is not a valid float"),
            OutOfRange => f.write_str("ERR value is out of range, must be positive"),
            IndexOutOfRange => f.write_str("ERR index out of range"),
            NoSuchKey => f.write_str("ERR no such key"),
            IncrOverflow => f.write_str("ERR increment or decrement would overflow"),
            IncrNanOrInfinity => f.write_str("ERR increment would produce NaN or Infinity"),
            InvalidExpireTime(cmd) => {
                write!(f, "ERR invalid expire time in '{}' command", cmd)
            }
            DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            SourceAndDestinationSame => {
                f.write_str("ERR source and destination objects are the same")
            }
            BitOffsetInvalid => f.write_str("ERR bit offset is not an integer or out of range"),
            BitValueInvalid => f.write_str("ERR bit is not an integer or out of range"),
            StringTooLong => {
                f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            NoAuth => f.write_str("NOAUTH Authentication required."),
            Oom => f.write_str("OOM command not allowed when used memory > 'maxmemory'."),
            WrongPass => {
                f.write_str("WRONGPASS invalid username-password pair or user is disabled.")
            }
            AuthNotConfigured => f.write_str(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ),
            NoProto => f.write_str("NOPROTO unsupported protocol version"),
            BusyKey => f.write_str("BUSYKEY Target key name already exists."),
            DumpPayloadInvalid => {
                f.write_str("ERR DUMP payload version or checksum are wrong")
            }
            BadDataFormat => f.write_str("ERR Bad data format"),
            MaxClients => f.write_str("ERR max number of clients reached"),
            Protocol(detail) => write!(f, "ERR Protocol error: {}", detail),
            Config(msg) => write!(f, "ERR {}", msg),
            Loading => f.write_str("LOADING Redis is loading the dataset in memory"),
            Err(phrase) => write!(f, "ERR {}", phrase),
            Raw(line) => f.write_str(line),
            UnsupportedOption(opt) => write!(f, "ERR Unsupported option {}", opt),
            MisconfRdb => f.write_str(
                "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
            ),
            NoReplicas => f.write_str("NOREPLICAS Not enough good replicas to write."),
            ReadOnlyReplica => f.write_str("READONLY You can't write against a read only replica."),
            NoScript => f.write_str("NOSCRIPT No matching script. Please use EVAL."),
            NotBusy => f.write_str("NOTBUSY No scripts in execution right now."),
            Busy { eval } => write!(
                f,
                "BUSY Redis is busy running a script. You can only call {} KILL or SHUTDOWN \
                 NOSAVE.",
                if *eval { "SCRIPT" } else { "FUNCTION" }
            ),
            MasterDown => f.write_str(
                "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            ),
            ExecAbort => {
                f.write_str("EXECABORT Transaction discarded because of previous errors.")
            }
            NoPerm { denied, command } => match denied {
                crate::acl::Denied::Command => write!(
                    f,
                    "NOPERM this user has no permissions to run the '{command}' command"
                ),
                crate::acl::Denied::Key(_) => f.write_str(
                    "NOPERM this user has no permissions to access one of the keys used as arguments",
                ),
                crate::acl::Denied::Channel(_) => f.write_str(
                    "NOPERM this user has no permissions to access one of the channels used as arguments",
                ),
            },
            NoPermInExec(denied) => write!(
                f,
                "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {}",
                match denied {
                    crate::acl::Denied::Command =>
                        "no permission to execute the command or subcommand",
                    crate::acl::Denied::Key(_) => "no permission to touch the specified keys",
                    crate::acl::Denied::Channel(_) =>
                        "no permission to access one of the channels used as arguments",
                }
            ),
            ExecAbortBecause(reason) => {
                write!(f, "EXECABORT Transaction discarded because of: {}", reason)
            }
            NotHll => f.write_str("WRONGTYPE Key is not a valid HyperLogLog string value."),
            CorruptHll => f.write_str("INVALIDOBJ Corrupted HLL object detected"),
            NotInPubsubContext(cmd) => write!(
                f,
                "ERR Can't execute '{cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
            ),
            MigrateConnect => f.write_str("IOERR error or timeout connecting to the client"),
            MigrateLink { writing } => write!(
                f,
                "IOERR error or timeout {} to target instance",
                if *writing { "writing" } else { "reading" }
            ),
            TargetReplied(text) => write!(f, "ERR Target instance replied with error: {text}"),
        }
    }
}

impl CommandError {
    /// The error code (first word), as INFO errorstats counts it.
    pub fn code(&self) -> String {
        let text = self.to_string();
        text.split(' ').next().unwrap_or("ERR").to_string()
    }

    /// Builds the unknown-command error the way Redis does: at most the first 128 bytes
    /// of the name and of each of the first arguments are shown.
    pub fn unknown_command(argv: &[Vec<u8>]) -> CommandError {
        let show = |b: &[u8]| {
            let cut = &b[..b.len().min(128)];
            String::from_utf8_lossy(cut).into_owned()
        };
        let mut args = Vec::new();
        let mut budget = 128usize;
        for a in argv.iter().skip(1) {
            if budget == 0 {
                break;
            }
            let s = show(a);
            budget = budget.saturating_sub(s.len());
            args.push(s);
        }
        CommandError::UnknownCommand {
            name: show(&argv[0]),
            args,
        }
    }
}

/// What a command function returns: `Ok` when it wrote its own reply.
pub type CommandResult = Result<(), CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_redis() {
        assert_eq!(
            CommandError::WrongArity("GET".into()).to_string(),
            "ERR wrong number of arguments for 'get' command"
        );
        let e = CommandError::unknown_command(&[b"foo".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(
            e.to_string(),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        assert_eq!(CommandError::WrongType.code(), "WRONGTYPE");
    }
}
