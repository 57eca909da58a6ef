//! Serving on an asyncio loop that owns the worker thread.
//!
//! The loop watches the worker's eventfd; its callback (`drain`) takes jobs from the
//! queue. A sync handler runs right there; an `async def` handler starts as an eager task
//! and, if it suspends, replies from its done-callback. While this interpreter has tasks
//! in flight, `drain` takes one job per loop turn, so a sync handler never holds up ready
//! coroutines for longer than its own run; with none in flight it drains the whole burst.

use std::cell::Cell;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{select_biased, Receiver, TryRecvError};

use super::wake::Waker;
use super::{run_directed, run_job, Message};
use crate::inbox::Directed;
use crate::interpreter::{Callback, GilHeld};
use crate::panics;
use crate::route_table::RouteTable;

/// How long a worker with nothing in flight waits for the next job before it returns to
/// its loop (see `Drainer::linger`).
const LINGER: Duration = Duration::from_micros(50);

/// What arrived while a worker lingered.
enum Lingered {
    Job(Message),
    Directed(Directed),
}

struct Drainer<'a> {
    gil: &'a GilHeld<'a>,
    table: &'a Arc<RouteTable>,
    jobs: &'a Receiver<Message>,
    /// This worker's own inbox (its streams' chunks).
    directed: &'a Receiver<Directed>,
    waker: &'a Waker,
    /// Tasks started here and not finished yet (decremented by their done-callbacks).
    in_flight: Arc<AtomicUsize>,
    /// A stop message was taken: this worker takes no more jobs.
    stopping: Cell<bool>,
    /// Where the loop's callbacks find this drainer; cleared before it goes away, so a
    /// callback the loop still holds does nothing instead of reaching freed memory.
    handle: Arc<AtomicPtr<()>>,
}

/// Runs the loop until a stop message arrives.
pub(super) fn serve(
    gil: &GilHeld<'_>,
    table: &Arc<RouteTable>,
    jobs: &Receiver<Message>,
    directed: &Receiver<Directed>,
    waker: &Waker,
) {
    let drainer = Drainer {
        gil,
        table,
        jobs,
        directed,
        waker,
        in_flight: Arc::new(AtomicUsize::new(0)),
        stopping: Cell::new(false),
        handle: Arc::new(AtomicPtr::new(std::ptr::null_mut())),
    };
    let address = std::ptr::from_ref(&drainer).cast_mut().cast();
    drainer.handle.store(address, Ordering::Release);
    if let Err(traceback) = gil.serve_event_loop(waker.fd(), drainer.callback()) {
        tracing::error!(
            interpreter = gil.id(),
            "the event loop failed:\n{traceback}"
        );
    }
}

impl Drop for Drainer<'_> {
    /// Clears `handle` (even when a panic unwinds through `serve`), so a callback the loop
    /// still holds finds nothing instead of freed memory.
    fn drop(&mut self) {
        self.handle.store(std::ptr::null_mut(), Ordering::Release);
    }
}

impl Drainer<'_> {
    /// A loop callback that runs `drain` while this drainer exists.
    fn callback(&self) -> Callback {
        // The closure must be 'static; it reaches the drainer through `handle`, which
        // `serve` clears before the drainer is dropped.
        let handle = Arc::clone(&self.handle);
        Box::new(move |_| {
            let drainer = handle
                .load(Ordering::Acquire)
                .cast_const()
                .cast::<Drainer<'_>>();
            if drainer.is_null() {
                return;
            }
            // SAFETY: non-null only while `serve` keeps the drainer alive, and the loop
            // calls back on this thread, inside `serve`.
            let drainer = unsafe { &*drainer };
            if panics::catch("taking jobs", || drainer.drain()).is_err() {
                // Whatever state the panic left, a wake-up brings `drain` back.
                drainer.waker.wake();
            }
        })
    }

    fn drain(&self) {
        if self.stopping.get() {
            return;
        }
        self.waker.clear();
        self.waker.unpark();
        loop {
            while let Ok(message) = self.directed.try_recv() {
                run_directed(self.gil, message, &self.in_flight);
            }
            let message = match self.jobs.try_recv() {
                Ok(message) => message,
                Err(TryRecvError::Disconnected) => Message::Stop,
                Err(TryRecvError::Empty) => match self.linger() {
                    Some(Lingered::Job(message)) => message,
                    Some(Lingered::Directed(message)) => {
                        run_directed(self.gil, message, &self.in_flight);
                        continue;
                    }
                    None if self.park_or_continue() => return,
                    None => continue,
                },
            };
            match message {
                Message::Call(job) => {
                    run_job(self.gil, self.table, job, &self.in_flight);
                    if self.in_flight.load(Ordering::Relaxed) > 0 {
                        // Let ready coroutines run before the next job: park if the queue
                        // is empty, or come back after them if it is not (or a job
                        // arrived while parking: then nobody would wake us).
                        if !(self.queues_empty() && self.park_or_continue()) {
                            self.again_next_turn();
                        }
                        return;
                    }
                }
                Message::Stop => {
                    self.stopping.set(true);
                    if let Err(traceback) = self.gil.stop_event_loop() {
                        tracing::error!("cannot stop the event loop:\n{traceback}");
                    }
                    return;
                }
            }
        }
    }

    /// With no task in flight, waits briefly for the next job (GIL released) before going
    /// back to the loop: under load the next job is usually microseconds away, and a
    /// round trip through the loop's `select` costs more than that.
    fn linger(&self) -> Option<Lingered> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        self.gil.released(|| {
            select_biased! {
                recv(self.directed) -> message => message.ok().map(Lingered::Directed),
                recv(self.jobs) -> message => message.ok().map(Lingered::Job),
                default(LINGER) => None,
            }
        })
    }

    fn queues_empty(&self) -> bool {
        self.jobs.is_empty() && self.directed.is_empty()
    }

    /// Parks unless a job arrived meanwhile; says whether it parked.
    fn park_or_continue(&self) -> bool {
        self.waker.park();
        if self.queues_empty() {
            return true;
        }
        self.waker.unpark();
        false
    }

    fn again_next_turn(&self) {
        if let Err(traceback) = self.gil.call_after_ready(self.callback()) {
            // Without the callback the loop would not come back for the queue; waking
            // through the eventfd has the same effect.
            tracing::debug!(
                "cannot schedule the next job, waking through the eventfd:\n{traceback}"
            );
            self.waker.wake();
        }
    }
}
