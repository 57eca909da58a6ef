//! One worker thread: it creates its interpreter, runs the app's startup code, serves jobs
//! until told to stop, runs the shutdown code and ends the interpreter, all on itself.
//!
//! Two ways to serve: an interpreter without an event loop blocks on the job queue between
//! bursts (`plain`); one with a loop (`async def` handlers, or a lifespan) lets the loop own
//! the thread and takes jobs from a loop callback (`event_loop`).

mod event_loop;
mod plain;
pub mod wake;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use crossbeam_channel::Receiver;
use tokio::sync::oneshot;

use crate::extract::Arg;
use crate::inbox::{Directed, Inbox};
use crate::interpreter::{
    Called, GilHeld, HandlerFailure, HandlerResponse, Interpreter, RoutedError, StartupError,
};
use crate::request_data::RequestData;
use crate::route_table::{Placement, RouteTable};
use crate::value::ArgRefusal;
use wake::Waker;

/// The result of one dispatched call.
#[derive(Debug)]
pub enum CallOutcome {
    Response(HandlerResponse),
    /// The handler raised or returned something unrenderable; already logged.
    Failed,
    /// Dataclass arguments refused their values (`__post_init__` raised `ValueError` or
    /// `AssertionError`): a 422, located by the I/O side.
    Refused(Vec<ArgRefusal>),
    /// pydantic refused a model argument: a 422 with these error items (a JSON array).
    Invalid(String),
    /// Not run: too many requests already wait for these interpreters (a 503).
    Overloaded,
    /// The handler ran past the handler timeout (a 504); its result will be dropped.
    TimedOut,
}

pub struct Job {
    pub work: Work,
    /// A copy of the request, when the handler or the app's exception handlers need it.
    pub request: Option<Box<RequestData>>,
    pub reply: oneshot::Sender<CallOutcome>,
}

pub enum Work {
    /// Call route `route`'s handler with `args`.
    Call { route: usize, args: Vec<Arg> },
    /// Answer an error the core found, through the app's exception handlers.
    Error(RoutedError),
}

pub enum Message {
    Call(Job),
    /// Ends the one worker that receives it.
    Stop,
}

/// What a worker reports once it is ready to serve: its interpreter's id.
pub type Ready = mpsc::Sender<Result<i64, StartupError>>;

/// The body of a worker thread.
pub fn run(
    table: Arc<RouteTable>,
    placement: Placement,
    queues: Queues,
    waker: Option<Arc<Waker>>,
    ready: Ready,
) {
    crate::scheduling::drain_bursts_before_yielding("interpreter worker");
    let Queues {
        jobs,
        inbox,
        directed,
    } = queues;
    let mut interpreter = match Interpreter::create(&table, placement, inbox) {
        Ok(interpreter) => interpreter,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let id = interpreter.id();
    let gil = interpreter.acquire();
    if let Err(error) = gil.run_startup() {
        tracing::error!(
            interpreter = id,
            "startup failed:\n{}",
            error.traceback.trim_end()
        );
        // Whatever the startup code left running is closed with the loop.
        if let Err(traceback) = gil.run_shutdown() {
            tracing::debug!(
                interpreter = id,
                "closing the event loop failed:\n{traceback}"
            );
        }
        drop(gil);
        interpreter.end();
        let where_ = match placement {
            Placement::Pool => format!("sub-interpreter {id}"),
            Placement::Main => "the main interpreter".to_owned(),
        };
        let _ = ready.send(Err(StartupError {
            message: format!(
                "the app's startup code failed in {where_}: {}",
                error.summary
            ),
        }));
        return;
    }
    let _ = ready.send(Ok(id));
    drop(ready);
    tracing::debug!(interpreter = id, "worker ready");
    match waker {
        Some(waker) if gil.has_event_loop() => {
            event_loop::serve(&gil, &table, &jobs, &directed, &waker);
            if let Err(traceback) = gil.run_shutdown() {
                tracing::error!(
                    interpreter = id,
                    "shutdown failed:\n{}",
                    traceback.trim_end()
                );
            }
            drop(gil);
        }
        _ => {
            drop(gil);
            plain::serve(&mut interpreter, &table, &jobs, &directed);
        }
    }
    tracing::debug!(interpreter = id, "worker stopping");
    interpreter.end();
}

/// Where a worker's work comes from: the queue it shares with the other workers at its
/// placement, and its own inbox (for the streams it holds).
pub struct Queues {
    pub jobs: Receiver<Message>,
    /// Given to the interpreter, which hands it out with each stream it opens.
    pub inbox: Inbox,
    pub directed: Receiver<Directed>,
}

/// Runs a message from the worker's inbox; a chunk still being produced by a task counts
/// in `in_flight`.
fn run_directed(gil: &GilHeld<'_>, message: Directed, in_flight: &Arc<AtomicUsize>) {
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match message {
        Directed::Pull { stream, reply } => {
            gil.pull_chunk(stream, reply, Box::new(InFlight::count(in_flight)))
        }
        Directed::Close { stream } => gil.close_stream(stream),
    }));
    if ran.is_err() {
        tracing::error!(
            interpreter = gil.id(),
            "internal error (panic) in a streaming response"
        );
    }
}

/// Runs one job; a suspended `async def` handler replies when its task finishes, and is
/// counted in `in_flight` until then.
fn run_job(gil: &GilHeld<'_>, table: &Arc<RouteTable>, job: Job, in_flight: &Arc<AtomicUsize>) {
    let Job {
        work,
        request,
        reply,
    } = job;
    let route = match &work {
        Work::Call { route, .. } => Some(*route),
        Work::Error(_) => None,
    };
    let called = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match work {
        Work::Call { route, args } => gil.call(route, &args, request),
        Work::Error(error) => gil.answer_error(error, request),
    }));
    match called {
        Ok(Called::Finished(result)) => {
            // The requester may have gone away (client disconnected); nothing to do then.
            let _ = reply.send(outcome(table, route, gil.id(), result));
        }
        Ok(Called::Suspended(pending)) => {
            let table = Arc::clone(table);
            let id = gil.id();
            let counted = InFlight::count(in_flight);
            gil.when_done(
                pending,
                Box::new(move |result| {
                    drop(counted);
                    let _ = reply.send(outcome(&table, route, id, result));
                }),
            );
        }
        Err(_) => {
            tracing::error!(
                interpreter = gil.id(),
                "internal error (panic) while calling a handler"
            );
            let _ = reply.send(CallOutcome::Failed);
        }
    }
}

/// One task counted as in flight until this is dropped (its reply was sent, or can no
/// longer be). Atomic, though only its worker's thread counts: the closure holding it
/// belongs to a Python object, which could be dropped on another thread of the same
/// interpreter.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn count(counter: &Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(counter))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A handler's result as the I/O side wants it; failures are logged here.
fn outcome(
    table: &RouteTable,
    route: Option<usize>,
    interpreter: i64,
    result: Result<HandlerResponse, HandlerFailure>,
) -> CallOutcome {
    match result {
        Ok(response) => CallOutcome::Response(response),
        Err(HandlerFailure::Refused(refused)) => CallOutcome::Refused(refused),
        Err(HandlerFailure::Invalid(items)) => CallOutcome::Invalid(items),
        Err(HandlerFailure::Raised { detail }) => {
            match route.map(|route| &table.routes[route]) {
                Some(spec) => tracing::error!(
                    interpreter,
                    route = %spec.path,
                    endpoint = %spec.endpoint(),
                    "Exception in handler:\n{}",
                    detail.trim_end()
                ),
                None => tracing::error!(
                    interpreter,
                    "Exception in an exception handler:\n{}",
                    detail.trim_end()
                ),
            }
            CallOutcome::Failed
        }
    }
}
