//! The HTTP side: listener, connections, request handling and graceful shutdown.
//!
//! Every request is routed and validated here, on tokio threads, without Python; only a
//! valid request for a known route becomes a job for the worker pool.

use std::convert::Infallible;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::HOST;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use percent_encoding::percent_decode_str;
use tokio::net::TcpListener;

use crate::config::ServerConfig;
use crate::dispatch::{CallOutcome, Dispatcher};
use crate::extract::errors::{render_items, ValidationError};
use crate::extract::{self, Rejection, RequestParts};
use crate::file::FileRequest;
use crate::interpreter::{HandlerBody, HandlerResponse, RoutedError};
use crate::request_data::RequestData;
use crate::response::{self, HttpResponse};
use crate::route_table::RouteTable;
use crate::router::{RouteMatch, Router};

pub(crate) const IO_THREAD_STACK_BYTES: usize = 32 * 1024 * 1024;

/// What every connection task shares.
struct App {
    table: Arc<RouteTable>,
    router: Router,
    dispatcher: Dispatcher,
    local_addr: SocketAddr,
}

/// Serves until SIGINT or SIGTERM, then drains and stops every interpreter. Startup
/// problems come back as one readable message.
pub fn run(table: RouteTable, config: ServerConfig) -> Result<(), String> {
    init_logging(&config);
    for line in config.report.lines() {
        tracing::info!("{line}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.io_threads.max(1))
        .thread_name("fasterapi-io")
        // JSON bodies nest as deep as Python's parser allows (9998 levels on 3.13); the
        // recursive parser needs more than tokio's default 2 MiB for that.
        .thread_stack_size(IO_THREAD_STACK_BYTES)
        .on_thread_start(|| crate::scheduling::drain_bursts_before_yielding("I/O thread"))
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the I/O runtime: {error}"))?;
    let address = format!("{}:{}", config.host, config.port);
    let listener = runtime
        .block_on(TcpListener::bind(&address))
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    let local_addr = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;

    let table = Arc::new(table);
    let router = Router::new(&table.routes);
    let dispatcher = Dispatcher::start(Arc::clone(&table), config.interpreters.max(1))
        .map_err(|error| error.message)?;
    let app = Arc::new(App {
        table,
        router,
        dispatcher,
        local_addr,
    });
    let serving = match app.dispatcher.sizes() {
        (0, _) => "the main interpreter".to_owned(),
        (pool, false) => format!("{pool} interpreters"),
        (pool, true) => format!("{pool} interpreters + the main interpreter"),
    };
    tracing::info!(
        "FasterAPI running on http://{local_addr} with {serving} (press CTRL+C to quit)"
    );
    let grace = Duration::from_secs_f64(config.graceful_timeout.max(0.0));
    runtime.block_on(accept_until_signal(listener, Arc::clone(&app), grace));
    // Connection tasks are done or abandoned; every interpreter must end before `serve`
    // returns to the main interpreter, whoever still holds the app.
    runtime.shutdown_timeout(Duration::from_secs(1));
    app.dispatcher.stop();
    tracing::info!("FasterAPI stopped");
    Ok(())
}

fn init_logging(config: &ServerConfig) {
    // A second `serve` in the same process keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(config.tracing_filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

async fn accept_until_signal(listener: TcpListener, app: Arc<App>, grace: Duration) {
    let graceful = GracefulShutdown::new();
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!("accept failed: {error}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = Arc::clone(&app);
                let service = service_fn(move |request| handle(Arc::clone(&app), peer, request));
                let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!("connection ended with an error: {error}");
                    }
                });
            }
            signal = &mut stop => {
                tracing::info!("received {signal}, shutting down");
                break;
            }
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("graceful shutdown timed out after {grace:?}; closing open connections");
        }
    }
}

async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::error!("cannot install signal handlers; stop the server by killing it");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    }
}

async fn handle(
    app: Arc<App>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<HttpResponse, Infallible> {
    let (head, body) = request.into_parts();
    let uri = &head.uri;
    // Starlette routes on the percent-decoded path (invalid UTF-8 replaced, as uvicorn does).
    let path = percent_decode_str(uri.path()).decode_utf8_lossy();
    let query = uri.query();
    let response = match app.router.resolve(head.method.as_str(), &path) {
        RouteMatch::Found { route, params } => {
            let spec = &app.table.routes[route];
            // Like FastAPI, read the body only for a route that takes one (or the request).
            let body = if spec.has_body() || spec.needs_request {
                match body.collect().await {
                    Ok(collected) => collected.to_bytes(),
                    Err(error) => {
                        tracing::debug!("could not read a request body: {error}");
                        return Ok(answer_error(&app, 400, &head, peer, Bytes::new()).await);
                    }
                }
            } else {
                Bytes::new()
            };
            let parts = RequestParts {
                path_params: &params,
                query,
                headers: &head.headers,
                body: &body,
            };
            let copy = || {
                spec.needs_request.then(|| {
                    Box::new(RequestData {
                        method: head.method.clone(),
                        path: path.clone().into_owned(),
                        uri: head.uri.clone(),
                        headers: head.headers.clone(),
                        client: Some(peer),
                        server: app.local_addr,
                        path_params: params
                            .iter()
                            .map(|(name, value)| (name.to_string(), value.to_string()))
                            .collect(),
                        body: body.clone(),
                    })
                })
            };
            match extract::extract(spec, &app.table.types, app.table.python_minor, &parts) {
                Ok(args) => match app.dispatcher.call(route, args, copy()).await {
                    CallOutcome::Response(result) => match response::from_handler(result) {
                        Ok(response) => response,
                        Err(file) => serve_file(file, &head).await,
                    },
                    CallOutcome::Failed => response::internal_error(),
                    CallOutcome::Invalid(items) => {
                        validation_failed(&app, Err(items), copy()).await
                    }
                    CallOutcome::Refused(refusals) => {
                        let errors = extract::body::locate_refusals(
                            spec,
                            &head.headers,
                            &body,
                            app.table.python_minor,
                            &refusals,
                        );
                        validation_failed(&app, Ok(&errors), copy()).await
                    }
                },
                Err(Rejection::Invalid(errors)) => {
                    validation_failed(&app, Ok(&errors), copy()).await
                }
                Err(Rejection::UnreadableBody) => {
                    answer_error(&app, 400, &head, peer, body.clone()).await
                }
            }
        }
        RouteMatch::MethodNotAllowed { allow } => {
            if app.table.routes_error(405) {
                let request = request_copy(&app, &head, &path, peer);
                let headers = vec![("Allow".to_owned(), allow)];
                routed(
                    &app,
                    RoutedError::Http {
                        status: 405,
                        headers,
                    },
                    request,
                    &head,
                )
                .await
            } else {
                response::method_not_allowed(&allow)
            }
        }
        RouteMatch::RedirectSlash { path } => {
            let host = head
                .headers
                .get(HOST)
                .map(|value| {
                    value
                        .as_bytes()
                        .iter()
                        .map(|&b| b as char)
                        .collect::<String>()
                })
                .unwrap_or_else(|| app.local_addr.to_string());
            response::redirect_slash(&host, &path, query)
        }
        RouteMatch::NotFound => answer_error(&app, 404, &head, peer, Bytes::new()).await,
    };
    Ok(response)
}

/// A copy of a request that matched no route (for the app's exception handlers).
fn request_copy(
    app: &App,
    head: &hyper::http::request::Parts,
    path: &str,
    peer: SocketAddr,
) -> Option<Box<RequestData>> {
    Some(Box::new(RequestData {
        method: head.method.clone(),
        path: path.to_owned(),
        uri: head.uri.clone(),
        headers: head.headers.clone(),
        client: Some(peer),
        server: app.local_addr,
        path_params: Vec::new(),
        body: Bytes::new(),
    }))
}

/// FastAPI's 400 (unreadable body) or 404, or the app's own answer to it.
async fn answer_error(
    app: &App,
    status: u16,
    head: &hyper::http::request::Parts,
    peer: SocketAddr,
    body: Bytes,
) -> HttpResponse {
    if !app.table.routes_error(status) {
        return match status {
            400 => response::body_unreadable(),
            _ => response::not_found(),
        };
    }
    let path = percent_decode_str(head.uri.path()).decode_utf8_lossy();
    let mut request = request_copy(app, head, &path, peer);
    if let Some(request) = request.as_mut() {
        request.body = body;
    }
    let detail = RoutedError::Http {
        status,
        headers: Vec::new(),
    };
    routed(app, detail, request, head).await
}

/// FastAPI's 422 for `errors` (or for error items pydantic rendered), or the app's own
/// answer to it.
async fn validation_failed(
    app: &App,
    errors: Result<&[ValidationError], String>,
    request: Option<Box<RequestData>>,
) -> HttpResponse {
    if !app.table.routes_error(422) {
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
    let method = hyper::Method::GET;
    let headers = hyper::HeaderMap::new();
    let answer = app
        .dispatcher
        .answer_error(RoutedError::Validation { items_json }, request)
        .await;
    finish(
        answer,
        FileRequest {
            method: &method,
            headers: &headers,
        },
    )
    .await
}

async fn routed(
    app: &App,
    error: RoutedError,
    request: Option<Box<RequestData>>,
    head: &hyper::http::request::Parts,
) -> HttpResponse {
    let answer = app.dispatcher.answer_error(error, request).await;
    finish(
        answer,
        FileRequest {
            method: &head.method,
            headers: &head.headers,
        },
    )
    .await
}

/// An exception handler's answer, as the response to send.
async fn finish(answer: CallOutcome, request: FileRequest<'_>) -> HttpResponse {
    match answer {
        CallOutcome::Response(result) => match response::from_handler(result) {
            Ok(response) => response,
            Err(file) => serve_file_for(file, request).await,
        },
        _ => response::internal_error(),
    }
}

async fn serve_file(file: HandlerResponse, head: &hyper::http::request::Parts) -> HttpResponse {
    serve_file_for(
        file,
        FileRequest {
            method: &head.method,
            headers: &head.headers,
        },
    )
    .await
}

async fn serve_file_for(file: HandlerResponse, request: FileRequest<'_>) -> HttpResponse {
    match file.body {
        HandlerBody::File(path) => {
            crate::file::respond(file.status, file.headers, path, request).await
        }
        _ => response::internal_error(),
    }
}
