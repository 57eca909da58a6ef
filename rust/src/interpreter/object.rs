//! A minimal owned reference for raw C-API code.
//!
//! Workers use raw `pyo3::ffi` only (PyO3's high-level API keeps process-global caches that
//! belong to the main interpreter). [`Owned`] is the one place that pairs a new reference
//! with its `Py_DECREF`, so error paths cannot leak.

use std::ptr::NonNull;

use pyo3::ffi;

/// A strong reference to an object of the interpreter whose GIL the current thread holds.
///
/// Not `Send`: an object must never leave its interpreter. Drop it only while that
/// interpreter's GIL is held.
pub struct Owned(NonNull<ffi::PyObject>);

impl Owned {
    /// Takes ownership of a new reference; `None` if the C-API call failed (returned NULL),
    /// in which case a Python exception is set.
    ///
    /// # Safety
    /// `ptr` is NULL or a new (owned) reference, and the current thread holds its
    /// interpreter's GIL.
    pub unsafe fn from_new(ptr: *mut ffi::PyObject) -> Option<Owned> {
        NonNull::new(ptr).map(Owned)
    }

    /// Takes a new reference to a borrowed object.
    ///
    /// # Safety
    /// `ptr` is a valid object of the current interpreter and its GIL is held.
    pub unsafe fn from_borrowed(ptr: *mut ffi::PyObject) -> Owned {
        ffi::Py_INCREF(ptr);
        Owned(NonNull::new_unchecked(ptr))
    }

    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    /// Gives the reference away (e.g. to a tuple that steals it).
    pub fn into_ptr(self) -> *mut ffi::PyObject {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: an `Owned` only exists inside a region where its interpreter's GIL is held
        // (see the type's contract), and it owns exactly one reference.
        unsafe { ffi::Py_DECREF(self.0.as_ptr()) }
    }
}

/// Creates a Python `str` from Rust text.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
pub unsafe fn new_str(text: &str) -> Option<Owned> {
    Owned::from_new(ffi::PyUnicode_FromStringAndSize(
        text.as_ptr().cast(),
        text.len() as ffi::Py_ssize_t,
    ))
}

/// Reads a Python `str` as UTF-8; `None` (with an exception set) for lone surrogates.
///
/// # Safety
/// `obj` is a `str` of the current interpreter, whose GIL is held; the returned slice lives
/// as long as `obj` does.
pub unsafe fn str_as_utf8<'a>(obj: *mut ffi::PyObject) -> Option<&'a str> {
    let mut size: ffi::Py_ssize_t = 0;
    let data = ffi::PyUnicode_AsUTF8AndSize(obj, &mut size);
    if data.is_null() {
        return None;
    }
    let bytes = std::slice::from_raw_parts(data.cast::<u8>(), size as usize);
    // SAFETY: CPython guarantees valid UTF-8 here (it refuses surrogates above).
    Some(std::str::from_utf8_unchecked(bytes))
}
