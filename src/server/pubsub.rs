//! Publish/subscribe: which clients listen to which channels and patterns, and the
//! delivery of a published message to them (Redis's pubsub.c).
//!
//! Two indexes are kept in step: the server's, from a channel (or pattern) to the
//! tokens of its subscribers in the order they subscribed, which PUBLISH walks; and
//! each client's own [`Subscriptions`], which its (P)UNSUBSCRIBE, RESET and
//! disconnection walk. A channel or pattern leaves the server's index with its last
//! subscriber, so abandoned channels cost nothing.
//!
//! Messages go out as Redis sends them: `message`/`pmessage` arrays in RESP2, push
//! frames in RESP3. A subscriber that stops reading is closed once its output passes
//! the `client-output-buffer-limit pubsub` class, as in Redis.

use std::collections::{HashMap, HashSet};

use super::client::output_limit_reached;
use super::{Client, ReplyMode, Server};
use crate::util::glob::glob_match;
use crate::util::time;

/// What one client listens to.
#[derive(Debug, Default)]
pub struct Subscriptions {
    channels: HashSet<Vec<u8>>,
    /// In subscription order (PUNSUBSCRIBE without arguments answers in that order).
    patterns: Vec<Vec<u8>>,
    /// Shard channels (SSUBSCRIBE): a namespace of their own, counted apart.
    shard_channels: HashSet<Vec<u8>>,
    /// Since when the output has been over the pubsub class's soft limit.
    pub(crate) soft_limit_since_ms: Option<i64>,
}

impl Subscriptions {
    /// Approximate bytes of the subscription sets (each name plus its slot), for the
    /// client's memory (CLIENT LIST `tot-mem`, client eviction).
    pub fn memory(&self) -> usize {
        const SLOT: usize = 40;
        let names = self
            .channels
            .iter()
            .chain(&self.patterns)
            .chain(&self.shard_channels)
            .map(|n| n.len() + SLOT)
            .sum::<usize>();
        std::mem::size_of::<Subscriptions>() + names
    }

    /// The count a confirmation of `kind` carries: channels plus patterns, or shard
    /// channels alone.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Channel | Kind::Pattern => self.channels.len() + self.patterns.len(),
            Kind::Shard => self.shard_channels.len(),
        }
    }

    /// Every subscription: the client listens while this is not zero.
    fn total(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }

    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Whether ACL channel rules `allowed` still permit every subscription (patterns
    /// are compared literally, channels matched).
    pub fn allowed_by(&self, allowed: &[Vec<u8>]) -> bool {
        self.patterns
            .iter()
            .all(|p| crate::acl::channel_allowed(allowed, p, true))
            && self
                .channels
                .iter()
                .chain(&self.shard_channels)
                .all(|c| crate::acl::channel_allowed(allowed, c, false))
    }
}

/// The server's side: subscribers by channel, by pattern and by shard channel.
#[derive(Debug, Default)]
pub struct PubSub {
    channels: HashMap<Vec<u8>, Vec<usize>>,
    /// In the order patterns were first subscribed.
    patterns: Vec<(Vec<u8>, Vec<usize>)>,
    shard_channels: HashMap<Vec<u8>, Vec<usize>>,
}

impl PubSub {
    /// Channels with at least one subscriber (INFO `pubsub_channels`).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Distinct patterns with at least one subscriber (INFO `pubsub_patterns`, PUBSUB
    /// NUMPAT).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Shard channels with at least one subscriber (INFO `pubsubshard_channels`).
    pub fn shard_channel_count(&self) -> usize {
        self.shard_channels.len()
    }

    /// The channel index of `kind` (shard or not; patterns have their own list).
    fn index(&self, shard: bool) -> &HashMap<Vec<u8>, Vec<usize>> {
        if shard {
            &self.shard_channels
        } else {
            &self.channels
        }
    }

    /// Subscribers of `channel` (a shard channel if `shard`), not counting pattern
    /// subscriptions (PUBSUB NUMSUB, SHARDNUMSUB).
    pub fn subscriber_count(&self, channel: &[u8], shard: bool) -> usize {
        self.index(shard).get(channel).map_or(0, Vec::len)
    }

    /// The active channels (shard channels if `shard`) that match `pattern` (all of
    /// them without one).
    pub fn channels_matching<'a>(
        &'a self,
        pattern: Option<&'a [u8]>,
        shard: bool,
    ) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.index(shard)
            .keys()
            .map(Vec::as_slice)
            .filter(move |ch| pattern.is_none_or(|p| glob_match(p, ch, false)))
    }
}

/// The kind of a subscription, which names its confirmations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
    /// A shard channel (SSUBSCRIBE/SPUBLISH): without a cluster, simply channels of a
    /// namespace of their own, which patterns never match.
    Shard,
}

impl Kind {
    fn subscribe_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }

    fn unsubscribe_word(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }
}

/// Runs `write`, which appends one pub/sub frame to `c`'s output, and notes where
/// the frame is if `c` has silenced its replies (it must get it all the same).
pub(crate) fn push_frame(c: &mut Client, write: impl FnOnce(&mut Client)) {
    let start = c.reply.buf.len();
    write(c);
    if c.reply_mode != ReplyMode::On {
        let end = c.reply.buf.len();
        c.silenced_pushes.push((start, end));
    }
}

/// Appends a `[word, name, count]` confirmation (a push frame in RESP3); a missing
/// name is a null (UNSUBSCRIBE from nothing).
fn confirm(c: &mut Client, word: &[u8], name: Option<&[u8]>, count: usize) {
    push_frame(c, |c| confirm_frame(c, word, name, count));
}

fn confirm_frame(c: &mut Client, word: &[u8], name: Option<&[u8]>, count: usize) {
    c.reply.push_len(3);
    c.reply.bulk(word);
    match name {
        Some(name) => c.reply.bulk(name),
        None => c.reply.null(),
    }
    c.reply.int(count as i64);
}

/// How a published message reaches a subscriber: by its channel, a pattern, or its
/// shard channel.
#[derive(Clone, Copy)]
enum Via<'a> {
    Channel,
    Pattern(&'a [u8]),
    Shard,
}

/// Appends a `message` (`pmessage` with the pattern, `smessage`) frame.
fn deliver(c: &mut Client, via: Via<'_>, channel: &[u8], message: &[u8]) {
    match via {
        Via::Channel | Via::Shard => {
            c.reply.push_len(3);
            c.reply.bulk(if matches!(via, Via::Shard) {
                b"smessage"
            } else {
                b"message"
            });
        }
        Via::Pattern(pattern) => {
            c.reply.push_len(4);
            c.reply.bulk(b"pmessage");
            c.reply.bulk(pattern);
        }
    }
    c.reply.bulk(channel);
    c.reply.bulk(message);
}

impl Server {
    /// Subscribes `c` to `name` (a channel or a pattern) and confirms it; subscribing
    /// twice changes nothing but is confirmed again, as in Redis.
    pub fn pubsub_subscribe(&mut self, c: &mut Client, kind: Kind, name: &[u8]) {
        let subs = c.subscriptions.get_or_insert_with(Default::default);
        let added = match kind {
            Kind::Channel => subs.channels.insert(name.to_vec()),
            Kind::Shard => subs.shard_channels.insert(name.to_vec()),
            Kind::Pattern if subs.patterns.iter().any(|p| p == name) => false,
            Kind::Pattern => {
                subs.patterns.push(name.to_vec());
                true
            }
        };
        if added {
            let tokens = match kind {
                Kind::Channel => self.pubsub.channels.entry(name.to_vec()).or_default(),
                Kind::Shard => self.pubsub.shard_channels.entry(name.to_vec()).or_default(),
                Kind::Pattern => {
                    let at = match self.pubsub.patterns.iter().position(|(p, _)| p == name) {
                        Some(at) => at,
                        None => {
                            self.pubsub.patterns.push((name.to_vec(), Vec::new()));
                            self.pubsub.patterns.len() - 1
                        }
                    };
                    &mut self.pubsub.patterns[at].1
                }
            };
            tokens.push(c.token);
        }
        let count = subs.count(kind);
        confirm(c, kind.subscribe_word(), Some(name), count);
    }

    /// Unsubscribes `c` from `name`, confirming it if `notify` (even when `c` was not
    /// subscribed to it). Returns whether it was.
    pub fn pubsub_unsubscribe(
        &mut self,
        c: &mut Client,
        kind: Kind,
        name: &[u8],
        notify: bool,
    ) -> bool {
        let removed = match c.subscriptions.as_mut() {
            None => false,
            Some(subs) => match kind {
                Kind::Channel => subs.channels.remove(name),
                Kind::Shard => subs.shard_channels.remove(name),
                Kind::Pattern => match subs.patterns.iter().position(|p| p == name) {
                    Some(at) => {
                        subs.patterns.remove(at);
                        true
                    }
                    None => false,
                },
            },
        };
        if removed {
            self.forget_subscriber(kind, name, c.token);
        }
        if notify {
            let count = c.subscriptions.as_ref().map_or(0, |s| s.count(kind));
            confirm(c, kind.unsubscribe_word(), Some(name), count);
        }
        if c.subscriptions.as_ref().is_some_and(|s| s.total() == 0) {
            c.subscriptions = None;
        }
        removed
    }

    /// Unsubscribes `c` from every channel (or pattern), confirming each if `notify`,
    /// and once with a null name if there was none.
    pub fn pubsub_unsubscribe_all(&mut self, c: &mut Client, kind: Kind, notify: bool) {
        let names: Vec<Vec<u8>> = match (c.subscriptions.as_ref(), kind) {
            (None, _) => Vec::new(),
            (Some(subs), Kind::Channel) => subs.channels.iter().cloned().collect(),
            (Some(subs), Kind::Shard) => subs.shard_channels.iter().cloned().collect(),
            (Some(subs), Kind::Pattern) => subs.patterns.clone(),
        };
        for name in &names {
            self.pubsub_unsubscribe(c, kind, name, notify);
        }
        if notify && names.is_empty() {
            let count = c.subscriptions.as_ref().map_or(0, |s| s.count(kind));
            confirm(c, kind.unsubscribe_word(), None, count);
        }
    }

    /// Drops every subscription of a client that goes away or is RESET, silently.
    pub fn pubsub_forget_client(&mut self, c: &mut Client) {
        if c.subscriptions.is_some() {
            self.pubsub_unsubscribe_all(c, Kind::Channel, false);
            self.pubsub_unsubscribe_all(c, Kind::Pattern, false);
            self.pubsub_unsubscribe_all(c, Kind::Shard, false);
        }
    }

    /// Removes `token` from the subscribers of `name`, and `name` from the index when
    /// it was the last.
    fn forget_subscriber(&mut self, kind: Kind, name: &[u8], token: usize) {
        match kind {
            Kind::Channel | Kind::Shard => {
                let index = if kind == Kind::Shard {
                    &mut self.pubsub.shard_channels
                } else {
                    &mut self.pubsub.channels
                };
                if let Some(tokens) = index.get_mut(name) {
                    tokens.retain(|&t| t != token);
                    if tokens.is_empty() {
                        index.remove(name);
                    }
                }
            }
            Kind::Pattern => {
                if let Some(at) = self.pubsub.patterns.iter().position(|(p, _)| p == name) {
                    let tokens = &mut self.pubsub.patterns[at].1;
                    tokens.retain(|&t| t != token);
                    if tokens.is_empty() {
                        self.pubsub.patterns.remove(at);
                    }
                }
            }
        }
    }

    /// Sends `message` to the subscribers of `channel` and of every pattern matching
    /// it, or with `shard` to those of the shard channel alone; `from` is the client
    /// whose command publishes, if any (out of the client table while it runs, so it
    /// is served directly if it listens too). Returns how many deliveries were made,
    /// PUBLISH's reply.
    pub fn pubsub_publish(
        &mut self,
        mut from: Option<&mut Client>,
        channel: &[u8],
        message: &[u8],
        shard: bool,
    ) -> usize {
        let mut receivers = 0;
        let mut over_limit = Vec::new();
        let limit = self.config.client_output_buffer_limit.pubsub;
        let now_ms = time::now_ms();
        let direct = if shard { Via::Shard } else { Via::Channel };
        let by_channel = self
            .pubsub
            .index(shard)
            .get(channel)
            .map(|t| (direct, t.as_slice()));
        let by_pattern = self
            .pubsub
            .patterns
            .iter()
            .filter(|(p, _)| !shard && glob_match(p, channel, false))
            .map(|(p, t)| (Via::Pattern(p), t.as_slice()));
        for (via, tokens) in by_channel.into_iter().chain(by_pattern) {
            for &token in tokens {
                receivers += 1;
                if let Some(from) = from.as_deref_mut().filter(|f| f.token == token) {
                    push_frame(from, |c| deliver(c, via, channel, message));
                    continue;
                }
                let Some(Some(c)) = self.clients.get_mut(token) else {
                    continue;
                };
                deliver(c, via, channel, message);
                c.queue_write(&mut self.pending_writes);
                let pending = c.pending_output() as u64;
                if let Some(subs) = c.subscriptions.as_mut() {
                    if output_limit_reached(pending, &limit, &mut subs.soft_limit_since_ms, now_ms)
                    {
                        over_limit.push(token);
                    }
                }
            }
        }
        self.close_over_output_limit(over_limit);
        receivers
    }
}
