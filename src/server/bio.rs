//! Background I/O: threads that free big structures (FLUSHALL ASYNC, UNLINK, replaced
//! dicts) so the event loop never pays for dropping millions of entries, like Redis's
//! bio.c lazy-free thread.
//!
//! Two queues: the lazy-free thread runs at normal priority, as Redis's does, so what a
//! client freed (UNLINK, FLUSHALL ASYNC) is given back promptly even on a busy machine.
//! The idle-free thread runs only on an idle core (`SCHED_IDLE`): it drops what the
//! server frees on its own account while it works (the old entries kept for a snapshot),
//! which must not take CPU from the event loop and its clients while they are busy.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};

use crate::util::sched;

/// Something a bio thread drops, with the number of objects (keys or values) it holds
/// for INFO's lazy-free counters (0 for what is not data: a file being closed, the
/// entries kept for a snapshot).
type Garbage = (Box<dyn Send>, u64);

/// Objects queued for the lazy-free thread and not dropped yet (INFO memory
/// lazyfree_pending_objects).
static LAZYFREE_PENDING: AtomicU64 = AtomicU64::new(0);
/// Objects the lazy-free thread has dropped (INFO memory lazyfreed_objects).
static LAZYFREED: AtomicU64 = AtomicU64::new(0);

/// Objects waiting for the lazy-free thread.
pub fn lazyfree_pending_objects() -> u64 {
    LAZYFREE_PENDING.load(Ordering::Relaxed)
}

/// Objects the lazy-free thread has freed since start.
pub fn lazyfreed_objects() -> u64 {
    LAZYFREED.load(Ordering::Relaxed)
}

/// CONFIG RESETSTAT: the freed count starts again from 0 (the pending one is a gauge).
pub fn reset_lazyfreed_objects() {
    LAZYFREED.store(0, Ordering::Relaxed);
}

/// One dropping thread, started on first use; `idle` puts it in the idle class.
fn start(name: &str, idle: bool) -> Mutex<Sender<Garbage>> {
    let (tx, rx) = channel::<Garbage>();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            if idle {
                if let Err((step, e)) = sched::lower_thread_priority(true) {
                    log::debug!("Could not lower the idle-free thread's priority ({step}): {e}");
                }
            }
            for (garbage, objects) in rx {
                drop(garbage);
                if !idle {
                    LAZYFREED.fetch_add(objects, Ordering::Relaxed);
                    LAZYFREE_PENDING.fetch_sub(objects, Ordering::Relaxed);
                }
            }
        })
        .expect("spawn bio thread");
    // The Mutex only guards the channel handle; the keyspace never goes near it.
    Mutex::new(tx)
}

/// Sends `value` to a thread's queue, or drops it here if the thread is gone (the
/// process is exiting).
fn send(queue: &Mutex<Sender<Garbage>>, value: Garbage) {
    let tx = queue.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = tx.send(value) {
        // The thread is gone: nothing will count these objects as freed.
        let (garbage, objects) = e.0;
        drop(garbage);
        LAZYFREE_PENDING.fetch_sub(objects, Ordering::Relaxed);
    }
}

/// Drops `a` and `b`, which hold `objects` keys or values, on the lazy-free thread.
pub fn drop_in_background<A: Send + 'static, B: Send + 'static>(a: A, b: B, objects: u64) {
    drop_boxed(Box::new((a, b)), objects);
}

/// Drops `value`, which holds `objects` keys or values, on the lazy-free thread.
pub fn drop_boxed(value: Box<dyn Send>, objects: u64) {
    LAZYFREE_PENDING.fetch_add(objects, Ordering::Relaxed);
    send(lazy_free_queue(), (value, objects));
}

/// The lazy-free thread's queue, the thread started on first use.
fn lazy_free_queue() -> &'static Mutex<Sender<Garbage>> {
    static LAZY_FREE: OnceLock<Mutex<Sender<Garbage>>> = OnceLock::new();
    LAZY_FREE.get_or_init(|| start("bio_lazy_free", false))
}

/// The idle-free thread's queue, the thread started on first use.
fn idle_free_queue() -> &'static Mutex<Sender<Garbage>> {
    static IDLE_FREE: OnceLock<Mutex<Sender<Garbage>>> = OnceLock::new();
    IDLE_FREE.get_or_init(|| start("bio_idle_free", true))
}

/// Starts both threads now, as Redis's bioInit does at start-up: a thread's first run
/// allocates (its allocator cache, its runtime's bookkeeping), and started on first use,
/// by the first FLUSHALL say, those tens of kilobytes appeared a moment after the
/// command, in the middle of whatever a client was measuring against maxmemory.
pub fn start_threads() {
    for queue in [lazy_free_queue(), idle_free_queue()] {
        // An empty job: the thread has run, and allocated what it keeps, once it is done.
        send(queue, (Box::new(()), 0));
    }
}

/// Drops `a` and `b` on the idle-free thread, whenever a core has nothing else to do.
pub fn drop_when_idle<A: Send + 'static, B: Send + 'static>(a: A, b: B) {
    send(idle_free_queue(), (Box::new((a, b)), 0));
}
