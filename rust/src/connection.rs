//! Serving one accepted connection: hyper's HTTP/1 settings from the limits, the
//! timeouts around the socket, and how a connection ends when the server stops.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::header::{HeaderValue, CONNECTION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit};

use crate::answer;
use crate::config::Limits;
use crate::panics;
use crate::response;
use crate::server::App;
use crate::timeouts::{Activity, TimedIo, Tracked};

/// Once the server stops, a connection with no request for this long is closed; until
/// then a request the client may already have sent is answered (with `connection:
/// close`) rather than cut.
const IDLE_GRACE_ON_STOP: Duration = Duration::from_millis(250);

/// hyper's own default; setting any other count makes it allocate headers per request.
const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// The HTTP/1 settings every connection shares.
pub fn http1_builder(limits: &Limits) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder.max_header_size(limits.max_header_size);
    if limits.max_headers != HYPER_DEFAULT_MAX_HEADERS {
        builder.max_headers(limits.max_headers);
    }
    builder
}

/// Serves `stream` until the client leaves, a timeout closes it, or the server stops
/// (`stopping` turns true) and the connection has answered its last request.
/// `_permit` holds the connection's place under `max_connections` until it ends.
pub async fn serve(
    app: Arc<App>,
    builder: Arc<http1::Builder>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::default());
    let io = TimedIo::new(
        stream,
        Arc::clone(&activity),
        app.limits.request_head_timeout(),
        app.limits.keep_alive_timeout(),
    );
    let service = {
        let activity = Arc::clone(&activity);
        service_fn(move |request| {
            let in_flight = activity.begin();
            let two_framings = activity.take_two_framings();
            let (app, activity) = (Arc::clone(&app), Arc::clone(&activity));
            async move {
                let mut response = if two_framings {
                    // A request-smuggling shape; hyper would let chunked win (RFC 9112).
                    response::refused(StatusCode::BAD_REQUEST, "Bad Request", true)
                } else {
                    let answering = answer::answer(&app, peer, request);
                    panics::guarded("answering a request", answering, response::internal_error)
                        .await
                };
                if activity.is_closing() {
                    // hyper closes the connection once this response is written.
                    let close = HeaderValue::from_static("close");
                    response.headers_mut().insert(CONNECTION, close);
                }
                Ok::<_, Infallible>(response.map(|body| Tracked::new(body, in_flight)))
            }
        })
    };
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => return log_end(ended),
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    // Stopping. Closing a kept-alive connection at any moment could cut a request the
    // client is sending; instead each response now says `connection: close`, and a
    // connection that stays idle for a while is closed.
    activity.close_after_each_response();
    let mut requests_seen = activity.started();
    loop {
        tokio::select! {
            ended = connection.as_mut() => return log_end(ended),
            _ = tokio::time::sleep(IDLE_GRACE_ON_STOP) => {}
        }
        let requests = activity.started();
        if requests == requests_seen && activity.is_idle() {
            break;
        }
        requests_seen = requests;
    }
    connection.as_mut().graceful_shutdown();
    log_end(connection.await);
}

fn log_end(ended: Result<(), hyper::Error>) {
    if let Err(error) = ended {
        tracing::debug!("connection ended with an error: {error}");
    }
}
