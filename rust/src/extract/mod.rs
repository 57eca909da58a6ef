//! Turning a matched request into the handler's arguments, validated, without Python.
//!
//! Each source has its own small module (`path`, `query`); they share the conversion rules in
//! `scalar` and report failures with the kinds in `errors`. Errors are collected in FastAPI's
//! order (path, then query; each in declaration order) so the 422 body matches item by item.

pub mod errors;
mod path;
mod query;
pub mod scalar;

use crate::route_table::{ParamSource, ParamSpec, RouteSpec};
use errors::{ErrorKind, ValidationError};
use scalar::ArgValue;

/// One converted argument: the index of its parameter in the route's spec, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub param: usize,
    pub value: ArgValue,
}

/// Where the raw values of one request live.
pub struct RequestParts<'a> {
    /// Path parameters by name, already percent-decoded.
    pub path_params: &'a [(&'a str, &'a str)],
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
}

/// Extracts and validates every parameter of `route`; optional parameters that the request
/// lacks are left out, so the handler's own default applies.
pub fn extract(
    route: &RouteSpec,
    parts: &RequestParts<'_>,
) -> Result<Vec<Arg>, Vec<ValidationError>> {
    let query = query::QueryParams::parse(parts.query);
    let mut args = Vec::with_capacity(route.params.len());
    let mut errors = Vec::new();
    for source in [ParamSource::Path, ParamSource::Query] {
        for (index, spec) in route.params.iter().enumerate() {
            if spec.source != source {
                continue;
            }
            let raw = match source {
                ParamSource::Path => path::lookup(parts.path_params, &spec.alias),
                ParamSource::Query => query.last(&spec.alias),
            };
            match convert_one(spec, raw) {
                Ok(Some(value)) => args.push(Arg {
                    param: index,
                    value,
                }),
                Ok(None) => {}
                Err(error) => errors.push(error),
            }
        }
    }
    if errors.is_empty() {
        Ok(args)
    } else {
        Err(errors)
    }
}

fn convert_one(spec: &ParamSpec, raw: Option<&str>) -> Result<Option<ArgValue>, ValidationError> {
    let error = |kind, input: Option<&str>| ValidationError {
        kind,
        source: spec.source,
        name: spec.alias.clone(),
        input: input.map(str::to_owned),
    };
    match raw {
        None if spec.required => Err(error(ErrorKind::Missing, None)),
        None => Ok(None),
        Some(raw) => scalar::convert(spec.kind, raw)
            .map(Some)
            .map_err(|kind| error(kind, Some(raw))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route_table::ScalarKind;

    fn param(name: &str, source: ParamSource, kind: ScalarKind, required: bool) -> ParamSpec {
        ParamSpec {
            name: name.into(),
            alias: name.into(),
            source,
            kind,
            required,
        }
    }

    fn route() -> RouteSpec {
        RouteSpec {
            methods: vec!["GET".into()],
            path: "/users/{user_id}".into(),
            module: "m".into(),
            qualname: "f".into(),
            status_code: 200,
            params: vec![
                param("q", ParamSource::Query, ScalarKind::Str, false),
                param("user_id", ParamSource::Path, ScalarKind::Int, true),
                param("limit", ParamSource::Query, ScalarKind::Int, true),
            ],
        }
    }

    #[test]
    fn converts_and_skips_missing_optionals() {
        let parts = RequestParts {
            path_params: &[("user_id", "7")],
            query: Some("limit=1&limit=3"),
        };
        let args = extract(&route(), &parts).unwrap();
        assert_eq!(
            args,
            vec![
                Arg {
                    param: 1,
                    value: ArgValue::Int(7)
                },
                Arg {
                    param: 2,
                    value: ArgValue::Int(3)
                },
            ]
        );
    }

    #[test]
    fn reports_path_errors_before_query_errors() {
        let parts = RequestParts {
            path_params: &[("user_id", "x")],
            query: Some("q=%C3%A9"),
        };
        let errors = extract(&route(), &parts).unwrap_err();
        let kinds: Vec<_> = errors.iter().map(|e| (e.kind, e.name.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (ErrorKind::IntParsing, "user_id"),
                (ErrorKind::Missing, "limit")
            ]
        );
    }
}
