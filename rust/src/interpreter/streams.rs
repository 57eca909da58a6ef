//! Producing the chunks of this interpreter's streaming responses, one per request from
//! the I/O side (`crate::inbox`).

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

use bytes::Bytes;
use pyo3::ffi;
use tokio::sync::oneshot;

use super::event_loop::task_result;
use super::native::Callback;
use super::object::Owned;
use super::pyerror;
use super::python_side::call as call_python;
use super::response_object::bytes_of;
use super::{GilHeld, Loaded};
use crate::inbox::Chunk;

impl GilHeld<'_> {
    /// Sends the next chunk of stream `id` to `reply` (for an async iterator, once its
    /// task has it). `counted` is dropped once the chunk is sent: the worker counts a
    /// chunk's task as in flight until then.
    pub fn pull_chunk(&self, id: u64, reply: oneshot::Sender<Chunk>, counted: Box<dyn Any>) {
        let loaded = &self.interpreter.loaded;
        // SAFETY: `GilHeld` proves this thread holds the GIL of the interpreter that
        // owns the stream's objects.
        unsafe {
            let Some((iterator, is_async, charset)) = loaded.streams.get(id) else {
                let _ = reply.send(Chunk::Failed);
                return;
            };
            let args = [iterator.as_ptr(), charset.as_ptr()];
            if !is_async {
                let next = call_python(&loaded.python.next_chunk, &args);
                let _ = reply.send(chunk_of(next, id));
                return;
            }
            let Some(next) = call_python(&loaded.python.next_async_chunk, &args) else {
                let _ = reply.send(chunk_of(None, id));
                return;
            };
            let Some(event_loop) = loaded.event_loop.as_ref() else {
                let value = call_python(&loaded.python.run_without_loop, &[next.as_ptr()]);
                let _ = reply.send(chunk_of(value, id));
                return;
            };
            let Some(task) = event_loop.start(next) else {
                let _ = reply.send(chunk_of(None, id));
                return;
            };
            match event_loop.is_done(&task) {
                // An eager task that never suspended: no loop turn needed.
                Some(true) => {
                    let _ = reply.send(chunk_of(task_result(task.as_ptr()), id));
                    return;
                }
                Some(false) => {}
                None => {
                    let _ = reply.send(chunk_of(None, id));
                    return;
                }
            }
            let waiting = Cell::new(Some((reply, counted)));
            let owner = Rc::downgrade(loaded);
            let callback: Callback = Box::new(move |task| {
                let Some((reply, counted)) = waiting.take() else {
                    return;
                };
                if let Some(owner) = owner.upgrade() {
                    owner.streams.set_pending(id, None);
                }
                // A closed reply: the client left and the task was cancelled.
                if !reply.is_closed() {
                    // SAFETY: done-callbacks run on this interpreter's thread with its
                    // GIL held, passing the finished task.
                    let _ = reply.send(chunk_of(task_result(task), id));
                }
                drop(counted);
            });
            if event_loop.on_done(&task, callback).is_none() {
                // The reply was dropped with the callback: the body fails.
                log_failure(id);
                return;
            }
            loaded.streams.set_pending(id, Some(task));
        }
    }

    /// Forgets stream `id`, closing its iterator (a generator's `finally` blocks run).
    pub fn close_stream(&self, id: u64) {
        let loaded: &Rc<Loaded> = &self.interpreter.loaded;
        let Some(stream) = loaded.streams.remove(id) else {
            return;
        };
        // SAFETY: as in `pull_chunk`.
        unsafe {
            if let Some(task) = &stream.pending {
                // The generator is waiting inside `__anext__`, where `aclose()` cannot
                // reach it: cancelling the task raises `CancelledError` at that await,
                // which runs its `finally` blocks as FastAPI's cancellation does.
                let cancelled = Owned::from_new(ffi::PyObject_CallMethod(
                    task.as_ptr(),
                    c"cancel".as_ptr(),
                    std::ptr::null(),
                ));
                if cancelled.is_none() {
                    log_failure(id);
                }
                return;
            }
            let is_async = if stream.is_async {
                ffi::Py_True()
            } else {
                ffi::Py_False()
            };
            let closing = call_python(
                &loaded.python.close_stream,
                &[stream.iterator.as_ptr(), is_async],
            );
            let Some(closing) = closing else {
                log_failure(id);
                return;
            };
            if closing.as_ptr() == ffi::Py_None() {
                return;
            }

            // An async generator's `aclose()`: run it on the loop, or at once without one.
            let done = match loaded.event_loop.as_ref() {
                Some(event_loop) => event_loop.start(closing).map(drop),
                None => call_python(&loaded.python.run_without_loop, &[closing.as_ptr()]).map(drop),
            };
            if done.is_none() {
                log_failure(id);
            }
        }
    }
}

/// The outcome of asking for a chunk: bytes, `None` at the end, or an exception set.
unsafe fn chunk_of(next: Option<Owned>, id: u64) -> Chunk {
    let Some(next) = next else {
        log_failure(id);
        return Chunk::Failed;
    };
    if next.as_ptr() == ffi::Py_None() {
        return Chunk::End;
    }
    match bytes_of(next.as_ptr()) {
        Some(bytes) => Chunk::Data(Bytes::from(bytes)),
        None => {
            log_failure(id);
            Chunk::Failed
        }
    }
}

/// Logs (and clears) the exception set while producing or closing a stream.
unsafe fn log_failure(id: u64) {
    let error = pyerror::take_current();
    tracing::error!(
        stream = id,
        "Exception in a streaming response:\n{}",
        error.traceback.trim_end()
    );
}
