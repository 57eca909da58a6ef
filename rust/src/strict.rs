//! Requests hyper accepts but HTTP/1.1 does not, refused before routing.
//!
//! hyper checks the syntax of a request; these are the rules above it that uvicorn (h11)
//! also enforces: one valid `Host` on HTTP/1.1, `chunked` as the only transfer coding,
//! a plain path as the target, and ASCII in it.

use hyper::header::{HOST, TRANSFER_ENCODING};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode, Version};

use crate::response::{self, HttpResponse};

/// The refusal for a request that breaks one of the rules, if any.
pub fn refusal(head: &Parts) -> Option<HttpResponse> {
    let (status, detail) = violation(head)?;
    tracing::debug!("refused a request: {detail}");
    let reason = status.canonical_reason().unwrap_or("Bad Request");
    Some(response::refused(status, reason, true))
}

fn violation(head: &Parts) -> Option<(StatusCode, &'static str)> {
    if head.method == Method::CONNECT || head.uri.path_and_query().is_none() {
        return Some((StatusCode::BAD_REQUEST, "not a path target"));
    }
    // The target as sent (hyper keeps bytes above 0x7F that RFC 3986 does not allow).
    let target = head
        .uri
        .path_and_query()
        .map_or("", |target| target.as_str());
    if !target.is_ascii() {
        return Some((StatusCode::BAD_REQUEST, "non-ASCII bytes in the target"));
    }
    if head.version == Version::HTTP_11 {
        let mut hosts = head.headers.get_all(HOST).iter();
        let valid = match (hosts.next(), hosts.next()) {
            (Some(host), None) => is_valid_host(host.as_bytes()),
            _ => false,
        };
        if !valid {
            return Some((StatusCode::BAD_REQUEST, "not exactly one valid Host"));
        }
    }
    transfer_coding_violation(head)
}

/// RFC 9112 §6.1: `chunked` once, and last (hyper checks it is last); other codings
/// would reach the handler still encoded, so they are not implemented (501).
fn transfer_coding_violation(head: &Parts) -> Option<(StatusCode, &'static str)> {
    let mut codings = head
        .headers
        .get_all(TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        .map(|coding| coding.trim_ascii())
        .filter(|coding| !coding.is_empty());
    let first = codings.next()?;
    if codings.next().is_some() {
        let only_chunked = head
            .headers
            .get_all(TRANSFER_ENCODING)
            .iter()
            .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
            .all(|coding| coding.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        return Some(if only_chunked {
            (StatusCode::BAD_REQUEST, "chunked applied twice")
        } else {
            (
                StatusCode::NOT_IMPLEMENTED,
                "a transfer coding other than chunked",
            )
        });
    }
    if !first.eq_ignore_ascii_case(b"chunked") {
        return Some((
            StatusCode::NOT_IMPLEMENTED,
            "a transfer coding other than chunked",
        ));
    }
    None
}

/// `host[:port]` as RFC 3986 allows it (a reg-name, IPv4 or bracketed IPv6), or empty.
fn is_valid_host(value: &[u8]) -> bool {
    value.is_empty()
        || hyper::http::uri::Authority::try_from(value).is_ok_and(|a| {
            // An authority may carry userinfo; a Host header may not.
            !a.as_str().contains('@')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::Request;

    fn head(request: hyper::http::request::Builder) -> Parts {
        request.body(()).unwrap().into_parts().0
    }

    fn status(request: hyper::http::request::Builder) -> Option<u16> {
        violation(&head(request)).map(|(status, _)| status.as_u16())
    }

    #[test]
    fn an_ordinary_request_passes() {
        assert_eq!(
            status(Request::get("/items?q=1").header(HOST, "a:80")),
            None
        );
        let http10 = Request::get("/").version(Version::HTTP_10);
        assert_eq!(status(http10), None);
        let chunked = Request::post("/")
            .header(HOST, "a")
            .header(TRANSFER_ENCODING, "Chunked");
        assert_eq!(status(chunked), None);
    }

    #[test]
    fn host_must_be_one_and_valid_on_http_11() {
        assert_eq!(status(Request::get("/")), Some(400));
        let two = Request::get("/").header(HOST, "a").header(HOST, "b");
        assert_eq!(status(two), Some(400));
        assert_eq!(status(Request::get("/").header(HOST, "a b")), Some(400));
        assert_eq!(status(Request::get("/").header(HOST, "u@a")), Some(400));
        assert_eq!(status(Request::get("/").header(HOST, "[::1]:8000")), None);
    }

    #[test]
    fn only_chunked_once_is_a_transfer_coding() {
        let twice = |values: &[&str]| {
            let mut request = Request::post("/").header(HOST, "a");
            for value in values {
                request = request.header(TRANSFER_ENCODING, *value);
            }
            status(request)
        };
        assert_eq!(twice(&["chunked, chunked"]), Some(400));
        assert_eq!(twice(&["chunked", "chunked"]), Some(400));
        assert_eq!(twice(&["gzip, chunked"]), Some(501));
        assert_eq!(twice(&["gzip"]), Some(501));
    }

    #[test]
    fn targets_must_be_ascii_paths() {
        let raw_utf8 = hyper::Uri::from_maybe_shared(bytes::Bytes::from_static(b"/caf\xc3\xa9"));
        let raw_utf8 = Request::get(raw_utf8.unwrap()).header(HOST, "a");
        assert_eq!(status(raw_utf8), Some(400));
        let connect = Request::connect("a:80").header(HOST, "a");
        assert_eq!(status(connect), Some(400));
    }
}
