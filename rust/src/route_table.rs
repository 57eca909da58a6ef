//! The route table handed over by the Python package: plain data describing every route.
//!
//! Python builds it once at startup from the decorators (`fasterapi/routing.py`) and
//! `pythonize` turns it into these structs in the main interpreter. Nothing here holds a
//! Python object, so the table can be shared by every thread and every interpreter.

use serde::Deserialize;

use crate::schema::{Schema, TypeSpec};

/// Everything the server needs to know about the application.
#[derive(Debug, Clone, Deserialize)]
pub struct RouteTable {
    pub routes: Vec<RouteSpec>,
    /// The enums and dataclasses that parameter schemas refer to by index.
    #[serde(default)]
    pub types: Vec<TypeSpec>,
    /// The main interpreter's `sys.path`, so workers import modules from the same places.
    pub sys_path: Vec<String>,
    /// The minor version of the Python serving the app: FastAPI's JSON error messages
    /// come from that version's `json` module.
    pub python_minor: u32,
    /// Where each interpreter finds the app object (its own copy): needed only to run the
    /// app's lifespan or startup/shutdown hooks.
    #[serde(default)]
    pub app: Option<AppLocation>,
    /// The app has a lifespan (or startup/shutdown hooks) that every interpreter serving
    /// its routes runs.
    #[serde(default)]
    pub lifespan: bool,
    /// The app registered exception handlers: every interpreter loads the app, and an
    /// exception a handler raises is looked up there.
    #[serde(default)]
    pub exception_handlers: bool,
    /// Some of those handlers are `async def`: every interpreter runs an event loop.
    #[serde(default)]
    pub async_exception_handlers: bool,
    /// Statuses of the errors the core makes itself (422, 400, 404, 405) that the app has
    /// its own handler for: they are answered by an interpreter, not by Rust.
    #[serde(default)]
    pub routed_errors: Vec<u16>,
    /// The server's log level (uvicorn's names): each interpreter's Python `logging` is
    /// routed to the server's log at this level.
    #[serde(default = "info")]
    pub log_level: String,
}

fn info() -> String {
    "info".into()
}

/// `module.attribute` names the app object.
#[derive(Debug, Clone, Deserialize)]
pub struct AppLocation {
    pub module: String,
    pub attribute: String,
    /// The module's name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
}

impl AppLocation {
    /// The module to import the app from in the interpreters at `placement`.
    pub fn module_at(&self, placement: Placement) -> &str {
        placement.module(&self.module, self.main_module.as_deref())
    }
}

/// Which interpreters run a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The pool of own-GIL sub-interpreters, in parallel.
    Pool,
    /// The main interpreter, on one dedicated thread: for code that cannot load in a
    /// sub-interpreter.
    Main,
}

impl Placement {
    /// Which name to import a module by here: `main_module` (its name in the main
    /// interpreter, which already has it) on the main interpreter, `module` elsewhere.
    pub fn module<'a>(self, module: &'a str, main_module: Option<&'a str>) -> &'a str {
        match (self, main_module) {
            (Placement::Main, Some(main_module)) => main_module,
            _ => module,
        }
    }
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
    /// The handler's module name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
    /// Qualified name of the handler inside its module, e.g. `get_user` or `Users.get`.
    pub qualname: String,
    pub params: Vec<ParamSpec>,
    /// The body is an object keyed by parameter (several body parameters, or
    /// `Body(embed=True)`), not the single body parameter's value itself.
    #[serde(default)]
    pub embed_body: bool,
    /// Status code of a successful response, when the decorator gives one (else the
    /// response class's default: 200 for JSON).
    #[serde(default)]
    pub status_code: Option<u16>,
    /// The route's response class, unless it is `JSONResponse` (rendered in Rust).
    #[serde(default)]
    pub response_class: Option<ClassLocation>,
    /// The parameter that receives the `Request` object, if the handler takes one.
    #[serde(default)]
    pub request_param: Option<String>,
    /// The parameter that receives the `Response` to set headers, cookies and status on.
    #[serde(default)]
    pub response_param: Option<String>,
    /// The worker needs the request itself (for a `Request` parameter, or for the app's
    /// exception handlers): the I/O side sends a copy of it along with the arguments.
    #[serde(default)]
    pub needs_request: bool,
    /// A response made once at startup (the OpenAPI document, the docs pages and their
    /// assets), sent by the I/O side without any interpreter.
    #[serde(default)]
    pub static_response: Option<StaticResponse>,
    /// An `async def` handler: it runs as a task on its interpreter's event loop.
    #[serde(default)]
    pub is_async: bool,
    /// Runs on the main interpreter (decided at startup by `fasterapi.placement`).
    #[serde(default)]
    pub on_main: bool,
    /// Parameter indexes in FastAPI's validation order (filled by [`RouteTable::prepare`]).
    #[serde(skip)]
    order: Vec<usize>,
}

/// A fixed response body and its type.
#[derive(Debug, Clone, Deserialize)]
pub struct StaticResponse {
    pub content_type: String,
    /// Other headers, e.g. the docs pages' `content-security-policy`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(rename = "body")]
    body_from_python: serde_bytes::ByteBuf,
    /// The body, shared by every response that sends it (filled by `prepare`).
    #[serde(skip)]
    pub body: bytes::Bytes,
}

/// Where each interpreter finds a class (by module and qualified name).
#[derive(Debug, Clone, Deserialize)]
pub struct ClassLocation {
    pub module: String,
    /// The module's name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
    pub qualname: String,
}

impl ClassLocation {
    /// The module to import the class from in the interpreters at `placement`.
    pub fn module_at(&self, placement: Placement) -> &str {
        placement.module(&self.module, self.main_module.as_deref())
    }
}

impl RouteTable {
    /// Checks what deserializing could not and computes what every request would
    /// otherwise recompute; call once after loading. The error names the route or type.
    pub fn prepare(&mut self) -> Result<(), String> {
        for route in &mut self.routes {
            route.order = validation_order(&route.params);
            if let Some(fixed) = &mut route.static_response {
                let body = std::mem::take(&mut fixed.body_from_python);
                fixed.body = bytes::Bytes::from(body.into_vec());
            }
            for param in &route.params {
                if let Some((pattern, error)) = param.schema.invalid_pattern() {
                    return Err(format!(
                        "parameter '{}' of {} has pattern {pattern:?}, which the regex engine \
                         refuses: {error}",
                        param.name,
                        route.endpoint()
                    ));
                }
            }
        }
        for spec in &self.types {
            if let TypeSpec::Dataclass(dataclass) = spec {
                for field in &dataclass.fields {
                    if let Some((pattern, error)) = field.schema.invalid_pattern() {
                        return Err(format!(
                            "field '{}' of {}.{} has pattern {pattern:?}, which the regex \
                             engine refuses: {error}",
                            field.name, dataclass.module, dataclass.qualname
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn validation_order(params: &[ParamSpec]) -> Vec<usize> {
    ParamSource::ORDER
        .iter()
        .flat_map(|&source| (0..params.len()).filter(move |&index| params[index].source == source))
        .collect()
}

impl RouteTable {
    /// Every interpreter loads its own copy of the app: to run its lifespan, or to look
    /// its exception handlers up.
    pub fn loads_app(&self) -> bool {
        self.lifespan || self.exception_handlers
    }

    /// Whether the app answers an error of this status the core would otherwise make.
    pub fn routes_error(&self, status: u16) -> bool {
        self.routed_errors.contains(&status)
    }

    /// Whether the interpreters at `placement` serve `route`.
    pub fn serves(&self, placement: Placement, route: &RouteSpec) -> bool {
        route.static_response.is_none() && route.on_main == (placement == Placement::Main)
    }

    /// Whether any route runs at `placement`.
    pub fn has_routes(&self, placement: Placement) -> bool {
        self.routes
            .iter()
            .any(|route| self.serves(placement, route))
    }

    /// Interpreters at `placement` need an event loop: they run `async def` handlers, the
    /// app's lifespan or its `async def` exception handlers.
    pub fn needs_event_loop(&self, placement: Placement) -> bool {
        self.lifespan
            || self.async_exception_handlers
            || self
                .routes
                .iter()
                .any(|route| route.is_async && self.serves(placement, route))
    }

    /// For each entry of `types`, whether a route at `placement` can meet it (directly or
    /// through dataclass fields); only those are imported there.
    pub fn types_used_at(&self, placement: Placement) -> Vec<bool> {
        let mut used = vec![false; self.types.len()];
        let mut pending = Vec::new();
        for route in self
            .routes
            .iter()
            .filter(|route| self.serves(placement, route))
        {
            for param in &route.params {
                param.schema.for_each_type(&mut |index| pending.push(index));
            }
        }
        while let Some(index) = pending.pop() {
            if std::mem::replace(&mut used[index], true) {
                continue;
            }
            if let TypeSpec::Dataclass(dataclass) = &self.types[index] {
                for field in &dataclass.fields {
                    field
                        .schema
                        .for_each_type(&mut |nested| pending.push(nested));
                }
            }
        }
        used
    }
}

impl RouteSpec {
    /// A route built in Rust (tests and benchmarks); the server gets its routes from Python.
    pub fn new(methods: &[&str], path: &str, qualname: &str, params: Vec<ParamSpec>) -> Self {
        RouteSpec {
            methods: methods.iter().map(|method| method.to_string()).collect(),
            path: path.into(),
            module: "app".into(),
            main_module: None,
            qualname: qualname.into(),
            order: validation_order(&params),
            params,
            embed_body: false,
            status_code: None,
            response_class: None,
            request_param: None,
            response_param: None,
            needs_request: false,
            static_response: None,
            is_async: false,
            on_main: false,
        }
    }

    /// The module to import the handler from in the interpreters at `placement`.
    pub fn module_at(&self, placement: Placement) -> &str {
        placement.module(&self.module, self.main_module.as_deref())
    }

    /// `module:qualname`, the name used in logs and error messages.
    pub fn endpoint(&self) -> String {
        format!("{}:{}", self.module, self.qualname)
    }

    /// Parameter indexes in the order FastAPI validates them: path, query, header, cookie,
    /// body, each in declaration order. Arguments are produced in this order.
    pub fn emission_order(&self) -> &[usize] {
        &self.order
    }

    pub fn has_body(&self) -> bool {
        self.params
            .iter()
            .any(|param| param.source == ParamSource::Body)
    }

    pub fn has_cookies(&self) -> bool {
        self.params
            .iter()
            .any(|param| param.source == ParamSource::Cookie)
    }

    /// The one body parameter is the whole body (not a key of it).
    pub fn single_body_param(&self) -> bool {
        !self.embed_body
            && self
                .params
                .iter()
                .filter(|param| param.source == ParamSource::Body)
                .count()
                == 1
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
    pub schema: Schema,
    /// Whether the request must carry it (no default in the signature).
    pub required: bool,
    /// Its default is in a marker (`Query(5)`), which the worker reads, rather than in
    /// the signature, where Python applies it.
    #[serde(default)]
    pub default_from_marker: bool,
}

impl ParamSpec {
    /// A parameter built in Rust (tests and benchmarks), named as in the request.
    pub fn new(name: &str, source: ParamSource, schema: Schema, required: bool) -> Self {
        ParamSpec {
            name: name.into(),
            alias: name.into(),
            source,
            schema,
            required,
            default_from_marker: false,
        }
    }
}

/// Where a parameter comes from; also the first element of a 422 error's `loc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamSource {
    Path,
    Query,
    Header,
    Cookie,
    Body,
}

impl ParamSource {
    /// FastAPI validates sources in this order.
    pub const ORDER: [ParamSource; 5] = [
        ParamSource::Path,
        ParamSource::Query,
        ParamSource::Header,
        ParamSource::Cookie,
        ParamSource::Body,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParamSource::Path => "path",
            ParamSource::Query => "query",
            ParamSource::Header => "header",
            ParamSource::Cookie => "cookie",
            ParamSource::Body => "body",
        }
    }
}
