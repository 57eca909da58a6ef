//! Answering one request: route, read and validate, dispatch, and turn the outcome into
//! the response to send.
//!
//! Everything here runs on tokio threads without Python; only a valid request for a
//! known route becomes a job for the worker pool, and an error the core finds stays in
//! Rust unless the app has its own exception handler for it.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HOST};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Request, StatusCode, Uri};
use percent_encoding::percent_decode_str;

use crate::dispatch::CallOutcome;
use crate::extract::errors::{render_items, ValidationError};
use crate::extract::{self, Rejection, RequestParts};
use crate::file::FileRequest;
use crate::interpreter::{HandlerBody, HandlerResponse, RoutedError};
use crate::request_data::RequestData;
use crate::response::{self, HttpResponse};
use crate::router::RouteMatch;
use crate::server::App;
use crate::strict;

pub async fn answer(app: &App, peer: SocketAddr, request: Request<Incoming>) -> HttpResponse {
    if !(app.access_log && tracing::enabled!(target: "access", tracing::Level::INFO)) {
        return answer_request(app, peer, request).await;
    }
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map(|target| target.as_str().to_owned());
    let version = request.version();
    let response = answer_request(app, peer, request).await;
    // uvicorn's access line; `target: "access"` lets a JSON log tell them apart.
    tracing::info!(
        target: "access",
        "{peer} - \"{method} {} {version:?}\" {}",
        target.as_deref().unwrap_or("/"),
        response.status()
    );
    response
}

async fn answer_request(app: &App, peer: SocketAddr, request: Request<Incoming>) -> HttpResponse {
    let (head, body) = request.into_parts();
    if let Some(refused) = strict::refusal(&head) {
        return refused;
    }
    if target_length(&head.uri) > app.limits.max_uri_length {
        return response::refused(StatusCode::URI_TOO_LONG, "URI Too Long", false);
    }
    let head = Arc::new(head);
    // Starlette routes on the percent-decoded path (invalid UTF-8 replaced, as uvicorn does).
    let path = percent_decode_str(head.uri.path()).decode_utf8_lossy();
    let exchange = Exchange {
        app,
        head: &head,
        path: &path,
        peer,
    };
    match app.router.resolve(head.method.as_str(), &path) {
        RouteMatch::Found { route, params } => exchange.call(route, &params, body).await,
        RouteMatch::MethodNotAllowed { allow } => {
            if !app.table.routes_error(405) {
                return response::method_not_allowed(&allow);
            }
            let headers = vec![("Allow".to_owned(), allow)];
            let error = RoutedError::Http {
                status: 405,
                headers,
            };
            exchange.routed(error, &[], Bytes::new()).await
        }
        RouteMatch::RedirectSlash { path } => {
            let host = head
                .headers
                .get(HOST)
                .map(|value| value.as_bytes().iter().map(|&b| b as char).collect())
                .unwrap_or_else(|| app.local_addr.to_string());
            response::redirect_slash(&host, &path, head.uri.query())
        }
        RouteMatch::NotFound => exchange.http_error(404, &[], Bytes::new()).await,
    }
}

/// One request being answered, and what each step needs of it.
struct Exchange<'a> {
    app: &'a App,
    head: &'a Arc<Parts>,
    /// The percent-decoded path.
    path: &'a str,
    peer: SocketAddr,
}

impl Exchange<'_> {
    async fn call(&self, route: usize, params: &[(&str, &str)], body: Incoming) -> HttpResponse {
        let app = self.app;
        let spec = &app.table.routes[route];
        if let Some(fixed) = &spec.static_response {
            return response::fixed(fixed);
        }
        // Like FastAPI, read the body only for a route that takes one (or the request).
        let body = if spec.has_body() || spec.needs_request {
            let limit = app.limits.max_body_size;
            if declared_length(&self.head.headers).is_some_and(|length| length > limit) {
                return too_large();
            }
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            match Limited::new(body, limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) if error.is::<LengthLimitError>() => return too_large(),
                Err(error) => {
                    tracing::debug!("could not read a request body: {error}");
                    return self.http_error(400, params, Bytes::new()).await;
                }
            }
        } else {
            Bytes::new()
        };
        let parts = RequestParts {
            path_params: params,
            query: self.head.uri.query(),
            headers: &self.head.headers,
            body: &body,
        };
        let args = match extract::extract(spec, &app.table.types, app.table.python_minor, &parts) {
            Ok(args) => args,
            Err(Rejection::Invalid(errors)) => {
                return self.validation_failed(Ok(&errors), params, body).await
            }
            Err(Rejection::UnreadableBody) => return self.http_error(400, params, body).await,
        };
        let request = spec.needs_request.then(|| self.copy(params, body.clone()));
        match app.dispatcher.call(route, args, request).await {
            CallOutcome::Invalid(items) => self.validation_failed(Err(items), params, body).await,
            CallOutcome::Refused(refusals) => {
                let errors = extract::body::locate_refusals(
                    spec,
                    &self.head.headers,
                    &body,
                    app.table.python_minor,
                    &refusals,
                );
                self.validation_failed(Ok(&errors), params, body).await
            }
            outcome => self.finish(outcome).await,
        }
    }

    /// A copy of the request for the worker (the head is shared, not copied).
    fn copy(&self, params: &[(&str, &str)], body: Bytes) -> Box<RequestData> {
        Box::new(RequestData {
            head: Arc::clone(self.head),
            path: self.path.to_owned(),
            client: Some(self.peer),
            server: self.app.local_addr,
            path_params: params
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body,
        })
    }

    /// FastAPI's 400 (unreadable body) or 404, or the app's own answer to it.
    async fn http_error(&self, status: u16, params: &[(&str, &str)], body: Bytes) -> HttpResponse {
        if !self.app.table.routes_error(status) {
            return match status {
                400 => response::body_unreadable(),
                _ => response::not_found(),
            };
        }
        let error = RoutedError::Http {
            status,
            headers: Vec::new(),
        };
        self.routed(error, params, body).await
    }

    /// FastAPI's 422 for `errors` (or for error items pydantic rendered), or the app's own
    /// answer to it.
    async fn validation_failed(
        &self,
        errors: Result<&[ValidationError], String>,
        params: &[(&str, &str)],
        body: Bytes,
    ) -> HttpResponse {
        if !self.app.table.routes_error(422) {
            return match errors {
                Ok(errors) => response::validation_failed(errors),
                Err(items) => response::validation_failed_with(&items),
            };
        }
        let items_json = match errors {
            Ok(errors) => match render_items(errors) {
                Ok(items) => items,
                Err(_) => return response::validation_failed(errors),
            },
            Err(items) => items,
        };
        self.routed(RoutedError::Validation { items_json }, params, body)
            .await
    }

    /// Has an interpreter answer `error` through the app's exception handlers.
    async fn routed(
        &self,
        error: RoutedError,
        params: &[(&str, &str)],
        body: Bytes,
    ) -> HttpResponse {
        let request = self.copy(params, body);
        let outcome = self.app.dispatcher.answer_error(error, Some(request)).await;
        self.finish(outcome).await
    }

    /// A worker's outcome as the response to send (a 422 outcome is handled before).
    async fn finish(&self, outcome: CallOutcome) -> HttpResponse {
        let result = match outcome {
            CallOutcome::Response(result) => result,
            CallOutcome::Overloaded => {
                return response::refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable",
                    false,
                )
            }
            CallOutcome::TimedOut => {
                return response::refused(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout", false)
            }
            _ => return response::internal_error(),
        };
        match response::from_handler(result) {
            Ok(response) => response,
            Err(file) => self.serve_file(file).await,
        }
    }

    async fn serve_file(&self, file: HandlerResponse) -> HttpResponse {
        let HandlerBody::File(path) = file.body else {
            return response::internal_error();
        };
        let request = FileRequest {
            method: &self.head.method,
            headers: &self.head.headers,
        };
        crate::file::respond(file.status, file.headers, path, request).await
    }
}

/// The request target's length as sent (origin form: path and query; absolute form adds
/// the scheme and authority).
fn target_length(uri: &Uri) -> usize {
    let path_and_query = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let authority = uri
        .authority()
        .map_or(0, |authority| authority.as_str().len());
    let scheme = uri
        .scheme_str()
        .map_or(0, |scheme| scheme.len() + "://".len());
    scheme + authority + path_and_query
}

/// `Content-Length`, when the request has one (hyper has checked its syntax).
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// 413 before the body is read (or once it grew past the limit): the connection closes,
/// since the rest of the body is not read.
fn too_large() -> HttpResponse {
    response::refused(StatusCode::PAYLOAD_TOO_LARGE, "Content Too Large", true)
}
