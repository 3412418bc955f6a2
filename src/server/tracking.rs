//! Client-side caching, as Redis's `tracking.c`: CLIENT TRACKING makes the server tell
//! a client when a key it may have cached changes.
//!
//! * Default mode: after each read-only command of a tracking client, the server
//!   remembers the command's keys with the client ([`TrackingState::keys`]). When one
//!   of them changes (a write, expiry, eviction), every client remembered for it gets
//!   an `invalidate` message naming the key, once: the entry is then forgotten until
//!   the key is read again. OPTIN / OPTOUT with CLIENT CACHING choose which reads count.
//! * BCAST mode: nothing is remembered per client; a client subscribes to key prefixes
//!   (the empty prefix by default) and gets, once per event-loop round, the keys under
//!   them that changed.
//! * Delivery: a RESP3 connection gets `invalidate` push frames; a connection that
//!   REDIRECTs them to another one has them delivered there, as push frames if that one
//!   speaks RESP3, or as `message`s of the `__redis__:invalidate` channel if it is a
//!   RESP2 subscriber. FLUSHDB and FLUSHALL send a null invalidation to every tracking
//!   client. With NOLOOP a client is not told of its own writes.
//!
//! Clients are referred to by slab token and id together: a token alone may be reused
//! by a later connection, and the id tells it apart. The client running a command is
//! out of the client table meanwhile, so functions that may reach it take it as
//! `current`; what it must get about its own keys waits until its reply is written
//! ([`Server::tracking_after_command`]), as Redis's tracking_pending_keys.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::client::Client;
use super::pubsub::push_frame;
use super::Server;
use crate::commands::CommandId;

/// The channel RESP2 connections receive redirected invalidations on.
const INVALIDATE_CHANNEL: &[u8] = b"__redis__:invalidate";

/// A connected client: its slab token and its id (which tells a reused token apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientRef {
    pub token: usize,
    pub id: u64,
}

impl ClientRef {
    pub fn of(c: &Client) -> ClientRef {
        ClientRef {
            token: c.token,
            id: c.id,
        }
    }
}

/// How a client tracks (`Client::tracking` is Some while CLIENT TRACKING is on).
#[derive(Debug, Clone, Default)]
pub struct ClientTracking {
    /// REDIRECT: the client that gets the messages (None: this one).
    pub redirect: Option<ClientRef>,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING was given for the next command (yes in OPTIN, no in OPTOUT).
    pub caching: bool,
    /// The redirect client is gone: messages are lost (flag `R` of CLIENT LIST).
    pub broken_redirect: bool,
    /// BCAST prefixes (the empty prefix when none was given).
    pub prefixes: BTreeSet<Vec<u8>>,
}

impl ClientTracking {
    /// Approximate bytes of the settings and BCAST prefixes, for the client's memory
    /// (CLIENT LIST `tot-mem`, client eviction).
    pub fn memory(&self) -> usize {
        const NODE: usize = 48;
        let prefixes: usize = self.prefixes.iter().map(|p| p.len() + NODE).sum();
        std::mem::size_of::<ClientTracking>() + prefixes
    }
}

/// The options of CLIENT TRACKING ON.
#[derive(Debug, Default)]
pub struct TrackingOptions {
    pub redirect: Option<ClientRef>,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    pub prefixes: Vec<Vec<u8>>,
}

/// The clients of one BCAST prefix and the keys under it changed this round.
#[derive(Debug, Default)]
struct Broadcast {
    /// Changed key -> id of the client that changed it last (None: expiry, eviction).
    keys: BTreeMap<Vec<u8>, Option<u64>>,
    clients: BTreeSet<ClientRef>,
}

/// What an invalidation message carries.
#[derive(Clone, Copy)]
enum Payload<'a> {
    /// One key (an array of one).
    Key(&'a [u8]),
    /// A ready-made array of keys (BCAST).
    Keys(&'a [u8]),
    /// Everything (a flush): a null, in the tracking client's protocol.
    Flush,
}

/// The server-wide tracking tables.
#[derive(Debug, Default)]
pub struct TrackingState {
    /// Key -> clients that read it since it last changed (default mode).
    keys: HashMap<Vec<u8>, HashSet<ClientRef>>,
    /// Sum of the clients over all keys (INFO tracking_total_items).
    items: u64,
    prefixes: BTreeMap<Vec<u8>, Broadcast>,
    /// Clients with tracking on (INFO tracking_clients).
    clients: usize,
    /// Invalidations for the running client's own tracking, sent after its reply
    /// (None: a flush).
    pending_for_current: Vec<Option<Vec<u8>>>,
    /// Rounds in a row that the key limit could not be reached (more effort each).
    limit_rounds: u32,
    /// Keys evicted by the last eviction pass, not yet invalidated.
    pub(super) evicted: Vec<Vec<u8>>,
    /// Messages that involve a client out of the client table but not passed as the
    /// running one (a client served after a blocking wait runs while the client whose
    /// write served it is out too): (that client's token, tracking client, payload),
    /// sent when it is put back.
    held: Vec<(usize, ClientRef, HeldPayload)>,
}

/// An owned [`Payload`], for a message held back.
#[derive(Debug)]
enum HeldPayload {
    Key(Vec<u8>),
    /// A key the client read, if it still tracks in default mode when it is back; with
    /// the client whose command changed it (the reader's own script, say: NOLOOP).
    ReaderKey(Vec<u8>, Option<u64>),
    Keys(Vec<u8>),
    Flush,
}

impl HeldPayload {
    fn of(p: Payload<'_>) -> HeldPayload {
        match p {
            Payload::Key(k) => HeldPayload::Key(k.to_vec()),
            Payload::Keys(k) => HeldPayload::Keys(k.to_vec()),
            Payload::Flush => HeldPayload::Flush,
        }
    }

    fn as_payload(&self) -> Payload<'_> {
        match self {
            HeldPayload::Key(k) | HeldPayload::ReaderKey(k, _) => Payload::Key(k),
            HeldPayload::Keys(k) => Payload::Keys(k),
            HeldPayload::Flush => Payload::Flush,
        }
    }
}

impl TrackingState {
    /// Whether a change to a key may concern anyone: skips all work otherwise.
    #[inline]
    pub fn active(&self) -> bool {
        !self.keys.is_empty() || !self.prefixes.is_empty()
    }

    /// Whether messages wait for a client to be put back in the client table.
    #[inline]
    pub fn has_held(&self) -> bool {
        !self.held.is_empty()
    }

    /// Whether evicted keys wait to be invalidated.
    #[inline]
    pub fn has_evicted(&self) -> bool {
        !self.evicted.is_empty()
    }

    /// Whether the running client has invalidations waiting for its reply to end.
    #[inline]
    pub fn has_pending(&self) -> bool {
        !self.pending_for_current.is_empty()
    }

    pub fn client_count(&self) -> usize {
        self.clients
    }

    pub fn total_keys(&self) -> usize {
        self.keys.len()
    }

    pub fn total_items(&self) -> u64 {
        self.items
    }

    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// Whether one of two prefixes starts the other (Redis refuses such pairs for one
/// client: a key would be announced twice).
pub fn prefixes_overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Appends an array of `keys` as a RESP array of bulk strings.
fn keys_array(keys: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", keys.len()).into_bytes();
    for k in keys {
        out.extend_from_slice(format!("${}\r\n", k.len()).as_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl Server {
    /// Runs `f` on client `r`: the running client if it is that one, else the one in
    /// the client table (noting that it has output to write). None if it is gone.
    fn with_tracked_client<R>(
        &mut self,
        current: Option<&mut Client>,
        r: ClientRef,
        f: impl FnOnce(&mut Client) -> R,
    ) -> Option<R> {
        if let Some(cur) = current.filter(|cur| cur.token == r.token) {
            return (cur.id == r.id).then(|| f(cur));
        }
        let c = match self.clients.get_mut(r.token) {
            Some(Some(c)) if c.id == r.id => c,
            _ => return None,
        };
        let out = f(c);
        if c.pending_output() > 0 {
            c.queue_write(&mut self.pending_writes);
        }
        Some(out)
    }

    /// The tracking settings of client `r` (the running client if it is that one), or
    /// None if it is gone or does not track.
    fn tracking_of<'a>(
        &'a self,
        current: Option<&'a Client>,
        r: ClientRef,
    ) -> Option<&'a ClientTracking> {
        let c = match current.filter(|c| c.token == r.token) {
            Some(c) => c,
            None => match self.clients.get(r.token) {
                Some(Some(c)) => c,
                _ => return None,
            },
        };
        (c.id == r.id).then_some(c.tracking.as_deref()).flatten()
    }

    /// The token of client `r` if it is out of the client table (running something)
    /// without being `current`, the client this code was handed.
    fn away(&self, current: Option<&Client>, r: ClientRef) -> Option<usize> {
        if current.is_some_and(|c| c.token == r.token) {
            return None;
        }
        matches!(self.clients.get(r.token), Some(None)).then_some(r.token)
    }

    /// Sends the messages held for `c` while it was out of the client table (see
    /// [`TrackingState::held`]); called as it is put back.
    pub fn tracking_release_held(&mut self, c: &mut Client) {
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.tracking.held)
            .into_iter()
            .partition(|(token, _, _)| *token == c.token);
        self.tracking.held = others;
        for (_, t, payload) in mine {
            if let HeldPayload::ReaderKey(_, modifier) = &payload {
                let own_change_unwanted =
                    *modifier == Some(c.id) && c.tracking.as_ref().is_some_and(|tr| tr.noloop);
                if t != ClientRef::of(c)
                    || c.tracking.as_ref().is_none_or(|tr| tr.bcast)
                    || own_change_unwanted
                {
                    continue;
                }
            }
            self.send_tracking_message(Some(&mut *c), t, payload.as_payload());
        }
    }

    /// CLIENT TRACKING ON for `c` (options already checked).
    pub fn tracking_enable(&mut self, c: &mut Client, opts: TrackingOptions) {
        let mut t = match c.tracking.take() {
            Some(t) => *t,
            None => {
                self.tracking.clients += 1;
                ClientTracking::default()
            }
        };
        t.redirect = opts.redirect;
        t.broken_redirect = false;
        t.bcast = opts.bcast;
        t.optin = opts.optin;
        t.optout = opts.optout;
        t.noloop = opts.noloop;
        if opts.bcast {
            let me = ClientRef::of(c);
            let wanted = if opts.prefixes.is_empty() {
                vec![Vec::new()]
            } else {
                opts.prefixes
            };
            for prefix in wanted {
                let b = self.tracking.prefixes.entry(prefix.clone()).or_default();
                if b.clients.insert(me) {
                    t.prefixes.insert(prefix);
                }
            }
        }
        c.tracking = Some(Box::new(t));
    }

    /// CLIENT TRACKING OFF, RESET, or the client leaving.
    pub fn tracking_disable(&mut self, c: &mut Client) {
        let Some(t) = c.tracking.take() else {
            return;
        };
        let me = ClientRef::of(c);
        for prefix in &t.prefixes {
            if let Some(b) = self.tracking.prefixes.get_mut(prefix) {
                b.clients.remove(&me);
                if b.clients.is_empty() {
                    self.tracking.prefixes.remove(prefix);
                }
            }
        }
        self.tracking.clients -= 1;
    }

    /// After `c` ran command `id`: remembers the keys a read-only command read (default
    /// mode), sends what `c` must hear about its own keys (after its reply; for EXEC's
    /// commands, after EXEC's), and ends a CLIENT CACHING that applied to this command.
    pub fn tracking_after_command(&mut self, c: &mut Client, id: CommandId, read_only: bool) {
        if read_only {
            self.tracking_remember_keys(c, id);
        }
        if c.in_exec {
            return;
        }
        let is_client_cmd = self.commands.spec(id).name == "client"
            || self.commands.full_names[id].starts_with("client|");
        if c.multi.is_none() && !is_client_cmd {
            if let Some(t) = c.tracking.as_mut() {
                t.caching = false;
            }
        }
        self.tracking_send_pending(c);
    }

    /// Remembers the keys of `c`'s command `id` (its argv) as read by `c`, if it tracks
    /// them (default mode, and OPTIN/OPTOUT as CLIENT CACHING says). A script's reads
    /// count as reads of the keys its EVAL declared (Redis's trackingRememberKeys).
    pub fn tracking_remember_keys(&mut self, c: &mut Client, id: CommandId) {
        let remember = c.tracking.as_ref().is_some_and(|t| {
            let counts = if t.optin {
                t.caching
            } else {
                !(t.optout && t.caching)
            };
            !t.bcast && counts
        });
        if remember {
            let me = ClientRef::of(c);
            for k in self.commands.get_keys(id, &c.argv) {
                let key = &c.argv[k.pos];
                let readers = match self.tracking.keys.get_mut(key.as_slice()) {
                    Some(r) => r,
                    None => self.tracking.keys.entry(key.clone()).or_default(),
                };
                if readers.insert(me) {
                    self.tracking.items += 1;
                }
            }
        }
    }

    /// Sends what `c` had to hear about its own keys once its command's reply is
    /// written (Redis's trackingHandlePendingKeyInvalidations).
    pub fn tracking_send_pending(&mut self, c: &mut Client) {
        if self.tracking.pending_for_current.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.tracking.pending_for_current);
        let me = ClientRef::of(c);
        for key in &pending {
            let payload = key.as_deref().map_or(Payload::Flush, Payload::Key);
            self.send_tracking_message(Some(&mut *c), me, payload);
        }
    }

    /// A key changed during the command of `current` (or outside any command, when
    /// None): see [`Server::invalidate_key`]. What `current` itself must hear waits for
    /// the end of its reply.
    pub fn tracking_invalidate_key(
        &mut self,
        current: Option<&mut Client>,
        key: &[u8],
        modifier: Option<u64>,
        bcast: bool,
    ) {
        self.invalidate_key(current, key, modifier, bcast, true);
    }

    /// A key changed (Redis's trackingInvalidateKey): notes it for the BCAST prefixes
    /// it falls under (when `bcast`, with `modifier`, the client that changed it, for
    /// NOLOOP), and tells every client that read it since it last changed but
    /// `current` if it asked for NOLOOP. `current`'s own message is sent at once unless
    /// `defer_current` (it is running a command whose reply must come first).
    fn invalidate_key(
        &mut self,
        mut current: Option<&mut Client>,
        key: &[u8],
        modifier: Option<u64>,
        bcast: bool,
        defer_current: bool,
    ) {
        if bcast && !self.tracking.prefixes.is_empty() {
            for (prefix, b) in self.tracking.prefixes.iter_mut() {
                if key.starts_with(prefix) {
                    b.keys.insert(key.to_vec(), modifier);
                }
            }
        }
        let Some(readers) = self.tracking.keys.remove(key) else {
            return;
        };
        self.tracking.items -= readers.len() as u64;
        let current_ref = current.as_deref().map(ClientRef::of);
        for r in readers {
            if let Some(token) = self.away(current.as_deref(), r) {
                let key = HeldPayload::ReaderKey(key.to_vec(), modifier);
                self.tracking.held.push((token, r, key));
                continue;
            }
            let mode = self
                .tracking_of(current.as_deref(), r)
                .map(|t| (t.bcast, t.noloop));
            // Gone, tracking off, or switched to BCAST since it read the key.
            let Some((false, noloop)) = mode else {
                continue;
            };
            if current_ref == Some(r) {
                if noloop {
                    continue;
                }
                if defer_current {
                    self.tracking.pending_for_current.push(Some(key.to_vec()));
                    continue;
                }
            }
            self.send_tracking_message(current.as_deref_mut(), r, Payload::Key(key));
        }
    }

    /// Invalidates the keys the last eviction pass removed; `current` is the client
    /// about to run a command, if any (its messages go before its reply).
    pub fn tracking_invalidate_evicted(&mut self, mut current: Option<&mut Client>) {
        for key in std::mem::take(&mut self.tracking.evicted) {
            self.invalidate_key(current.as_deref_mut(), &key, None, true, false);
        }
    }

    /// FLUSHDB / FLUSHALL: every tracking client hears that everything changed, and the
    /// remembered keys are forgotten.
    pub fn tracking_invalidate_on_flush(&mut self, mut current: Option<&mut Client>) {
        if self.tracking.clients > 0 {
            let current_ref = current.as_deref().map(ClientRef::of);
            if current.as_deref().is_some_and(|c| c.tracking.is_some()) {
                self.tracking.pending_for_current.push(None);
            }
            let tracking: Vec<ClientRef> = self
                .clients
                .iter()
                .filter_map(|(_, slot)| slot.as_deref())
                .filter(|c| c.tracking.is_some())
                .map(ClientRef::of)
                .filter(|r| Some(*r) != current_ref)
                .collect();
            for r in tracking {
                self.send_tracking_message(current.as_deref_mut(), r, Payload::Flush);
            }
        }
        self.tracking.keys = HashMap::new();
        self.tracking.items = 0;
    }

    /// Sends the keys changed under each BCAST prefix this round to its clients (before
    /// the loop sleeps, as Redis's trackingBroadcastInvalidationMessages).
    pub fn tracking_broadcast(&mut self) {
        if self.tracking.prefixes.is_empty() {
            return;
        }
        let mut rounds = Vec::new();
        for b in self.tracking.prefixes.values_mut() {
            if !b.keys.is_empty() {
                let keys = std::mem::take(&mut b.keys);
                rounds.push((keys, b.clients.iter().copied().collect::<Vec<_>>()));
            }
        }
        for (keys, clients) in rounds {
            let all: Vec<&[u8]> = keys.keys().map(Vec::as_slice).collect();
            let everyone = keys_array(&all);
            for r in clients {
                let Some(noloop) = self.tracking_of(None, r).map(|t| t.noloop) else {
                    continue;
                };
                if noloop {
                    let others: Vec<&[u8]> = keys
                        .iter()
                        .filter(|(_, by)| **by != Some(r.id))
                        .map(|(k, _)| k.as_slice())
                        .collect();
                    if !others.is_empty() {
                        self.send_tracking_message(None, r, Payload::Keys(&keys_array(&others)));
                    }
                } else {
                    self.send_tracking_message(None, r, Payload::Keys(&everyone));
                }
            }
        }
    }

    /// Keeps the remembered keys within `tracking-table-max-keys` (0: no limit) by
    /// invalidating keys as if they had changed, with more effort each round the table
    /// stays over (Redis's trackingLimitUsedSlots).
    pub fn tracking_limit_keys(&mut self, mut current: Option<&mut Client>) {
        let max = self.config.tracking_table_max_keys as usize;
        if max == 0 || self.tracking.keys.len() <= max {
            self.tracking.limit_rounds = 0;
            return;
        }
        let effort = 100 * (self.tracking.limit_rounds as usize + 1);
        let victims: Vec<Vec<u8>> = self.tracking.keys.keys().take(effort).cloned().collect();
        for key in victims {
            self.invalidate_key(current.as_deref_mut(), &key, None, false, false);
            if self.tracking.keys.len() <= max {
                self.tracking.limit_rounds = 0;
                return;
            }
        }
        self.tracking.limit_rounds += 1;
    }

    /// Delivers one invalidation for tracking client `t` (Redis's sendTrackingMessage):
    /// to its redirect client if it has one (noting a redirect that is gone), as a push
    /// frame in RESP3 or a `__redis__:invalidate` message to a RESP2 subscriber.
    fn send_tracking_message(
        &mut self,
        mut current: Option<&mut Client>,
        t: ClientRef,
        payload: Payload<'_>,
    ) {
        if let Some(away) = self.away(current.as_deref(), t) {
            self.tracking.held.push((away, t, HeldPayload::of(payload)));
            return;
        }
        let Some((redirect, t_resp3)) = self.with_tracked_client(current.as_deref_mut(), t, |c| {
            let redirect = c.tracking.as_ref().and_then(|t| t.redirect);
            (redirect, c.reply.is_resp3())
        }) else {
            return;
        };
        // A flush's null is written in the tracking client's protocol, as Redis does.
        let null: &[u8] = if t_resp3 { b"_\r\n" } else { b"$-1\r\n" };
        let target = match redirect {
            Some(r) => {
                if let Some(away) = self.away(current.as_deref(), r) {
                    self.tracking.held.push((away, t, HeldPayload::of(payload)));
                    return;
                }
                let alive = self
                    .with_tracked_client(current.as_deref_mut(), r, |_| ())
                    .is_some();
                if !alive {
                    self.with_tracked_client(current.as_deref_mut(), t, |c| {
                        if let Some(tr) = c.tracking.as_mut() {
                            tr.broken_redirect = true;
                        }
                        if c.reply.is_resp3() {
                            push_frame(c, |c| {
                                c.reply.push_len(2);
                                c.reply.bulk(b"tracking-redir-broken");
                                c.reply.int(r.id as i64);
                            });
                        }
                    });
                    return;
                }
                r
            }
            None => t,
        };
        let redirected = redirect.is_some();
        self.with_tracked_client(current, target, |c| {
            if !(c.reply.is_resp3() || redirected && c.in_pubsub()) {
                // RESP2 without a subscribed redirect: no way to send it.
                return;
            }
            push_frame(c, |c| {
                if c.reply.is_resp3() {
                    c.reply.push_len(2);
                    c.reply.bulk(b"invalidate");
                } else {
                    c.reply.push_len(3);
                    c.reply.bulk(b"message");
                    c.reply.bulk(INVALIDATE_CHANNEL);
                }
                match payload {
                    Payload::Key(key) => {
                        c.reply.array_len(1);
                        c.reply.bulk(key);
                    }
                    Payload::Keys(proto) => c.reply.raw(proto),
                    Payload::Flush => c.reply.raw(null),
                }
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_overlap_when_one_starts_the_other() {
        assert!(prefixes_overlap(b"foo", b"foobar"));
        assert!(prefixes_overlap(b"foobar", b"foo"));
        assert!(prefixes_overlap(b"", b"x"));
        assert!(!prefixes_overlap(b"foo", b"fob"));
    }

    #[test]
    fn keys_array_is_a_resp_array_of_bulks() {
        assert_eq!(keys_array(&[b"a", b"bc"]), b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
        assert_eq!(keys_array(&[]), b"*0\r\n");
    }
}
