//! Creating a worker's interpreter, importing the handlers into it, and ending it.

use std::ffi::CString;
use std::sync::Mutex;

use pyo3::ffi;

use super::build::ValueBuilder;
use super::call::Handler;
use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::{Interpreter, Loaded};
use crate::route_table::RouteTable;

/// Why a worker could not start, in words for the person starting the server.
#[derive(Debug, Clone)]
pub struct StartupError {
    pub message: String,
}

impl From<StartupError> for PyErrorText {
    fn from(error: StartupError) -> Self {
        PyErrorText {
            summary: error.message.clone(),
            traceback: error.message,
        }
    }
}

/// Interpreter creation touches runtime-wide state; one at a time keeps it simple and safe
/// (imports, the slow part, still run in parallel afterwards).
static CREATION: Mutex<()> = Mutex::new(());

impl Interpreter {
    /// Creates an own-GIL interpreter on the current thread, points its `sys.path` at the
    /// main interpreter's, imports every handler module and caches each handler.
    ///
    /// Returns with the GIL released. On failure the interpreter is already ended.
    pub fn create(table: &RouteTable) -> Result<Interpreter, StartupError> {
        let thread_state = new_own_gil_interpreter()?;
        // SAFETY: `Py_NewInterpreterFromConfig` returned with the new interpreter current
        // on this thread and its GIL held.
        let id = unsafe {
            ffi::PyInterpreterState_GetID(ffi::PyThreadState_GetInterpreter(thread_state))
        };
        let loaded = unsafe { load_handlers(table) };
        match loaded {
            Ok(loaded) => {
                // SAFETY: we hold this interpreter's GIL; release it until the first call.
                let thread_state = unsafe { ffi::PyEval_SaveThread() };
                Ok(Interpreter {
                    thread_state,
                    id,
                    loaded: std::mem::ManuallyDrop::new(loaded),
                })
            }
            Err(error) => {
                // SAFETY: still current and holding its GIL; ending it is the cleanup.
                unsafe { ffi::Py_EndInterpreter(thread_state) };
                Err(error)
            }
        }
    }

    /// Drops every cached object and ends the interpreter, on its own thread.
    pub fn end(mut self) {
        // SAFETY: `thread_state` was saved on this thread; restoring it makes this
        // interpreter current with its GIL held, as `Py_EndInterpreter` requires. The
        // cached handlers are dropped first, while their interpreter still exists.
        unsafe {
            ffi::PyEval_RestoreThread(self.thread_state);
            std::mem::ManuallyDrop::drop(&mut self.loaded);
            ffi::Py_EndInterpreter(self.thread_state);
        }
    }
}

fn new_own_gil_interpreter() -> Result<*mut ffi::PyThreadState, StartupError> {
    let config = ffi::PyInterpreterConfig {
        use_main_obmalloc: 0,
        allow_fork: 0,
        allow_exec: 0,
        allow_threads: 1,
        allow_daemon_threads: 0,
        check_multi_interp_extensions: 1,
        gil: ffi::PyInterpreterConfig_OWN_GIL,
    };
    let mut thread_state: *mut ffi::PyThreadState = std::ptr::null_mut();
    let _one_at_a_time = CREATION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: called on a thread with no current thread state; on success the new
    // interpreter is current on this thread with its own GIL held.
    let status = unsafe { ffi::Py_NewInterpreterFromConfig(&mut thread_state, &config) };
    if unsafe { ffi::PyStatus_Exception(status) } != 0 || thread_state.is_null() {
        let detail = if status.err_msg.is_null() {
            "unknown reason".to_owned()
        } else {
            // SAFETY: CPython sets err_msg to a static C string.
            unsafe { std::ffi::CStr::from_ptr(status.err_msg) }
                .to_string_lossy()
                .into_owned()
        };
        return Err(StartupError {
            message: format!("could not create a sub-interpreter: {detail}"),
        });
    }
    Ok(thread_state)
}

/// # Safety
/// The current thread holds the GIL of a freshly created interpreter.
unsafe fn load_handlers(table: &RouteTable) -> Result<Loaded, StartupError> {
    set_sys_path(&table.sys_path)?;
    let values = ValueBuilder::load(table)?;
    let mut handlers = Vec::with_capacity(table.routes.len());
    for route in &table.routes {
        let module = import(&route.module)?;
        let function = lookup_qualname(&module, &route.module, &route.qualname)?;
        handlers.push(Handler::new(function, route).map_err(|error| StartupError {
            message: format!("cannot prepare {}: {}", route.endpoint(), error.summary),
        })?);
    }
    Ok(Loaded { handlers, values })
}

unsafe fn set_sys_path(entries: &[String]) -> Result<(), StartupError> {
    let failed = || StartupError {
        message: format!(
            "could not set sys.path in a sub-interpreter: {}",
            pyerror::take_current().summary
        ),
    };
    let list = Owned::from_new(ffi::PyList_New(0)).ok_or_else(failed)?;
    for entry in entries {
        let item = new_str(entry).ok_or_else(failed)?;
        if ffi::PyList_Append(list.as_ptr(), item.as_ptr()) != 0 {
            return Err(failed());
        }
    }
    if ffi::PySys_SetObject(c"path".as_ptr(), list.as_ptr()) != 0 {
        return Err(failed());
    }
    Ok(())
}

pub(super) unsafe fn import(module: &str) -> Result<Owned, StartupError> {
    let name = CString::new(module).map_err(|_| StartupError {
        message: format!("invalid module name {module:?}"),
    })?;
    Owned::from_new(ffi::PyImport_ImportModule(name.as_ptr())).ok_or_else(|| {
        let error = pyerror::take_current();
        let hint = if error.summary.contains("does not support loading in subinterpreters") {
            "\n  (an extension module it imports refuses own-GIL sub-interpreters; see docs/architecture.md)"
        } else {
            ""
        };
        StartupError {
            message: format!(
                "module '{module}' cannot be imported in a sub-interpreter: {}{hint}",
                error.summary
            ),
        }
    })
}

/// `module.qualname`, imported into the current interpreter.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
pub(super) unsafe fn attribute_of(module: &str, qualname: &str) -> Result<Owned, StartupError> {
    let loaded = import(module)?;
    lookup_qualname(&loaded, module, qualname)
}

pub(super) unsafe fn lookup_qualname(
    module: &Owned,
    module_name: &str,
    qualname: &str,
) -> Result<Owned, StartupError> {
    let mut current = Owned::from_borrowed(module.as_ptr());
    for part in qualname.split('.') {
        let attribute = CString::new(part).map_err(|_| StartupError {
            message: format!("invalid handler name {qualname:?}"),
        })?;
        current = Owned::from_new(ffi::PyObject_GetAttrString(current.as_ptr(), attribute.as_ptr())).ok_or_else(|| {
            let error = pyerror::take_current();
            StartupError {
                message: format!(
                    "handler '{qualname}' not found in module '{module_name}' inside a sub-interpreter: {}",
                    error.summary
                ),
            }
        })?;
    }
    Ok(current)
}
