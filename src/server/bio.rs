//! Background I/O: threads that free big structures (FLUSHALL ASYNC, UNLINK, replaced
//! dicts) so the event loop never pays for dropping millions of entries, like Redis's
//! bio.c lazy-free thread.
//!
//! Two queues: the lazy-free thread runs at normal priority, as Redis's does, so what a
//! client freed (UNLINK, FLUSHALL ASYNC) is given back promptly even on a busy machine.
//! The idle-free thread runs only on an idle core (`SCHED_IDLE`): it drops what the
//! server frees on its own account while it works (the old entries kept for a snapshot),
//! which must not take CPU from the event loop and its clients while they are busy.

use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};

use crate::util::sched;

/// Something a bio thread drops.
type Garbage = Box<dyn Send>;

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
            for garbage in rx {
                drop(garbage);
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
        drop(e.0);
    }
}

/// Drops `a` and `b` on the lazy-free thread.
pub fn drop_in_background<A: Send + 'static, B: Send + 'static>(a: A, b: B) {
    drop_boxed(Box::new((a, b)));
}

/// Drops `value` on the lazy-free thread.
pub fn drop_boxed(value: Garbage) {
    static LAZY_FREE: OnceLock<Mutex<Sender<Garbage>>> = OnceLock::new();
    send(
        LAZY_FREE.get_or_init(|| start("bio_lazy_free", false)),
        value,
    );
}

/// Drops `a` and `b` on the idle-free thread, whenever a core has nothing else to do.
pub fn drop_when_idle<A: Send + 'static, B: Send + 'static>(a: A, b: B) {
    static IDLE_FREE: OnceLock<Mutex<Sender<Garbage>>> = OnceLock::new();
    send(
        IDLE_FREE.get_or_init(|| start("bio_idle_free", true)),
        Box::new((a, b)),
    );
}
