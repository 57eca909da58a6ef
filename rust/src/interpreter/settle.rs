//! Settling a call: a handler's result or exception (or an error the core routed to the
//! app) becomes a response: JSON rendered here, or through the Python slow paths
//! (`fasterapi/handling.py`) for response classes, exception handlers and streams.

use std::cell::Cell;
use std::rc::Rc;

use pyo3::ffi;

use super::call::in_own_context;
use super::object::{new_str, Owned};
use super::pyerror;
use super::python_side::{call as call_python, is_instance};
use super::response_object::{
    bytes_of, path_of, raw_headers_of, status_of, HandlerBody, HandlerResponse, OpenStream,
};
use super::{to_json, Loaded};
use crate::request_data::RequestData;
use crate::value::ArgRefusal;

/// A handler call that did not produce a response.
#[derive(Debug)]
pub enum HandlerFailure {
    /// The handler (or building its arguments, or rendering its result) raised, and no
    /// exception handler answered; the text is for the log.
    Raised { detail: String },
    /// Dataclass arguments refused their values in `__post_init__`: a 422.
    Refused(Vec<ArgRefusal>),
    /// pydantic refused a model argument: a 422 whose error items (a JSON array, FastAPI's
    /// shape) pydantic produced.
    Invalid(String),
}

/// How far a call got.
pub enum Called {
    Finished(Result<HandlerResponse, HandlerFailure>),
    /// An `async def` handler (or exception handler) suspended: its task finishes on a
    /// later turn of the loop.
    Suspended(PendingTask),
}

/// A suspended task and what its outcome is settled with. Not `Send`: it stays in its
/// interpreter.
pub struct PendingTask {
    task: Owned,
    context: CallContext,
    stage: Stage,
}

/// What the task of a [`PendingTask`] runs.
#[derive(Clone, Copy)]
pub(super) enum Stage {
    /// The route's handler: its result is settled into a response.
    Handler,
    /// An exception handler of Starlette's exception layer `layer`: it gives the
    /// response itself.
    ExceptionHandler { layer: std::ffi::c_long },
}

/// What the later stages of one call need.
pub struct CallContext {
    /// The route, or `None` for an error the core routed to the app.
    pub(super) route: Option<usize>,
    pub(super) request: Option<Box<RequestData>>,
    /// The `Request` object, once made.
    pub(super) request_object: Option<Owned>,
    /// The `response: Response` the handler got, if it asked for one.
    pub(super) sub_response: Option<Owned>,
}

/// Where a finished call's response goes; called on the interpreter's thread.
pub type Reply = Box<dyn FnOnce(Result<HandlerResponse, HandlerFailure>)>;

/// An error the core found itself, which the app has its own exception handler for.
pub enum RoutedError {
    /// A 422: FastAPI's list of error items, as JSON.
    Validation { items_json: String },
    /// A 400 (unreadable body), 404 or 405, with the headers it would carry.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
    },
}

pub(super) fn wait_for(loaded: &Rc<Loaded>, pending: PendingTask, reply: Reply) {
    let Some(event_loop) = loaded.event_loop.as_ref() else {
        return;
    };
    let PendingTask {
        task,
        context,
        stage,
    } = pending;
    let waiting = Cell::new(Some((context, reply)));
    // Weak: the interpreter's end drops its cached objects under its GIL, before the
    // interpreter goes; a callback the loop still holds then finds nothing and drops the
    // reply (its receiver sees a failure).
    let owner = Rc::downgrade(loaded);
    let callback: super::native::Callback = Box::new(move |task| {
        let (Some(owner), Some((context, reply))) = (owner.upgrade(), waiting.take()) else {
            return;
        };
        // SAFETY: the loop calls done-callbacks on this interpreter's thread, with its
        // GIL held, passing the finished task.
        match unsafe { owner.settle_task(task, context, stage) } {
            Called::Finished(result) => reply(result),
            Called::Suspended(next) => wait_for(&owner, next, reply),
        }
    });
    // SAFETY: called on the interpreter's thread with its GIL held (by `GilHeld` or by
    // the loop running a done-callback).
    unsafe {
        if event_loop.on_done(&task, callback).is_none() {
            let error = pyerror::take_current();
            tracing::error!("cannot wait for an async handler: {}", error.traceback);
        }
    }
}

impl Loaded {
    pub(super) unsafe fn answer_error(
        &self,
        error: RoutedError,
        request: Option<Box<RequestData>>,
    ) -> Called {
        let mut context = CallContext {
            route: None,
            request,
            request_object: None,
            sub_response: None,
        };
        let Some(request_object) = self.request_object(&mut context) else {
            return Called::Finished(Err(raised()));
        };
        let app = self.app.as_ref().map_or(ffi::Py_None(), Owned::as_ptr);
        let outcome = match &error {
            RoutedError::Validation { items_json } => {
                let Some(items) = new_str(items_json) else {
                    return Called::Finished(Err(raised()));
                };
                let body = match context.request.as_ref() {
                    Some(request) => super::request_object::new_bytes(&request.body),
                    None => Some(Owned::from_borrowed(ffi::Py_None())),
                };
                let Some(body) = body else {
                    return Called::Finished(Err(raised()));
                };
                call_python(
                    &self.python.validation_failed,
                    &[app, request_object.as_ptr(), items.as_ptr(), body.as_ptr()],
                )
            }
            RoutedError::Http { status, headers } => {
                let Some(headers) = string_dict(headers) else {
                    return Called::Finished(Err(raised()));
                };
                let Some(status) = Owned::from_new(ffi::PyLong_FromLong((*status).into())) else {
                    return Called::Finished(Err(raised()));
                };
                call_python(
                    &self.python.http_error,
                    &[
                        app,
                        request_object.as_ptr(),
                        status.as_ptr(),
                        headers.as_ptr(),
                    ],
                )
            }
        };
        match outcome {
            Some(outcome) => self.settle_handled(outcome, context),
            None => Called::Finished(Err(raised())),
        }
    }

    /// The `Request` of this call, made on first use; `None` (no exception set) when
    /// the request was not sent along, or with an exception set if making it failed.
    pub(super) unsafe fn request_object(&self, context: &mut CallContext) -> Option<Owned> {
        if let Some(existing) = &context.request_object {
            return Some(Owned::from_borrowed(existing.as_ptr()));
        }
        let request = context.request.as_deref()?;
        let made = self.new_request(request)?;
        context.request_object = Some(Owned::from_borrowed(made.as_ptr()));
        Some(made)
    }

    /// A value returned by a handler, as a response.
    pub(super) unsafe fn settle_value(&self, value: Owned, context: CallContext) -> Called {
        // The common results (a dict or a list) cannot be a `Response`: no class check.
        let plain = ffi::PyDict_CheckExact(value.as_ptr()) != 0
            || ffi::PyList_CheckExact(value.as_ptr()) != 0;
        if !plain {
            match is_instance(value.as_ptr(), &self.python.response) {
                Some(true) => return Called::Finished(self.read_response(value.as_ptr())),
                Some(false) => {}
                None => return self.settle_exception(context),
            }
        }
        let handler = context
            .route
            .and_then(|route| self.handlers[route].as_ref());
        let Some(handler) = handler else {
            return Called::Finished(Err(HandlerFailure::Raised {
                detail: "internal error: a result without its route".into(),
            }));
        };
        if handler.response_class.is_none() {
            return self.render_json(value, handler.status, context);
        }
        let none = ffi::Py_None();
        let status = match handler.status {
            Some(status) => Owned::from_new(ffi::PyLong_FromLong(status.into())),
            None => Some(Owned::from_borrowed(none)),
        };
        let Some(status) = status else {
            return self.settle_exception(context);
        };
        let response_class = handler.response_class.as_ref().map_or(none, Owned::as_ptr);
        let sub_response = context.sub_response.as_ref().map_or(none, Owned::as_ptr);
        match call_python(
            &self.python.respond,
            &[
                value.as_ptr(),
                response_class,
                status.as_ptr(),
                sub_response,
            ],
        ) {
            Some(response) => Called::Finished(self.read_response(response.as_ptr())),
            None => self.settle_exception(context),
        }
    }

    /// A result rendered as JSON here (the default `JSONResponse`), with the status and
    /// headers set on the handler's `response: Response`, if it took one, appended as
    /// FastAPI appends them.
    unsafe fn render_json(
        &self,
        value: Owned,
        status: Option<u16>,
        context: CallContext,
    ) -> Called {
        let mut body = Vec::with_capacity(64);
        if let Err(error) =
            to_json::write_value(&mut body, value.as_ptr(), self.python.encode.as_ptr())
        {
            error.set_as_python_error();
            return self.settle_exception(context);
        }
        let mut response = HandlerResponse::json(status.unwrap_or(200), body);
        if let Some(sub) = &context.sub_response {
            let set = Owned::from_new(ffi::PyObject_GetAttrString(
                sub.as_ptr(),
                c"status_code".as_ptr(),
            ));
            let Some(set) = set else {
                return self.settle_exception(context);
            };
            match ffi::PyObject_IsTrue(set.as_ptr()) {
                -1 => return self.settle_exception(context),
                0 => {}
                _ => match status_of(sub.as_ptr()) {
                    Some(code) => response.status = code,
                    None => return self.settle_exception(context),
                },
            }
            match raw_headers_of(sub.as_ptr()) {
                Some(headers) => response.headers = headers,
                None => return self.settle_exception(context),
            }
        }
        Called::Finished(Ok(response))
    }

    /// The exception set now (raised by the handler or while settling its result), as
    /// the app's exception handlers (or FastAPI's defaults) answer it.
    pub(super) unsafe fn settle_exception(&self, context: CallContext) -> Called {
        self.handle_at(0, context)
    }

    /// The exception set now, handled from Starlette's exception layer `layer` on (see
    /// `fasterapi.handling.handle_exception`).
    unsafe fn handle_at(&self, layer: std::ffi::c_long, mut context: CallContext) -> Called {
        let Some(exception) = Owned::from_new(ffi::PyErr_GetRaisedException()) else {
            return Called::Finished(Err(HandlerFailure::Raised {
                detail: "unknown error (no Python exception was set)".into(),
            }));
        };
        let request = match self.request_object(&mut context) {
            Some(request) => request,
            None if ffi::PyErr_Occurred().is_null() => Owned::from_borrowed(ffi::Py_None()),
            None => return Called::Finished(Err(raised())),
        };
        let app = self.app.as_ref().map_or(ffi::Py_None(), Owned::as_ptr);
        let Some(layer) = Owned::from_new(ffi::PyLong_FromLong(layer)) else {
            return Called::Finished(Err(raised()));
        };
        // Sync exception handlers run in a copied context too, as Starlette runs them in
        // its thread pool.
        let handled = in_own_context(|| {
            call_python(
                &self.python.handle_exception,
                &[app, request.as_ptr(), exception.as_ptr(), layer.as_ptr()],
            )
        });
        match handled.flatten() {
            Some(outcome) => self.settle_handled(outcome, context),
            None => Called::Finished(Err(raised())),
        }
    }

    /// What `fasterapi.handling` answered for an exception: `(response or awaitable or
    /// None, exception to log or None, layer)`, settled.
    unsafe fn settle_handled(&self, outcome: Owned, context: CallContext) -> Called {
        let item = |index| ffi::PyTuple_GetItem(outcome.as_ptr(), index);
        let (answer, unhandled, layer) = (item(0), item(1), item(2));
        if answer.is_null() || unhandled.is_null() || layer.is_null() {
            return Called::Finished(Err(raised()));
        }
        let layer = ffi::PyLong_AsLong(layer);
        if layer == -1 && !ffi::PyErr_Occurred().is_null() {
            return Called::Finished(Err(raised()));
        }
        let unhandled = (unhandled != ffi::Py_None()).then(|| {
            // SAFETY: a live object of this interpreter, whose GIL is held.
            pyerror::describe(&Owned::from_borrowed(unhandled)).traceback
        });
        if answer == ffi::Py_None() {
            let detail = unhandled.unwrap_or_default();
            return Called::Finished(Err(HandlerFailure::Raised { detail }));
        }
        if let Some(traceback) = unhandled {
            // A handler for 500/`Exception` answered; the exception is still logged.
            let endpoint = context
                .route
                .and_then(|route| self.handlers[route].as_ref())
                .map_or("", |handler| handler.endpoint.as_str());
            tracing::error!(endpoint, "Exception in handler:\n{}", traceback.trim_end());
        }
        let answer = Owned::from_borrowed(answer);
        match is_instance(answer.as_ptr(), &self.python.response) {
            Some(true) => Called::Finished(self.read_response(answer.as_ptr())),
            // An `async def` exception handler's coroutine.
            Some(false) => self.run_awaitable(answer, context, Stage::ExceptionHandler { layer }),
            None => Called::Finished(Err(raised())),
        }
    }

    /// Runs `awaitable` as a task on this interpreter's loop (without a loop, only if it
    /// never waits for anything), then settles its outcome.
    pub(super) unsafe fn run_awaitable(
        &self,
        awaitable: Owned,
        context: CallContext,
        stage: Stage,
    ) -> Called {
        let Some(event_loop) = self.event_loop.as_ref() else {
            return match call_python(&self.python.run_without_loop, &[awaitable.as_ptr()]) {
                Some(value) => self.settle_outcome(Ok(value), context, stage),
                None => self.settle_outcome(Err(()), context, stage),
            };
        };
        let Some(task) = event_loop.start(awaitable) else {
            return Called::Finished(Err(raised()));
        };
        match event_loop.is_done(&task) {
            Some(true) => self.settle_task(task.as_ptr(), context, stage),
            Some(false) => Called::Suspended(PendingTask {
                task,
                context,
                stage,
            }),
            None => Called::Finished(Err(raised())),
        }
    }

    /// A finished task's outcome, settled.
    pub(super) unsafe fn settle_task(
        &self,
        task: *mut ffi::PyObject,
        context: CallContext,
        stage: Stage,
    ) -> Called {
        let result = super::event_loop::task_result(task).ok_or(());
        self.settle_outcome(result, context, stage)
    }

    /// What a handler's (or exception handler's) awaitable gave: a value, or `Err` with
    /// its exception set.
    unsafe fn settle_outcome(
        &self,
        result: Result<Owned, ()>,
        context: CallContext,
        stage: Stage,
    ) -> Called {
        match (stage, result) {
            (Stage::Handler, Ok(value)) => self.settle_value(value, context),
            (Stage::Handler, Err(())) => self.settle_exception(context),
            (Stage::ExceptionHandler { .. }, Ok(response)) => {
                Called::Finished(self.read_response(response.as_ptr()))
            }
            // What an exception handler raised goes to the next layer.
            (Stage::ExceptionHandler { layer }, Err(())) if layer < 2 => {
                self.handle_at(layer + 1, context)
            }
            (Stage::ExceptionHandler { .. }, Err(())) => Called::Finished(Err(raised())),
        }
    }

    /// A Python `Response` (or subclass) as plain data; a stream is registered here.
    unsafe fn read_response(
        &self,
        response: *mut ffi::PyObject,
    ) -> Result<HandlerResponse, HandlerFailure> {
        let read = || -> Option<HandlerResponse> {
            if !is_instance(response, &self.python.response)? {
                ffi::PyErr_SetString(
                    ffi::PyExc_TypeError,
                    c"an exception handler must return a Response".as_ptr(),
                );
                return None;
            }
            let status = status_of(response)?;
            let headers = raw_headers_of(response)?;
            let body = if is_instance(response, &self.python.streaming_response)? {
                let opened = call_python(&self.python.open_stream, &[response])?;
                let iterator = Owned::from_borrowed(ffi::PyTuple_GetItem(opened.as_ptr(), 0));
                let is_async = ffi::PyTuple_GetItem(opened.as_ptr(), 1) == ffi::Py_True();
                let charset =
                    Owned::from_new(ffi::PyObject_GetAttrString(response, c"charset".as_ptr()))?;
                HandlerBody::Stream(self.streams.open(OpenStream {
                    iterator,
                    is_async,
                    charset,
                    pending: None,
                }))
            } else if is_instance(response, &self.python.file_response)? {
                let path =
                    Owned::from_new(ffi::PyObject_GetAttrString(response, c"path".as_ptr()))?;
                HandlerBody::File(path_of(path.as_ptr())?)
            } else {
                let body =
                    Owned::from_new(ffi::PyObject_GetAttrString(response, c"body".as_ptr()))?;
                HandlerBody::Bytes(bytes_of(body.as_ptr())?)
            };
            Some(HandlerResponse {
                status,
                headers,
                body,
            })
        };
        read().ok_or_else(|| raised())
    }
}

/// `{name: value}` as a Python dict of str.
unsafe fn string_dict(pairs: &[(String, String)]) -> Option<Owned> {
    let dict = Owned::from_new(ffi::PyDict_New())?;
    for (name, value) in pairs {
        let (name, value) = (new_str(name)?, new_str(value)?);
        if ffi::PyDict_SetItem(dict.as_ptr(), name.as_ptr(), value.as_ptr()) != 0 {
            return None;
        }
    }
    Some(dict)
}

/// The exception currently set, as a failure.
pub(super) unsafe fn raised() -> HandlerFailure {
    HandlerFailure::Raised {
        detail: pyerror::take_current().traceback,
    }
}
