//! The JSON body parser (`json::parse`, CPython's `json.loads`) and body extraction into a
//! nested dataclass, embedded body parameters and `Any`.
//!
//! Input: the body bytes.
//! Properties: no panic; a value the parser accepts is written back (`json::write_value`,
//! unless it holds NaN, an infinity or lone surrogates) as text that parses to the same
//! value; a syntax error's offset lies within the body; 3.12 and 3.13 accept the same
//! documents except for nesting depth; a 422 body is valid JSON.

#![no_main]

use std::sync::LazyLock;

use _core::extract::RequestParts;
use _core::json::{self, JsonValue, ParseFailure};
use _core::route_table::RouteSpec;
use _core::schema::TypeSpec;
use fasterapi_core_fuzz::{extract_and_check, routes, types, ANY, ITEMS, RAW, TAGS};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::HeaderMap;
use libfuzzer_sys::fuzz_target;

static APP: LazyLock<(Vec<RouteSpec>, Vec<TypeSpec>)> = LazyLock::new(|| (routes(), types()));

fn check_parse(data: &[u8], python_minor: u32) -> Option<JsonValue> {
    match json::parse(data, python_minor) {
        Ok(value) => {
            let mut written = Vec::new();
            if json::write_value(&mut written, &value).is_ok() {
                let again = json::parse(&written, python_minor).unwrap_or_else(|error| {
                    panic!("written JSON does not parse ({error:?}): {written:?}")
                });
                assert_eq!(again, value, "round trip through {written:?}");
            }
            Some(value)
        }
        Err(ParseFailure::Syntax(error)) => {
            assert!(error.position <= data.len(), "{error:?} beyond the body");
            None
        }
        Err(ParseFailure::Unreadable) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let (routes, types) = &*APP;
    let on_313 = check_parse(data, 13);
    let on_312 = check_parse(data, 12);
    if let Some(value) = &on_312 {
        // Compared as text: NaN is not equal to itself.
        let on_313 = on_313.as_ref().map(|value| format!("{value:?}"));
        assert_eq!(on_313, Some(format!("{value:?}")), "3.13 differs from 3.12");
    }
    let mut json_headers = HeaderMap::new();
    json_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let path_params: &[(&str, &str)] = &[
        ("item_id", "3"),
        ("tag", "red"),
        ("a", "0b8e3c9e-4c2a-4f6e-9f00-2f0c6f1b7a11"),
        ("b", "2024-02-29T12:00:00Z"),
    ];
    let parts = RequestParts {
        path_params,
        query: Some("dry_run=yes"),
        headers: &json_headers,
        body: data,
    };
    for route in [ITEMS, TAGS, ANY, RAW] {
        extract_and_check(&routes[route], types, &parts);
    }
    let plain = HeaderMap::new();
    let parts = RequestParts {
        headers: &plain,
        ..parts
    };
    extract_and_check(&routes[RAW], types, &parts);
    extract_and_check(&routes[ITEMS], types, &parts);
});
