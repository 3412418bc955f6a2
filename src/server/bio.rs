//! Background I/O: a thread that frees big structures (FLUSHALL ASYNC, UNLINK, replaced
//! dicts) so the event loop never pays for dropping millions of entries. Later it also
//! runs fsync and closes files, like Redis's bio.c.

use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

/// Something the bio thread drops.
type Garbage = Box<dyn Send>;

fn sender() -> &'static std::sync::Mutex<Sender<Garbage>> {
    // The Mutex only guards the channel handle (Sender is not Sync before Rust 1.72
    // semantics we rely on); the keyspace never goes near it.
    static TX: OnceLock<std::sync::Mutex<Sender<Garbage>>> = OnceLock::new();
    TX.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("bio_lazy_free".into())
            .spawn(move || {
                for garbage in rx {
                    drop(garbage);
                }
            })
            .expect("spawn bio thread");
        std::sync::Mutex::new(tx)
    })
}

/// Drops `a` and `b` on the bio thread.
pub fn drop_in_background<A: Send + 'static, B: Send + 'static>(a: A, b: B) {
    drop_boxed(Box::new((a, b)));
}

/// Drops `value` on the bio thread.
pub fn drop_boxed(value: Garbage) {
    let tx = sender().lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = tx.send(value) {
        // The thread is gone (process exiting): drop here.
        drop(e.0);
    }
}
