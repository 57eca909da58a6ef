//! What a handler produced, as plain data that may leave the interpreter, and reading a
//! Python `Response` object into it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use pyo3::ffi;

use super::object::{str_as_utf8, Owned};
use crate::inbox::{Inbox, StreamHandle};

/// A handler's response: status, raw headers and body.
#[derive(Debug)]
pub struct HandlerResponse {
    pub status: u16,
    /// Raw `(name, value)` pairs, in order, as the Python `Response` keeps them.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: HandlerBody,
}

#[derive(Debug)]
pub enum HandlerBody {
    /// A result rendered as JSON by the core; the I/O side adds `JSONResponse`'s
    /// `content-length` and `content-type`.
    Json(Vec<u8>),
    /// A `Response`'s body; its headers are all in `headers`.
    Bytes(Vec<u8>),
    /// A `StreamingResponse`, pulled from this interpreter chunk by chunk.
    Stream(StreamHandle),
    /// A `FileResponse`: the I/O side reads the file itself.
    File(String),
}

impl std::fmt::Debug for StreamHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StreamHandle({})", self.id)
    }
}

impl HandlerResponse {
    /// A result rendered as JSON.
    pub fn json(status: u16, body: Vec<u8>) -> HandlerResponse {
        HandlerResponse {
            status,
            headers: Vec::new(),
            body: HandlerBody::Json(body),
        }
    }
}

/// The iterators of this interpreter's streaming responses, by id, until their body ends
/// or the client goes away.
pub(super) struct Streams {
    inbox: Inbox,
    open: RefCell<HashMap<u64, OpenStream>>,
    next_id: Cell<u64>,
}

pub(super) struct OpenStream {
    pub iterator: Owned,
    pub is_async: bool,
    pub charset: Owned,
    /// The task producing an async stream's next chunk, while it runs.
    pub pending: Option<Owned>,
}

impl Streams {
    pub fn new(inbox: Inbox) -> Streams {
        Streams {
            inbox,
            open: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
        }
    }

    pub fn open(&self, stream: OpenStream) -> StreamHandle {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.open.borrow_mut().insert(id, stream);
        StreamHandle {
            inbox: self.inbox.clone(),
            id,
        }
    }

    /// The stream's iterator, its kind and charset (new references).
    ///
    /// # Safety
    /// The current thread holds this interpreter's GIL.
    pub unsafe fn get(&self, id: u64) -> Option<(Owned, bool, Owned)> {
        self.open.borrow().get(&id).map(|stream| {
            (
                Owned::from_borrowed(stream.iterator.as_ptr()),
                stream.is_async,
                Owned::from_borrowed(stream.charset.as_ptr()),
            )
        })
    }

    /// Records (or clears) the task producing stream `id`'s next chunk.
    pub fn set_pending(&self, id: u64, task: Option<Owned>) {
        let previous = match self.open.borrow_mut().get_mut(&id) {
            Some(stream) => std::mem::replace(&mut stream.pending, task),
            None => task,
        };
        // Dropped after the borrow: freeing a task can run Python code.
        drop(previous);
    }

    /// Takes stream `id` out of the table (dropped by the caller, after the borrow).
    pub fn remove(&self, id: u64) -> Option<OpenStream> {
        self.open.borrow_mut().remove(&id)
    }
}

/// `response.status_code` as a status.
///
/// # Safety
/// The current thread holds the GIL of `response`'s interpreter.
pub(super) unsafe fn status_of(response: *mut ffi::PyObject) -> Option<u16> {
    let status = Owned::from_new(ffi::PyObject_GetAttrString(
        response,
        c"status_code".as_ptr(),
    ))?;
    let value = ffi::PyLong_AsLong(status.as_ptr());
    if value == -1 && !ffi::PyErr_Occurred().is_null() {
        return None;
    }
    match u16::try_from(value) {
        Ok(code) if (100..=999).contains(&code) => Some(code),
        _ => {
            ffi::PyErr_SetString(
                ffi::PyExc_ValueError,
                c"status_code must be an int from 100 to 999".as_ptr(),
            );
            None
        }
    }
}

/// `response.raw_headers`: a list of `(bytes, bytes)` pairs.
///
/// # Safety
/// The current thread holds the GIL of `response`'s interpreter.
pub(super) unsafe fn raw_headers_of(
    response: *mut ffi::PyObject,
) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let raw = Owned::from_new(ffi::PyObject_GetAttrString(
        response,
        c"raw_headers".as_ptr(),
    ))?;
    let items = Owned::from_new(ffi::PySequence_Fast(
        raw.as_ptr(),
        c"raw_headers must be a list of (bytes, bytes) pairs".as_ptr(),
    ))?;
    let count = ffi::PySequence_Fast_GET_SIZE(items.as_ptr());
    let mut headers = Vec::with_capacity(count as usize);
    for index in 0..count {
        // Held: the list is the user's, and nothing below may see a freed pair.
        let pair = Owned::from_borrowed(ffi::PySequence_Fast_GET_ITEM(items.as_ptr(), index));
        let pair = pair.as_ptr();
        if ffi::PyTuple_Check(pair) == 0 || ffi::PyTuple_GET_SIZE(pair) != 2 {
            ffi::PyErr_SetString(
                ffi::PyExc_TypeError,
                c"raw_headers must be a list of (bytes, bytes) pairs".as_ptr(),
            );
            return None;
        }
        let name = header_bytes(ffi::PyTuple_GET_ITEM(pair, 0))?;
        let value = header_bytes(ffi::PyTuple_GET_ITEM(pair, 1))?;
        headers.push((name, value));
    }
    Some(headers)
}

/// A header name or value: `bytes` (or another buffer, as Starlette's `bytes` check lets
/// `bytearray` through); anything else is a `TypeError`.
unsafe fn header_bytes(obj: *mut ffi::PyObject) -> Option<Vec<u8>> {
    if ffi::PyObject_CheckBuffer(obj) == 0 {
        ffi::PyErr_SetString(
            ffi::PyExc_TypeError,
            c"raw_headers must be a list of (bytes, bytes) pairs".as_ptr(),
        );
        return None;
    }
    bytes_of(obj)
}

/// The contents of a `bytes`, `bytearray` or `memoryview` object.
///
/// # Safety
/// The current thread holds the GIL of `obj`'s interpreter.
pub(super) unsafe fn bytes_of(obj: *mut ffi::PyObject) -> Option<Vec<u8>> {
    if ffi::PyBytes_Check(obj) != 0 {
        let data = ffi::PyBytes_AsString(obj);
        let size = ffi::PyBytes_Size(obj);
        return Some(std::slice::from_raw_parts(data.cast::<u8>(), size as usize).to_vec());
    }
    // Anything else with the buffer protocol (bytearray, memoryview), through `bytes()`.
    let copied = Owned::from_new(ffi::PyBytes_FromObject(obj))?;
    bytes_of(copied.as_ptr())
}

/// `os.fspath(path)` as text.
///
/// # Safety
/// The current thread holds the GIL of `path`'s interpreter.
pub(super) unsafe fn path_of(path: *mut ffi::PyObject) -> Option<String> {
    let text = Owned::from_new(ffi::PyOS_FSPath(path))?;
    if ffi::PyUnicode_Check(text.as_ptr()) == 0 {
        let bytes = bytes_of(text.as_ptr())?;
        return Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    str_as_utf8(text.as_ptr()).map(str::to_owned)
}
