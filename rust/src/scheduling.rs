//! How the kernel schedules our threads.
//!
//! I/O threads and interpreter workers hand work to each other constantly. When they share
//! a core (a pinned server, or more threads than cores), the default policy lets the thread
//! just woken preempt the one that woke it, so a burst of 64 requests turns into 64 pairs of
//! context switches. `SCHED_BATCH` threads do not preempt on wake-up: each side drains its
//! whole burst before the other runs. Measured on one pinned core, Python 3.13, `/json`
//! (docs/architecture.md): workers only, +7%; both sides, +7% more and a lower p99.
//! Fairness between threads is unchanged; only wake-up preemption is given up.

/// Switches the calling thread to `SCHED_BATCH`; logs at debug level if the kernel refuses.
pub fn drain_bursts_before_yielding(thread: &str) {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: a plain syscall on the calling thread (pid 0) with a valid parameter struct.
    let result = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
    if result != 0 {
        tracing::debug!(
            "{thread}: SCHED_BATCH refused: {}",
            std::io::Error::last_os_error()
        );
    }
}
