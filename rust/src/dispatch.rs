//! The worker pool: one OS thread per sub-interpreter, fed from one shared queue.
//!
//! Design (measured, see docs/architecture.md): tokio tasks push jobs into a multi-consumer
//! queue and await a oneshot reply; any idle worker takes the next job, so a slow handler
//! never holds up requests that another interpreter could serve. A worker keeps its GIL
//! while the queue has work and releases it only before blocking, so a burst of requests
//! costs one GIL round-trip, not one per request.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use tokio::sync::oneshot;

use crate::extract::Arg;
use crate::interpreter::{HandlerFailure, HandlerResponse, Interpreter, StartupError};
use crate::route_table::RouteTable;
use crate::value::ArgRefusal;

/// Python code on a worker needs a deep stack (recursion, imports); this matches a main
/// thread's default.
const WORKER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// The result of one dispatched call.
#[derive(Debug)]
pub enum CallOutcome {
    Response(HandlerResponse),
    /// The handler raised or returned something unrenderable; already logged.
    Failed,
    /// Dataclass arguments refused their values (`__post_init__` raised `ValueError` or
    /// `AssertionError`): a 422, located by the I/O side.
    Refused(Vec<ArgRefusal>),
}

struct Job {
    route: usize,
    args: Vec<Arg>,
    reply: oneshot::Sender<CallOutcome>,
}

enum Message {
    Call(Job),
    /// Ends the one worker that receives it.
    Stop,
}

/// N sub-interpreters, each on its own thread with its own GIL.
pub struct WorkerPool {
    queue: Sender<Message>,
    /// Taken (emptied) by `stop`, which may run through a shared reference.
    threads: std::sync::Mutex<Vec<JoinHandle<()>>>,
    size: usize,
}

impl WorkerPool {
    /// Starts `count` workers and waits until every one has imported the handlers. If any
    /// worker fails, the others are stopped and the first failure is returned.
    pub fn start(table: Arc<RouteTable>, count: usize) -> Result<WorkerPool, StartupError> {
        let (queue, jobs) = crossbeam_channel::unbounded();
        let (ready_tx, ready_rx) = mpsc::channel();
        let mut threads = Vec::with_capacity(count);
        for index in 0..count {
            let table = Arc::clone(&table);
            let jobs = jobs.clone();
            let ready = ready_tx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("fasterapi-worker-{index}"))
                .stack_size(WORKER_STACK_BYTES)
                .spawn(move || worker_main(&table, jobs, ready));
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(error) => {
                    let _ = ready_tx.send(Err(StartupError {
                        message: format!("could not start a worker thread: {error}"),
                    }));
                    break;
                }
            }
        }
        drop(ready_tx);
        let pool = WorkerPool {
            queue,
            size: threads.len(),
            threads: std::sync::Mutex::new(threads),
        };
        let mut first_error = None;
        for _ in 0..count {
            match ready_rx.recv() {
                Ok(Ok(_interpreter_id)) => {}
                Ok(Err(error)) => {
                    first_error.get_or_insert(error);
                }
                Err(_) => break,
            }
        }
        if let Some(error) = first_error {
            pool.stop();
            return Err(error);
        }
        Ok(pool)
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs route `route`'s handler on the next free interpreter.
    pub async fn call(&self, route: usize, args: Vec<Arg>) -> CallOutcome {
        let (reply, response) = oneshot::channel();
        if self
            .queue
            .send(Message::Call(Job { route, args, reply }))
            .is_err()
        {
            return CallOutcome::Failed;
        }
        // A dropped reply means the worker panicked mid-call; it was logged there.
        response.await.unwrap_or(CallOutcome::Failed)
    }

    /// Stops every worker after the jobs already queued, ending each interpreter on its own
    /// thread, and waits for them. Idempotent.
    pub fn stop(&self) {
        let threads = std::mem::take(
            &mut *self
                .threads
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for _ in 0..threads.len() {
            let _ = self.queue.send(Message::Stop);
        }
        for thread in threads {
            if thread.join().is_err() {
                tracing::error!("a worker thread panicked while stopping");
            }
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        self.stop();
    }
}

fn worker_main(
    table: &RouteTable,
    jobs: Receiver<Message>,
    ready: mpsc::Sender<Result<i64, StartupError>>,
) {
    crate::scheduling::drain_bursts_before_yielding("interpreter worker");
    let mut interpreter = match Interpreter::create(table) {
        Ok(interpreter) => interpreter,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let _ = ready.send(Ok(interpreter.id()));
    drop(ready);
    tracing::debug!(interpreter = interpreter.id(), "worker ready");
    serve_jobs(&mut interpreter, table, &jobs);
    tracing::debug!(interpreter = interpreter.id(), "worker stopping");
    interpreter.end();
}

/// Waits for work; once a job arrives, keeps the GIL and drains the queue, then releases
/// the GIL before blocking again.
fn serve_jobs(interpreter: &mut Interpreter, table: &RouteTable, jobs: &Receiver<Message>) {
    let id = interpreter.id();
    while let Ok(Message::Call(first)) = jobs.recv() {
        let mut gil = interpreter.acquire();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            let outcome = catch_unwind(AssertUnwindSafe(|| gil.call(job.route, &job.args)));
            let outcome = match outcome {
                Ok(Ok(response)) => CallOutcome::Response(response),
                Ok(Err(HandlerFailure::Refused(refused))) => CallOutcome::Refused(refused),
                Ok(Err(HandlerFailure::Raised { detail })) => {
                    let route = &table.routes[job.route];
                    tracing::error!(
                        interpreter = id,
                        route = %route.path,
                        endpoint = %route.endpoint(),
                        "Exception in handler:\n{}",
                        detail.trim_end()
                    );
                    CallOutcome::Failed
                }
                Err(_) => {
                    tracing::error!(
                        interpreter = id,
                        "internal error (panic) while calling a handler"
                    );
                    CallOutcome::Failed
                }
            };
            // The requester may have gone away (client disconnected); nothing to do then.
            let _ = job.reply.send(outcome);
            match jobs.try_recv() {
                Ok(Message::Call(job)) => next = Some(job),
                Ok(Message::Stop) => return,
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return,
            }
        }
    }
}
