//! Building the HTTP responses FastAPI would send.

use bytes::Bytes;
use hyper::body::Body as _;
use hyper::header::{
    HeaderName, HeaderValue, ALLOW, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};
use hyper::{Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::body::{PulledBody, ResponseBody};
use crate::extract::errors::{render_422, ValidationError};
use crate::interpreter::{HandlerBody, HandlerResponse};
use crate::route_table::StaticResponse;

pub type HttpResponse = Response<ResponseBody>;

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const TEXT: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

fn with_body(status: StatusCode, content_type: HeaderValue, body: Bytes) -> HttpResponse {
    let length = HeaderValue::from(body.len());
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, length);
    headers.insert(CONTENT_TYPE, content_type);
    response
}

/// A response made at startup (the OpenAPI document, the docs pages, their assets).
pub fn fixed(fixed: &StaticResponse) -> HttpResponse {
    let content_type = HeaderValue::from_str(&fixed.content_type).unwrap_or(TEXT);
    let mut response = with_body(StatusCode::OK, content_type, fixed.body.clone());
    let extra = fixed
        .headers
        .iter()
        .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
        .collect();
    if let Err(error) = append_headers(response.headers_mut(), extra) {
        tracing::error!("a fixed route has an invalid header: {error}");
        return internal_error();
    }
    response
}

pub fn not_found() -> HttpResponse {
    with_body(
        StatusCode::NOT_FOUND,
        JSON,
        Bytes::from_static(br#"{"detail":"Not Found"}"#),
    )
}

pub fn method_not_allowed(allow: &str) -> HttpResponse {
    let mut response = with_body(
        StatusCode::METHOD_NOT_ALLOWED,
        JSON,
        Bytes::from_static(br#"{"detail":"Method Not Allowed"}"#),
    );
    if let Ok(value) = HeaderValue::from_str(allow) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// What a handler produced, as the response to send. A file is served by
/// [`crate::file`], which needs the request; this takes every other kind.
pub fn from_handler(response: HandlerResponse) -> Result<HttpResponse, HandlerResponse> {
    let status = match StatusCode::from_u16(response.status) {
        Ok(status) => status,
        Err(_) => {
            tracing::error!(
                "a handler answered with the invalid status {}",
                response.status
            );
            return Ok(internal_error());
        }
    };
    let (body, json) = match response.body {
        HandlerBody::Json(body) => (ResponseBody::full(body), true),
        HandlerBody::Bytes(body) => (ResponseBody::full(body), false),
        HandlerBody::Stream(stream) => (ResponseBody::Pulled(PulledBody::new(stream)), false),
        HandlerBody::File(_) => return Err(response),
    };
    let mut built = Response::new(body);
    *built.status_mut() = status;
    if json {
        // FastAPI's `JSONResponse`: a length (except where no body is allowed) and a type.
        if body_allowed(response.status) {
            let length = built.body().size_hint().exact().unwrap_or(0);
            built
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(length));
        } else {
            *built.body_mut() = ResponseBody::empty();
        }
        built.headers_mut().insert(CONTENT_TYPE, JSON);
    }
    if let Err(error) = append_headers(built.headers_mut(), response.headers) {
        tracing::error!("a handler's response has an invalid header: {error}");
        return Ok(internal_error());
    }
    Ok(built)
}

/// Whether a response with this status may have a body (not 1xx, 204, 205, 304).
pub fn body_allowed(status: u16) -> bool {
    !(status < 200 || matches!(status, 204 | 205 | 304))
}

/// Appends raw `(name, value)` pairs, as a Python `Response` keeps them.
pub fn append_headers(
    headers: &mut hyper::HeaderMap,
    raw: Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<(), String> {
    for (name, value) in raw {
        let name = HeaderName::from_bytes(&name)
            .map_err(|_| format!("name {:?}", String::from_utf8_lossy(&name)))?;
        let value = HeaderValue::from_bytes(&value)
            .map_err(|_| format!("value of {name}: {:?}", String::from_utf8_lossy(&value)))?;
        headers.append(name, value);
    }
    Ok(())
}

/// FastAPI's 422; where FastAPI itself could not render the errors (a NaN input), its 500.
pub fn validation_failed(errors: &[ValidationError]) -> HttpResponse {
    match render_422(errors) {
        Ok(body) => with_body(StatusCode::UNPROCESSABLE_ENTITY, JSON, Bytes::from(body)),
        Err(_) => internal_error(),
    }
}

/// A 422 whose error items (a JSON array) pydantic produced in the worker.
pub fn validation_failed_with(items_json: &str) -> HttpResponse {
    let body = format!("{{\"detail\":{items_json}}}");
    with_body(StatusCode::UNPROCESSABLE_ENTITY, JSON, Bytes::from(body))
}

/// FastAPI's answer to a JSON body that `json.loads` cannot read at all.
pub fn body_unreadable() -> HttpResponse {
    with_body(
        StatusCode::BAD_REQUEST,
        JSON,
        Bytes::from_static(br#"{"detail":"There was an error parsing the body"}"#),
    )
}

/// A request over one of the server's limits, or one it will not serve now, with a
/// FastAPI-shaped body (`detail`: RFC 9110's reason phrase). `close`: the rest of the request was not read, so the connection
/// cannot carry another one.
pub fn refused(status: StatusCode, detail: &str, close: bool) -> HttpResponse {
    let body = format!("{{\"detail\":\"{detail}\"}}");
    let mut response = with_body(status, JSON, Bytes::from(body));
    let headers = response.headers_mut();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if close {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Starlette's `ServerErrorMiddleware` answer to an unhandled exception.
pub fn internal_error() -> HttpResponse {
    with_body(
        StatusCode::INTERNAL_SERVER_ERROR,
        TEXT,
        Bytes::from_static(b"Internal Server Error"),
    )
}

/// Characters `RedirectResponse` percent-encodes in `location`: everything but letters,
/// digits, `_.-~` and its safe set `:/%#?=@[]!$&'()*+,;`.
const LOCATION_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The 307 Starlette sends when only the slash-flipped path matches. `host` is the
/// request's Host header (or the server address); `query` is kept verbatim.
pub fn redirect_slash(host: &str, path: &str, query: Option<&str>) -> HttpResponse {
    let mut location = format!("http://{host}{path}");
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        location.push('?');
        location.push_str(query);
    }
    let encoded = utf8_percent_encode(&location, LOCATION_ENCODE).to_string();
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(0));
    if let Ok(value) = HeaderValue::from_str(&encoded) {
        headers.insert(LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_location_is_quoted_like_starlette() {
        let response = redirect_slash("example.com:1234", "/items/é x", Some("a=1&b=x%20y"));
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            response.headers()[LOCATION],
            "http://example.com:1234/items/%C3%A9%20x?a=1&b=x%20y"
        );
    }
}
