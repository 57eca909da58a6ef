//! `fasterapi._core`: the Rust core of FasterAPI, seen from Python.
//!
//! This module is only the PyO3 face, used in the main interpreter. Everything that runs
//! inside the sub-interpreters (`interpreter`) uses raw `pyo3::ffi`, never PyO3's
//! high-level API, whose caches belong to the main interpreter.

mod config;
mod dispatch;
mod response;
mod scheduling;
mod server;

// Public only so that `benches/` can measure the hot path; not an API.
#[doc(hidden)]
pub mod extract;
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
/// sub-interpreter, a missing handler).
#[pyfunction]
fn serve(
    py: Python<'_>,
    route_table: &Bound<'_, PyAny>,
    config: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let mut table: route_table::RouteTable = depythonize(route_table)?;
    table.prepare().map_err(PyRuntimeError::new_err)?;
    let config: config::ServerConfig = depythonize(config)?;
    py.detach(|| server::run(table, config))
        .map_err(PyRuntimeError::new_err)
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(serve, module)?)?;
    Ok(())
}
