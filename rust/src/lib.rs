//! `fasterapi._core`: the Rust core of FasterAPI, seen from Python.
//!
//! This module is only the PyO3 face, used in the main interpreter. Everything that runs
//! inside the sub-interpreters (`interpreter`) uses raw `pyo3::ffi`, never PyO3's
//! high-level API, whose caches belong to the main interpreter.

mod answer;
mod body;
mod config;
mod connection;
mod dispatch;
mod file;
mod head_scan;
mod inbox;
mod panics;
mod request_data;
mod response;
mod scheduling;
mod server;
mod strict;
mod timeouts;
mod worker;

// Public only so that `benches/` can measure the hot path and `fuzz/` can reach it; not
// an API.
#[doc(hidden)]
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod interpreter;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod route_table;
#[doc(hidden)]
pub mod router;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod validate;
#[doc(hidden)]
pub mod value;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pythonize::depythonize;

/// Serves `route_table` (built by `fasterapi.routing`) until SIGINT or SIGTERM.
///
/// Releases the main interpreter's GIL while serving. Raises `RuntimeError` with a readable
/// message if the server cannot start (port in use, a module that cannot be imported in a
/// sub-interpreter, a missing handler). Returns whether every interpreter ended: false
/// when one still ran a handler after the grace period (Python must then not finalize).
#[pyfunction]
fn serve(
    py: Python<'_>,
    route_table: &Bound<'_, PyAny>,
    config: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let mut table: route_table::RouteTable = depythonize(route_table)?;
    table.prepare().map_err(PyRuntimeError::new_err)?;
    let config: config::ServerConfig = depythonize(config)?;
    py.detach(|| server::run(table, config))
        .map_err(PyRuntimeError::new_err)
}

/// Imports each of `modules` in a fresh sub-interpreter, with `sys_path`. Returns one
/// `(status, message)` per module: `("loaded", "")`, `("refused", why)` when an extension
/// it imports refuses sub-interpreters, or `("failed", why)` for any other error.
#[pyfunction]
fn probe_imports(
    py: Python<'_>,
    sys_path: Vec<String>,
    modules: Vec<String>,
) -> PyResult<Vec<(&'static str, String)>> {
    // A new interpreter must be created on a thread with no Python thread state.
    let verdicts = py.detach(|| {
        std::thread::Builder::new()
            .name("fasterapi-probe".into())
            .stack_size(16 * 1024 * 1024)
            .spawn(move || interpreter::probe_imports(&sys_path, &modules))
            .map_err(|error| format!("cannot start a thread: {error}"))?
            .join()
            .map_err(|_| "internal error (panic) while probing imports".to_owned())?
            .map_err(|error| error.message)
    });
    let verdicts = verdicts.map_err(PyRuntimeError::new_err)?;
    Ok(verdicts
        .into_iter()
        .map(|verdict| match verdict {
            interpreter::ImportVerdict::Loaded => ("loaded", String::new()),
            interpreter::ImportVerdict::Refused(why) => ("refused", why),
            interpreter::ImportVerdict::Failed(why) => ("failed", why),
        })
        .collect())
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(serve, module)?)?;
    module.add_function(wrap_pyfunction!(probe_imports, module)?)?;
    Ok(())
}
