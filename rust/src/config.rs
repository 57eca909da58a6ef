//! Server settings, as the CLI (or `fasterapi.serve`) passes them.

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
