//! One own-GIL sub-interpreter and everything cached inside it.
//!
//! An [`Interpreter`] is created on, used on, and ended on one OS thread (its worker). It
//! holds only objects of its own interpreter; nothing in it may be shared with another
//! thread, which is why it is not `Send`.

mod build;
mod call;
mod event_loop;
mod lifecycle;
mod logs;
mod native;
mod object;
mod pyerror;
mod python_side;
mod request_object;
mod response_object;
mod settle;
mod streams;
pub mod to_json;

use std::rc::Rc;

use pyo3::ffi;

pub use lifecycle::{probe_imports, ImportVerdict, StartupError};
pub use native::Callback;
pub use pyerror::PyErrorText;
pub use response_object::{HandlerBody, HandlerResponse};
pub use settle::{Called, HandlerFailure, PendingTask, Reply, RoutedError};

/// A sub-interpreter with its handlers imported and cached.
pub struct Interpreter {
    /// Saved while the worker waits for work; restored to run Python.
    thread_state: *mut ffi::PyThreadState,
    id: i64,
    /// A sub-interpreter of our own, or a thread state on the main interpreter.
    kind: Kind,
    /// Dropped only by [`Interpreter::end`], under this interpreter's GIL; an interpreter
    /// lost any other way leaks its objects rather than touching them without the GIL.
    /// Shared with the done-callbacks of suspended tasks, which run on this thread.
    loaded: std::mem::ManuallyDrop<Rc<Loaded>>,
}

enum Kind {
    /// An own-GIL sub-interpreter, created and ended by this worker.
    Sub,
    /// The main interpreter, attached to with `PyGILState_Ensure`.
    Main(ffi::PyGILState_STATE),
}

/// What an interpreter imports at startup and keeps for every call.
struct Loaded {
    /// Indexed like the table's routes; `None` for routes served elsewhere.
    handlers: Vec<Option<call::Handler>>,
    values: build::ValueBuilder,
    /// Present when this interpreter runs `async def` handlers or the app's lifespan.
    event_loop: Option<event_loop::EventLoop>,
    /// This interpreter's own copy of the app, when its lifespan or exception handlers
    /// run here.
    app: Option<object::Owned>,
    /// `(module, attribute)` of the app, for `request.app` where it is not loaded.
    app_location: Option<object::Owned>,
    python: python_side::PythonSide,
    streams: response_object::Streams,
}

/// Proof that the current thread holds this interpreter's GIL; releases it when dropped.
pub struct GilHeld<'a> {
    interpreter: &'a mut Interpreter,
}

impl Interpreter {
    /// CPython's id of this interpreter (the main interpreter is 0).
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Makes this interpreter current on this thread and takes its GIL.
    pub fn acquire(&mut self) -> GilHeld<'_> {
        // SAFETY: `thread_state` was saved by `PyEval_SaveThread` on this same thread (an
        // `Interpreter` never leaves its thread), so restoring it is balanced.
        unsafe { ffi::PyEval_RestoreThread(self.thread_state) };
        GilHeld { interpreter: self }
    }
}

impl GilHeld<'_> {
    /// CPython's id of the interpreter whose GIL is held.
    pub fn id(&self) -> i64 {
        self.interpreter.id
    }

    /// Runs `wait` (which must not touch Python) with this interpreter's GIL released, as
    /// `Py_BEGIN_ALLOW_THREADS` does.
    pub fn released<T>(&self, wait: impl FnOnce() -> T) -> T {
        struct Reacquire(*mut ffi::PyThreadState);
        impl Drop for Reacquire {
            fn drop(&mut self) {
                // SAFETY: the state saved below, on this thread.
                unsafe { ffi::PyEval_RestoreThread(self.0) };
            }
        }
        // SAFETY: `GilHeld` proves this thread holds the GIL; it is taken back (even if
        // `wait` panics) before this returns.
        let _reacquire = Reacquire(unsafe { ffi::PyEval_SaveThread() });
        wait()
    }
}

impl Drop for GilHeld<'_> {
    fn drop(&mut self) {
        // SAFETY: the GIL of this interpreter is held by this thread since `acquire`.
        self.interpreter.thread_state = unsafe { ffi::PyEval_SaveThread() };
    }
}
