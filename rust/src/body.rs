//! Response bodies: whole, pulled chunk by chunk from the interpreter that holds a
//! stream, or read from a file by a task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::{mpsc, oneshot};

use crate::inbox::{Chunk, Directed, StreamHandle};

/// Why a body stopped before its end; hyper then cuts the connection.
#[derive(Debug)]
pub struct BodyFailed(pub &'static str);

impl std::fmt::Display for BodyFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for BodyFailed {}

pub enum ResponseBody {
    /// The whole body at once (taken when sent).
    Full(Option<Bytes>),
    /// A `StreamingResponse`: each chunk is asked of the worker holding its iterator when
    /// the connection can take more, so a slow client holds nothing up.
    Pulled(PulledBody),
    /// Chunks produced by a task (a file being read), at most a few ahead.
    Channel(mpsc::Receiver<Result<Bytes, BodyFailed>>),
}

impl ResponseBody {
    pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
        ResponseBody::Full(Some(bytes.into()))
    }

    pub fn empty() -> ResponseBody {
        ResponseBody::Full(None)
    }
}

pub struct PulledBody {
    stream: StreamHandle,
    waiting: Option<oneshot::Receiver<Chunk>>,
    ended: bool,
}

impl PulledBody {
    pub fn new(stream: StreamHandle) -> PulledBody {
        PulledBody {
            stream,
            waiting: None,
            ended: false,
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BodyFailed;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyFailed>>> {
        match self.get_mut() {
            ResponseBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ResponseBody::Pulled(pulled) => pulled.poll_chunk(cx),
            ResponseBody::Channel(receiver) => receiver
                .poll_recv(cx)
                .map(|next| next.map(|chunk| chunk.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            ResponseBody::Pulled(pulled) => pulled.ended,
            ResponseBody::Channel(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            _ => SizeHint::default(),
        }
    }
}

impl PulledBody {
    fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyFailed>>> {
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            let Some(waiting) = self.waiting.as_mut() else {
                let (reply, waiting) = oneshot::channel();
                let asked = self.stream.inbox.send(Directed::Pull {
                    stream: self.stream.id,
                    reply,
                });
                if !asked {
                    self.ended = true;
                    return Poll::Ready(Some(Err(BodyFailed("the worker has stopped"))));
                }
                self.waiting = Some(waiting);
                continue;
            };
            let chunk = match Pin::new(waiting).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(chunk) => chunk.unwrap_or(Chunk::Failed),
            };
            self.waiting = None;
            match chunk {
                // An empty chunk sends nothing; ask for the next one.
                Chunk::Data(bytes) if bytes.is_empty() => continue,
                Chunk::Data(bytes) => return Poll::Ready(Some(Ok(Frame::data(bytes)))),
                Chunk::End => {
                    self.ended = true;
                    return Poll::Ready(None);
                }
                Chunk::Failed => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(BodyFailed("the stream raised an exception"))));
                }
            }
        }
    }
}
