//! Request-head handling: arbitrary bytes sent as HTTP/1 to hyper's server connection (as
//! `server.rs` configures it) over an in-memory duplex, answered by a service that does
//! what `answer.rs` does before a worker is involved: percent-decode the path, route,
//! read the body of a route that takes one, extract and validate, and build the 404, 405,
//! 307, 400 and 422 responses with the core's own builders (`fuzzing` re-exports them).
//! A request that would go to a worker is answered 200 here.
//!
//! Input: the bytes a client sends (pipelined requests included), then the client closes.
//! Properties: no panic, no hang; a 422 body is valid JSON; a 307 carries a `Location`.

#![no_main]

use std::convert::Infallible;
use std::sync::LazyLock;

use _core::extract::{extract, Rejection, RequestParts};
use _core::fuzzing::{
    body_unreadable, method_not_allowed, not_found, redirect_slash, validation_failed,
    HttpResponse, ResponseBody,
};
use _core::route_table::RouteSpec;
use _core::router::{RouteMatch, Router};
use _core::schema::TypeSpec;
use bytes::Bytes;
use fasterapi_core_fuzz::{check_422, routes, types, PYTHON_MINOR};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HOST, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct App {
    routes: Vec<RouteSpec>,
    types: Vec<TypeSpec>,
    router: Router,
    runtime: tokio::runtime::Runtime,
}

static APP: LazyLock<App> = LazyLock::new(|| {
    let routes = routes();
    let router = Router::new(&routes);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime");
    App {
        routes,
        types: types(),
        router,
        runtime,
    }
});

/// `answer.rs`'s `answer_request` without the dispatcher.
async fn answer(app: &'static App, request: Request<Incoming>) -> HttpResponse {
    let (head, body) = request.into_parts();
    let path = percent_decode_str(head.uri.path()).decode_utf8_lossy();
    match app.router.resolve(head.method.as_str(), &path) {
        RouteMatch::Found { route, params } => {
            let spec = &app.routes[route];
            let body = if spec.has_body() {
                match body.collect().await {
                    Ok(collected) => collected.to_bytes(),
                    Err(_) => return body_unreadable(),
                }
            } else {
                Bytes::new()
            };
            let parts = RequestParts {
                path_params: &params,
                query: head.uri.query(),
                headers: &head.headers,
                body: &body,
            };
            match extract(spec, &app.types, PYTHON_MINOR, &parts) {
                Ok(_) => Response::new(ResponseBody::full(Bytes::from_static(b"null"))),
                Err(Rejection::Invalid(errors)) => {
                    check_422(&errors);
                    validation_failed(&errors)
                }
                Err(Rejection::UnreadableBody) => body_unreadable(),
            }
        }
        RouteMatch::MethodNotAllowed { allow } => method_not_allowed(&allow),
        RouteMatch::RedirectSlash { path } => {
            let host: String = head
                .headers
                .get(HOST)
                .map(|value| value.as_bytes().iter().map(|&b| b as char).collect())
                .unwrap_or_else(|| "127.0.0.1:8000".to_owned());
            let response = redirect_slash(&host, &path, head.uri.query());
            assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
            assert!(
                response.headers().contains_key(LOCATION),
                "a 307 without Location (host {host:?}, path {path:?})"
            );
            response
        }
        RouteMatch::NotFound => not_found(),
    }
}

fuzz_target!(|data: &[u8]| {
    let app: &'static App = &APP;
    app.runtime.block_on(async {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let service =
            service_fn(
                move |request| async move { Ok::<_, Infallible>(answer(app, request).await) },
            );
        let connection = http1::Builder::new().serve_connection(TokioIo::new(server), service);
        let (mut from_server, mut to_server) = tokio::io::split(client);
        let send = async {
            // The server may close first (a malformed head): then writing fails, fine.
            let _ = to_server.write_all(data).await;
            let _ = to_server.shutdown().await;
        };
        let receive = async {
            let mut answered = Vec::new();
            let _ = from_server.read_to_end(&mut answered).await;
            answered
        };
        let (_, (), answered) = tokio::join!(connection, send, receive);
        // Whatever came back starts as an HTTP/1 response, if anything did.
        assert!(answered.is_empty() || answered.starts_with(b"HTTP/1."));
    });
});
