//! Microbenchmarks of the per-request work the Rust core does: routing, extraction (with
//! the 422 rendering of bad input), JSON body validation, and rendering a handler's result
//! as JSON.
//!
//! `cargo bench -p fasterapi-core` (set `PYO3_PYTHON` to a 3.12+ interpreter). The result
//! conversion benchmark initialises an embedded interpreter and holds its GIL.

use std::hint::black_box;

use _core::extract::errors::render_422;
use _core::extract::{extract, Rejection, RequestParts};
use _core::interpreter::to_json::write_value;
use _core::route_table::{ParamSource, ParamSpec, RouteSpec};
use _core::router::Router;
use _core::schema::{FieldSpec, Schema, TypeSpec};
use criterion::{criterion_group, criterion_main, Criterion};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::HeaderMap;
use pyo3::ffi;

const PYTHON_MINOR: u32 = 13;

fn param(name: &str, source: ParamSource, schema: Schema, required: bool) -> ParamSpec {
    ParamSpec::new(name, source, schema, required)
}

fn route(methods: &[&str], path: &str, params: Vec<ParamSpec>) -> RouteSpec {
    RouteSpec::new(methods, path, "handler", params)
}

fn int() -> Schema {
    Schema::Int(Default::default())
}

fn table() -> Vec<RouteSpec> {
    let mut routes = vec![
        route(&["GET"], "/", vec![]),
        route(&["GET"], "/json", vec![]),
        route(
            &["GET"],
            "/users/{user_id}",
            vec![
                param("user_id", ParamSource::Path, int(), true),
                param(
                    "q",
                    ParamSource::Query,
                    Schema::Str(Default::default()),
                    false,
                ),
                param("limit", ParamSource::Query, int(), false),
            ],
        ),
    ];
    // A realistic app has dozens of routes around the hot one.
    for index in 0..40 {
        routes.push(route(
            &["GET", "POST"],
            &format!("/resource{index}/{{id}}/items"),
            vec![],
        ));
    }
    routes
}

fn routing(c: &mut Criterion) {
    let routes = table();
    let router = Router::new(&routes);
    c.bench_function("route GET /users/123", |b| {
        b.iter(|| router.resolve("GET", black_box("/users/123")))
    });
    c.bench_function("route 404 GET /nope/here", |b| {
        b.iter(|| router.resolve("GET", black_box("/nope/here")))
    });
    c.bench_function("route 405 DELETE /users/123", |b| {
        b.iter(|| router.resolve("DELETE", black_box("/users/123")))
    });
}

fn extraction(c: &mut Criterion) {
    let routes = table();
    let users = &routes[2];
    let headers = HeaderMap::new();
    c.bench_function("extract path int + two query params", |b| {
        b.iter(|| {
            let parts = RequestParts {
                path_params: &[("user_id", "123")],
                query: Some(black_box("q=hello%20world&limit=5")),
                headers: &headers,
                body: b"",
            };
            extract(users, &[], PYTHON_MINOR, &parts)
        })
    });
    c.bench_function("extract bad int + render 422 body", |b| {
        b.iter(|| {
            let parts = RequestParts {
                path_params: &[("user_id", black_box("abc"))],
                query: None,
                headers: &headers,
                body: b"",
            };
            let Err(Rejection::Invalid(errors)) = extract(users, &[], PYTHON_MINOR, &parts) else {
                unreachable!("abc is not an int");
            };
            render_422(&errors)
        })
    });
}

/// `POST /items` with an `Item(name: str, price: float, tags: list[str])` dataclass body.
fn body_validation(c: &mut Criterion) {
    let field = |name: &str, schema: Schema| FieldSpec {
        name: name.into(),
        schema,
        required: true,
    };
    let types = vec![TypeSpec::Dataclass(_core::schema::DataclassSpec {
        module: "app".into(),
        main_module: None,
        qualname: "Item".into(),
        name: "Item".into(),
        fields: vec![
            field("name", Schema::Str(Default::default())),
            field("price", Schema::Float(Default::default())),
            field(
                "tags",
                Schema::List {
                    items: Box::new(Schema::Str(Default::default())),
                    length: Default::default(),
                },
            ),
        ],
    })];
    let items = route(
        &["POST"],
        "/items",
        vec![param(
            "item",
            ParamSource::Body,
            Schema::Dataclass { type_index: 0 },
            true,
        )],
    );
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = br#"{"name": "Widget \u00e9", "price": 9.99, "tags": ["a", "b", "c"]}"#;
    c.bench_function("extract JSON dataclass body", |b| {
        b.iter(|| {
            let parts = RequestParts {
                path_params: &[],
                query: None,
                headers: &headers,
                body: black_box(body),
            };
            extract(&items, &types, PYTHON_MINOR, &parts)
        })
    });
}

/// Builds `{"message": "Hello, World!"}` and a 100-user list in the embedded interpreter.
///
/// # Safety
/// The calling thread holds the GIL.
unsafe fn sample_objects() -> (*mut ffi::PyObject, *mut ffi::PyObject) {
    let hello = ffi::PyDict_New();
    let text = ffi::PyUnicode_FromString(c"Hello, World!".as_ptr());
    ffi::PyDict_SetItemString(hello, c"message".as_ptr(), text);
    let users = ffi::PyList_New(0);
    for id in 0..100 {
        let user = ffi::PyDict_New();
        ffi::PyDict_SetItemString(user, c"id".as_ptr(), ffi::PyLong_FromLong(id));
        let name = ffi::PyUnicode_FromString(c"Zoë \"quoted\"".as_ptr());
        ffi::PyDict_SetItemString(user, c"name".as_ptr(), name);
        ffi::PyDict_SetItemString(
            user,
            c"score".as_ptr(),
            ffi::PyFloat_FromDouble(id as f64 / 3.0),
        );
        ffi::PyDict_SetItemString(user, c"active".as_ptr(), ffi::Py_True());
        ffi::PyList_Append(users, user);
    }
    (hello, users)
}

fn result_conversion(c: &mut Criterion) {
    // SAFETY: initialise once; this thread then holds the main interpreter's GIL for the
    // rest of the process, and the objects below belong to it.
    let (hello, users) = unsafe {
        ffi::Py_InitializeEx(0);
        sample_objects()
    };
    let mut out = Vec::with_capacity(16 * 1024);
    c.bench_function("render {\"message\": ...} as JSON", |b| {
        b.iter(|| {
            out.clear();
            // SAFETY: GIL held (above), `hello` is a live dict of this interpreter.
            unsafe { write_value(&mut out, black_box(hello), ffi::Py_None()) }.unwrap();
        })
    });
    c.bench_function("render 100 user dicts as JSON", |b| {
        b.iter(|| {
            out.clear();
            // SAFETY: as above.
            unsafe { write_value(&mut out, black_box(users), ffi::Py_None()) }.unwrap();
        })
    });
}

criterion_group!(
    benches,
    routing,
    extraction,
    body_validation,
    result_conversion
);
criterion_main!(benches);
