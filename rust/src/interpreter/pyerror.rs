//! Reading the current Python exception into Rust text, inside a worker.

use pyo3::ffi;

use super::object::{new_str, str_as_utf8, Owned};

/// A Python exception, already rendered to text so it can leave the interpreter.
#[derive(Debug, Clone)]
pub struct PyErrorText {
    /// `Type: message`, one line.
    pub summary: String,
    /// The full traceback as Python prints it.
    pub traceback: String,
}

/// Takes the raised exception (clearing it) and renders it with the `traceback` module.
///
/// # Safety
/// The current thread holds its interpreter's GIL.
pub unsafe fn take_current() -> PyErrorText {
    let Some(exc) = Owned::from_new(ffi::PyErr_GetRaisedException()) else {
        return PyErrorText {
            summary: "unknown error (no Python exception was set)".into(),
            traceback: String::new(),
        };
    };
    describe(&exc)
}

/// An exception object rendered as text.
///
/// # Safety
/// The current thread holds its interpreter's GIL; no exception is set.
pub unsafe fn describe(exc: &Owned) -> PyErrorText {
    let summary = format_with(exc, c"format_exception_only")
        .map(|text| text.trim_end().to_owned())
        .unwrap_or_else(|| fallback_summary(exc));
    let traceback = format_with(exc, c"format_exception").unwrap_or_else(|| summary.clone());
    PyErrorText { summary, traceback }
}

/// Calls `traceback.<function>(exc)` and joins the returned lines.
unsafe fn format_with(exc: &Owned, function: &std::ffi::CStr) -> Option<String> {
    let text = (|| {
        let module = Owned::from_new(ffi::PyImport_ImportModule(c"traceback".as_ptr()))?;
        let format = Owned::from_new(ffi::PyObject_GetAttrString(
            module.as_ptr(),
            function.as_ptr(),
        ))?;
        let lines = Owned::from_new(ffi::PyObject_CallOneArg(format.as_ptr(), exc.as_ptr()))?;
        let empty = new_str("")?;
        let joined = Owned::from_new(ffi::PyUnicode_Join(empty.as_ptr(), lines.as_ptr()))?;
        str_as_utf8(joined.as_ptr()).map(str::to_owned)
    })();
    if text.is_none() {
        // Formatting itself failed; drop that secondary error, the caller has a fallback.
        ffi::PyErr_Clear();
    }
    text
}

unsafe fn fallback_summary(exc: &Owned) -> String {
    let text = Owned::from_new(ffi::PyObject_Str(exc.as_ptr()))
        .and_then(|s| str_as_utf8(s.as_ptr()).map(str::to_owned));
    ffi::PyErr_Clear();
    text.unwrap_or_else(|| "exception (could not be rendered)".into())
}
