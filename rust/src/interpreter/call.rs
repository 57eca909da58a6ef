//! Calling a cached handler with converted arguments and turning its result into a body.

use pyo3::ffi;

use super::build::{self, BuildError, ValueBuilder};
use super::lifecycle::attribute_of;
use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::to_json;
use super::GilHeld;
use crate::extract::Arg;
use crate::route_table::{ParamSource, RouteSpec};
use crate::value::{ArgRefusal, ArgValue};

/// What a handler produced, as plain data that may leave the interpreter.
#[derive(Debug)]
pub struct HandlerResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A handler function and the keyword names it is called with, all owned by one interpreter.
pub struct Handler {
    function: Owned,
    /// One `str` per parameter, indexed like the route's `params`.
    keyword_names: Vec<Owned>,
    /// The kwnames tuple for the common case where every parameter is present, in the
    /// order the extractors emit arguments (`RouteSpec::emission_order`).
    all_keywords: Owned,
    /// Per parameter, the default written in its marker (`Query(5)`), if any.
    marker_defaults: Vec<Option<MarkerDefault>>,
    status: u16,
    /// `async def`: calling it gives a coroutine to run as a task.
    is_async: bool,
    /// Per parameter: for a body parameter that is a key of the body object, that key
    /// (the `loc` of its 422 errors says it).
    body_keys: Vec<Option<Owned>>,
}

/// A marker's default, read inside this interpreter. Mutable defaults are deep-copied for
/// each call, as FastAPI does, so one request cannot change another's default.
struct MarkerDefault {
    value: Owned,
    deepcopy: Option<Owned>,
}

impl Handler {
    /// # Safety
    /// The current thread holds the GIL of the interpreter that owns `function`.
    pub unsafe fn new(function: Owned, route: &RouteSpec) -> Result<Handler, PyErrorText> {
        let keyword_names = route
            .params
            .iter()
            .map(|param| new_str(&param.name))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| pyerror::take_current())?;
        let emitted_order = route.emission_order().iter().copied();
        let all_keywords = Owned::from_new(ffi::PyTuple_New(route.params.len() as ffi::Py_ssize_t))
            .ok_or_else(|| pyerror::take_current())?;
        for (slot, index) in emitted_order.enumerate() {
            let name = Owned::from_borrowed(keyword_names[index].as_ptr());
            ffi::PyTuple_SET_ITEM(
                all_keywords.as_ptr(),
                slot as ffi::Py_ssize_t,
                name.into_ptr(),
            );
        }
        let marker_defaults = if route.params.iter().any(|param| param.default_from_marker) {
            read_marker_defaults(&function, route)?
        } else {
            route.params.iter().map(|_| None).collect()
        };
        Ok(Handler {
            function,
            keyword_names,
            all_keywords,
            marker_defaults,
            status: route.status_code,
            is_async: route.is_async,
            body_keys: body_keys(route).ok_or_else(|| pyerror::take_current())?,
        })
    }
}

unsafe fn body_keys(route: &RouteSpec) -> Option<Vec<Option<Owned>>> {
    let embedded = !route.single_body_param();
    route
        .params
        .iter()
        .map(|param| {
            if embedded && param.source == ParamSource::Body {
                new_str(&param.alias).map(Some)
            } else {
                Some(None)
            }
        })
        .collect()
}

/// Asks `fasterapi.params.marker_defaults` (pure Python, imported in this interpreter) for
/// the handler's marker defaults.
unsafe fn read_marker_defaults(
    function: &Owned,
    route: &RouteSpec,
) -> Result<Vec<Option<MarkerDefault>>, PyErrorText> {
    let failed = || pyerror::take_current();
    let reader = attribute_of("fasterapi.params", "marker_defaults")?;
    let defaults = Owned::from_new(ffi::PyObject_CallOneArg(reader.as_ptr(), function.as_ptr()))
        .ok_or_else(failed)?;
    let mut deepcopy: Option<Owned> = None;
    let mut result = Vec::with_capacity(route.params.len());
    for param in &route.params {
        if !param.default_from_marker {
            result.push(None);
            continue;
        }
        let key = new_str(&param.name).ok_or_else(failed)?;
        let entry = ffi::PyDict_GetItemWithError(defaults.as_ptr(), key.as_ptr());
        if entry.is_null() {
            if ffi::PyErr_Occurred().is_null() {
                ffi::PyErr_SetString(ffi::PyExc_KeyError, c"marker default not found".as_ptr());
            }
            return Err(failed());
        }
        // `entry` is a borrowed `(value, copy_each_call)` tuple.
        let value = ffi::PyTuple_GetItem(entry, 0);
        let copy_flag = ffi::PyTuple_GetItem(entry, 1);
        if value.is_null() || copy_flag.is_null() {
            return Err(failed());
        }
        let value = Owned::from_borrowed(value);
        let copy = match ffi::PyObject_IsTrue(copy_flag) {
            -1 => return Err(failed()),
            truth => truth == 1,
        };
        let copier = if copy {
            if deepcopy.is_none() {
                deepcopy = Some(attribute_of("copy", "deepcopy")?);
            }
            deepcopy
                .as_ref()
                .map(|function| Owned::from_borrowed(function.as_ptr()))
        } else {
            None
        };
        result.push(Some(MarkerDefault {
            value,
            deepcopy: copier,
        }));
    }
    Ok(result)
}

/// A handler call that did not produce a response.
#[derive(Debug)]
pub enum HandlerFailure {
    /// The handler (or building its arguments) raised; the text is for the log.
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
    /// An `async def` handler suspended: its task finishes on a later turn of the loop.
    Suspended(PendingTask),
}

/// The task of a suspended `async def` handler. Not `Send`: it stays in its interpreter.
pub struct PendingTask {
    task: Owned,
    status: u16,
}

/// Where a finished handler's response goes; called on the interpreter's thread.
pub type Reply = Box<dyn FnOnce(Result<HandlerResponse, HandlerFailure>)>;

impl GilHeld<'_> {
    /// Calls the handler of route `route` with `args`. A sync handler (or an `async def`
    /// one that never suspends) finishes here, its result rendered as JSON.
    pub fn call(&self, route: usize, args: &[Arg]) -> Called {
        let loaded = &self.interpreter.loaded;
        let Some(handler) = loaded.handlers[route].as_ref() else {
            return Called::Finished(Err(HandlerFailure::Raised {
                detail: "internal error: this interpreter does not serve the route".into(),
            }));
        };
        // SAFETY: `GilHeld` proves this thread holds the GIL of the interpreter that owns
        // `handler` and everything created below.
        unsafe {
            let called = if handler.is_async {
                // The task it becomes runs in a copy of the context, as every task does.
                call_handler(handler, &loaded.values, args)
            } else {
                in_own_context(|| call_handler(handler, &loaded.values, args))
            };
            let result = match called {
                Ok(result) => result,
                Err(error) => return Called::Finished(Err(failure(error))),
            };
            if !handler.is_async {
                return Called::Finished(render(result.as_ptr(), handler.status));
            }
            let Some(event_loop) = loaded.event_loop.as_ref() else {
                return Called::Finished(Err(HandlerFailure::Raised {
                    detail: "internal error: an async handler without an event loop".into(),
                }));
            };
            let Some(task) = event_loop.start(result) else {
                return Called::Finished(Err(raised()));
            };
            match event_loop.is_done(&task) {
                Some(true) => Called::Finished(task_outcome(task.as_ptr(), handler.status)),
                Some(false) => Called::Suspended(PendingTask {
                    task,
                    status: handler.status,
                }),
                None => Called::Finished(Err(raised())),
            }
        }
    }

    /// Sends the task's outcome to `reply` once it finishes. If that cannot be arranged
    /// (an exception, logged), `reply` is dropped, which its receiver sees as a failure.
    pub fn when_done(&self, pending: PendingTask, reply: Reply) {
        let Some(event_loop) = self.interpreter.loaded.event_loop.as_ref() else {
            return;
        };
        let status = pending.status;
        let reply = std::cell::Cell::new(Some(reply));
        let callback: super::native::Callback = Box::new(move |task| {
            if let Some(reply) = reply.take() {
                // SAFETY: the loop calls done-callbacks on this interpreter's thread, with
                // its GIL held, passing the finished task.
                reply(unsafe { task_outcome(task, status) });
            }
        });
        // SAFETY: as in `call`.
        unsafe {
            if event_loop.on_done(&pending.task, callback).is_none() {
                let error = pyerror::take_current();
                tracing::error!("cannot wait for an async handler: {}", error.traceback);
            }
        }
    }
}

/// Runs `call` in a copy of the current `contextvars` context, as FastAPI runs a sync
/// handler (in a worker thread, with a copied context): a `ContextVar` it sets does not
/// leak into the next request served by this interpreter.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
unsafe fn in_own_context(
    call: impl FnOnce() -> Result<Owned, CallError>,
) -> Result<Owned, CallError> {
    let context = Owned::from_new(ffi::PyContext_CopyCurrent()).ok_or(CallError::Python)?;
    if ffi::PyContext_Enter(context.as_ptr()) != 0 {
        return Err(CallError::Python);
    }
    let result = call();
    // Leaving fails only if another context was entered and not left, which `call` (a
    // Python call that returned) cannot do.
    if ffi::PyContext_Exit(context.as_ptr()) != 0 {
        ffi::PyErr_Clear();
    }
    result
}

/// The outcome of a finished task.
///
/// # Safety
/// The current thread holds the GIL of the task's interpreter.
unsafe fn task_outcome(
    task: *mut ffi::PyObject,
    status: u16,
) -> Result<HandlerResponse, HandlerFailure> {
    match super::event_loop::task_result(task) {
        Some(result) => render(result.as_ptr(), status),
        None => Err(raised()),
    }
}

/// A handler's return value as a JSON response.
///
/// # Safety
/// The current thread holds the GIL of `result`'s interpreter.
unsafe fn render(
    result: *mut ffi::PyObject,
    status: u16,
) -> Result<HandlerResponse, HandlerFailure> {
    let mut body = Vec::with_capacity(64);
    to_json::write_value(&mut body, result).map_err(|error| {
        let detail = match error {
            to_json::JsonError::Python => pyerror::take_current().traceback,
            other => format!("the handler's return value cannot be rendered as JSON: {other}"),
        };
        HandlerFailure::Raised { detail }
    })?;
    Ok(HandlerResponse { status, body })
}

/// The exception currently set, as a failure.
unsafe fn raised() -> HandlerFailure {
    HandlerFailure::Raised {
        detail: pyerror::take_current().traceback,
    }
}

unsafe fn failure(error: CallError) -> HandlerFailure {
    match error {
        CallError::Refused(refused) => HandlerFailure::Refused(refused),
        CallError::Invalid(items) => HandlerFailure::Invalid(items),
        CallError::Python => raised(),
    }
}

enum CallError {
    /// A Python exception is set.
    Python,
    Refused(Vec<ArgRefusal>),
    Invalid(String),
}

unsafe fn call_handler(
    handler: &Handler,
    builder: &ValueBuilder,
    args: &[Arg],
) -> Result<Owned, CallError> {
    let mut values: Vec<Owned> = Vec::with_capacity(args.len());
    let mut refused = Vec::new();
    for arg in args {
        let value = match &arg.value {
            ArgValue::MarkerDefault => {
                marker_default(handler, arg.param).ok_or(CallError::Python)?
            }
            ArgValue::Model { type_index, value } => {
                let key = handler.body_keys[arg.param].as_ref();
                match builder.model(*type_index, value, key) {
                    Ok(value) => value,
                    Err(BuildError::Invalid(items)) => return Err(CallError::Invalid(items)),
                    Err(_) => return Err(CallError::Python),
                }
            }
            value => match builder.build(value) {
                Ok(value) => value,
                Err(BuildError::Python) => return Err(CallError::Python),
                Err(BuildError::Invalid(items)) => return Err(CallError::Invalid(items)),
                Err(BuildError::Refused(refusals)) => {
                    let param = arg.param;
                    refused.extend(refusals.into_iter().map(|mut refusal| {
                        refusal.path.reverse(); // built innermost-first
                        ArgRefusal { param, refusal }
                    }));
                    continue;
                }
            },
        };
        values.push(value);
    }
    if !refused.is_empty() {
        return Err(CallError::Refused(refused));
    }
    call_with_keywords(handler, args, &values).ok_or(CallError::Python)
}

/// A marker's default for one call (deep-copied when mutable).
unsafe fn marker_default(handler: &Handler, param: usize) -> Option<Owned> {
    let Some(default) = handler.marker_defaults[param].as_ref() else {
        return build::internal_error(c"no marker default was loaded for a parameter");
    };
    match &default.deepcopy {
        Some(deepcopy) => Owned::from_new(ffi::PyObject_CallOneArg(
            deepcopy.as_ptr(),
            default.value.as_ptr(),
        )),
        None => Some(Owned::from_borrowed(default.value.as_ptr())),
    }
}

unsafe fn call_with_keywords(handler: &Handler, args: &[Arg], values: &[Owned]) -> Option<Owned> {
    let keywords = if args.len() == handler.keyword_names.len() {
        Owned::from_borrowed(handler.all_keywords.as_ptr())
    } else {
        let tuple = Owned::from_new(ffi::PyTuple_New(args.len() as ffi::Py_ssize_t))?;
        for (slot, arg) in args.iter().enumerate() {
            let name = Owned::from_borrowed(handler.keyword_names[arg.param].as_ptr());
            ffi::PyTuple_SET_ITEM(tuple.as_ptr(), slot as ffi::Py_ssize_t, name.into_ptr());
        }
        tuple
    };
    let pointers: Vec<*mut ffi::PyObject> = values.iter().map(Owned::as_ptr).collect();
    Owned::from_new(ffi::PyObject_Vectorcall(
        handler.function.as_ptr(),
        pointers.as_ptr(),
        0,
        keywords.as_ptr(),
    ))
}
