//! Creating a worker's interpreter, importing the handlers into it, and ending it.

use std::ffi::CString;
use std::sync::Mutex;

use pyo3::ffi;

use super::build::ValueBuilder;
use super::call::Handler;
use super::event_loop::EventLoop;
use super::object::{new_str, Owned};
use super::pyerror::{self, PyErrorText};
use super::python_side::PythonSide;
use super::response_object::Streams;
use super::{Interpreter, Kind, Loaded};
use crate::inbox::Inbox;
use crate::route_table::{Placement, RouteTable};

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
    /// Creates an own-GIL interpreter on the current thread (or, for
    /// [`Placement::Main`], attaches this thread to the main interpreter), points its
    /// `sys.path` at the main interpreter's, imports the handlers of the routes served at
    /// `placement` and caches each one; creates its event loop if it needs one.
    ///
    /// Returns with the GIL released. On failure the interpreter is already ended.
    pub fn create(
        table: &RouteTable,
        placement: Placement,
        inbox: Inbox,
    ) -> Result<Interpreter, StartupError> {
        let (thread_state, kind) = match placement {
            Placement::Pool => (new_own_gil_interpreter()?, Kind::Sub),
            Placement::Main => {
                // SAFETY: this thread has no thread state; this creates one on the main
                // interpreter and takes its GIL.
                let state = unsafe { ffi::PyGILState_Ensure() };
                (unsafe { ffi::PyThreadState_Get() }, Kind::Main(state))
            }
        };
        // SAFETY: the interpreter is current on this thread and its GIL held.
        let id = unsafe {
            ffi::PyInterpreterState_GetID(ffi::PyThreadState_GetInterpreter(thread_state))
        };
        let loaded = unsafe { load(table, placement, inbox) };
        match loaded {
            Ok(loaded) => {
                // SAFETY: we hold this interpreter's GIL; release it until the first call.
                let thread_state = unsafe { ffi::PyEval_SaveThread() };
                Ok(Interpreter {
                    thread_state,
                    id,
                    kind,
                    loaded: std::mem::ManuallyDrop::new(std::rc::Rc::new(loaded)),
                })
            }
            Err(error) => {
                // SAFETY: still current and holding its GIL; leaving it is the cleanup.
                unsafe { leave(thread_state, &kind) };
                Err(error)
            }
        }
    }

    /// Drops every cached object and ends the interpreter (or detaches from the main
    /// one), on its own thread.
    pub fn end(mut self) {
        // SAFETY: `thread_state` was saved on this thread; restoring it makes this
        // interpreter current with its GIL held. The cached objects are dropped first,
        // while their interpreter still exists.
        unsafe {
            ffi::PyEval_RestoreThread(self.thread_state);
            std::mem::ManuallyDrop::drop(&mut self.loaded);
            leave(self.thread_state, &self.kind);
        }
    }
}

/// What importing a module in a fresh sub-interpreter did.
#[derive(Debug, Clone)]
pub enum ImportVerdict {
    Loaded,
    /// An extension module it imports refuses own-GIL sub-interpreters.
    Refused(String),
    /// It raised something else; the message names the exception.
    Failed(String),
}

/// Imports each of `modules` in a fresh own-GIL sub-interpreter (with `sys_path`), which
/// is ended afterwards; the verdicts come in the same order. Call on a thread that holds
/// no Python thread state.
pub fn probe_imports(
    sys_path: &[String],
    modules: &[String],
) -> Result<Vec<ImportVerdict>, StartupError> {
    let thread_state = new_own_gil_interpreter()?;
    // SAFETY: the new interpreter is current on this thread with its GIL held; it is
    // ended before returning.
    unsafe {
        let verdicts = set_sys_path(sys_path).map(|()| {
            modules
                .iter()
                .map(|module| match import(module) {
                    Ok(_) => ImportVerdict::Loaded,
                    Err(error) if error.message.contains(REFUSAL) => {
                        ImportVerdict::Refused(error.message)
                    }
                    Err(error) => ImportVerdict::Failed(error.message),
                })
                .collect()
        });
        ffi::Py_EndInterpreter(thread_state);
        verdicts
    }
}

/// What CPython says when an extension module refuses own-GIL sub-interpreters.
const REFUSAL: &str = "does not support loading in subinterpreters";

/// Ends a sub-interpreter, or gives the main interpreter's GIL back.
///
/// # Safety
/// `thread_state` is current on this thread with its GIL held.
unsafe fn leave(thread_state: *mut ffi::PyThreadState, kind: &Kind) {
    match kind {
        Kind::Sub => ffi::Py_EndInterpreter(thread_state),
        Kind::Main(state) => ffi::PyGILState_Release(*state),
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
    // SAFETY: the new interpreter is current on this thread with its GIL held.
    if let Err(error) = unsafe { keep_312_off_shared_extension_state() } {
        unsafe { ffi::Py_EndInterpreter(thread_state) };
        return Err(error);
    }
    Ok(thread_state)
}

/// On 3.12, `_zoneinfo` keeps the datetime C API in a static shared by all interpreters;
/// a sub-interpreter (where `datetime` is the pure-Python one) importing it sets that to
/// NULL and the main interpreter's next `ZoneInfo` crashes the process. Blocking the
/// import makes `zoneinfo` use its pure-Python `ZoneInfo` there, as `datetime` does.
/// 3.13 makes `_zoneinfo` per-interpreter, so it is left alone.
///
/// # Safety
/// A sub-interpreter is current on this thread with its GIL held.
unsafe fn keep_312_off_shared_extension_state() -> Result<(), StartupError> {
    if ffi::Py_Version >= 0x030D_0000 {
        return Ok(());
    }
    let modules = ffi::PyImport_GetModuleDict();
    if ffi::PyDict_SetItemString(modules, c"_zoneinfo".as_ptr(), ffi::Py_None()) != 0 {
        return Err(StartupError {
            message: format!(
                "could not prepare a sub-interpreter: {}",
                pyerror::take_current().summary
            ),
        });
    }
    Ok(())
}

/// # Safety
/// The current thread holds the GIL of the interpreter that will serve `placement`.
unsafe fn load(
    table: &RouteTable,
    placement: Placement,
    inbox: Inbox,
) -> Result<Loaded, StartupError> {
    if placement == Placement::Pool {
        set_sys_path(&table.sys_path)?;
    }
    let python = PythonSide::load()?;
    super::logs::install(&table.log_level)?;
    let values = ValueBuilder::load(table, &table.types_used_at(placement), placement)?;
    let mut handlers = Vec::with_capacity(table.routes.len());
    for route in &table.routes {
        if !table.serves(placement, route) {
            handlers.push(None);
            continue;
        }
        let module_name = route.module_at(placement);
        let module = import_at(module_name, placement)?;
        let function = lookup_qualname(&module, module_name, &route.qualname)?;
        let response_class = match &route.response_class {
            Some(class) => {
                let module_name = class.module_at(placement);
                let module = import_at(module_name, placement)?;
                Some(lookup_qualname(&module, module_name, &class.qualname)?)
            }
            None => None,
        };
        handlers.push(Some(
            Handler::new(function, route, response_class).map_err(|error| StartupError {
                message: format!("cannot prepare {}: {}", route.endpoint(), error.summary),
            })?,
        ));
    }
    let app_location = match &table.app {
        Some(location) => Some(location_tuple(
            location.module_at(placement),
            &location.attribute,
        )?),
        None => None,
    };
    let app = match &table.app {
        Some(location) if table.loads_app() => {
            let module_name = location.module_at(placement);
            let module = import_at(module_name, placement)?;
            Some(lookup_qualname(&module, module_name, &location.attribute)?)
        }
        _ => None,
    };
    let event_loop = if table.needs_event_loop(placement) {
        Some(EventLoop::create(table, app.as_ref())?)
    } else {
        None
    };
    Ok(Loaded {
        handlers,
        values,
        event_loop,
        app,
        app_location,
        python,
        streams: Streams::new(inbox),
    })
}

/// `(module, attribute)` as a Python tuple of str.
unsafe fn location_tuple(module: &str, attribute: &str) -> Result<Owned, StartupError> {
    let failed = || StartupError {
        message: format!(
            "cannot record the app's location: {}",
            pyerror::take_current().summary
        ),
    };
    let (module, attribute) = (
        new_str(module).ok_or_else(failed)?,
        new_str(attribute).ok_or_else(failed)?,
    );
    Owned::from_new(ffi::PyTuple_Pack(2, module.as_ptr(), attribute.as_ptr())).ok_or_else(failed)
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
        let hint = if error.summary.contains(REFUSAL) {
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

/// `module` for the interpreters at `placement`. The main interpreter has already imported
/// the app's modules: they are taken from `sys.modules` without the import machinery,
/// whose lock may be held by the thread starting the server (`fasterapi.run()` called
/// while its module is being imported). Anything else is imported.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
pub(super) unsafe fn import_at(module: &str, placement: Placement) -> Result<Owned, StartupError> {
    if placement == Placement::Pool {
        return import(module);
    }
    let name = new_str(module).ok_or_else(|| StartupError {
        message: format!("invalid module name {module:?}"),
    })?;
    match Owned::from_new(ffi::PyImport_GetModule(name.as_ptr())) {
        Some(found) => Ok(found),
        None if ffi::PyErr_Occurred().is_null() => import(module),
        None => Err(StartupError {
            message: format!(
                "cannot look up module '{module}': {}",
                pyerror::take_current().summary
            ),
        }),
    }
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
