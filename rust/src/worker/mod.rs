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
use crate::panics;
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
///
/// A panic while serving (a bug in the core: every handler call is already guarded) does
/// not end the thread: the interpreter is ended, which answers its pending requests (500),
/// and a new one takes its place on this thread, with a new inbox (the streams of the old
/// one fail). A panic while starting is a startup failure.
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
        mut inbox,
        mut directed,
    } = queues;
    // Taken by the first start; a replacement has nobody waiting for it.
    let mut ready = Some(ready);
    loop {
        let started = panics::catch("starting an interpreter", || {
            start(&table, placement, inbox)
        })
        .unwrap_or_else(|panicked| {
            Err(StartupError {
                message: format!("internal error (panic): {}", panicked.message),
            })
        });
        let mut interpreter = match (started, ready.take()) {
            (Ok(interpreter), Some(ready)) => {
                let _ = ready.send(Ok(interpreter.id()));
                interpreter
            }
            (Ok(interpreter), None) => {
                tracing::warn!(
                    interpreter = interpreter.id(),
                    "a new interpreter replaces the one that failed"
                );
                interpreter
            }
            (Err(error), Some(ready)) => {
                let _ = ready.send(Err(error));
                return;
            }
            (Err(error), None) => {
                tracing::error!(
                    "cannot replace the interpreter that failed ({}): one interpreter fewer \
                     serves from now on",
                    error.message
                );
                return;
            }
        };
        let id = interpreter.id();
        tracing::debug!(interpreter = id, "worker ready");
        let served = panics::catch("serving requests", || {
            serve(&mut interpreter, &table, &jobs, &directed, waker.as_ref());
        });
        if served.is_ok() {
            tracing::debug!(interpreter = id, "worker stopping");
            end(interpreter);
            return;
        }
        tracing::error!(
            interpreter = id,
            "the worker failed: its interpreter is ended (its pending requests get a 500) \
             and replaced"
        );
        end(interpreter);
        (inbox, directed) = Inbox::new(waker.clone());
    }
}

/// Creates an interpreter and runs the app's startup code in it.
fn start(
    table: &RouteTable,
    placement: Placement,
    inbox: Inbox,
) -> Result<Interpreter, StartupError> {
    let mut interpreter = Interpreter::create(table, placement, inbox)?;
    let id = interpreter.id();
    let gil = interpreter.acquire();
    let Err(error) = gil.run_startup() else {
        drop(gil);
        return Ok(interpreter);
    };
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
    Err(StartupError {
        message: format!(
            "the app's startup code failed in {where_}: {}",
            error.summary
        ),
    })
}

/// Serves jobs until a stop message.
fn serve(
    interpreter: &mut Interpreter,
    table: &Arc<RouteTable>,
    jobs: &Receiver<Message>,
    directed: &Receiver<Directed>,
    waker: Option<&Arc<Waker>>,
) {
    let gil = interpreter.acquire();
    match waker {
        Some(waker) if gil.has_event_loop() => {
            event_loop::serve(&gil, table, jobs, directed, waker);
        }
        _ => {
            drop(gil);
            plain::serve(interpreter, table, jobs, directed);
        }
    }
}

/// Runs the app's shutdown code and ends the interpreter. Closing its loop cancels the
/// tasks still running there (after a panic: their requests get a 500); ending it drops
/// whatever still waits for them. If this panics, the interpreter is left as it is
/// (leaked) rather than touched again.
fn end(mut interpreter: Interpreter) {
    let id = interpreter.id();
    let _ = panics::catch("ending an interpreter", move || {
        let gil = interpreter.acquire();
        if let Err(traceback) = gil.run_shutdown() {
            tracing::error!(
                interpreter = id,
                "shutdown failed:\n{}",
                traceback.trim_end()
            );
        }
        drop(gil);
        interpreter.end();
    });
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
/// in `in_flight`. A panic drops the chunk's reply: the body fails and the connection is
/// cut, as for a stream that raised.
fn run_directed(gil: &GilHeld<'_>, message: Directed, in_flight: &Arc<AtomicUsize>) {
    let _ = panics::catch("producing a streaming response's chunk", || match message {
        Directed::Pull { stream, reply } => {
            gil.pull_chunk(stream, reply, Box::new(InFlight::count(in_flight)))
        }
        Directed::Close { stream } => gil.close_stream(stream),
    });
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
    let called = answer_panic(reply, || match work {
        Work::Call { route, args } => gil.call(route, &args, request),
        Work::Error(error) => gil.answer_error(error, request),
    });
    let Some((called, reply)) = called else {
        return;
    };
    match called {
        Called::Finished(result) => {
            // The requester may have gone away (client disconnected); nothing to do then.
            let _ = reply.send(outcome(table, route, gil.id(), result));
        }
        Called::Suspended(pending) => {
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
    }
}

/// Runs `call`, handing `reply` back with its result; if it panics (logged), `reply`
/// answers [`CallOutcome::Failed`] (a 500) at once and `None` is returned.
fn answer_panic<T>(
    reply: oneshot::Sender<CallOutcome>,
    call: impl FnOnce() -> T,
) -> Option<(T, oneshot::Sender<CallOutcome>)> {
    match panics::catch("calling a handler", call) {
        Ok(result) => Some((result, reply)),
        Err(_) => {
            let _ = reply.send(CallOutcome::Failed);
            None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_that_returns_keeps_its_reply() {
        let (reply, mut answer) = oneshot::channel();
        let (value, reply) = answer_panic(reply, || 7).expect("no panic");
        assert_eq!(value, 7);
        assert!(answer.try_recv().is_err(), "nothing answered yet");
        reply.send(CallOutcome::Failed).unwrap();
    }

    #[test]
    fn a_call_that_panics_answers_failed() {
        let (reply, mut answer) = oneshot::channel();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let called = answer_panic(reply, || -> u8 { panic!("a bug in the core") });
        std::panic::set_hook(hook);
        assert!(called.is_none());
        assert!(matches!(answer.try_recv(), Ok(CallOutcome::Failed)));
    }
}
