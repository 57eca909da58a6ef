//! Routing: the request path percent-decoded as the I/O side does it (invalid UTF-8
//! replaced), then `Router::resolve` on a small table with converters and a `{p:path}`
//! catch-all, then the path parameters through the extractors.
//!
//! Input: byte 1 picks the method, the rest is the raw path.
//! Properties: no panic; every path parameter is a slice of the decoded path (or the empty
//! catch-all); a slash redirect names the path with its trailing slash flipped, which
//! some method of some route matches; a 405's `Allow` lists none of the request's method.

#![no_main]

use std::sync::LazyLock;

use _core::extract::RequestParts;
use _core::route_table::RouteSpec;
use _core::router::{RouteMatch, Router};
use _core::schema::TypeSpec;
use fasterapi_core_fuzz::{extract_and_check, routes, types};
use hyper::HeaderMap;
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode;

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get",
];

static APP: LazyLock<(Vec<RouteSpec>, Vec<TypeSpec>, Router)> = LazyLock::new(|| {
    let routes = routes();
    let router = Router::new(&routes);
    (routes, types(), router)
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, raw_path)) = data.split_first() else {
        return;
    };
    let (routes, types, router) = &*APP;
    let method = METHODS[usize::from(pick) % METHODS.len()];
    let path = percent_decode(raw_path).decode_utf8_lossy();
    match router.resolve(method, &path) {
        RouteMatch::Found { route, params } => {
            let spec = &routes[route];
            assert!(spec.methods.iter().any(|m| m == method));
            for (name, value) in &params {
                assert!(
                    spec.path.contains(&format!("{{{name}")),
                    "{name} not in {}",
                    spec.path
                );
                assert!(
                    value.is_empty() || path.contains(value),
                    "{value:?} not in {path:?}"
                );
            }
            let headers = HeaderMap::new();
            let parts = RequestParts {
                path_params: &params,
                query: None,
                headers: &headers,
                body: b"",
            };
            extract_and_check(spec, types, &parts);
        }
        RouteMatch::MethodNotAllowed { allow } => {
            assert!(
                !allow.split(", ").any(|m| m == method),
                "{method} in Allow: {allow}"
            );
        }
        RouteMatch::RedirectSlash { path: flipped } => {
            let expected = match path.strip_suffix('/') {
                Some(stripped) => stripped.to_owned(),
                None => format!("{path}/"),
            };
            assert_eq!(flipped, expected);
            let matched = METHODS[..7]
                .iter()
                .any(|m| matches!(router.resolve(m, &flipped), RouteMatch::Found { .. }));
            assert!(matched, "{flipped:?} matches no route");
        }
        RouteMatch::NotFound => {}
    }
});
