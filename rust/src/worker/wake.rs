//! Waking a worker whose thread sleeps inside its event loop.
//!
//! Such a worker cannot block on the job queue: its thread belongs to the loop, which
//! sleeps in `epoll_wait`. It registers an eventfd with the loop instead, and says when it
//! is about to sleep (`parked`); whoever queues a job wakes one parked worker by writing
//! to its eventfd. Busy workers take new jobs on their own, so only parked ones are woken.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{fence, AtomicBool, Ordering};

pub struct Waker {
    parked: AtomicBool,
    eventfd: OwnedFd,
}

impl Waker {
    pub fn new() -> std::io::Result<Waker> {
        // SAFETY: plain syscall; the descriptor is owned below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Waker {
            // A new worker enters its loop idle: the first job must wake it.
            parked: AtomicBool::new(true),
            // SAFETY: `fd` is a new descriptor that nothing else owns.
            eventfd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// The descriptor the worker's loop watches for reading.
    pub fn fd(&self) -> RawFd {
        self.eventfd.as_raw_fd()
    }

    /// The worker is about to sleep. It must check the queue again after this (a job
    /// queued in between found it parked and woke it, or is seen by that check).
    pub fn park(&self) {
        self.parked.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }

    /// The worker is taking jobs again (it was woken, or found work after `park`).
    pub fn unpark(&self) {
        self.parked.store(false, Ordering::SeqCst);
    }

    /// Consumes pending wake-ups so that the loop stops reporting the descriptor readable.
    pub fn clear(&self) {
        let mut counter = 0u64;
        // SAFETY: reads 8 bytes into `counter`; the descriptor is non-blocking.
        unsafe {
            libc::read(
                self.fd(),
                std::ptr::from_mut(&mut counter).cast(),
                std::mem::size_of::<u64>(),
            )
        };
    }

    /// Wakes the worker if it is parked; says whether it was.
    pub fn wake_if_parked(&self) -> bool {
        if !self.parked.load(Ordering::SeqCst) || !self.parked.swap(false, Ordering::SeqCst) {
            return false;
        }
        self.wake();
        true
    }

    /// Wakes the worker unconditionally (to stop it).
    pub fn wake(&self) {
        let one = 1u64;
        // SAFETY: writes 8 bytes from `one`; a full counter (never reached) only drops a
        // redundant wake-up.
        unsafe {
            libc::write(
                self.fd(),
                std::ptr::from_ref(&one).cast(),
                std::mem::size_of::<u64>(),
            )
        };
    }
}

/// Wakes one parked worker of `wakers`, after a job was queued.
pub fn wake_one(wakers: &[std::sync::Arc<Waker>]) {
    // Pairs with the fence in `Waker::park`: either the worker sees the job, or we see it
    // parked.
    fence(Ordering::SeqCst);
    for waker in wakers {
        if waker.wake_if_parked() {
            return;
        }
    }
}
