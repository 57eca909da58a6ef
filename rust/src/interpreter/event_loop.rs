//! The asyncio loop of one interpreter (`fasterapi.worker_loop.WorkerLoop`), driven from
//! Rust with raw C-API calls.

use std::os::fd::RawFd;

use pyo3::ffi;

use super::lifecycle::{attribute_of, lookup_qualname};
use super::native::{self, Arity, Callback};
use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::{GilHeld, StartupError};
use crate::route_table::RouteTable;

/// A `WorkerLoop` and the bound methods called per request, cached.
pub(super) struct EventLoop {
    worker_loop: Owned,
    start: Owned,
    call_after_ready: Owned,
    names: Names,
}

impl EventLoop {
    /// Creates the loop; with `table.lifespan`, it will run the lifespan of `app` (this
    /// interpreter's own copy of the app).
    ///
    /// # Safety
    /// The current thread holds the GIL of the interpreter the loop will belong to.
    pub(super) unsafe fn create(
        table: &RouteTable,
        app: Option<&Owned>,
    ) -> Result<EventLoop, StartupError> {
        let app = match app {
            Some(app) if table.lifespan => Owned::from_borrowed(app.as_ptr()),
            _ => Owned::from_borrowed(ffi::Py_None()),
        };
        let class = attribute_of("fasterapi.worker_loop", "WorkerLoop")?;
        let failed = |what: &str| StartupError {
            message: format!("{what}: {}", pyerror::take_current().summary),
        };
        let worker_loop = Owned::from_new(ffi::PyObject_CallOneArg(class.as_ptr(), app.as_ptr()))
            .ok_or_else(|| failed("cannot create an event loop"))?;
        let method = |name: &str| lookup_qualname(&worker_loop, "fasterapi.worker_loop", name);
        Ok(EventLoop {
            start: method("start")?,
            call_after_ready: method("call_after_ready")?,
            names: Names::new().ok_or_else(|| failed("cannot create method names"))?,
            worker_loop: Owned::from_borrowed(worker_loop.as_ptr()),
        })
    }

    /// The Python `WorkerLoop` object.
    pub(super) fn object(&self) -> &Owned {
        &self.worker_loop
    }

    /// Runs the app's startup code; the error carries its traceback.
    pub(super) unsafe fn startup(&self) -> Result<(), PyErrorText> {
        self.call_method(c"startup").map(drop)
    }

    /// Runs the loop until [`EventLoop::stop`], calling `drain` when `fd` is readable.
    pub(super) unsafe fn serve(&self, fd: RawFd, drain: Callback) -> Result<(), PyErrorText> {
        let drain = native::callable(Arity::None, drain).ok_or_else(|| pyerror::take_current())?;
        let fd = Owned::from_new(ffi::PyLong_FromLong(fd.into()))
            .ok_or_else(|| pyerror::take_current())?;
        let name = Owned::from_new(ffi::PyUnicode_FromString(c"serve".as_ptr()))
            .ok_or_else(|| pyerror::take_current())?;
        let args = [self.worker_loop.as_ptr(), fd.as_ptr(), drain.as_ptr()];
        Owned::from_new(ffi::PyObject_VectorcallMethod(
            name.as_ptr(),
            args.as_ptr(),
            3,
            std::ptr::null_mut(),
        ))
        .map(drop)
        .ok_or_else(|| pyerror::take_current())
    }

    /// Runs `callback` once the callbacks ready now (and those they make ready) ran.
    pub(super) unsafe fn call_after_ready(&self, callback: Callback) -> Result<(), PyErrorText> {
        let callback =
            native::callable(Arity::None, callback).ok_or_else(|| pyerror::take_current())?;
        Owned::from_new(ffi::PyObject_CallOneArg(
            self.call_after_ready.as_ptr(),
            callback.as_ptr(),
        ))
        .map(drop)
        .ok_or_else(|| pyerror::take_current())
    }

    /// Makes [`EventLoop::serve`] return after the current turn.
    pub(super) unsafe fn stop(&self) -> Result<(), PyErrorText> {
        self.call_method(c"stop").map(drop)
    }

    /// Runs the app's shutdown code and closes the loop.
    pub(super) unsafe fn shutdown(&self) -> Result<(), PyErrorText> {
        self.call_method(c"shutdown").map(drop)
    }

    /// Starts `coroutine` as an eager task on this loop.
    pub(super) unsafe fn start(&self, coroutine: Owned) -> Option<Owned> {
        Owned::from_new(ffi::PyObject_CallOneArg(
            self.start.as_ptr(),
            coroutine.as_ptr(),
        ))
    }

    unsafe fn call_method(&self, name: &std::ffi::CStr) -> Result<Owned, PyErrorText> {
        Owned::from_new(ffi::PyObject_CallMethodNoArgs(
            self.worker_loop.as_ptr(),
            Owned::from_new(ffi::PyUnicode_FromString(name.as_ptr()))
                .ok_or_else(|| pyerror::take_current())?
                .as_ptr(),
        ))
        .ok_or_else(|| pyerror::take_current())
    }
}

impl EventLoop {
    /// Whether `task` (an `asyncio.Task`) has finished.
    pub(super) unsafe fn is_done(&self, task: &Owned) -> Option<bool> {
        let done = Owned::from_new(ffi::PyObject_CallMethodNoArgs(
            task.as_ptr(),
            self.names.done.as_ptr(),
        ))?;
        Some(done.as_ptr() == ffi::Py_True())
    }

    /// `task.add_done_callback(callback)`.
    pub(super) unsafe fn on_done(&self, task: &Owned, callback: Callback) -> Option<()> {
        let callback = native::callable(Arity::One, callback)?;
        Owned::from_new(ffi::PyObject_CallMethodOneArg(
            task.as_ptr(),
            self.names.add_done_callback.as_ptr(),
            callback.as_ptr(),
        ))
        .map(drop)
    }
}

/// Method names used per request, created once in this interpreter.
struct Names {
    done: Owned,
    add_done_callback: Owned,
}

impl Names {
    unsafe fn new() -> Option<Names> {
        Some(Names {
            done: new_str("done")?,
            add_done_callback: new_str("add_done_callback")?,
        })
    }
}

/// `task.result()` for a finished task: the handler's return value, or its exception set.
///
/// # Safety
/// The current thread holds the GIL of the task's interpreter.
pub(super) unsafe fn task_result(task: *mut ffi::PyObject) -> Option<Owned> {
    let name = new_str("result")?;
    Owned::from_new(ffi::PyObject_CallMethodNoArgs(task, name.as_ptr()))
}

/// The event loop as the worker sees it. Errors are Python tracebacks, for the log.
impl GilHeld<'_> {
    pub fn has_event_loop(&self) -> bool {
        self.interpreter.loaded.event_loop.is_some()
    }

    fn event_loop(&self) -> Result<&EventLoop, String> {
        self.interpreter
            .loaded
            .event_loop
            .as_ref()
            .ok_or_else(|| "internal error: this interpreter has no event loop".to_owned())
    }

    /// Runs the app's startup code (nothing without an event loop).
    pub fn run_startup(&self) -> Result<(), PyErrorText> {
        match self.interpreter.loaded.event_loop.as_ref() {
            // SAFETY: `GilHeld` proves this thread holds the loop's interpreter's GIL.
            Some(event_loop) => unsafe { event_loop.startup() },
            None => Ok(()),
        }
    }

    /// Runs the loop until [`GilHeld::stop_event_loop`], calling `drain` whenever `fd` is
    /// readable.
    pub fn serve_event_loop(&self, fd: RawFd, drain: Callback) -> Result<(), String> {
        // SAFETY: as above.
        unsafe { self.event_loop()?.serve(fd, drain) }.map_err(|error| error.traceback)
    }

    /// Runs `callback` once the callbacks ready now (and those they make ready) ran.
    pub fn call_after_ready(&self, callback: Callback) -> Result<(), String> {
        // SAFETY: as above.
        unsafe { self.event_loop()?.call_after_ready(callback) }.map_err(|error| error.traceback)
    }

    pub fn stop_event_loop(&self) -> Result<(), String> {
        // SAFETY: as above.
        unsafe { self.event_loop()?.stop() }.map_err(|error| error.traceback)
    }

    /// Runs the app's shutdown code and closes the loop (nothing without one).
    pub fn run_shutdown(&self) -> Result<(), String> {
        match self.interpreter.loaded.event_loop.as_ref() {
            // SAFETY: as above.
            Some(event_loop) => unsafe { event_loop.shutdown() }.map_err(|error| error.traceback),
            None => Ok(()),
        }
    }
}
