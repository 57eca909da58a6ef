//! Building the Python `Request` (`fasterapi.requests.Request`) from a request copy: an
//! ASGI-like scope dict, completed in Python (`fasterapi.handling.new_request`).

use std::net::SocketAddr;

use pyo3::ffi;

use super::object::{new_str, Owned};
use super::python_side;
use super::Loaded;
use crate::request_data::RequestData;

impl Loaded {
    /// A new `Request` for `request`; `None` with an exception set on failure.
    ///
    /// # Safety
    /// The current thread holds this interpreter's GIL.
    pub(super) unsafe fn new_request(&self, request: &RequestData) -> Option<Owned> {
        let scope = scope_of(request)?;
        let body = new_bytes(&request.body)?;
        let app = self.app.as_ref().map_or(ffi::Py_None(), |app| app.as_ptr());
        let worker_loop = self
            .event_loop
            .as_ref()
            .map_or(ffi::Py_None(), |event_loop| event_loop.object().as_ptr());
        let location = self
            .app_location
            .as_ref()
            .map_or(ffi::Py_None(), Owned::as_ptr);
        python_side::call(
            &self.python.new_request,
            &[scope.as_ptr(), body.as_ptr(), app, worker_loop, location],
        )
    }
}

unsafe fn scope_of(request: &RequestData) -> Option<Owned> {
    let scope = Owned::from_new(ffi::PyDict_New())?;
    let set = |key: &std::ffi::CStr, value: Owned| -> Option<()> {
        (ffi::PyDict_SetItemString(scope.as_ptr(), key.as_ptr(), value.as_ptr()) == 0).then_some(())
    };
    set(c"type", new_str("http")?)?;
    set(c"http_version", new_str("1.1")?)?;
    set(c"method", new_str(request.head.method.as_str())?)?;
    set(c"scheme", new_str("http")?)?;
    set(c"path", new_str(&request.path)?)?;
    set(c"raw_path", new_bytes(request.head.uri.path().as_bytes())?)?;
    set(c"root_path", new_str("")?)?;
    let query = request.head.uri.query().unwrap_or("");
    set(c"query_string", new_bytes(query.as_bytes())?)?;
    let headers = Owned::from_new(ffi::PyList_New(0))?;
    for (name, value) in &request.head.headers {
        let pair = Owned::from_new(ffi::PyTuple_New(2))?;
        ffi::PyTuple_SET_ITEM(
            pair.as_ptr(),
            0,
            new_bytes(name.as_str().as_bytes())?.into_ptr(),
        );
        ffi::PyTuple_SET_ITEM(pair.as_ptr(), 1, new_bytes(value.as_bytes())?.into_ptr());
        if ffi::PyList_Append(headers.as_ptr(), pair.as_ptr()) != 0 {
            return None;
        }
    }
    set(c"headers", headers)?;
    set(
        c"client",
        match request.client {
            Some(client) => address(client)?,
            None => Owned::from_borrowed(ffi::Py_None()),
        },
    )?;
    set(c"server", address(request.server)?)?;
    let params = Owned::from_new(ffi::PyDict_New())?;
    for (name, value) in &request.path_params {
        let value = new_str(value)?;
        let name = new_str(name)?;
        if ffi::PyDict_SetItem(params.as_ptr(), name.as_ptr(), value.as_ptr()) != 0 {
            return None;
        }
    }
    set(c"path_params", params)?;
    Some(scope)
}

unsafe fn address(address: SocketAddr) -> Option<Owned> {
    let pair = Owned::from_new(ffi::PyTuple_New(2))?;
    ffi::PyTuple_SET_ITEM(
        pair.as_ptr(),
        0,
        new_str(&address.ip().to_string())?.into_ptr(),
    );
    let port = Owned::from_new(ffi::PyLong_FromLong(address.port().into()))?;
    ffi::PyTuple_SET_ITEM(pair.as_ptr(), 1, port.into_ptr());
    Some(pair)
}

pub(super) unsafe fn new_bytes(data: &[u8]) -> Option<Owned> {
    Owned::from_new(ffi::PyBytes_FromStringAndSize(
        data.as_ptr().cast(),
        data.len() as ffi::Py_ssize_t,
    ))
}
