//! Integration tests of the stream consumer-group commands (XGROUP CREATE / SETID /
//! DESTROY / CREATECONSUMER / DELCONSUMER / HELP, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
//! XINFO STREAM [FULL] / GROUPS / CONSUMERS / HELP) against the real binary.
//!
//! Every expected reply in the scripts below was captured byte for byte from
//! redis-server 7.0.15 running the same commands on an empty database. Idle times are
//! pinned by running the commands that set and read them in one MULTI (every command of
//! a transaction sees EXEC's time); XINFO STREAM FULL's `seen-time` is a wall-clock time
//! and is masked after a range check.
//!
//! Then: propagation (the XCLAIMs and XGROUP SETIDs that stand for XCLAIM and
//! XAUTOCLAIM, read back from the AOF, and the same state after a restart), WATCH (group
//! changes do not touch the key), keyspace events, and XGROUP DESTROY serving a blocked
//! XREADGROUP with NOGROUP.

mod common;

use std::time::Duration;

use common::{
    ask, check, encode_command, incr_aof, now_ms, run_script, show, wait_until, RawConn, Script,
    TestServer,
};

// ---------------------------------------------------------------------------------------
// Scripts captured from redis-server 7.0.15
// ---------------------------------------------------------------------------------------

const XGROUP_CREATE: Script = &[
    (&["xgroup", "create", "s", "g", "$"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "create", "s", "g", "$", "MKSTREAM"], b"+OK\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xgroup", "create", "s", "g", "$"], b"-BUSYGROUP Consumer Group name already exists\r\n"),
    (&["xgroup", "create", "s", "g", "$", "MKSTREAM"], b"-BUSYGROUP Consumer Group name already exists\r\n"),
    (&["xadd", "s", "1-1", "a", "1"], b"$3\r\n1-1\r\n"),
    (&["xadd", "s", "2-2", "b", "2"], b"$3\r\n2-2\r\n"),
    (&["xgroup", "create", "s", "g2", "$"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g3", "0"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g4", "1", "ENTRIESREAD", "1"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g5", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "create", "s", "g5", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "create", "s", "g5", "bad"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "create", "s", "g5", "3-x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "create", "s", "g5", "$", "ENTRIESREAD", "-1"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g6", "$", "MKSTREAM", "ENTRIESREAD", "7"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g7", "$", "ENTRIESREAD", "7", "MKSTREAM"], b"+OK\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "ENTRIESREAD", "-2"], b"-ERR value for ENTRIESREAD must be positive or -1\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "ENTRIESREAD", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "ENTRIESREAD", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "ENTRIESREAD"], b"-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "MKSTREAM", "ENTRIESREAD"], b"-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "FOO"], b"-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"], b"-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "create", "s", "g8", "$", "ENTRIESREAD", "1", "ENTRIESREAD", "2"], b"-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "CREATE", "s", "G8", "18446744073709551615-18446744073709551615"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*8\r\n*12\r\n$4\r\nname\r\n$2\r\nG8\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-2\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng3\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n*12\r\n$4\r\nname\r\n$2\r\ng4\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng5\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-2\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng6\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-2\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-5\r\n*12\r\n$4\r\nname\r\n$2\r\ng7\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-2\r\n$12\r\nentries-read\r\n:7\r\n$3\r\nlag\r\n:-5\r\n"),
    (&["xgroup", "create", "nokey", "g", "$"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "create", "nokey", "g", "bad"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "create", "nokey", "g", "$", "ENTRIESREAD", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xgroup", "create", "nokey", "g", "bad", "MKSTREAM"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["exists", "nokey"], b":0\r\n"),
    (&["xgroup", "create", "nokey", "g", "5-5", "MKSTREAM"], b"+OK\r\n"),
    (&["xinfo", "stream", "nokey"], b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"),
    (&["xinfo", "groups", "nokey"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-5\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xgroup", "create", "str", "g", "$"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xgroup", "create", "str", "g", "$", "MKSTREAM"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xgroup", "create", "str", "g", "$", "ENTRIESREAD", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xgroup", "create", "s"], b"-ERR wrong number of arguments for 'xgroup|create' command\r\n"),
    (&["xgroup", "create", "s", "g"], b"-ERR wrong number of arguments for 'xgroup|create' command\r\n"),
    (&["xgroup"], b"-ERR wrong number of arguments for 'xgroup' command\r\n"),
    (&["xgroup", "foo"], b"-ERR unknown subcommand 'foo'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "foo", "bar", "baz", "qux"], b"-ERR unknown subcommand 'foo'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "help"], b"*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["xgroup", "HELP"], b"*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["xgroup", "help", "extra"], b"-ERR wrong number of arguments for 'xgroup|help' command\r\n"),
];

const XGROUP_SETID_DESTROY_CONSUMERS: Script = &[
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xgroup", "setid", "s", "g", "2-0"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xgroup", "setid", "s", "g", "2-0", "ENTRIESREAD", "2"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-0\r\n$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:1\r\n"),
    (&["xgroup", "setid", "s", "g", "$", "ENTRIESREAD", "100"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-0\r\n$12\r\nentries-read\r\n:100\r\n$3\r\nlag\r\n:-97\r\n"),
    (&["xgroup", "setid", "s", "g", "-"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:3\r\n"),
    (&["xgroup", "setid", "s", "g", "+", "ENTRIESREAD", "3"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xgroup", "setid", "s", "g", "1"], b"+OK\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xgroup", "setid", "s", "g", "bad"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "setid", "s", "g", "(1"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "ENTRIESREAD", "-7"], b"-ERR value for ENTRIESREAD must be positive or -1\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "ENTRIESREAD", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "ENTRIESREAD"], b"-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "MKSTREAM"], b"-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "ENTRIESREAD", "1", "ENTRIESREAD", "2"], b"-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "setid", "s", "g", "1", "ENTRIESREAD", "1", "FOO"], b"-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n"),
    (&["xgroup", "setid", "s", "nog", "1"], b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"),
    (&["xgroup", "setid", "nokey", "g", "1"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "setid", "s", "g"], b"-ERR wrong number of arguments for 'xgroup|setid' command\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "alice"], b":1\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "alice"], b":0\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "bob"], b":1\r\n"),
    (&["xgroup", "createconsumer", "s", "nog", "bob"], b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"),
    (&["xgroup", "createconsumer", "nokey", "g", "bob"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "createconsumer", "s", "g"], b"-ERR wrong number of arguments for 'xgroup|createconsumer' command\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "a", "b"], b"-ERR wrong number of arguments for 'xgroup|createconsumer' command\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "2-0", "FORCE", "JUSTID"], b"*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "3-0", "FORCE", "JUSTID"], b"*1\r\n$3\r\n3-0\r\n"),
    (&["xgroup", "delconsumer", "s", "g", "alice"], b":2\r\n"),
    (&["xgroup", "delconsumer", "s", "g", "alice"], b":0\r\n"),
    (&["xgroup", "delconsumer", "s", "g", "nobody"], b":0\r\n"),
    (&["xgroup", "delconsumer", "s", "nog", "alice"], b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"),
    (&["xgroup", "delconsumer", "nokey", "g", "alice"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:1\r\n$3\r\n3-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xgroup", "destroy", "s", "g"], b":1\r\n"),
    (&["xgroup", "destroy", "s", "g"], b":0\r\n"),
    (&["xgroup", "destroy", "s", "nog"], b":0\r\n"),
    (&["xgroup", "destroy", "nokey", "g"], b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
    (&["xgroup", "destroy", "s"], b"-ERR wrong number of arguments for 'xgroup|destroy' command\r\n"),
    (&["xgroup", "destroy", "s", "g", "x"], b"-ERR wrong number of arguments for 'xgroup|destroy' command\r\n"),
    (&["xinfo", "groups", "s"], b"*0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xgroup", "setid", "str", "g", "1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xgroup", "destroy", "str", "g"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xgroup", "createconsumer", "str", "g", "c"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xgroup", "delconsumer", "str", "g", "c"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
];

const XACK: Script = &[
    (&["xack", "nokey", "g", "1-0"], b":0\r\n"),
    (&["xack", "nokey", "g", "bad"], b":0\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xack", "s", "nog", "bad"], b":0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xack", "s", "g", "1-0"], b":0\r\n"),
    (&["xreadgroup", "GROUP", "g", "alice", "STREAMS", "s", ">"], b"*1\r\n*2\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"),
    (&["xack", "s", "g", "1-0", "bad"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xack", "s", "g", "1-0", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xack", "s", "g", "1-0", "+"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n3\r\n"),
    (&["xack", "s", "g", "1", "1-0", "9-9"], b":1\r\n"),
    (&["xack", "s", "g", "1-0"], b":0\r\n"),
    (&["xack", "s", "g", "2-0", "3-0"], b":2\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"),
    (&["xack", "s", "g"], b"-ERR wrong number of arguments for 'xack' command\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xack", "str", "g", "1-0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
];

const XPENDING: Script = &[
    (&["xpending", "nokey", "g"], b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"),
    (&["xpending", "nokey", "g", "-", "+", "10"], b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xadd", "s", "4-0", "d", "4"], b"$3\r\n4-0\r\n"),
    (&["xadd", "s", "5-0", "e", "5"], b"$3\r\n5-0\r\n"),
    (&["xpending", "s", "g"], b"-NOGROUP No such key 's' or consumer group 'g'\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"),
    (&["xpending", "s", "g", "-", "+", "10"], b"*0\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "2-0", "FORCE", "JUSTID"], b"*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "3-0", "4-0", "5-0", "FORCE", "JUSTID"], b"*3\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n$3\r\n5-0\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "carol"], b":1\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:5\r\n$3\r\n1-0\r\n$3\r\n5-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n*2\r\n$3\r\nbob\r\n$1\r\n3\r\n"),
    (&["xpending", "s", "g", "-", "+"], b"-ERR syntax error\r\n"),
    (&["xpending", "s", "g", "-", "+", "10", "a", "b", "c", "d"], b"-ERR syntax error\r\n"),
    (&["xpending", "s", "g", "IDLE", "10", "-", "+"], b"-ERR syntax error\r\n"),
    (&["xpending", "s", "g", "IDLE", "x", "-", "+", "10"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xpending", "s", "g", "IDLE", "1.5", "-", "+", "10"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xpending", "s", "g", "-", "+", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xpending", "s", "g", "-", "+", "1.5"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xpending", "s", "g", "x", "+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g", "-", "x", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g", "(", "+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g", "(-", "+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g", "-", "(+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xpending", "s", "g", "-", "(0-0", "10"], b"-ERR invalid end ID for the interval\r\n"),
    (&["xpending", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"], b"-ERR invalid start ID for the interval\r\n"),
    (&["xpending", "s", "g", "x", "+", "y"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xpending", "s", "nog"], b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
    (&["xpending", "s", "nog", "-", "+", "10"], b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
    (&["xpending", "s", "nog", "x", "+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xpending", "str", "g"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xpending", "str", "g", "-", "+", "10"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xpending", "str", "g", "x", "+", "10"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
];

const XPENDING_TIMED: Script = &[
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xadd", "s", "4-0", "d", "4"], b"$3\r\n4-0\r\n"),
    (&["xadd", "s", "5-0", "e", "5"], b"$3\r\n5-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["multi"], b"+OK\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "2-0", "FORCE", "IDLE", "5000", "JUSTID"], b"+QUEUED\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "3-0", "4-0", "5-0", "FORCE", "IDLE", "100", "JUSTID"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "1000", "-", "+", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "50", "-", "+", "10", "bob"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "50", "-", "+", "1", "bob"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "50", "-", "+", "-1", "bob"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "5000", "-", "+", "10", "bob"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "-50", "(1", "(5", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "(5-0", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "(4-0", "+", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "3", "3", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "3-0", "2-0", "10"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "10", "nobody"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "0"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "2", "alice"], b"+QUEUED\r\n"),
    (&["exec"], b"*16\r\n*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*3\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n$3\r\n5-0\r\n*5\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n5-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*2\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*3\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n5-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*1\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*0\r\n*0\r\n*4\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n5-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*1\r\n*4\r\n$3\r\n5-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*1\r\n*4\r\n$3\r\n3-0\r\n$3\r\nbob\r\n:100\r\n:1\r\n*0\r\n*0\r\n*0\r\n*2\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:5000\r\n:1\r\n"),
];

const XCLAIM: Script = &[
    (&["xclaim", "nokey", "g", "c", "0", "1-0"], b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3", "d", "4"], b"$3\r\n3-0\r\n"),
    (&["xclaim", "s", "g", "c", "0", "1-0"], b"-NOGROUP No such key 's' or consumer group 'g'\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xclaim", "s", "g", "alice", "x", "1-0"], b"-ERR Invalid min-idle-time argument for XCLAIM\r\n"),
    (&["xclaim", "s", "g", "alice", "-1", "1-0"], b"*0\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0"], b"*0\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "FORCE"], b"*0\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "IDLE"], b"-ERR Unrecognized XCLAIM option 'IDLE'\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "IDLE", "x"], b"-ERR Invalid IDLE option argument for XCLAIM\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "TIME", "x"], b"-ERR Invalid TIME option argument for XCLAIM\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "RETRYCOUNT", "x"], b"-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "LASTID", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "LASTID", "-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "BOGUS"], b"-ERR Unrecognized XCLAIM option 'BOGUS'\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "-", "2-0"], b"-ERR Unrecognized XCLAIM option '-'\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "FORCE", "2-0"], b"-ERR Unrecognized XCLAIM option '2-0'\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "FORCE", "TIME", "1000"], b"*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "2", "FORCE", "JUSTID", "TIME", "2000"], b"*1\r\n$3\r\n2-0\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "3-0", "FORCE", "TIME", "3000", "RETRYCOUNT", "7"], b"*1\r\n*2\r\n$3\r\n3-0\r\n*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:3\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n2\r\n"),
    (&["xclaim", "s", "g", "carol", "0", "1-0", "2-0", "3-0", "9-9", "TIME", "4000", "JUSTID"], b"*3\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n$3\r\n3-0\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$5\r\ncarol\r\n$1\r\n3\r\n"),
    (&["xclaim", "s", "g", "carol", "0", "1-0", "1-0", "TIME", "4000", "JUSTID"], b"*2\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$5\r\ncarol\r\n$1\r\n3\r\n"),
    (&["xclaim", "s", "g", "dave", "0", "1-0", "TIME", "99999999999999", "RETRYCOUNT", "-3"], b"*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xclaim", "s", "g", "dave", "0", "1-0", "TIME", "-5", "IDLE", "0", "JUSTID"], b"*1\r\n$3\r\n1-0\r\n"),
    (&["xclaim", "s", "g", "erin", "0", "9-9", "LASTID", "9-9"], b"*0\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n9-9\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xclaim", "s", "g", "erin", "0", "9-9", "LASTID", "1-0", "JUSTID"], b"*0\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n9-9\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xinfo", "consumers", "s", "nobody"], b"-NOGROUP No such consumer group 'nobody' for key name 's'\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xclaim", "str", "g", "c", "0", "1-0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xclaim", "s", "g", "c", "0"], b"-ERR wrong number of arguments for 'xclaim' command\r\n"),
];

const XCLAIM_DELETED_ENTRIES: Script = &[
    (&["xadd", "x", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "f", "v"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "x", "grp", "0"], b"+OK\r\n"),
    (&["xreadgroup", "GROUP", "grp", "Alice", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "x", "2-0"], b":1\r\n"),
    (&["xclaim", "x", "grp", "Bob", "0", "1-0", "2-0", "3-0"], b"*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xpending", "x", "grp", "-", "+", "10", "Alice"], b"*0\r\n"),
    (&["xpending", "x", "grp"], b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$3\r\nBob\r\n$1\r\n2\r\n"),
    (&["del", "x"], b":1\r\n"),
    (&["config", "set", "stream-node-max-entries", "2"], b"+OK\r\n"),
    (&["xadd", "x", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "f", "v"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "x", "grp", "0"], b"+OK\r\n"),
    (&["xreadgroup", "GROUP", "grp", "Alice", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xtrim", "x", "MAXLEN", "1"], b":2\r\n"),
    (&["xclaim", "x", "grp", "Bob", "0", "1-0", "2-0", "3-0"], b"*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xpending", "x", "grp", "-", "+", "10", "Alice"], b"*0\r\n"),
    (&["xpending", "x", "grp"], b"*4\r\n:1\r\n$3\r\n3-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$3\r\nBob\r\n$1\r\n1\r\n"),
    (&["xinfo", "stream", "x"], b"*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
];

const XAUTOCLAIM: Script = &[
    (&["xautoclaim", "nokey", "g", "c", "0", "0"], b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"),
    (&["xautoclaim", "nokey", "g", "c", "x", "0"], b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"),
    (&["xautoclaim", "nokey", "g", "c", "0", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xautoclaim", "nokey", "g", "c", "0", "0", "COUNT", "0"], b"-ERR COUNT must be > 0\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xadd", "s", "4-0", "d", "4"], b"$3\r\n4-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xautoclaim", "s", "nog", "c", "0", "0"], b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0"], b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "0"], b"-ERR COUNT must be > 0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "-1"], b"-ERR COUNT must be > 0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "abc"], b"-ERR COUNT must be > 0\r\n"),
    // Redis fails here only because it allocates COUNT slots up front (host-dependent).
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"], b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"], b"-ERR COUNT must be > 0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT", "8070450532247928833"], b"-ERR COUNT must be > 0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "COUNT"], b"-ERR syntax error\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "JUSTID", "COUNT"], b"-ERR syntax error\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0", "FOO"], b"-ERR syntax error\r\n"),
    (&["xautoclaim", "s", "g", "c", "x", "0"], b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"),
    (&["xautoclaim", "s", "g", "c", "1.5", "0"], b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "x"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "("], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "(-"], b"-ERR Invalid stream ID specified as stream command argument\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"], b"-ERR invalid start ID for the interval\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "2-0", "3-0", "4-0", "FORCE", "JUSTID", "TIME", "1"], b"*4\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n"),
    (&["xautoclaim", "s", "g", "bob", "0", "0", "COUNT", "2"], b"*3\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "bob", "0", "3-0", "COUNT", "2", "JUSTID"], b"*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "carol", "0", "(2-0", "COUNT", "1", "JUSTID"], b"*3\r\n$3\r\n4-0\r\n*1\r\n$3\r\n3-0\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "carol", "0", "-", "JUSTID"], b"*3\r\n$3\r\n0-0\r\n*4\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n*0\r\n"),
    (&["xautoclaim", "s", "g", "carol", "0", "+", "JUSTID"], b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*1\r\n*2\r\n$5\r\ncarol\r\n$1\r\n4\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:4\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xautoclaim", "str", "g", "c", "0", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
];

const XAUTOCLAIM_DELETED_ENTRIES: Script = &[
    (&["xadd", "x", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "f", "v"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "x", "grp", "0"], b"+OK\r\n"),
    (&["xreadgroup", "GROUP", "grp", "Alice", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "x", "2-0"], b":1\r\n"),
    (&["xautoclaim", "x", "grp", "Bob", "0", "0-0"], b"*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*1\r\n$3\r\n2-0\r\n"),
    (&["xpending", "x", "grp", "-", "+", "10", "Alice"], b"*0\r\n"),
    (&["del", "x"], b":1\r\n"),
    (&["xadd", "x", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "f", "v"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "x", "grp", "0"], b"+OK\r\n"),
    (&["xreadgroup", "GROUP", "grp", "Alice", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "x", "1-0"], b":1\r\n"),
    (&["xdel", "x", "2-0"], b":1\r\n"),
    (&["xautoclaim", "x", "grp", "Bob", "0", "0-0", "COUNT", "1"], b"*3\r\n$3\r\n2-0\r\n*0\r\n*1\r\n$3\r\n1-0\r\n"),
    (&["xautoclaim", "x", "grp", "Bob", "0", "2-0", "COUNT", "1"], b"*3\r\n$3\r\n3-0\r\n*0\r\n*1\r\n$3\r\n2-0\r\n"),
    (&["xautoclaim", "x", "grp", "Bob", "0", "3-0", "COUNT", "1"], b"*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*0\r\n"),
    (&["xpending", "x", "grp", "-", "+", "10", "Alice"], b"*0\r\n"),
    (&["del", "x"], b":1\r\n"),
    (&["config", "set", "stream-node-max-entries", "2"], b"+OK\r\n"),
    (&["xadd", "x", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "f", "v"], b"$3\r\n3-0\r\n"),
    (&["xgroup", "create", "x", "grp", "0"], b"+OK\r\n"),
    (&["xreadgroup", "GROUP", "grp", "Alice", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xtrim", "x", "MAXLEN", "1"], b":2\r\n"),
    (&["xautoclaim", "x", "grp", "Bob", "0", "0-0"], b"*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n"),
    (&["xpending", "x", "grp", "-", "+", "10", "Alice"], b"*0\r\n"),
    (&["xpending", "x", "grp"], b"*4\r\n:1\r\n$3\r\n3-0\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$3\r\nBob\r\n$1\r\n1\r\n"),
];

const XAUTOCLAIM_IDLE: Script = &[
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "c", "3"], b"$3\r\n3-0\r\n"),
    (&["xadd", "s", "4-0", "d", "4"], b"$3\r\n4-0\r\n"),
    (&["xadd", "s", "5-0", "e", "5"], b"$3\r\n5-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["multi"], b"+OK\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "3-0", "5-0", "FORCE", "IDLE", "5000", "JUSTID"], b"+QUEUED\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "2-0", "4-0", "FORCE", "IDLE", "10", "JUSTID"], b"+QUEUED\r\n"),
    (&["xautoclaim", "s", "g", "carol", "1000", "0", "COUNT", "1"], b"+QUEUED\r\n"),
    (&["xautoclaim", "s", "g", "carol", "1000", "0", "COUNT", "2"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "10"], b"+QUEUED\r\n"),
    (&["xautoclaim", "s", "g", "carol", "1000", "0"], b"+QUEUED\r\n"),
    (&["xautoclaim", "s", "g", "dave", "5", "0", "COUNT", "1", "JUSTID"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "-", "+", "10"], b"+QUEUED\r\n"),
    (&["exec"], b"*8\r\n*3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n$3\r\n5-0\r\n*2\r\n$3\r\n2-0\r\n$3\r\n4-0\r\n*3\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*0\r\n*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n*0\r\n*5\r\n*4\r\n$3\r\n1-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n*4\r\n$3\r\n2-0\r\n$3\r\nbob\r\n:10\r\n:1\r\n*4\r\n$3\r\n3-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:10\r\n:1\r\n*4\r\n$3\r\n5-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n*3\r\n$3\r\n3-0\r\n*1\r\n$3\r\n2-0\r\n*0\r\n*5\r\n*4\r\n$3\r\n1-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n*4\r\n$3\r\n2-0\r\n$4\r\ndave\r\n:0\r\n:1\r\n*4\r\n$3\r\n3-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n*4\r\n$3\r\n4-0\r\n$3\r\nbob\r\n:10\r\n:1\r\n*4\r\n$3\r\n5-0\r\n$5\r\ncarol\r\n:0\r\n:2\r\n"),
];

const XINFO: Script = &[
    (&["xinfo", "stream", "nokey"], b"-ERR no such key\r\n"),
    (&["xinfo", "groups", "nokey"], b"-ERR no such key\r\n"),
    (&["xinfo", "consumers", "nokey", "g"], b"-ERR no such key\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    (&["xinfo", "groups", "s"], b"*0\r\n"),
    (&["xinfo", "consumers", "s", "g"], b"-NOGROUP No such consumer group 'g' for key name 's'\r\n"),
    (&["xinfo", "stream", "s", "full"], b"*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["xadd", "s", "2-0", "b", "2", "c", "3"], b"$3\r\n2-0\r\n"),
    (&["xadd", "s", "3-0", "d", "4"], b"$3\r\n3-0\r\n"),
    (&["xdel", "s", "2-0"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"),
    (&["xinfo", "stream", "s", "FULL"], b"*18\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$7\r\nentries\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["xinfo", "stream", "s", "full", "count", "1"], b"*18\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["xinfo", "stream", "s", "full", "count", "0"], b"*18\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$7\r\nentries\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["xinfo", "stream", "s", "full", "count", "-1"], b"*18\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$7\r\nentries\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["xinfo", "stream", "s", "full", "count"], b"-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n"),
    (&["xinfo", "stream", "s", "full", "count", "x"], b"-ERR value is not an integer or out of range\r\n"),
    (&["xinfo", "stream", "s", "full", "count", "1", "extra"], b"-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n"),
    (&["xinfo", "stream", "s", "full", "bad", "1"], b"-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n"),
    (&["xinfo", "stream", "s", "nonfull"], b"-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n"),
    (&["xinfo", "stream", "s", "full", "x", "y", "z"], b"-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n"),
    (&["xinfo", "stream", "nokey", "full", "x", "y", "z"], b"-ERR no such key\r\n"),
    (&["xdel", "s", "1-0"], b":1\r\n"),
    (&["xdel", "s", "3-0"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"),
    (&["xinfo", "stream", "s", "full"], b"*18\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$7\r\nentries\r\n*0\r\n$6\r\ngroups\r\n*0\r\n"),
    (&["set", "str", "x"], b"+OK\r\n"),
    (&["xinfo", "stream", "str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xinfo", "groups", "str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xinfo", "consumers", "str", "g"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["xinfo"], b"-ERR wrong number of arguments for 'xinfo' command\r\n"),
    (&["xinfo", "stream"], b"-ERR wrong number of arguments for 'xinfo|stream' command\r\n"),
    (&["xinfo", "groups"], b"-ERR wrong number of arguments for 'xinfo|groups' command\r\n"),
    (&["xinfo", "groups", "s", "x"], b"-ERR wrong number of arguments for 'xinfo|groups' command\r\n"),
    (&["xinfo", "consumers", "s"], b"-ERR wrong number of arguments for 'xinfo|consumers' command\r\n"),
    (&["xinfo", "foo"], b"-ERR unknown subcommand 'foo'. Try XINFO HELP.\r\n"),
    (&["xinfo", "help"], b"*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["xinfo", "HELP"], b"*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["xinfo", "help", "x"], b"-ERR wrong number of arguments for 'xinfo|help' command\r\n"),
];

const XINFO_LAG: Script = &[
    (&["xgroup", "create", "x", "g1", "0", "MKSTREAM"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xadd", "x", "1-0", "data", "a"], b"$3\r\n1-0\r\n"),
    (&["xdel", "x", "1-0"], b":1\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xinfo", "stream", "x"], b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"),
    (&["del", "x"], b":1\r\n"),
    (&["xadd", "x", "1-0", "data", "a"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "data", "b"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "data", "c"], b"$3\r\n3-0\r\n"),
    (&["xadd", "x", "4-0", "data", "d"], b"$3\r\n4-0\r\n"),
    (&["xadd", "x", "5-0", "data", "e"], b"$3\r\n5-0\r\n"),
    (&["xgroup", "create", "x", "g1", "0"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:5\r\n"),
    (&["xreadgroup", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$4\r\ndata\r\n$1\r\na\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:4\r\n"),
    (&["xreadgroup", "GROUP", "g1", "c12", "COUNT", "10", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*4\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nb\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nc\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nd\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$4\r\ndata\r\n$1\r\ne\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:5\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n"),
    (&["xadd", "x", "6-0", "data", "f"], b"$3\r\n6-0\r\n"),
    (&["xinfo", "groups", "x"], b"*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:5\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n"),
    (&["del", "x"], b":1\r\n"),
    (&["xadd", "x", "1-0", "data", "a"], b"$3\r\n1-0\r\n"),
    (&["xadd", "x", "2-0", "data", "b"], b"$3\r\n2-0\r\n"),
    (&["xadd", "x", "3-0", "data", "c"], b"$3\r\n3-0\r\n"),
    (&["xadd", "x", "4-0", "data", "d"], b"$3\r\n4-0\r\n"),
    (&["xadd", "x", "5-0", "data", "e"], b"$3\r\n5-0\r\n"),
    (&["xdel", "x", "3-0"], b":1\r\n"),
    (&["xgroup", "create", "x", "g1", "0"], b"+OK\r\n"),
    (&["xgroup", "create", "x", "g2", "0"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xreadgroup", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$4\r\ndata\r\n$1\r\na\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xreadgroup", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nb\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n2-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xreadgroup", "GROUP", "g1", "c11", "COUNT", "2", "STREAMS", "x", ">"], b"*1\r\n*2\r\n$1\r\nx\r\n*2\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nd\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$4\r\ndata\r\n$1\r\ne\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xadd", "x", "6-0", "data", "f"], b"$3\r\n6-0\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n"),
    (&["xtrim", "x", "MINID", "=", "3-0"], b":2\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:3\r\n"),
    (&["xtrim", "x", "MINID", "=", "5-0"], b":1\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xinfo", "stream", "x"], b"*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n3-0\r\n$13\r\nentries-added\r\n:6\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n5-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$4\r\ndata\r\n$1\r\ne\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$4\r\ndata\r\n$1\r\nf\r\n"),
    (&["xgroup", "setid", "x", "g2", "0", "ENTRIESREAD", "0"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n:6\r\n"),
    (&["xgroup", "setid", "x", "g2", "$", "ENTRIESREAD", "100"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n6-0\r\n$12\r\nentries-read\r\n:100\r\n$3\r\nlag\r\n:-94\r\n"),
    (&["xgroup", "setid", "x", "g2", "1-0", "ENTRIESREAD", "100"], b"+OK\r\n"),
    (&["xinfo", "groups", "x"], b"*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-0\r\n$12\r\nentries-read\r\n:100\r\n$3\r\nlag\r\n:-94\r\n"),
];

const XINFO_CONSUMERS: Script = &[
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["multi"], b"+OK\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "zed"], b"+QUEUED\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "FORCE", "JUSTID"], b"+QUEUED\r\n"),
    (&["xclaim", "s", "g", "bob", "0", "2-0", "FORCE", "JUSTID"], b"+QUEUED\r\n"),
    (&["xinfo", "consumers", "s", "g"], b"+QUEUED\r\n"),
    (&["xinfo", "consumers", "s", "nog"], b"+QUEUED\r\n"),
    (&["exec"], b"*5\r\n:1\r\n*1\r\n$3\r\n1-0\r\n*1\r\n$3\r\n2-0\r\n*3\r\n*6\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:0\r\n*6\r\n$4\r\nname\r\n$3\r\nbob\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:0\r\n*6\r\n$4\r\nname\r\n$3\r\nzed\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:0\r\n-NOGROUP No such consumer group 'nog' for key name 's'\r\n"),
];

const RESP3: Script = &[
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xadd", "s", "2-0", "b", "2"], b"$3\r\n2-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["xgroup", "create", "e", "g", "$", "MKSTREAM"], b"+OK\r\n"),
    (&["xinfo", "stream", "s"], b"%10\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n2-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"),
    (&["xinfo", "stream", "e"], b"%10\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n_\r\n$10\r\nlast-entry\r\n_\r\n"),
    (&["xinfo", "groups", "s"], b"*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n:2\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:0\r\n_\r\n_\r\n_\r\n"),
    (&["xpending", "s", "g", "-", "+", "10"], b"*0\r\n"),
    (&["xautoclaim", "s", "g", "c", "0", "0"], b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "FORCE", "TIME", "1", "JUSTID"], b"*1\r\n$3\r\n1-0\r\n"),
    (&["xpending", "s", "g"], b"*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n"),
    (&["xautoclaim", "s", "g", "bob", "0", "0", "JUSTID"], b"*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n"),
    (&["xinfo", "stream", "e", "full"], b"%9\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$7\r\nentries\r\n*0\r\n$6\r\ngroups\r\n*1\r\n%7\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n$9\r\nconsumers\r\n*0\r\n"),
    (&["xgroup", "help"], b"*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["xinfo", "help"], b"*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n"),
    (&["del", "s"], b":1\r\n"),
    (&["xadd", "s", "1-0", "a", "1"], b"$3\r\n1-0\r\n"),
    (&["xgroup", "create", "s", "g", "0"], b"+OK\r\n"),
    (&["multi"], b"+OK\r\n"),
    (&["xclaim", "s", "g", "alice", "0", "1-0", "FORCE", "IDLE", "7", "JUSTID"], b"+QUEUED\r\n"),
    (&["xgroup", "createconsumer", "s", "g", "bob"], b"+QUEUED\r\n"),
    (&["xinfo", "consumers", "s", "g"], b"+QUEUED\r\n"),
    (&["xpending", "s", "g", "IDLE", "5", "-", "+", "10"], b"+QUEUED\r\n"),
    (&["exec"], b"*4\r\n*1\r\n$3\r\n1-0\r\n:1\r\n*2\r\n%3\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:0\r\n%3\r\n$4\r\nname\r\n$3\r\nbob\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:0\r\n*1\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:7\r\n:1\r\n"),
];

const RADIX_TREE: Script = &[
    (&["xgroup", "create", "s", "g", "$", "MKSTREAM"], b"+OK\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n"),
    (&["config", "set", "stream-node-max-entries", "1"], b"+OK\r\n"),
    (&["xadd", "s", "1-0", "f", "v"], b"$3\r\n1-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "1-1", "f", "v"], b"$3\r\n1-1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:4\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "1-2", "f", "v"], b"$3\r\n1-2\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:3\r\n$16\r\nradix-tree-nodes\r\n:5\r\n$17\r\nlast-generated-id\r\n$3\r\n1-2\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "1-256", "f", "v"], b"$5\r\n1-256\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:4\r\n$16\r\nradix-tree-nodes\r\n:8\r\n$17\r\nlast-generated-id\r\n$5\r\n1-256\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$5\r\n1-256\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "2-0", "f", "v"], b"$3\r\n2-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:5\r\n$15\r\nradix-tree-keys\r\n:5\r\n$16\r\nradix-tree-nodes\r\n:12\r\n$17\r\nlast-generated-id\r\n$3\r\n2-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "255-0", "f", "v"], b"$5\r\n255-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:6\r\n$15\r\nradix-tree-keys\r\n:6\r\n$16\r\nradix-tree-nodes\r\n:14\r\n$17\r\nlast-generated-id\r\n$5\r\n255-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:6\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$5\r\n255-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "256-0", "f", "v"], b"$5\r\n256-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:7\r\n$15\r\nradix-tree-keys\r\n:7\r\n$16\r\nradix-tree-nodes\r\n:17\r\n$17\r\nlast-generated-id\r\n$5\r\n256-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:7\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$5\r\n256-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "65536-5", "f", "v"], b"$7\r\n65536-5\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:8\r\n$16\r\nradix-tree-nodes\r\n:20\r\n$17\r\nlast-generated-id\r\n$7\r\n65536-5\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:8\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$7\r\n65536-5\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "4294967296-0", "f", "v"], b"$12\r\n4294967296-0\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:9\r\n$16\r\nradix-tree-nodes\r\n:24\r\n$17\r\nlast-generated-id\r\n$12\r\n4294967296-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:9\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$12\r\n4294967296-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "1099511627779-7", "f", "v"], b"$15\r\n1099511627779-7\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:10\r\n$15\r\nradix-tree-keys\r\n:10\r\n$16\r\nradix-tree-nodes\r\n:27\r\n$17\r\nlast-generated-id\r\n$15\r\n1099511627779-7\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:10\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$15\r\n1099511627779-7\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "9223372036854775808-1", "f", "v"], b"$21\r\n9223372036854775808-1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:11\r\n$15\r\nradix-tree-keys\r\n:11\r\n$16\r\nradix-tree-nodes\r\n:30\r\n$17\r\nlast-generated-id\r\n$21\r\n9223372036854775808-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$21\r\n9223372036854775808-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xadd", "s", "18446744073709551615-18446744073709551615", "f", "v"], b"$41\r\n18446744073709551615-18446744073709551615\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:12\r\n$15\r\nradix-tree-keys\r\n:12\r\n$16\r\nradix-tree-nodes\r\n:32\r\n$17\r\nlast-generated-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "s", "1-1"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:11\r\n$15\r\nradix-tree-keys\r\n:11\r\n$16\r\nradix-tree-nodes\r\n:31\r\n$17\r\nlast-generated-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "s", "256-0"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:10\r\n$15\r\nradix-tree-keys\r\n:10\r\n$16\r\nradix-tree-nodes\r\n:29\r\n$17\r\nlast-generated-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$20\r\nmax-deleted-entry-id\r\n$5\r\n256-0\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "s", "1-0"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:9\r\n$16\r\nradix-tree-nodes\r\n:28\r\n$17\r\nlast-generated-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$20\r\nmax-deleted-entry-id\r\n$5\r\n256-0\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-2\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xdel", "s", "1099511627779-7"], b":1\r\n"),
    (&["xinfo", "stream", "s"], b"*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:8\r\n$16\r\nradix-tree-nodes\r\n:25\r\n$17\r\nlast-generated-id\r\n$41\r\n18446744073709551615-18446744073709551615\r\n$20\r\nmax-deleted-entry-id\r\n$15\r\n1099511627779-7\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-2\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["config", "set", "stream-node-max-entries", "3"], b"+OK\r\n"),
    (&["xadd", "t", "301-3", "f", "v"], b"$5\r\n301-3\r\n"),
    (&["xadd", "t", "601-1", "f", "v"], b"$5\r\n601-1\r\n"),
    (&["xadd", "t", "603-3", "f", "v"], b"$5\r\n603-3\r\n"),
    (&["xadd", "t", "1049179-1", "f", "v"], b"$9\r\n1049179-1\r\n"),
    (&["xadd", "t", "1049180-3", "f", "v"], b"$9\r\n1049180-3\r\n"),
    (&["xadd", "t", "1049197-1", "f", "v"], b"$9\r\n1049197-1\r\n"),
    (&["xadd", "t", "1049198-0", "f", "v"], b"$9\r\n1049198-0\r\n"),
    (&["xadd", "t", "1119198-3", "f", "v"], b"$9\r\n1119198-3\r\n"),
    (&["xadd", "t", "1119498-1", "f", "v"], b"$9\r\n1119498-1\r\n"),
    (&["xadd", "t", "1189498-0", "f", "v"], b"$9\r\n1189498-0\r\n"),
    (&["xadd", "t", "1259498-0", "f", "v"], b"$9\r\n1259498-0\r\n"),
    (&["xadd", "t", "1259499-0", "f", "v"], b"$9\r\n1259499-0\r\n"),
    (&["xadd", "t", "1259501-1", "f", "v"], b"$9\r\n1259501-1\r\n"),
    (&["xadd", "t", "1329501-0", "f", "v"], b"$9\r\n1329501-0\r\n"),
    (&["xadd", "t", "1329801-2", "f", "v"], b"$9\r\n1329801-2\r\n"),
    (&["xadd", "t", "1330101-1", "f", "v"], b"$9\r\n1330101-1\r\n"),
    (&["xadd", "t", "1400101-1", "f", "v"], b"$9\r\n1400101-1\r\n"),
    (&["xadd", "t", "2448677-2", "f", "v"], b"$9\r\n2448677-2\r\n"),
    (&["xadd", "t", "2448977-0", "f", "v"], b"$9\r\n2448977-0\r\n"),
    (&["xadd", "t", "3497553-0", "f", "v"], b"$9\r\n3497553-0\r\n"),
    (&["xadd", "t", "3497853-2", "f", "v"], b"$9\r\n3497853-2\r\n"),
    (&["xadd", "t", "3498153-0", "f", "v"], b"$9\r\n3498153-0\r\n"),
    (&["xadd", "t", "4546729-2", "f", "v"], b"$9\r\n4546729-2\r\n"),
    (&["xadd", "t", "4546746-1", "f", "v"], b"$9\r\n4546746-1\r\n"),
    (&["xadd", "t", "4616746-2", "f", "v"], b"$9\r\n4616746-2\r\n"),
    (&["xadd", "t", "4616747-0", "f", "v"], b"$9\r\n4616747-0\r\n"),
    (&["xadd", "t", "4686747-0", "f", "v"], b"$9\r\n4686747-0\r\n"),
    (&["xadd", "t", "4687047-0", "f", "v"], b"$9\r\n4687047-0\r\n"),
    (&["xadd", "t", "4687064-3", "f", "v"], b"$9\r\n4687064-3\r\n"),
    (&["xadd", "t", "4687065-0", "f", "v"], b"$9\r\n4687065-0\r\n"),
    (&["xinfo", "stream", "t"], b"*20\r\n$6\r\nlength\r\n:30\r\n$15\r\nradix-tree-keys\r\n:10\r\n$16\r\nradix-tree-nodes\r\n:24\r\n$17\r\nlast-generated-id\r\n$9\r\n4687065-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:30\r\n$23\r\nrecorded-first-entry-id\r\n$5\r\n301-3\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$5\r\n301-3\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$9\r\n4687065-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xtrim", "t", "MAXLEN", "~", "10"], b":18\r\n"),
    (&["xinfo", "stream", "t"], b"*20\r\n$6\r\nlength\r\n:12\r\n$15\r\nradix-tree-keys\r\n:4\r\n$16\r\nradix-tree-nodes\r\n:10\r\n$17\r\nlast-generated-id\r\n$9\r\n4687065-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:30\r\n$23\r\nrecorded-first-entry-id\r\n$9\r\n2448977-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$9\r\n2448977-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$9\r\n4687065-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    (&["xtrim", "t", "MAXLEN", "4"], b":8\r\n"),
    (&["xinfo", "stream", "t"], b"*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:6\r\n$17\r\nlast-generated-id\r\n$9\r\n4687065-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:30\r\n$23\r\nrecorded-first-entry-id\r\n$9\r\n4686747-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$9\r\n4686747-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$9\r\n4687065-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"),
];

/// XINFO STREAM x FULL after [`FULL_SETUP`] (seen times masked), in RESP2.
const FULL_RESP2: &[u8] = b"*18\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$5\r\n104-0\r\n$20\r\nmax-deleted-entry-id\r\n$5\r\n103-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$5\r\n100-0\r\n$7\r\nentries\r\n*4\r\n*2\r\n$5\r\n100-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$5\r\n101-0\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n*2\r\n$5\r\n102-0\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n*2\r\n$5\r\n104-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n$6\r\ngroups\r\n*2\r\n*14\r\n$4\r\nname\r\n$2\r\ng1\r\n$17\r\nlast-delivered-id\r\n$5\r\n102-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n$-1\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*3\r\n*4\r\n$5\r\n100-0\r\n$5\r\nAlice\r\n:1000\r\n:1\r\n*4\r\n$5\r\n101-0\r\n$3\r\nBob\r\n:2000\r\n:3\r\n*4\r\n$5\r\n102-0\r\n$3\r\nBob\r\n:2000\r\n:3\r\n$9\r\nconsumers\r\n*2\r\n*8\r\n$4\r\nname\r\n$5\r\nAlice\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$5\r\n100-0\r\n:1000\r\n:1\r\n*8\r\n$4\r\nname\r\n$3\r\nBob\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*2\r\n*3\r\n$5\r\n101-0\r\n:2000\r\n:3\r\n*3\r\n$5\r\n102-0\r\n:2000\r\n:3\r\n*14\r\n$4\r\nname\r\n$2\r\ng2\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*4\r\n$5\r\n100-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n101-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n102-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n103-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n*8\r\n$4\r\nname\r\n$7\r\nCharlie\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*3\r\n$5\r\n100-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n101-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n102-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n103-0\r\n:3000\r\n:1\r\n*8\r\n$4\r\nname\r\n$3\r\nDan\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n";
/// XINFO STREAM x FULL COUNT 1.
const FULL_COUNT1_RESP2: &[u8] = b"*18\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$5\r\n104-0\r\n$20\r\nmax-deleted-entry-id\r\n$5\r\n103-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$5\r\n100-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$5\r\n100-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$6\r\ngroups\r\n*2\r\n*14\r\n$4\r\nname\r\n$2\r\ng1\r\n$17\r\nlast-delivered-id\r\n$5\r\n102-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n$-1\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*1\r\n*4\r\n$5\r\n100-0\r\n$5\r\nAlice\r\n:1000\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n*8\r\n$4\r\nname\r\n$5\r\nAlice\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$5\r\n100-0\r\n:1000\r\n:1\r\n*8\r\n$4\r\nname\r\n$3\r\nBob\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*1\r\n*3\r\n$5\r\n101-0\r\n:2000\r\n:3\r\n*14\r\n$4\r\nname\r\n$2\r\ng2\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*1\r\n*4\r\n$5\r\n100-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n*8\r\n$4\r\nname\r\n$7\r\nCharlie\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*1\r\n*3\r\n$5\r\n100-0\r\n:3000\r\n:1\r\n*8\r\n$4\r\nname\r\n$3\r\nDan\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n";
/// XINFO STREAM x FULL in RESP3.
const FULL_RESP3: &[u8] = b"%9\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$5\r\n104-0\r\n$20\r\nmax-deleted-entry-id\r\n$5\r\n103-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$5\r\n100-0\r\n$7\r\nentries\r\n*4\r\n*2\r\n$5\r\n100-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$5\r\n101-0\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n*2\r\n$5\r\n102-0\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n*2\r\n$5\r\n104-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n$6\r\ngroups\r\n*2\r\n%7\r\n$4\r\nname\r\n$2\r\ng1\r\n$17\r\nlast-delivered-id\r\n$5\r\n102-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n_\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*3\r\n*4\r\n$5\r\n100-0\r\n$5\r\nAlice\r\n:1000\r\n:1\r\n*4\r\n$5\r\n101-0\r\n$3\r\nBob\r\n:2000\r\n:3\r\n*4\r\n$5\r\n102-0\r\n$3\r\nBob\r\n:2000\r\n:3\r\n$9\r\nconsumers\r\n*2\r\n%4\r\n$4\r\nname\r\n$5\r\nAlice\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$5\r\n100-0\r\n:1000\r\n:1\r\n%4\r\n$4\r\nname\r\n$3\r\nBob\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*2\r\n*3\r\n$5\r\n101-0\r\n:2000\r\n:3\r\n*3\r\n$5\r\n102-0\r\n:2000\r\n:3\r\n%7\r\n$4\r\nname\r\n$2\r\ng2\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n_\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*4\r\n$5\r\n100-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n101-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n102-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n*4\r\n$5\r\n103-0\r\n$7\r\nCharlie\r\n:3000\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n%4\r\n$4\r\nname\r\n$7\r\nCharlie\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*3\r\n$5\r\n100-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n101-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n102-0\r\n:3000\r\n:1\r\n*3\r\n$5\r\n103-0\r\n:3000\r\n:1\r\n%4\r\n$4\r\nname\r\n$3\r\nDan\r\n$9\r\nseen-time\r\n:T\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n";

// ---------------------------------------------------------------------------------------
// The scripts
// ---------------------------------------------------------------------------------------

/// Runs `script` on a fresh server.
fn run_fresh(script: Script) {
    let server = TestServer::start();
    run_script(&mut server.raw(), script);
}

#[test]
fn xgroup_create() {
    run_fresh(XGROUP_CREATE);
}

#[test]
fn xgroup_setid_destroy_and_consumers() {
    run_fresh(XGROUP_SETID_DESTROY_CONSUMERS);
}

#[test]
fn xack() {
    run_fresh(XACK);
}

#[test]
fn xpending_summary_extended_and_errors() {
    run_fresh(XPENDING);
}

#[test]
fn xpending_idle_times_ranges_and_counts() {
    run_fresh(XPENDING_TIMED);
}

#[test]
fn xclaim_options_and_errors() {
    run_fresh(XCLAIM);
}

#[test]
fn xclaim_drops_deleted_and_trimmed_entries() {
    run_fresh(XCLAIM_DELETED_ENTRIES);
}

#[test]
fn xautoclaim_cursor_count_and_errors() {
    run_fresh(XAUTOCLAIM);
}

#[test]
fn xautoclaim_reports_deleted_and_trimmed_entries() {
    run_fresh(XAUTOCLAIM_DELETED_ENTRIES);
}

#[test]
fn xautoclaim_min_idle_time() {
    run_fresh(XAUTOCLAIM_IDLE);
}

#[test]
fn xinfo_stream_groups_consumers_and_errors() {
    run_fresh(XINFO);
}

#[test]
fn xinfo_entries_read_and_lag() {
    run_fresh(XINFO_LAG);
}

#[test]
fn xinfo_consumers_idle_time() {
    run_fresh(XINFO_CONSUMERS);
}

#[test]
fn xinfo_radix_tree_counts() {
    run_fresh(RADIX_TREE);
}

#[test]
fn resp3_shapes() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let hello = ask(&mut raw, &["HELLO", "3"]);
    assert!(hello.starts_with(b"%7\r\n"), "HELLO 3: {}", show(&hello));
    run_script(&mut raw, RESP3);
}

// ---------------------------------------------------------------------------------------
// XINFO STREAM FULL
// ---------------------------------------------------------------------------------------

/// The PELs of XINFO STREAM FULL: delivery times are set with TIME, so only the
/// consumers' seen times vary.
const FULL_SETUP: &[&[&str]] = &[
    &["XADD", "x", "100", "a", "1"],
    &["XADD", "x", "101", "b", "1"],
    &["XADD", "x", "102", "c", "1"],
    &["XADD", "x", "103", "e", "1"],
    &["XADD", "x", "104", "f", "1"],
    &["XGROUP", "CREATE", "x", "g1", "0"],
    &["XGROUP", "CREATE", "x", "g2", "0"],
    &[
        "XCLAIM", "x", "g1", "Alice", "0", "100", "FORCE", "TIME", "1000", "JUSTID",
    ],
    &[
        "XCLAIM",
        "x",
        "g1",
        "Bob",
        "0",
        "101",
        "102",
        "FORCE",
        "TIME",
        "2000",
        "RETRYCOUNT",
        "3",
        "JUSTID",
    ],
    &[
        "XCLAIM", "x", "g2", "Charlie", "0", "100", "101", "102", "103", "FORCE", "TIME", "3000",
        "JUSTID",
    ],
    &["XGROUP", "CREATECONSUMER", "x", "g2", "Dan"],
    &["XGROUP", "SETID", "x", "g1", "102", "ENTRIESREAD", "3"],
    &["XDEL", "x", "103"],
];

/// `reply` with the value of every `seen-time` field replaced by `T`, after checking
/// that each lies in `from..=to`.
fn mask_seen_times(reply: &[u8], from: i64, to: i64) -> Vec<u8> {
    const FIELD: &[u8] = b"$9\r\nseen-time\r\n:";
    let mut out = Vec::new();
    let mut rest = reply;
    while let Some(at) = rest.windows(FIELD.len()).position(|w| w == FIELD) {
        let value_at = at + FIELD.len();
        out.extend_from_slice(&rest[..value_at]);
        let len = rest[value_at..]
            .iter()
            .position(|&b| b == b'\r')
            .expect("CRLF");
        let value: i64 = std::str::from_utf8(&rest[value_at..value_at + len])
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (from..=to).contains(&value),
            "seen-time {value} not in {from}..={to}"
        );
        out.push(b'T');
        rest = &rest[value_at + len..];
    }
    out.extend_from_slice(rest);
    out
}

#[test]
fn xinfo_stream_full() {
    let server = TestServer::start();
    let mut raw = server.raw();
    let from = now_ms();
    for cmd in FULL_SETUP {
        let reply = ask(&mut raw, cmd);
        assert!(!reply.starts_with(b"-"), "{cmd:?}: {}", show(&reply));
    }
    let to = now_ms();
    let full = |raw: &mut RawConn, args: &[&str]| mask_seen_times(&ask(raw, args), from, to);
    assert_eq!(
        show(&full(&mut raw, &["XINFO", "STREAM", "x", "FULL"])),
        show(FULL_RESP2)
    );
    assert_eq!(
        show(&full(
            &mut raw,
            &["XINFO", "STREAM", "x", "FULL", "COUNT", "1"]
        )),
        show(FULL_COUNT1_RESP2)
    );
    // COUNT 0 shows everything; a negative COUNT means the default (10).
    assert_eq!(
        show(&full(
            &mut raw,
            &["XINFO", "STREAM", "x", "FULL", "COUNT", "0"]
        )),
        show(FULL_RESP2)
    );
    assert_eq!(
        show(&full(
            &mut raw,
            &["XINFO", "STREAM", "x", "FULL", "COUNT", "-3"]
        )),
        show(FULL_RESP2)
    );
    ask(&mut raw, &["HELLO", "3"]);
    assert_eq!(
        show(&full(&mut raw, &["XINFO", "STREAM", "x", "FULL"])),
        show(FULL_RESP3)
    );
}

// ---------------------------------------------------------------------------------------
// Propagation
// ---------------------------------------------------------------------------------------

/// Commands whose propagation is checked; run on redis-server 7.0.15 with `appendonly
/// yes`, they left [`PROPAGATED`] in its AOF.
const PROPAGATION_SCRIPT: &[&[&str]] = &[
    &["XADD", "s", "1-0", "a", "1"],
    &["XADD", "s", "2-0", "a", "2"],
    &["XADD", "s", "3-0", "a", "3"],
    &["XADD", "s", "4-0", "a", "4"],
    &["XGROUP", "CREATE", "s", "g", "0"],
    &["XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"],
    // Fails: nothing propagated.
    &["XGROUP", "CREATE", "s", "g2", "$"],
    &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
    // Two claims: one MULTI/EXEC; each ID as the request spelled it.
    &[
        "XCLAIM", "s", "g", "alice", "0", "1", "2-0", "FORCE", "TIME", "1000",
    ],
    &[
        "XCLAIM",
        "s",
        "g",
        "bob",
        "0",
        "1-0",
        "TIME",
        "2000",
        "RETRYCOUNT",
        "9",
        "JUSTID",
        "LASTID",
        "2-0",
    ],
    // A LASTID that no claim carries becomes XGROUP SETID; the same again changes nothing.
    &["XCLAIM", "s", "g", "bob", "0", "9-0", "LASTID", "3-0"],
    &["XCLAIM", "s", "g", "bob", "0", "9-0", "LASTID", "3-0"],
    &["XCLAIM", "s", "g", "bob", "0", "9-0", "LASTID", "1-0"],
    // Claimed at the command's time.
    &["XCLAIM", "s", "g", "bob", "100000", "1-0"],
    // A deleted entry's PEL entry is dropped, propagated with its old owner.
    &["XDEL", "s", "2-0"],
    &["XCLAIM", "s", "g", "carol", "0", "2-0", "TIME", "5"],
    &[
        "XCLAIM",
        "s",
        "g",
        "carol",
        "0",
        "3-0",
        "4-0",
        "FORCE",
        "TIME",
        "6",
        "RETRYCOUNT",
        "0",
    ],
    &["XDEL", "s", "3-0"],
    &["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "2"],
    &["XAUTOCLAIM", "s", "g", "dave", "0", "0", "JUSTID"],
    &["XGROUP", "CREATECONSUMER", "s", "g", "erin"],
    &["XGROUP", "CREATECONSUMER", "s", "g", "erin"],
    &["XGROUP", "DELCONSUMER", "s", "g", "erin"],
    &["XGROUP", "DELCONSUMER", "s", "g", "erin"],
    &["XACK", "s", "g", "1-0", "1-0", "5-0"],
    &["XACK", "s", "g", "1-0"],
    &["XGROUP", "SETID", "s", "g", "4-0"],
    &["XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "0"],
    &["XGROUP", "DESTROY", "s", "g2"],
    &["XGROUP", "DESTROY", "s", "g2"],
    &["MULTI"],
    &[
        "XCLAIM", "s", "g", "gina", "0", "4-0", "FORCE", "TIME", "77", "JUSTID",
    ],
    &["XACK", "s", "g", "4-0"],
    &["EXEC"],
];

/// The AOF redis-server wrote for [`PROPAGATION_SCRIPT`], command by command; `NOW` is
/// the time of the command (TIME of a claim that took no TIME option).
const PROPAGATED: &[&[&str]] = &[
    &["SELECT", "0"],
    &["XADD", "s", "1-0", "a", "1"],
    &["XADD", "s", "2-0", "a", "2"],
    &["XADD", "s", "3-0", "a", "3"],
    &["XADD", "s", "4-0", "a", "4"],
    &["XGROUP", "CREATE", "s", "g", "0"],
    &["XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"],
    &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
    &["MULTI"],
    &[
        "XCLAIM",
        "s",
        "g",
        "alice",
        "0",
        "1",
        "TIME",
        "1000",
        "RETRYCOUNT",
        "2",
        "FORCE",
        "JUSTID",
        "LASTID",
        "0-0",
    ],
    &[
        "XCLAIM",
        "s",
        "g",
        "alice",
        "0",
        "2-0",
        "TIME",
        "1000",
        "RETRYCOUNT",
        "2",
        "FORCE",
        "JUSTID",
        "LASTID",
        "0-0",
    ],
    &["EXEC"],
    &[
        "XCLAIM",
        "s",
        "g",
        "bob",
        "0",
        "1-0",
        "TIME",
        "2000",
        "RETRYCOUNT",
        "9",
        "FORCE",
        "JUSTID",
        "LASTID",
        "2-0",
    ],
    &["XGROUP", "SETID", "s", "g", "3-0", "ENTRIESREAD", "-1"],
    &[
        "XCLAIM",
        "s",
        "g",
        "bob",
        "0",
        "1-0",
        "TIME",
        "NOW",
        "RETRYCOUNT",
        "10",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &["XDEL", "s", "2-0"],
    &[
        "XCLAIM",
        "s",
        "g",
        "alice",
        "0",
        "2-0",
        "TIME",
        "1000",
        "RETRYCOUNT",
        "2",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &["MULTI"],
    &[
        "XCLAIM",
        "s",
        "g",
        "carol",
        "0",
        "3-0",
        "TIME",
        "6",
        "RETRYCOUNT",
        "0",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &[
        "XCLAIM",
        "s",
        "g",
        "carol",
        "0",
        "4-0",
        "TIME",
        "6",
        "RETRYCOUNT",
        "0",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &["EXEC"],
    &["XDEL", "s", "3-0"],
    &["MULTI"],
    &[
        "XCLAIM",
        "s",
        "g",
        "dave",
        "0",
        "1-0",
        "TIME",
        "NOW",
        "RETRYCOUNT",
        "11",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &[
        "XCLAIM",
        "s",
        "g",
        "carol",
        "0",
        "3-0",
        "TIME",
        "6",
        "RETRYCOUNT",
        "0",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &["EXEC"],
    &["MULTI"],
    &[
        "XCLAIM",
        "s",
        "g",
        "dave",
        "0",
        "1-0",
        "TIME",
        "NOW",
        "RETRYCOUNT",
        "11",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &[
        "XCLAIM",
        "s",
        "g",
        "dave",
        "0",
        "4-0",
        "TIME",
        "NOW",
        "RETRYCOUNT",
        "0",
        "FORCE",
        "JUSTID",
        "LASTID",
        "3-0",
    ],
    &["EXEC"],
    &["XGROUP", "CREATECONSUMER", "s", "g", "erin"],
    &["XGROUP", "DELCONSUMER", "s", "g", "erin"],
    &["XACK", "s", "g", "1-0", "1-0", "5-0"],
    &["XGROUP", "SETID", "s", "g", "4-0"],
    &["XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "0"],
    &["XGROUP", "DESTROY", "s", "g2"],
    &["MULTI"],
    &[
        "XCLAIM",
        "s",
        "g",
        "gina",
        "0",
        "4-0",
        "TIME",
        "77",
        "RETRYCOUNT",
        "0",
        "FORCE",
        "JUSTID",
        "LASTID",
        "4-0",
    ],
    &["XACK", "s", "g", "4-0"],
    &["EXEC"],
];

/// The commands of an AOF (RESP multibulk requests, one after another).
fn aof_commands(bytes: &[u8]) -> Vec<Vec<String>> {
    fn line(bytes: &[u8], at: &mut usize) -> usize {
        let end = *at
            + bytes[*at..]
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("CRLF");
        let n = std::str::from_utf8(&bytes[*at + 1..end])
            .unwrap()
            .parse()
            .unwrap();
        *at = end + 2;
        n
    }
    let mut at = 0;
    let mut commands = Vec::new();
    while at < bytes.len() {
        assert_eq!(bytes[at], b'*', "a multibulk at {at}");
        let argc = line(bytes, &mut at);
        let mut argv = Vec::new();
        for _ in 0..argc {
            let len = line(bytes, &mut at);
            argv.push(String::from_utf8(bytes[at..at + len].to_vec()).unwrap());
            at += len + 2;
        }
        commands.push(argv);
    }
    commands
}

/// Asks `raw` for XINFO STREAM s FULL with the seen times blanked, and XPENDING s g.
fn group_state(raw: &mut RawConn) -> (Vec<u8>, Vec<u8>) {
    let full = mask_seen_times(&ask(raw, &["XINFO", "STREAM", "s", "FULL"]), 0, i64::MAX);
    (full, ask(raw, &["XPENDING", "s", "g"]))
}

#[test]
fn claims_propagate_as_idempotent_xclaims_and_survive_a_restart() {
    let mut server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut raw = server.raw();
    let from = now_ms();
    for cmd in PROPAGATION_SCRIPT {
        ask(&mut raw, cmd);
    }
    let to = now_ms();
    let got: Vec<Vec<String>> = aof_commands(&incr_aof(&server))
        .into_iter()
        .map(|mut argv| {
            // The command's time, where the claim took no TIME option.
            for i in 1..argv.len() {
                if argv[i - 1] == "TIME" {
                    if let Ok(t) = argv[i].parse::<i64>() {
                        if (from..=to).contains(&t) {
                            argv[i] = "NOW".to_string();
                        }
                    }
                }
            }
            argv
        })
        .collect();
    let want: Vec<Vec<String>> = PROPAGATED
        .iter()
        .map(|argv| argv.iter().map(|a| a.to_string()).collect())
        .collect();
    // Redis writes the commands it propagates as given (lower case here): compare names
    // without case.
    let fold = |cmds: Vec<Vec<String>>| -> Vec<Vec<String>> {
        cmds.into_iter()
            .map(|mut argv| {
                argv[0] = argv[0].to_ascii_uppercase();
                if argv[0] == "XGROUP" {
                    argv[1] = argv[1].to_ascii_uppercase();
                }
                argv
            })
            .collect()
    };
    assert_eq!(fold(got), fold(want));
    // Replaying the AOF gives the same groups, PELs and delivery times back.
    let before = group_state(&mut raw);
    drop(raw);
    server.restart();
    let mut raw = server.raw();
    let after = group_state(&mut raw);
    assert_eq!(show(&after.0), show(&before.0));
    assert_eq!(show(&after.1), show(&before.1));
}

/// The exact AOF bytes of claims: redis-server 7.0.15 wrote these for the same requests.
#[test]
fn xclaim_propagation_bytes() {
    let server = TestServer::start_with(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut raw = server.raw();
    for cmd in [
        &["XADD", "s", "1-0", "a", "1"][..],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &[
            "XCLAIM",
            "s",
            "g",
            "alice",
            "0",
            "1",
            "FORCE",
            "TIME",
            "1000",
            "RETRYCOUNT",
            "4",
        ],
    ] {
        ask(&mut raw, cmd);
    }
    let want = [
        &encode_command(&["SELECT", "0"])[..],
        &encode_command(&["XADD", "s", "1-0", "a", "1"]),
        &encode_command(&["XGROUP", "CREATE", "s", "g", "0"]),
        &encode_command(&[
            "XCLAIM",
            "s",
            "g",
            "alice",
            "0",
            "1",
            "TIME",
            "1000",
            "RETRYCOUNT",
            "4",
            "FORCE",
            "JUSTID",
            "LASTID",
            "0-0",
        ]),
    ]
    .concat();
    assert_eq!(show(&incr_aof(&server)), show(&want));
}

// ---------------------------------------------------------------------------------------
// WATCH, keyspace events, blocked readers
// ---------------------------------------------------------------------------------------

/// Whether a transaction WATCHing `key` still runs after another client ran `cmd`.
fn exec_survives(server: &TestServer, key: &str, cmd: &[&str]) -> bool {
    let (mut a, mut b) = (server.raw(), server.raw());
    for setup in [
        &["DEL", "s", "new"][..],
        &["XADD", "s", "1-0", "f", "v"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ] {
        ask(&mut a, setup);
    }
    check(&mut a, &["WATCH", key], b"+OK\r\n");
    ask(&mut b, cmd);
    check(&mut a, &["MULTI"], b"+OK\r\n");
    check(&mut a, &["PING"], b"+QUEUED\r\n");
    ask(&mut a, &["EXEC"]) != b"*-1\r\n"
}

#[test]
fn group_changes_do_not_touch_watched_keys() {
    let server = TestServer::start();
    // As Redis: only XGROUP CREATE MKSTREAM, which creates the key, signals it.
    for cmd in [
        &["XACK", "s", "g", "1-0"][..],
        &["XCLAIM", "s", "g", "c2", "0", "1-0"],
        &["XCLAIM", "s", "g", "c2", "0", "9-0", "LASTID", "9-9"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "zz"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g3", "0"],
        &["XGROUP", "DESTROY", "s", "g"],
    ] {
        assert!(exec_survives(&server, "s", cmd), "{cmd:?} touched the key");
    }
    assert!(!exec_survives(
        &server,
        "new",
        &["XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"]
    ));
    // XADD does touch it.
    assert!(!exec_survives(
        &server,
        "s",
        &["XADD", "s", "2-0", "f", "v"]
    ));
}

#[test]
fn keyspace_events_of_group_commands() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut sub = server.raw();
    check(
        &mut a,
        &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
        b"+OK\r\n",
    );
    ask(&mut sub, &["PSUBSCRIBE", "__keyevent@0__:*"]);
    for cmd in [
        &["XADD", "s", "1-0", "f", "v"][..],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "s", "g", "0"],
        &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
        &["XCLAIM", "s", "g", "c", "0", "1-0", "FORCE"],
        &["XCLAIM", "s", "g", "c2", "0", "1-0"],
        &["XCLAIM", "s", "g", "c2", "0", "1-0"],
        &["XAUTOCLAIM", "s", "g", "c3", "0", "0"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c4"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c4"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c4"],
        &["XGROUP", "DELCONSUMER", "s", "g", "c4"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XACK", "s", "g", "1-0"],
        &["XGROUP", "DESTROY", "s", "g"],
        &["XGROUP", "DESTROY", "s", "g"],
        &["PUBLISH", "__keyevent@0__:end", "end"],
    ] {
        ask(&mut a, cmd);
    }
    let mut events = Vec::new();
    loop {
        let msg = String::from_utf8(sub.read_reply()).unwrap();
        let parts: Vec<&str> = msg.split("\r\n").collect();
        // *4 pmessage pattern channel message
        let (channel, message) = (parts[6], parts[8]);
        let event = channel.trim_start_matches("__keyevent@0__:");
        if event == "end" {
            break;
        }
        events.push(format!("{event} {message}"));
    }
    assert_eq!(
        events,
        [
            "xadd s",
            "xgroup-create s",
            "xgroup-create m",
            "xgroup-createconsumer s",
            "xgroup-createconsumer s",
            "xgroup-createconsumer s",
            "xgroup-createconsumer s",
            "xgroup-delconsumer s",
            "xgroup-setid s",
            "xgroup-destroy s",
        ]
    );
}

#[test]
fn xgroup_destroy_serves_blocked_readers_with_nogroup() {
    let server = TestServer::start();
    let mut a = server.raw();
    let mut reader = server.raw();
    check(
        &mut a,
        &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
        b"+OK\r\n",
    );
    reader.send_cmd(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        ">",
    ]);
    let blocked = wait_until(Duration::from_secs(5), || {
        let info = ask(&mut a, &["INFO", "clients"]);
        String::from_utf8_lossy(&info).contains("blocked_clients:1")
    });
    assert!(blocked, "the reader did not block");
    check(&mut a, &["XGROUP", "DESTROY", "s", "g"], b":1\r\n");
    reader.expect(b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n");
}
