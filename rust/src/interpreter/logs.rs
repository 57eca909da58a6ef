//! Python's `logging` records, from any interpreter, written by `tracing`: one log for the
//! core and the app (see `fasterapi/logs.py`).

use pyo3::ffi;

use super::lifecycle::{attribute_of, StartupError};
use super::native::{self, Arity};
use super::object::{new_str, str_as_utf8, Owned};
use super::pyerror;

/// Installs the forwarding handler on this interpreter's root logger.
///
/// # Safety
/// The current thread holds the GIL of the interpreter to install it in.
pub(super) unsafe fn install(level: &str) -> Result<(), StartupError> {
    let failed = || StartupError {
        message: format!(
            "cannot route Python's logging to the server's log: {}",
            pyerror::take_current().summary
        ),
    };
    let install = attribute_of("fasterapi.logs", "install")?;
    let emit = native::callable(Arity::One, Box::new(emit)).ok_or_else(failed)?;
    let level = new_str(level).ok_or_else(failed)?;
    let args = [emit.as_ptr(), level.as_ptr()];
    Owned::from_new(ffi::PyObject_Vectorcall(
        install.as_ptr(),
        args.as_ptr(),
        args.len(),
        std::ptr::null_mut(),
    ))
    .map(drop)
    .ok_or_else(failed)
}

/// Writes one `(levelno, logger name, message)` record.
fn emit(record: *mut ffi::PyObject) {
    // SAFETY: called by Python on the interpreter's thread, with its GIL held, with the
    // tuple `CoreHandler.emit` built.
    let fields = unsafe { read(record) };
    let Some((level, name, message)) = fields else {
        // SAFETY: as above; the handler's `handleError` reports nothing useful for this.
        unsafe { ffi::PyErr_Clear() };
        return;
    };
    match level {
        40.. => tracing::error!(logger = %name, "{message}"),
        30..=39 => tracing::warn!(logger = %name, "{message}"),
        20..=29 => tracing::info!(logger = %name, "{message}"),
        10..=19 => tracing::debug!(logger = %name, "{message}"),
        _ => tracing::trace!(logger = %name, "{message}"),
    }
}

unsafe fn read(record: *mut ffi::PyObject) -> Option<(i64, String, String)> {
    if ffi::PyTuple_Check(record) == 0 || ffi::PyTuple_GET_SIZE(record) != 3 {
        return None;
    }
    let level = ffi::PyLong_AsLongLong(ffi::PyTuple_GET_ITEM(record, 0));
    if level == -1 && !ffi::PyErr_Occurred().is_null() {
        return None;
    }
    let name = str_as_utf8(ffi::PyTuple_GET_ITEM(record, 1))?;
    let message = str_as_utf8(ffi::PyTuple_GET_ITEM(record, 2))?;
    Some((level, name.to_owned(), message.to_owned()))
}
