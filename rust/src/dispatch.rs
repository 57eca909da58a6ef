//! Dispatch: which interpreters run a route, and the queues that feed them.
//!
//! Design (measured, see docs/architecture.md): tokio tasks push jobs into a multi-consumer
//! queue and await a oneshot reply; any idle worker takes the next job, so a slow handler
//! never holds up requests that another interpreter could serve. Routes that cannot run in
//! a sub-interpreter go to the main interpreter instead, through a queue of their own
//! served by one thread.

use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use tokio::sync::oneshot;

use crate::config::Limits;
use crate::extract::Arg;
use crate::inbox::Inbox;
use crate::interpreter::{RoutedError, StartupError};
use crate::request_data::RequestData;
use crate::route_table::{Placement, RouteTable};
use crate::worker::wake::{self, Waker};
use crate::worker::{self, Job, Message, Queues, Work};

pub use crate::worker::CallOutcome;

/// Python code on a worker needs a deep stack (recursion, imports); this matches a main
/// thread's default.
const WORKER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// The sub-interpreter pool and, when some routes need it, the main interpreter's worker.
pub struct Dispatcher {
    table: Arc<RouteTable>,
    pool: Option<Workers>,
    main: Option<Workers>,
}

impl Dispatcher {
    /// Starts `interpreters` sub-interpreters (if any route runs on them, or no route runs
    /// on the main interpreter) and the main interpreter's worker (if any route runs
    /// there); waits until each has imported its handlers and run the app's startup code.
    pub fn start(
        table: Arc<RouteTable>,
        interpreters: usize,
        limits: &Limits,
    ) -> Result<Dispatcher, StartupError> {
        let on_main = table.has_routes(Placement::Main);
        let pool = if table.has_routes(Placement::Pool) || !on_main {
            Some(Workers::start(
                Arc::clone(&table),
                Placement::Pool,
                interpreters,
                limits,
            )?)
        } else {
            None
        };
        let main = if on_main {
            Some(Workers::start(
                Arc::clone(&table),
                Placement::Main,
                1,
                limits,
            )?)
        } else {
            None
        };
        Ok(Dispatcher { table, pool, main })
    }

    /// Sub-interpreters started, and whether the main interpreter serves routes.
    pub fn sizes(&self) -> (usize, bool) {
        (
            self.pool.as_ref().map_or(0, Workers::size),
            self.main.is_some(),
        )
    }

    /// Runs route `route`'s handler where it is placed.
    pub async fn call(
        &self,
        route: usize,
        args: Vec<Arg>,
        request: Option<Box<RequestData>>,
    ) -> CallOutcome {
        let workers = if self.table.routes[route].on_main {
            self.main.as_ref()
        } else {
            self.pool.as_ref()
        };
        match workers {
            Some(workers) => workers.run(Work::Call { route, args }, request).await,
            None => CallOutcome::Failed,
        }
    }

    /// Has an interpreter answer an error the core found, through the app's exception
    /// handlers (any interpreter has them: each loads the app).
    pub async fn answer_error(
        &self,
        error: RoutedError,
        request: Option<Box<RequestData>>,
    ) -> CallOutcome {
        match self.pool.as_ref().or(self.main.as_ref()) {
            Some(workers) => workers.run(Work::Error(error), request).await,
            None => CallOutcome::Failed,
        }
    }

    /// Stops every worker (main interpreter last) after the jobs already queued, waiting
    /// for them until `deadline`. Returns false if some interpreter was still running a
    /// handler then: its thread is left behind, and the process must not finalize Python.
    pub fn stop_by(&self, deadline: Instant) -> bool {
        let pool_ended = self
            .pool
            .as_ref()
            .is_none_or(|pool| pool.stop(Some(deadline)));
        let main_ended = self
            .main
            .as_ref()
            .is_none_or(|main| main.stop(Some(deadline)));
        pool_ended && main_ended
    }
}

/// N workers at one placement, each on its own thread, fed from one shared queue.
struct Workers {
    queue: Sender<Message>,
    /// Wakers of the workers that sleep inside an event loop (empty otherwise).
    wakers: Vec<Arc<Waker>>,
    /// Taken (emptied) by `stop`, which may run through a shared reference.
    threads: std::sync::Mutex<Vec<JoinHandle<()>>>,
    size: usize,
    /// Jobs that may wait in `queue` before a request is turned away (503).
    max_queued: usize,
    /// How long a caller waits for a job's outcome (504 after).
    handler_timeout: Option<Duration>,
}

impl Workers {
    /// Starts `count` workers and waits until every one is ready. If any fails, the
    /// others are stopped and the first failure is returned.
    fn start(
        table: Arc<RouteTable>,
        placement: Placement,
        count: usize,
        limits: &Limits,
    ) -> Result<Workers, StartupError> {
        let (queue, jobs) = crossbeam_channel::unbounded();
        let (ready_tx, ready_rx) = mpsc::channel();
        let mut threads = Vec::with_capacity(count);
        let mut wakers = Vec::new();
        let mut failure = None;
        for index in 0..count {
            let waker = if table.needs_event_loop(placement) {
                match Waker::new() {
                    Ok(waker) => Some(Arc::new(waker)),
                    Err(error) => {
                        failure = Some(format!("cannot create an eventfd: {error}"));
                        break;
                    }
                }
            } else {
                None
            };
            wakers.extend(waker.iter().cloned());
            let (inbox, directed) = Inbox::new(waker.clone());
            let queues = Queues {
                jobs: jobs.clone(),
                inbox,
                directed,
            };
            let (table, ready) = (Arc::clone(&table), ready_tx.clone());
            let name = match placement {
                Placement::Pool => format!("fasterapi-worker-{index}"),
                Placement::Main => "fasterapi-main-interpreter".to_owned(),
            };
            let spawned = std::thread::Builder::new()
                .name(name)
                .stack_size(WORKER_STACK_BYTES)
                .spawn(move || worker::run(table, placement, queues, waker, ready));
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(error) => {
                    failure = Some(format!("could not start a worker thread: {error}"));
                    break;
                }
            }
        }
        drop(ready_tx);
        let workers = Workers {
            queue,
            wakers,
            size: threads.len(),
            threads: std::sync::Mutex::new(threads),
            max_queued: limits.max_queued.saturating_mul(count),
            handler_timeout: limits.handler_timeout(),
        };
        let mut first_error = failure.map(|message| StartupError { message });
        for _ in 0..workers.size {
            match ready_rx.recv() {
                Ok(Ok(_interpreter_id)) => {}
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                Err(_) => break,
            }
        }
        if let Some(error) = first_error {
            workers.stop(None);
            return Err(error);
        }
        Ok(workers)
    }

    fn size(&self) -> usize {
        self.size
    }

    async fn run(&self, work: Work, request: Option<Box<RequestData>>) -> CallOutcome {
        let (reply, response) = oneshot::channel();
        let job = Job {
            work,
            request,
            reply,
        };
        // Checked before sending, so the bound is approximate under a race; it only has to
        // keep memory bounded, not be exact.
        if self.queue.len() >= self.max_queued {
            return CallOutcome::Overloaded;
        }
        if self.queue.send(Message::Call(job)).is_err() {
            return CallOutcome::Failed;
        }
        wake::wake_one(&self.wakers);
        // A dropped reply means the call could not finish (a panic, or the loop closed
        // under it); it was logged there.
        let Some(limit) = self.handler_timeout else {
            return response.await.unwrap_or(CallOutcome::Failed);
        };
        match tokio::time::timeout(limit, response).await {
            Ok(outcome) => outcome.unwrap_or(CallOutcome::Failed),
            Err(_) => {
                tracing::error!(
                    "a handler ran longer than the handler timeout ({limit:?}): answered 504; \
                     its interpreter stays busy until it returns"
                );
                CallOutcome::TimedOut
            }
        }
    }

    /// Stops every worker after the jobs already queued, ending each interpreter on its
    /// own thread, and waits for them (until `deadline`, if any). Returns whether all
    /// ended; a worker still running a handler at the deadline is left running, detached.
    /// Idempotent.
    fn stop(&self, deadline: Option<Instant>) -> bool {
        let threads = std::mem::take(
            &mut *self
                .threads
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for _ in 0..threads.len() {
            let _ = self.queue.send(Message::Stop);
        }
        for waker in &self.wakers {
            waker.wake();
        }
        let mut all_ended = true;
        for thread in threads {
            if let Some(deadline) = deadline {
                while !thread.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                if !thread.is_finished() {
                    let name = thread.thread().name().unwrap_or("a worker").to_owned();
                    tracing::error!(
                        "{name} is still running a handler after the grace period; \
                         leaving without ending its interpreter"
                    );
                    all_ended = false;
                    continue;
                }
            }
            if thread.join().is_err() {
                tracing::error!("a worker thread panicked while stopping");
            }
        }
        all_ended
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop(None);
    }
}
