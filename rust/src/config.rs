//! Server settings, as the CLI (or `fasterapi.serve`) passes them.

use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    /// Number of sub-interpreters (one worker thread each).
    pub interpreters: usize,
    /// Threads running the tokio runtime (HTTP parsing, routing, validation).
    pub io_threads: usize,
    /// uvicorn's names: critical, error, warning, info, debug, trace.
    pub log_level: String,
    /// Seconds to let in-flight requests finish after a stop signal.
    pub graceful_timeout: f64,
    /// Where routes run and why (`fasterapi.placement`), logged at startup.
    #[serde(default)]
    pub report: String,
    /// `text` (readable, the default) or `json` (one object per line).
    #[serde(default = "text")]
    pub log_format: String,
    /// One line per request, as uvicorn's access log.
    #[serde(default = "yes")]
    pub access_log: bool,
    /// What a request may be before it is refused (`fasterapi/limits.py` documents each).
    #[serde(default)]
    pub limits: Limits,
}

/// Sizes, counts and timeouts, as `fasterapi.Limits` sets them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Limits {
    pub max_body_size: u64,
    pub max_header_size: usize,
    pub max_headers: usize,
    pub max_uri_length: usize,
    pub max_connections: usize,
    /// Requests waiting for an interpreter, per interpreter.
    pub max_queued: usize,
    pub request_head_timeout: f64,
    pub keep_alive_timeout: f64,
    pub handler_timeout: Option<f64>,
}

impl Default for Limits {
    /// The same defaults as `fasterapi.Limits`, for callers that send none.
    fn default() -> Self {
        Limits {
            max_body_size: 16 * 1024 * 1024,
            max_header_size: 16 * 1024,
            max_headers: 100,
            max_uri_length: 8 * 1024,
            max_connections: 10_000,
            max_queued: 1024,
            request_head_timeout: 10.0,
            keep_alive_timeout: 5.0,
            handler_timeout: None,
        }
    }
}

impl Limits {
    pub fn request_head_timeout(&self) -> Duration {
        seconds(self.request_head_timeout)
    }

    pub fn keep_alive_timeout(&self) -> Duration {
        seconds(self.keep_alive_timeout)
    }

    pub fn handler_timeout(&self) -> Option<Duration> {
        self.handler_timeout.map(seconds)
    }
}

/// Python validated these as positive; anything odd still becomes a sane duration.
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::from_secs(1))
}

fn text() -> String {
    "text".into()
}

fn yes() -> bool {
    true
}

impl ServerConfig {
    /// The `tracing` filter for `log_level`: it applies to Python's records (forwarded
    /// from every interpreter, `crate::interpreter::logs`) as to the core's.
    pub fn tracing_filter(&self) -> &'static str {
        match self.log_level.to_ascii_lowercase().as_str() {
            "critical" | "error" => "error",
            "warning" | "warn" => "warn",
            "debug" => "debug",
            "trace" => "trace",
            _ => "info",
        }
    }
}
