//! The Python functions and classes of `fasterapi` that a worker calls for the slow
//! paths (see `fasterapi/handling.py`), imported once into each interpreter.

use pyo3::ffi;

use super::lifecycle::{attribute_of, StartupError};
use super::object::Owned;

pub(super) struct PythonSide {
    /// `fasterapi.responses.Response`, `StreamingResponse` and `FileResponse`.
    pub response: Owned,
    pub streaming_response: Owned,
    pub file_response: Owned,
    /// `fasterapi.encoders.encode_for_json`: what the JSON writer calls for values it
    /// does not know (dataclasses, enums, dates, ...).
    pub encode: Owned,
    pub respond: Owned,
    pub new_sub_response: Owned,
    pub new_request: Owned,
    pub handle_exception: Owned,
    pub validation_failed: Owned,
    pub http_error: Owned,
    pub open_stream: Owned,
    pub next_chunk: Owned,
    pub next_async_chunk: Owned,
    pub run_without_loop: Owned,
    pub close_stream: Owned,
}

impl PythonSide {
    /// # Safety
    /// The current thread holds the GIL of the interpreter these will belong to.
    pub unsafe fn load() -> Result<PythonSide, StartupError> {
        let handling = |name: &str| attribute_of("fasterapi.handling", name);
        let streaming = |name: &str| attribute_of("fasterapi.streaming", name);
        let responses = |name: &str| attribute_of("fasterapi.responses", name);
        Ok(PythonSide {
            response: responses("Response")?,
            streaming_response: responses("StreamingResponse")?,
            file_response: responses("FileResponse")?,
            encode: attribute_of("fasterapi.encoders", "encode_for_json")?,
            respond: handling("respond")?,
            new_sub_response: handling("new_sub_response")?,
            new_request: handling("new_request")?,
            handle_exception: handling("handle_exception")?,
            validation_failed: handling("validation_failed")?,
            http_error: handling("http_error")?,
            open_stream: streaming("open_stream")?,
            next_chunk: streaming("next_chunk")?,
            next_async_chunk: streaming("next_async_chunk")?,
            run_without_loop: handling("run_without_loop")?,
            close_stream: streaming("close_stream")?,
        })
    }
}

/// `function(*args)`.
///
/// # Safety
/// The current thread holds the GIL of the interpreter of `function` and `args`.
pub(super) unsafe fn call(function: &Owned, args: &[*mut ffi::PyObject]) -> Option<Owned> {
    Owned::from_new(ffi::PyObject_Vectorcall(
        function.as_ptr(),
        args.as_ptr(),
        args.len(),
        std::ptr::null_mut(),
    ))
}

/// `isinstance(obj, class)`; `None` with an exception set if the check raised.
///
/// # Safety
/// As for [`call`].
pub(super) unsafe fn is_instance(obj: *mut ffi::PyObject, class: &Owned) -> Option<bool> {
    match ffi::PyObject_IsInstance(obj, class.as_ptr()) {
        -1 => None,
        found => Some(found == 1),
    }
}
