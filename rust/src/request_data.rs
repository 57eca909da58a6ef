//! A copy of the request for the worker, sent along with the arguments when the handler
//! (or the app's exception handlers) may need the request itself.

use std::net::SocketAddr;

use bytes::Bytes;
use hyper::{HeaderMap, Method, Uri};

pub struct RequestData {
    pub method: Method,
    /// The percent-decoded path.
    pub path: String,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub client: Option<SocketAddr>,
    pub server: SocketAddr,
    /// Path parameters by name, decoded.
    pub path_params: Vec<(String, String)>,
    pub body: Bytes,
}
