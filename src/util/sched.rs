//! CPU priority of helper threads.

use std::io;

/// Nice value of a helper thread that must not slow the event loop: the lowest.
const HELPER_NICE: libc::c_int = 19;

/// Gives the calling thread the lowest nice value and, with `idle_class`, the
/// `SCHED_IDLE` class, in which it runs only on a core that nothing else wants.
///
/// Nice 19 alone still takes a share of a busy core (measured beside
/// `redis-benchmark -P 16` on two cores: a nice-19 busy loop cost a fifth of the SET
/// throughput, an idle-class one 2%). The error, if any, names the step that failed.
pub fn lower_thread_priority(idle_class: bool) -> Result<(), (&'static str, io::Error)> {
    // SAFETY: gettid and setpriority take and return plain integers and touch no memory
    // of ours; on Linux, PRIO_PROCESS with a thread id changes only that thread's nice
    // value.
    let rc = unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, HELPER_NICE)
    };
    if rc != 0 {
        return Err(("nice", io::Error::last_os_error()));
    }
    if !idle_class {
        return Ok(());
    }
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: sched_setscheduler reads the sched_param we pass by reference (alive for
    // the call) and writes nothing of ours; pid 0 means the calling thread only.
    let rc = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
    if rc != 0 {
        return Err(("idle class", io::Error::last_os_error()));
    }
    Ok(())
}
