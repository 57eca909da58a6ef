//! The route table handed over by the Python package: plain data describing every route.
//!
//! Python builds it once at startup from the decorators (`fasterapi/routing.py`) and
//! `pythonize` turns it into these structs in the main interpreter. Nothing here holds a
//! Python object, so the table can be shared by every thread and every interpreter.

use serde::Deserialize;

/// Everything the server needs to know about the application.
#[derive(Debug, Clone, Deserialize)]
pub struct RouteTable {
    pub routes: Vec<RouteSpec>,
    /// The main interpreter's `sys.path`, so workers import modules from the same places.
    pub sys_path: Vec<String>,
}

/// One route: where it answers and which function answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct RouteSpec {
    /// Upper-case HTTP methods, in declaration order.
    pub methods: Vec<String>,
    /// The path template in FastAPI's syntax, e.g. `/users/{user_id}`.
    pub path: String,
    /// Importable module name of the handler (never `__main__`).
    pub module: String,
    /// Qualified name of the handler inside its module, e.g. `get_user` or `Users.get`.
    pub qualname: String,
    pub params: Vec<ParamSpec>,
    /// Status code of a successful response.
    #[serde(default = "default_status")]
    pub status_code: u16,
}

fn default_status() -> u16 {
    200
}

impl RouteSpec {
    /// `module:qualname`, the name used in logs and error messages.
    pub fn endpoint(&self) -> String {
        format!("{}:{}", self.module, self.qualname)
    }
}

/// One parameter of a handler, as FastAPI would infer it from the signature.
#[derive(Debug, Clone, Deserialize)]
pub struct ParamSpec {
    /// The keyword the handler is called with.
    pub name: String,
    /// The name in the request (query key, path segment name).
    pub alias: String,
    pub source: ParamSource,
    pub kind: ScalarKind,
    /// Whether the request must carry it (no default in the signature).
    pub required: bool,
}

/// Where a parameter comes from; also the first element of a 422 error's `loc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamSource {
    Path,
    Query,
}

impl ParamSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamSource::Path => "path",
            ParamSource::Query => "query",
        }
    }
}

/// The scalar types the Rust core converts and validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScalarKind {
    Int,
    Float,
    Str,
    Bool,
}
