//! The HTTP side: listener, connections, signals and graceful shutdown. Each request is
//! answered by [`crate::answer`].

use std::convert::Infallible;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::answer;
use crate::config::ServerConfig;
use crate::dispatch::Dispatcher;
use crate::route_table::RouteTable;
use crate::router::Router;

pub(crate) const IO_THREAD_STACK_BYTES: usize = 32 * 1024 * 1024;

/// What every connection task shares.
pub(crate) struct App {
    pub table: Arc<RouteTable>,
    pub router: Router,
    pub dispatcher: Dispatcher,
    pub local_addr: SocketAddr,
    /// Log one line per request (uvicorn's access log).
    pub access_log: bool,
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
        access_log: config.access_log,
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(config.tracing_filter())
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if config.log_format == "json" {
        builder.json().with_target(true).try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
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
                let service = service_fn(move |request| {
                    let app = Arc::clone(&app);
                    async move { Ok::<_, Infallible>(answer::answer(&app, peer, request).await) }
                });
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
