//! Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and
//! the shard-channel ones SSUBSCRIBE SUNSUBSCRIBE SPUBLISH.
//! The subscriber index and the delivery live in server/pubsub.rs.

use super::flags::*;
use super::server_cmds::subcommand_syntax_error;
use super::table::container_handler;
use super::{CommandError, CommandResult, CommandSpec, Keys};
use crate::server::pubsub::Kind;
use crate::server::{Client, Server};

const SUBSCRIBE_FLAGS: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;
const INTROSPECTION_FLAGS: u32 = PUBSUB | LOADING | STALE;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "subscribe",
        subscribe,
        -2,
        SUBSCRIBE_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.0.0",
        "Listens for messages published to channels.",
    ),
    CommandSpec::new(
        "unsubscribe",
        unsubscribe,
        -1,
        SUBSCRIBE_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.0.0",
        "Stops listening to messages posted to channels.",
    ),
    CommandSpec::new(
        "psubscribe",
        psubscribe,
        -2,
        SUBSCRIBE_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.0.0",
        "Listens for messages published to channels that match one or more patterns.",
    ),
    CommandSpec::new(
        "punsubscribe",
        punsubscribe,
        -1,
        SUBSCRIBE_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.0.0",
        "Stops listening to messages published to channels that match one or more patterns.",
    ),
    CommandSpec::new(
        "publish",
        publish,
        3,
        PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE | SENTINEL,
        Keys::NONE,
        "pubsub",
        "2.0.0",
        "Posts a message to a channel.",
    ),
    CommandSpec::new(
        "ssubscribe",
        ssubscribe,
        -2,
        SUBSCRIBE_FLAGS,
        Keys::ALL,
        "pubsub",
        "7.0.0",
        "Listens for messages published to shard channels.",
    ),
    CommandSpec::new(
        "sunsubscribe",
        sunsubscribe,
        -1,
        SUBSCRIBE_FLAGS,
        Keys::ALL,
        "pubsub",
        "7.0.0",
        "Stops listening to messages posted to shard channels.",
    ),
    CommandSpec::new(
        "spublish",
        spublish,
        3,
        PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE,
        Keys::ONE,
        "pubsub",
        "7.0.0",
        "Post a message to a shard channel",
    ),
    CommandSpec::new(
        "pubsub",
        container_handler,
        -2,
        0,
        Keys::NONE,
        "pubsub",
        "2.8.0",
        "A container for Pub/Sub commands.",
    )
    .with_subcommands(PUBSUB_SUBCOMMANDS),
];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        "channels",
        pubsub_channels,
        -2,
        INTROSPECTION_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.8.0",
        "Returns the active channels.",
    ),
    CommandSpec::new(
        "numsub",
        pubsub_numsub,
        -2,
        INTROSPECTION_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.8.0",
        "Returns a count of subscribers to channels.",
    ),
    CommandSpec::new(
        "numpat",
        pubsub_numpat,
        2,
        INTROSPECTION_FLAGS,
        Keys::NONE,
        "pubsub",
        "2.8.0",
        "Returns a count of unique pattern subscriptions.",
    ),
    CommandSpec::new(
        "shardchannels",
        pubsub_channels,
        -2,
        INTROSPECTION_FLAGS,
        Keys::NONE,
        "pubsub",
        "7.0.0",
        "Returns the active shard channels.",
    ),
    CommandSpec::new(
        "shardnumsub",
        pubsub_numsub,
        -2,
        INTROSPECTION_FLAGS,
        Keys::NONE,
        "pubsub",
        "7.0.0",
        "Returns the count of subscribers of shard channels.",
    ),
    CommandSpec::new(
        "help",
        pubsub_help,
        2,
        LOADING | STALE,
        Keys::NONE,
        "pubsub",
        "6.2.0",
        "Returns helpful text about the different subcommands.",
    ),
];

/// The commands a RESP2 client may send while it listens (its connection carries
/// messages, not replies); with RESP3 everything is allowed. `name` is the full name
/// ("config|get" for a subcommand), so no subcommand is mistaken for one of these.
pub fn allowed_while_subscribed(name: &str) -> bool {
    matches!(
        name,
        "ping"
            | "subscribe"
            | "unsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "ssubscribe"
            | "sunsubscribe"
            | "quit"
            | "reset"
    )
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    subscribe_each(srv, c, Kind::Channel)
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    subscribe_each(srv, c, Kind::Pattern)
}

fn subscribe_each(srv: &mut Server, c: &mut Client, kind: Kind) -> CommandResult {
    let names = std::mem::take(&mut c.argv);
    for name in &names[1..] {
        srv.pubsub_subscribe(c, kind, name);
    }
    c.argv = names;
    Ok(())
}

/// SSUBSCRIBE shardchannel [shardchannel ...]: refused in a transaction, where a
/// client expects one reply per command (Redis makes the exception for SUBSCRIBE and
/// PSUBSCRIBE only, for compatibility).
fn ssubscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.deny_blocking() {
        return Err(CommandError::Err(
            "SSUBSCRIBE isn't allowed for a DENY BLOCKING client",
        ));
    }
    subscribe_each(srv, c, Kind::Shard)
}

/// UNSUBSCRIBE [channel ...]
fn unsubscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    unsubscribe_each(srv, c, Kind::Channel)
}

/// PUNSUBSCRIBE [pattern ...]
fn punsubscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    unsubscribe_each(srv, c, Kind::Pattern)
}

/// SUNSUBSCRIBE [shardchannel ...]
fn sunsubscribe(srv: &mut Server, c: &mut Client) -> CommandResult {
    unsubscribe_each(srv, c, Kind::Shard)
}

fn unsubscribe_each(srv: &mut Server, c: &mut Client, kind: Kind) -> CommandResult {
    if c.argc() == 1 {
        srv.pubsub_unsubscribe_all(c, kind, true);
        return Ok(());
    }
    let names = std::mem::take(&mut c.argv);
    for name in &names[1..] {
        srv.pubsub_unsubscribe(c, kind, name, true);
    }
    c.argv = names;
    Ok(())
}

/// PUBLISH channel message: the number of deliveries. Replicas get it too (never the
/// AOF), so that their own subscribers hear what the master's hear.
fn publish(srv: &mut Server, c: &mut Client) -> CommandResult {
    publish_to(srv, c, false)
}

/// SPUBLISH shardchannel message: as PUBLISH, to a shard channel's subscribers.
fn spublish(srv: &mut Server, c: &mut Client) -> CommandResult {
    publish_to(srv, c, true)
}

fn publish_to(srv: &mut Server, c: &mut Client, shard: bool) -> CommandResult {
    let argv = std::mem::take(&mut c.argv);
    let receivers = srv.pubsub_publish(Some(c), &argv[1], &argv[2], shard);
    c.argv = argv;
    c.force_propagate_repl = true;
    c.reply.int(receivers as i64);
    Ok(())
}

/// PUBSUB CHANNELS [pattern] and PUBSUB SHARDCHANNELS [pattern]
fn pubsub_channels(srv: &mut Server, c: &mut Client) -> CommandResult {
    if c.argc() > 3 {
        return Err(subcommand_syntax_error(c));
    }
    let shard = c.argv[1].eq_ignore_ascii_case(b"shardchannels");
    let pattern = c.argv.get(2).map(Vec::as_slice);
    let channels: Vec<&[u8]> = srv.pubsub.channels_matching(pattern, shard).collect();
    c.reply.array_len(channels.len());
    for channel in channels {
        c.reply.bulk(channel);
    }
    Ok(())
}

/// PUBSUB NUMSUB [channel ...] and PUBSUB SHARDNUMSUB [shardchannel ...]: a flat
/// array of channel, count pairs (an array in RESP3 too, as in Redis 7.0).
fn pubsub_numsub(srv: &mut Server, c: &mut Client) -> CommandResult {
    let shard = c.argv[1].eq_ignore_ascii_case(b"shardnumsub");
    c.reply.array_len((c.argc() - 2) * 2);
    for channel in &c.argv[2..] {
        let count = srv.pubsub.subscriber_count(channel, shard);
        c.reply.bulk(channel);
        c.reply.int(count as i64);
    }
    Ok(())
}

/// PUBSUB NUMPAT
fn pubsub_numpat(srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.int(srv.pubsub.pattern_count() as i64);
    Ok(())
}

const PUBSUB_HELP: &[&str] = &[
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
];

/// PUBSUB HELP
fn pubsub_help(_srv: &mut Server, c: &mut Client) -> CommandResult {
    c.reply.array_len(PUBSUB_HELP.len());
    for line in PUBSUB_HELP {
        c.reply.simple(line);
    }
    Ok(())
}
