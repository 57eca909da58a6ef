//! Query, header and cookie extraction and validation (`extract::extract`) on a route with
//! a parameter of every scalar kind, lists, enums and constraints.
//!
//! Input: line 1 is the query string, line 2 the `Cookie` header, each further line a
//! `name: value` header (lines that are not valid headers are skipped).
//! Property: no panic; a 422 body is valid JSON with one item per error.

#![no_main]

use std::sync::LazyLock;

use _core::extract::RequestParts;
use _core::route_table::RouteSpec;
use _core::schema::TypeSpec;
use fasterapi_core_fuzz::{extract_and_check, lines, routes, types, USERS};
use hyper::header::{HeaderName, HeaderValue, COOKIE};
use hyper::HeaderMap;
use libfuzzer_sys::fuzz_target;

static APP: LazyLock<(Vec<RouteSpec>, Vec<TypeSpec>)> = LazyLock::new(|| (routes(), types()));

fn headers(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut raw = data.split(|&byte| byte == b'\n').skip(1);
    if let Some(cookie) = raw.next().and_then(|v| HeaderValue::from_bytes(v).ok()) {
        headers.append(COOKIE, cookie);
    }
    for line in raw {
        let Some(colon) = line.iter().position(|&byte| byte == b':') else {
            continue;
        };
        let name = HeaderName::from_bytes(&line[..colon]);
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            headers.append(name, value);
        }
    }
    headers
}

fuzz_target!(|data: &[u8]| {
    let (routes, types) = &*APP;
    let query = lines(data).swap_remove(0);
    let headers = headers(data);
    for query in [Some(query.as_str()), None] {
        let parts = RequestParts {
            path_params: &[("user_id", "7")],
            query,
            headers: &headers,
            body: b"",
        };
        extract_and_check(&routes[USERS], types, &parts);
    }
});
