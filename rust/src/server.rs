//! The HTTP side: listener, connections, signals and graceful shutdown. Each request is
//! answered by [`crate::answer`].

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::config::{Limits, ServerConfig};
use crate::connection;
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
    pub limits: Limits,
}

/// Serves until SIGINT or SIGTERM, then drains and stops every interpreter. Returns
/// whether every interpreter ended (false: one still ran a handler after the grace
/// period). Startup problems come back as one readable message.
pub fn run(table: RouteTable, config: ServerConfig) -> Result<bool, String> {
    init_logging(&config);
    crate::panics::log_through_tracing();
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
    allow_open_files(config.limits.max_connections);
    let address = format!("{}:{}", config.host, config.port);
    let listener = runtime
        .block_on(TcpListener::bind(&address))
        .map_err(|error| format!("cannot listen on {address}: {error}"))?;
    let local_addr = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;

    let table = Arc::new(table);
    let router = Router::new(&table.routes);
    let dispatcher = Dispatcher::start(
        Arc::clone(&table),
        config.interpreters.max(1),
        &config.limits,
    )
    .map_err(|error| error.message)?;
    let app = Arc::new(App {
        table,
        router,
        dispatcher,
        local_addr,
        access_log: config.access_log,
        limits: config.limits.clone(),
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
    let grace_ends = runtime.block_on(accept_until_signal(listener, Arc::clone(&app), grace));
    // Connection tasks are done or abandoned; every interpreter must end before `serve`
    // returns to the main interpreter, whoever still holds the app.
    runtime.shutdown_timeout(Duration::from_secs(1));
    let workers_deadline = grace_ends.max(Instant::now() + MIN_TIME_TO_END_WORKERS);
    let ended = app.dispatcher.stop_by(workers_deadline);
    tracing::info!("FasterAPI stopped");
    Ok(ended)
}

/// After the grace period, interpreters still get this long to end (those with nothing
/// to run end at once).
const MIN_TIME_TO_END_WORKERS: Duration = Duration::from_secs(1);

/// Raises the soft limit on open files towards the hard one, so that `max_connections`
/// sockets (plus the files handlers open) fit; warns when they cannot.
fn allow_open_files(max_connections: usize) {
    const SPARE: u64 = 256;
    let wanted = (max_connections as u64).saturating_add(SPARE);
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for getrlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return;
    }
    if limit.rlim_cur >= wanted {
        return;
    }
    let raised = libc::rlimit {
        rlim_cur: wanted.min(limit.rlim_max),
        rlim_max: limit.rlim_max,
    };
    // SAFETY: a valid rlimit no higher than the hard limit.
    let now = if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        raised.rlim_cur
    } else {
        limit.rlim_cur
    };
    if now < wanted {
        tracing::warn!(
            "open files are limited to {now} (ulimit -n), fewer than --limit-connections \
             {max_connections} needs; connections beyond that wait to be accepted"
        );
    }
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

/// Accepts connections until a stop signal, then waits for them to finish (at most
/// `grace`); returns when the grace period ends.
async fn accept_until_signal(listener: TcpListener, app: Arc<App>, grace: Duration) -> Instant {
    let builder = Arc::new(connection::http1_builder(&app.limits));
    let connections = Arc::new(Semaphore::new(app.limits.max_connections));
    let (stop_connections, stopping) = watch::channel(false);
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        // Hold a place before accepting: at the limit, clients wait in the listen backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit,
            signal = &mut stop => {
                tracing::info!("received {signal}, shutting down");
                break;
            }
        };
        let Ok(permit) = permit else { break };
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
                tokio::spawn(connection::serve(
                    Arc::clone(&app),
                    Arc::clone(&builder),
                    stream,
                    peer,
                    stopping.clone(),
                    permit,
                ));
            }
            signal = &mut stop => {
                tracing::info!("received {signal}, shutting down");
                break;
            }
        }
    }
    // New connections are refused from here; open ones finish what they were sent.
    let grace_ends = Instant::now() + grace;
    drop(listener);
    let _ = stop_connections.send(true);
    let every_place = u32::try_from(app.limits.max_connections).unwrap_or(u32::MAX);
    tokio::select! {
        _ = connections.acquire_many(every_place) => {}
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("graceful shutdown timed out after {grace:?}; closing open connections");
        }
    }
    grace_ends
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
