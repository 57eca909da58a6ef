//! A copy of the request for the worker, sent along with the arguments when the handler
//! (or the app's exception handlers) may need the request itself.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use hyper::http::request::Parts;

pub struct RequestData {
    /// Method, URI and headers, shared with the I/O side (not copied).
    pub head: Arc<Parts>,
    /// The percent-decoded path.
    pub path: String,
    pub client: Option<SocketAddr>,
    pub server: SocketAddr,
    /// Path parameters by name, decoded.
    pub path_params: Vec<(String, String)>,
    pub body: Bytes,
}
