//! The request body, as FastAPI reads it: parsed as JSON only when the content type says
//! JSON (`application/json`, `application/*+json`), otherwise handed to validation as raw
//! bytes; one body parameter is the whole body, several (or `Body(embed=True)`) are keys
//! of a JSON object.

use hyper::header::CONTENT_TYPE;
use hyper::HeaderMap;

use super::errors::{ErrorInput, ErrorKind, LocItem, ValidationError};
use super::Rejection;
use crate::json::{self, JsonValue, ParseFailure};
use crate::route_table::RouteSpec;
use crate::value::{ArgRefusal, PathStep};

/// What the body holds, before any parameter looks at it.
pub enum BodyContent<'a> {
    /// Empty, or the route has no body parameter (FastAPI does not read it then).
    Absent,
    Json(JsonValue),
    /// Sent with a content type other than JSON.
    Raw(&'a [u8]),
}

/// Reads `body` the way FastAPI does before validating anything: a JSON syntax error is a
/// 422 `json_invalid` on its own, and a body `json.loads` cannot even decode is a 400.
pub fn read<'a>(
    headers: &HeaderMap,
    body: &'a [u8],
    python_minor: u32,
) -> Result<BodyContent<'a>, Rejection> {
    if body.is_empty() {
        return Ok(BodyContent::Absent);
    }
    if !is_json(headers) {
        return Ok(BodyContent::Raw(body));
    }
    match json::parse(body, python_minor) {
        Ok(value) => Ok(BodyContent::Json(value)),
        Err(ParseFailure::Syntax(error)) => Err(Rejection::Invalid(vec![ValidationError {
            kind: ErrorKind::JsonInvalid(error.message),
            loc: vec!["body".into(), LocItem::Index(error.position)],
            input: ErrorInput::Json(JsonValue::Object(Vec::new())),
        }])),
        Err(ParseFailure::Unreadable) => Err(Rejection::UnreadableBody),
    }
}

/// The 422 errors for dataclass arguments whose `__post_init__` refused their values, in
/// FastAPI's shape: `loc` from the body parameter down to the dataclass, and the JSON
/// object it was built from as `input`. The body is parsed again: this path is rare.
pub fn locate_refusals(
    route: &RouteSpec,
    headers: &HeaderMap,
    body: &[u8],
    python_minor: u32,
    refusals: &[ArgRefusal],
) -> Vec<ValidationError> {
    let content = read(headers, body, python_minor).ok();
    let root = match &content {
        Some(BodyContent::Json(value)) => Some(value),
        _ => None,
    };
    let single = route.single_body_param();
    refusals
        .iter()
        .map(|ArgRefusal { param, refusal }| {
            let spec = &route.params[*param];
            let mut loc: Vec<LocItem> = vec!["body".into()];
            let mut value = root;
            if !single {
                loc.push(spec.alias.as_str().into());
                value = value.and_then(|object| object.get(&spec.alias));
            }
            for step in &refusal.path {
                match step {
                    PathStep::Index(index) => {
                        loc.push(LocItem::Index(*index));
                        value = match value {
                            Some(JsonValue::Array(items)) => items.get(*index),
                            _ => None,
                        };
                    }
                    PathStep::Key(key) => {
                        loc.push(key.as_str().into());
                        value = value.and_then(|object| object.get(key));
                    }
                }
            }
            let message = refusal.message.clone();
            let attributes_json = refusal.attributes_json.clone();
            ValidationError {
                kind: if refusal.assertion {
                    ErrorKind::AssertionError {
                        message,
                        attributes_json,
                    }
                } else {
                    ErrorKind::ValueError {
                        message,
                        attributes_json,
                    }
                },
                loc,
                input: ErrorInput::Json(value.cloned().unwrap_or(JsonValue::Null)),
            }
        })
        .collect()
}

/// `email.message.Message.get_content_type()`'s reading of the first `Content-Type`,
/// tested for a JSON type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return false;
    };
    let text: String = value.as_bytes().iter().map(|&byte| byte as char).collect();
    let media_type = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((main, sub)) = media_type.split_once('/') else {
        return false;
    };
    !sub.contains('/') && main == "application" && (sub == "json" || sub.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn with_type(content_type: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    }

    #[test]
    fn json_content_types_follow_fastapi() {
        for json_type in [
            "application/json",
            "APPLICATION/JSON",
            "application/json; charset=utf-8",
            "application/vnd.api+json",
        ] {
            assert!(is_json(&with_type(json_type)), "{json_type}");
        }
        for other in [
            "text/plain",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "json",
            "",
        ] {
            assert!(!is_json(&with_type(other)), "{other}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn syntax_errors_and_unreadable_bodies() {
        let json = with_type("application/json");
        let Err(Rejection::Invalid(errors)) = read(&json, b"{\"name\":", 13) else {
            panic!("a syntax error is a 422");
        };
        assert_eq!(errors[0].kind, ErrorKind::JsonInvalid("Expecting value"));
        assert_eq!(
            errors[0].loc,
            vec![LocItem::from("body"), LocItem::Index(8)]
        );
        assert!(matches!(
            read(&json, b"\"\xff\"", 13),
            Err(Rejection::UnreadableBody)
        ));
        assert!(matches!(read(&json, b"", 13), Ok(BodyContent::Absent)));
        assert!(matches!(
            read(&with_type("text/plain"), b"{}", 13),
            Ok(BodyContent::Raw(_))
        ));
    }
}
