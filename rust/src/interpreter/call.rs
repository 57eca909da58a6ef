//! Calling a cached handler with converted arguments (plus the `Request` and the
//! sub-`Response` it may ask for); `settle` turns what it returns or raises into a
//! response.

use pyo3::ffi;

use super::build::{self, BuildError, ValueBuilder};
use super::lifecycle::attribute_of;
use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::python_side::call as call_python;
use super::settle::{
    raised, wait_for, CallContext, Called, HandlerFailure, PendingTask, Reply, RoutedError, Stage,
};
use super::{GilHeld, Loaded};
use crate::extract::Arg;
use crate::request_data::RequestData;
use crate::route_table::{ParamSource, RouteSpec};
use crate::value::{ArgRefusal, ArgValue};

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
    /// The decorator's `status_code`, if it gave one.
    pub(super) status: Option<u16>,
    /// `async def`: calling it gives a coroutine to run as a task.
    pub(super) is_async: bool,
    /// The route's response class, unless it is `JSONResponse` (rendered here).
    pub(super) response_class: Option<Owned>,
    /// Keyword names of the parameters that get the `Request` and the sub-`Response`.
    request_param: Option<Owned>,
    response_param: Option<Owned>,
    /// `module:qualname`, for the log.
    pub(super) endpoint: String,
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
    pub unsafe fn new(
        function: Owned,
        route: &RouteSpec,
        response_class: Option<Owned>,
    ) -> Result<Handler, PyErrorText> {
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
            response_class,
            request_param: optional_str(route.request_param.as_deref())?,
            response_param: optional_str(route.response_param.as_deref())?,
            endpoint: route.endpoint(),
        })
    }
}

unsafe fn optional_str(text: Option<&str>) -> Result<Option<Owned>, PyErrorText> {
    match text {
        Some(text) => new_str(text)
            .map(Some)
            .ok_or_else(|| pyerror::take_current()),
        None => Ok(None),
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

impl GilHeld<'_> {
    /// Calls the handler of route `route` with `args`. A sync handler (or an `async def`
    /// one that never suspends) finishes here.
    pub fn call(&self, route: usize, args: &[Arg], request: Option<Box<RequestData>>) -> Called {
        // SAFETY: `GilHeld` proves this thread holds the GIL of the interpreter that owns
        // everything `loaded` holds and everything created below.
        unsafe { self.interpreter.loaded.call(route, args, request) }
    }

    /// Answers an error the core found, through the app's exception handlers.
    pub fn answer_error(&self, error: RoutedError, request: Option<Box<RequestData>>) -> Called {
        // SAFETY: as in `call`.
        unsafe { self.interpreter.loaded.answer_error(error, request) }
    }

    /// Sends the task's outcome to `reply` once it finishes. If that cannot be arranged
    /// (an exception, logged), `reply` is dropped, which its receiver sees as a failure.
    pub fn when_done(&self, pending: PendingTask, reply: Reply) {
        wait_for(&self.interpreter.loaded, pending, reply);
    }
}

impl Loaded {
    unsafe fn call(&self, route: usize, args: &[Arg], request: Option<Box<RequestData>>) -> Called {
        let Some(handler) = self.handlers[route].as_ref() else {
            return Called::Finished(Err(HandlerFailure::Raised {
                detail: "internal error: this interpreter does not serve the route".into(),
            }));
        };
        let context = CallContext {
            route: Some(route),
            request,
            request_object: None,
            sub_response: None,
        };
        if handler.is_async {
            // The task it becomes runs in a copy of the context, as every task does.
            return self.call_and_settle(handler, args, context);
        }
        in_own_context(|| self.call_and_settle(handler, args, context))
            .unwrap_or_else(|| Called::Finished(Err(raised())))
    }

    /// Calls the handler and settles what it returned or raised.
    unsafe fn call_and_settle(
        &self,
        handler: &Handler,
        args: &[Arg],
        mut context: CallContext,
    ) -> Called {
        let called = self.call_handler(handler, args, &mut context);
        let result = match called {
            Ok(result) => result,
            Err(CallError::Python) => return self.settle_exception(context),
            Err(CallError::Refused(refused)) => {
                return Called::Finished(Err(HandlerFailure::Refused(refused)))
            }
            Err(CallError::Invalid(items)) => {
                return Called::Finished(Err(HandlerFailure::Invalid(items)))
            }
        };
        if handler.is_async {
            self.run_awaitable(result, context, Stage::Handler)
        } else {
            self.settle_value(result, context)
        }
    }

    unsafe fn call_handler(
        &self,
        handler: &Handler,
        args: &[Arg],
        context: &mut CallContext,
    ) -> Result<Owned, CallError> {
        let mut special = Vec::new();
        if let Some(name) = &handler.request_param {
            let Some(request) = self.request_object(context) else {
                if ffi::PyErr_Occurred().is_null() {
                    build::internal_error::<()>(c"the request was not sent to the worker");
                }
                return Err(CallError::Python);
            };
            special.push((name, request));
        }
        if let Some(name) = &handler.response_param {
            let sub = call_python(&self.python.new_sub_response, &[]).ok_or(CallError::Python)?;
            context.sub_response = Some(Owned::from_borrowed(sub.as_ptr()));
            special.push((name, sub));
        }
        call_with_args(handler, &self.values, args, &special)
    }
}

/// Runs `call` in a copy of the current `contextvars` context, as FastAPI runs sync
/// code (in a worker thread, with a copied context): a `ContextVar` it sets does not
/// leak into the next request served by this interpreter. `None` (with an exception
/// set) if the context could not be entered.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
pub(super) unsafe fn in_own_context<R>(call: impl FnOnce() -> R) -> Option<R> {
    let context = Owned::from_new(ffi::PyContext_CopyCurrent())?;
    if ffi::PyContext_Enter(context.as_ptr()) != 0 {
        return None;
    }
    let result = call();
    // Leaving fails only if another context was entered and not left, which `call` (a
    // Python call that returned) cannot do.
    if ffi::PyContext_Exit(context.as_ptr()) != 0 {
        ffi::PyErr_Clear();
    }
    Some(result)
}

enum CallError {
    /// A Python exception is set.
    Python,
    Refused(Vec<ArgRefusal>),
    Invalid(String),
}

unsafe fn call_with_args(
    handler: &Handler,
    builder: &ValueBuilder,
    args: &[Arg],
    special: &[(&Owned, Owned)],
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
    call_with_keywords(handler, args, values, special).ok_or(CallError::Python)
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

unsafe fn call_with_keywords(
    handler: &Handler,
    args: &[Arg],
    mut values: Vec<Owned>,
    special: &[(&Owned, Owned)],
) -> Option<Owned> {
    let keywords = if args.len() == handler.keyword_names.len() && special.is_empty() {
        Owned::from_borrowed(handler.all_keywords.as_ptr())
    } else {
        let count = args.len() + special.len();
        let tuple = Owned::from_new(ffi::PyTuple_New(count as ffi::Py_ssize_t))?;
        let names = args
            .iter()
            .map(|arg| &handler.keyword_names[arg.param])
            .chain(special.iter().map(|(name, _)| *name));
        for (slot, name) in names.enumerate() {
            let name = Owned::from_borrowed(name.as_ptr());
            ffi::PyTuple_SET_ITEM(tuple.as_ptr(), slot as ffi::Py_ssize_t, name.into_ptr());
        }
        tuple
    };
    values.extend(
        special
            .iter()
            .map(|(_, value)| Owned::from_borrowed(value.as_ptr())),
    );
    let pointers: Vec<*mut ffi::PyObject> = values.iter().map(Owned::as_ptr).collect();
    Owned::from_new(ffi::PyObject_Vectorcall(
        handler.function.as_ptr(),
        pointers.as_ptr(),
        0,
        keywords.as_ptr(),
    ))
}
