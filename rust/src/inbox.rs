//! A worker's own inbox: messages for one particular worker, not for whichever is idle.
//!
//! A streaming response's iterator lives in the interpreter that ran its handler, so
//! each request for its next chunk (and the close when the client goes away) must reach
//! that worker. Jobs go through the shared queue; these go through the worker's inbox.

use std::sync::atomic::{fence, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use crossbeam_channel::{Receiver, Sender};
use tokio::sync::oneshot;

use crate::worker::wake::Waker;

/// What a worker is asked to do for a stream it holds.
pub enum Directed {
    /// Produce the stream's next chunk.
    Pull {
        stream: u64,
        reply: oneshot::Sender<Chunk>,
    },
    /// The client is gone (or the body ended): close the iterator, running its
    /// `finally` blocks.
    Close { stream: u64 },
}

/// One step of a streaming body.
#[derive(Debug)]
pub enum Chunk {
    Data(Bytes),
    End,
    /// The iterator raised (logged by the worker): the connection is cut, as a server
    /// must when a body fails half-way.
    Failed,
}

/// The sending side of one worker's inbox; cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    sender: Sender<Directed>,
    /// Set for a worker that sleeps in its event loop: it must be woken to read.
    waker: Option<Arc<Waker>>,
}

impl Inbox {
    pub fn new(waker: Option<Arc<Waker>>) -> (Inbox, Receiver<Directed>) {
        let (sender, receiver) = crossbeam_channel::unbounded();
        (Inbox { sender, waker }, receiver)
    }

    /// Sends `message`; false if the worker has stopped.
    pub fn send(&self, message: Directed) -> bool {
        let sent = self.sender.send(message).is_ok();
        if let Some(waker) = &self.waker {
            // Pairs with the fence in `Waker::park`: either the worker sees the message,
            // or we see it parked.
            fence(Ordering::SeqCst);
            waker.wake_if_parked();
        }
        sent
    }
}

/// A stream held by one worker, as the I/O side refers to it.
pub struct StreamHandle {
    pub inbox: Inbox,
    pub id: u64,
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        // Whether the body ended, the client left, or the response never got sent, the
        // worker forgets the stream; before its end, that also runs the iterator's
        // `finally` blocks.
        self.inbox.send(Directed::Close { stream: self.id });
    }
}
