//! Turning a matched request into the handler's arguments, validated, without Python.
//!
//! Each source has its own small module (`path`, `query`, `header`, `cookie`, `body`); the
//! values go through the shared validators (`crate::validate`) and failures are reported
//! with the kinds in `errors`. FastAPI's order is kept: the body is read (and a JSON syntax
//! error answered) first; then path, query, header, cookie and body parameters are
//! validated in that order, each source in declaration order, so the 422 body matches
//! item by item.

pub mod body;
mod cookie;
pub mod errors;
mod header;
mod path;
mod query;

use hyper::HeaderMap;

use crate::json::JsonValue;
use crate::route_table::{ParamSource, ParamSpec, RouteSpec};
use crate::schema::{Schema, TypeSpec};
use crate::validate::{Errors, Input, Validator};
use crate::value::ArgValue;
use body::BodyContent;
use errors::ValidationError;

/// One converted argument: the index of its parameter in the route's spec, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub param: usize,
    pub value: ArgValue,
}

/// Why a request gets no handler call.
#[derive(Debug)]
pub enum Rejection {
    /// 422 with these errors.
    Invalid(Vec<ValidationError>),
    /// 400: the body is JSON by its content type but `json.loads` could not read it.
    UnreadableBody,
}

/// Where the raw values of one request live.
pub struct RequestParts<'a> {
    /// Path parameters by name, already percent-decoded.
    pub path_params: &'a [(&'a str, &'a str)],
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    /// The body; empty when the route has no body parameter (it is not read then).
    pub body: &'a [u8],
}

/// Extracts and validates every parameter of `route`; optional parameters that the request
/// lacks are left out (the handler's default applies) or, for a default given in a marker,
/// passed as [`ArgValue::MarkerDefault`].
pub fn extract(
    route: &RouteSpec,
    types: &[TypeSpec],
    python_minor: u32,
    parts: &RequestParts<'_>,
) -> Result<Vec<Arg>, Rejection> {
    let content = if route.has_body() {
        body::read(parts.headers, parts.body, python_minor)?
    } else {
        BodyContent::Absent
    };
    let query = query::QueryParams::parse(parts.query);
    let cookies = route
        .has_cookies()
        .then(|| cookie::Cookies::parse(parts.headers));
    let validator = Validator { types };
    let mut errors = Errors::new();
    let mut args = Vec::with_capacity(route.params.len());
    let single_body = route.single_body_param();
    for &index in route.emission_order() {
        let spec = &route.params[index];
        let raw = match spec.source {
            ParamSource::Path => path::lookup(parts.path_params, &spec.alias).map(Raw::One),
            ParamSource::Query if is_sequence(&spec.schema) => Raw::many(query.all(&spec.alias)),
            ParamSource::Query => query.last(&spec.alias).map(Raw::One),
            ParamSource::Header if is_sequence(&spec.schema) => {
                Raw::many(header::all(parts.headers, &spec.alias))
            }
            ParamSource::Header => header::first(parts.headers, &spec.alias).map(Raw::Owned),
            ParamSource::Cookie => cookies
                .as_ref()
                .and_then(|jar| jar.get(&spec.alias))
                .map(Raw::One),
            ParamSource::Body => {
                let body_root = ["body", spec.alias.as_str()];
                let loc: &[&str] = if single_body {
                    &body_root[..1]
                } else {
                    &body_root
                };
                let input = match (&content, single_body) {
                    (BodyContent::Absent, _) => None,
                    (BodyContent::Json(value), true) => Some(Input::Json(value)),
                    (BodyContent::Raw(bytes), true) => Some(Input::Bytes(bytes)),
                    (BodyContent::Json(object @ JsonValue::Object(_)), false) => {
                        object.get(&spec.alias).map(Input::Json)
                    }
                    // FastAPI calls `.get` on the body: anything but an object fails with
                    // `missing`, even for an optional parameter.
                    (BodyContent::Json(_), false) => {
                        errors.at(loc);
                        errors.list.push(ValidationError::missing(errors.loc()));
                        continue;
                    }
                    (BodyContent::Raw(_), false) => None,
                };
                collect(&validator, spec, index, input, loc, &mut errors, &mut args);
                continue;
            }
        };
        let loc = [spec.source.as_str(), spec.alias.as_str()];
        let input = raw.as_ref().map(|raw| match raw {
            Raw::One(text) => Input::Text(text),
            Raw::Owned(text) => Input::Text(text),
            Raw::Many(texts) => Input::Texts(texts),
        });
        collect(&validator, spec, index, input, &loc, &mut errors, &mut args);
    }
    if errors.list.is_empty() {
        Ok(args)
    } else {
        Err(Rejection::Invalid(errors.list))
    }
}

/// A parameter's raw value from the URL or headers.
enum Raw<'a> {
    One(&'a str),
    Owned(String),
    Many(Vec<String>),
}

impl Raw<'_> {
    /// A repeated key with no values is a missing parameter, as in FastAPI.
    fn many(values: Vec<String>) -> Option<Self> {
        (!values.is_empty()).then_some(Raw::Many(values))
    }
}

fn is_sequence(schema: &Schema) -> bool {
    match schema {
        Schema::List { .. } => true,
        Schema::Nullable { inner } => is_sequence(inner),
        _ => false,
    }
}

/// Validates one parameter's input (or handles its absence) and records the outcome.
fn collect<'a>(
    validator: &Validator<'_>,
    spec: &ParamSpec,
    index: usize,
    input: Option<Input<'_>>,
    loc: &[&'a str],
    errors: &mut Errors<'a>,
    args: &mut Vec<Arg>,
) {
    errors.at(loc);
    let Some(input) = input else {
        if spec.required {
            errors.list.push(ValidationError::missing(errors.loc()));
        } else if spec.default_from_marker {
            args.push(Arg {
                param: index,
                value: ArgValue::MarkerDefault,
            });
        }
        return;
    };
    if let Some(value) = validator.validate(&spec.schema, input, errors) {
        args.push(Arg {
            param: index,
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::JsonValue;
    use crate::schema::{DataclassSpec, FieldSpec};
    use errors::LocItem;
    use hyper::header::{HeaderValue, CONTENT_TYPE, COOKIE};

    fn int() -> Schema {
        Schema::Int(Default::default())
    }

    fn types() -> Vec<TypeSpec> {
        vec![TypeSpec::Dataclass(DataclassSpec {
            module: "app".into(),
            main_module: None,
            qualname: "Item".into(),
            name: "Item".into(),
            fields: vec![FieldSpec {
                name: "name".into(),
                schema: Schema::Str(Default::default()),
                required: true,
            }],
        })]
    }

    /// Declared body-first and out of source order, as a user may write it.
    fn route() -> RouteSpec {
        let mut limit = ParamSpec::new("limit", ParamSource::Query, int(), false);
        limit.default_from_marker = true;
        RouteSpec::new(
            &["POST"],
            "/users/{user_id}",
            "handler",
            vec![
                ParamSpec::new(
                    "item",
                    ParamSource::Body,
                    Schema::Dataclass { type_index: 0 },
                    true,
                ),
                ParamSpec::new("session", ParamSource::Cookie, int(), true),
                ParamSpec::new("x-count", ParamSource::Header, int(), true),
                limit,
                ParamSpec::new("user_id", ParamSource::Path, int(), true),
            ],
        )
    }

    fn headers(cookie: &'static str, count: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(COOKIE, HeaderValue::from_static(cookie));
        headers.insert("x-count", HeaderValue::from_static(count));
        headers
    }

    #[test]
    fn arguments_come_in_fastapi_order_with_marker_defaults() {
        let headers = headers("session=5", "3");
        let parts = RequestParts {
            path_params: &[("user_id", "7")],
            query: None,
            headers: &headers,
            body: br#"{"name": "n"}"#,
        };
        let args = extract(&route(), &types(), 13, &parts).unwrap();
        let order: Vec<(usize, &ArgValue)> =
            args.iter().map(|arg| (arg.param, &arg.value)).collect();
        assert_eq!(
            order,
            vec![
                (4, &ArgValue::Int(7)),
                (3, &ArgValue::MarkerDefault),
                (2, &ArgValue::Int(3)),
                (1, &ArgValue::Int(5)),
                (
                    0,
                    &ArgValue::Dataclass {
                        type_index: 0,
                        fields: vec![(0, ArgValue::Str("n".into()))]
                    }
                ),
            ]
        );
    }

    #[test]
    fn errors_come_in_fastapi_order() {
        let headers = headers("session=x", "y");
        let parts = RequestParts {
            path_params: &[("user_id", "z")],
            query: Some("limit=w"),
            headers: &headers,
            body: b"{}",
        };
        let Err(Rejection::Invalid(errors)) = extract(&route(), &types(), 13, &parts) else {
            panic!("every parameter is wrong");
        };
        let locations: Vec<Vec<LocItem>> = errors.into_iter().map(|error| error.loc).collect();
        let key = |parts: &[&str]| {
            parts
                .iter()
                .map(|&part| LocItem::from(part))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            locations,
            vec![
                key(&["path", "user_id"]),
                key(&["query", "limit"]),
                key(&["header", "x-count"]),
                key(&["cookie", "session"]),
                key(&["body", "name"]),
            ]
        );
    }

    #[test]
    fn a_json_syntax_error_is_the_only_error() {
        let headers = headers("session=x", "y");
        let parts = RequestParts {
            path_params: &[("user_id", "z")],
            query: None,
            headers: &headers,
            body: b"{oops",
        };
        let Err(Rejection::Invalid(errors)) = extract(&route(), &types(), 13, &parts) else {
            panic!("malformed JSON");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].input,
            errors::ErrorInput::Json(JsonValue::Object(vec![]))
        );
    }

    #[test]
    fn embedded_bodies_need_an_object() {
        let mut route = route();
        route.embed_body = true;
        let headers = headers("session=5", "3");
        let parts = RequestParts {
            path_params: &[("user_id", "7")],
            query: None,
            headers: &headers,
            body: b"[]",
        };
        let Err(Rejection::Invalid(errors)) = extract(&route, &types(), 13, &parts) else {
            panic!("a list is not an object");
        };
        assert_eq!(
            errors,
            vec![ValidationError::missing(vec!["body".into(), "item".into()])]
        );
    }
}
