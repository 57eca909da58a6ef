//! Python callables backed by Rust closures, made with the raw C API.
//!
//! The event loop needs to call back into Rust (the job queue became readable, a task
//! finished). A PyO3 `#[pyfunction]` cannot exist inside an own-GIL interpreter, so these
//! are plain `builtin_function_or_method` objects: a static `PyMethodDef` (plain C data,
//! shareable like CPython's own) whose `self` is a capsule owning the closure. Each object
//! is created inside, and belongs to, one interpreter.

use std::ffi::{c_void, CStr};

use pyo3::ffi;

use super::object::Owned;
use crate::panics;

/// What a native callable runs; it gets the call's one argument (NULL for no argument).
/// It must not fail: it handles its own errors (a callback has nobody to report to).
pub type Callback = Box<dyn Fn(*mut ffi::PyObject)>;

const CAPSULE_NAME: &CStr = c"fasterapi.native_callback";

/// A `PyMethodDef` is plain C data that CPython only reads; sharing one static between
/// interpreters is what CPython's own built-in modules do.
struct MethodDef(ffi::PyMethodDef);

// SAFETY: never written after construction; CPython only reads it.
unsafe impl Sync for MethodDef {}

static NO_ARGUMENT: MethodDef = MethodDef(ffi::PyMethodDef {
    ml_name: c"fasterapi_callback".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer {
        PyCFunction: call_without_argument,
    },
    ml_flags: ffi::METH_NOARGS,
    ml_doc: std::ptr::null(),
});

static ONE_ARGUMENT: MethodDef = MethodDef(ffi::PyMethodDef {
    ml_name: c"fasterapi_callback".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer {
        PyCFunction: call_with_argument,
    },
    ml_flags: ffi::METH_O,
    ml_doc: std::ptr::null(),
});

/// How the callable is called from Python.
#[derive(Clone, Copy)]
pub enum Arity {
    /// `f()`, as `loop.add_reader` calls its callback.
    None,
    /// `f(x)`, as `Future.add_done_callback` calls its callback.
    One,
}

/// A new Python callable running `callback`. The closure is dropped when the callable is.
///
/// # Safety
/// The current thread holds an interpreter's GIL; the callable belongs to it.
pub unsafe fn callable(arity: Arity, callback: Callback) -> Option<Owned> {
    let boxed: *mut Callback = Box::into_raw(Box::new(callback));
    let Some(capsule) = Owned::from_new(ffi::PyCapsule_New(
        boxed.cast(),
        CAPSULE_NAME.as_ptr(),
        Some(drop_callback),
    )) else {
        drop(Box::from_raw(boxed));
        return None;
    };
    let definition = match arity {
        Arity::None => &NO_ARGUMENT.0,
        Arity::One => &ONE_ARGUMENT.0,
    };
    Owned::from_new(ffi::PyCFunction_NewEx(
        std::ptr::from_ref(definition).cast_mut(),
        capsule.as_ptr(),
        std::ptr::null_mut(),
    ))
}

unsafe extern "C" fn drop_callback(capsule: *mut ffi::PyObject) {
    let pointer = ffi::PyCapsule_GetPointer(capsule, CAPSULE_NAME.as_ptr());
    if pointer.is_null() {
        ffi::PyErr_Clear();
        return;
    }
    // Dropping a closure may run arbitrary Rust drops; never let a panic out of here.
    let _ = panics::catch("dropping an event-loop callback", || {
        drop(Box::from_raw(pointer.cast::<Callback>()));
    });
}

unsafe extern "C" fn call_without_argument(
    capsule: *mut ffi::PyObject,
    _unused: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    run(capsule, std::ptr::null_mut())
}

unsafe extern "C" fn call_with_argument(
    capsule: *mut ffi::PyObject,
    argument: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    run(capsule, argument)
}

unsafe fn run(capsule: *mut ffi::PyObject, argument: *mut ffi::PyObject) -> *mut ffi::PyObject {
    let pointer: *mut c_void = ffi::PyCapsule_GetPointer(capsule, CAPSULE_NAME.as_ptr());
    if pointer.is_null() {
        return std::ptr::null_mut();
    }
    let callback = &*pointer.cast::<Callback>();
    // A panic stops here, logged: unwinding into CPython's frames would abort.
    if panics::catch("running an event-loop callback", || callback(argument)).is_err() {
        // Returning a value with an exception set would be a SystemError.
        ffi::PyErr_Clear();
    }
    ffi::Py_NewRef(ffi::Py_None())
}
