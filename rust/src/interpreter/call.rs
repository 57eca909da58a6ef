//! Calling a cached handler with converted arguments and turning its result into a body.

use std::ffi::CString;

use pyo3::ffi;

use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::to_json;
use super::GilHeld;
use crate::extract::scalar::ArgValue;
use crate::extract::Arg;
use crate::route_table::{ParamSource, RouteSpec};

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
    /// order the extractors emit arguments (path parameters first, then query).
    all_keywords: Owned,
    status: u16,
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
        let emitted_order = [ParamSource::Path, ParamSource::Query]
            .into_iter()
            .flat_map(|source| {
                (0..route.params.len()).filter(move |&i| route.params[i].source == source)
            });
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
        Ok(Handler {
            function,
            keyword_names,
            all_keywords,
            status: route.status_code,
        })
    }
}

/// A handler call that did not produce a response; the text is for the log.
#[derive(Debug)]
pub struct HandlerFailure {
    pub detail: String,
}

impl GilHeld<'_> {
    /// Calls the handler of route `route` with `args` and renders its result as JSON.
    pub fn call(&mut self, route: usize, args: &[Arg]) -> Result<HandlerResponse, HandlerFailure> {
        let handler = &self.interpreter.handlers[route];
        // SAFETY: `GilHeld` proves this thread holds the GIL of the interpreter that owns
        // `handler` and everything created below.
        unsafe {
            let result = call_handler(handler, args).ok_or_else(|| HandlerFailure {
                detail: pyerror::take_current().traceback,
            })?;
            let mut body = Vec::with_capacity(64);
            to_json::write_value(&mut body, result.as_ptr()).map_err(|error| {
                let detail = match error {
                    to_json::JsonError::Python => pyerror::take_current().traceback,
                    other => {
                        format!("the handler's return value cannot be rendered as JSON: {other}")
                    }
                };
                HandlerFailure { detail }
            })?;
            Ok(HandlerResponse {
                status: handler.status,
                body,
            })
        }
    }
}

unsafe fn call_handler(handler: &Handler, args: &[Arg]) -> Option<Owned> {
    let mut values: Vec<Owned> = Vec::with_capacity(args.len());
    for arg in args {
        values.push(to_python(&arg.value)?);
    }
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

unsafe fn to_python(value: &ArgValue) -> Option<Owned> {
    match value {
        ArgValue::Bool(true) => Some(Owned::from_borrowed(ffi::Py_True())),
        ArgValue::Bool(false) => Some(Owned::from_borrowed(ffi::Py_False())),
        ArgValue::Int(value) => Owned::from_new(ffi::PyLong_FromLongLong(*value)),
        ArgValue::BigInt(digits) => {
            let digits = CString::new(digits.as_str()).ok()?;
            Owned::from_new(ffi::PyLong_FromString(
                digits.as_ptr(),
                std::ptr::null_mut(),
                10,
            ))
        }
        ArgValue::Float(value) => Owned::from_new(ffi::PyFloat_FromDouble(*value)),
        ArgValue::Str(text) => new_str(text),
    }
}
