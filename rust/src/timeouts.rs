//! The two clocks of a connection: how long a client may take to send a request head,
//! and how long an idle keep-alive connection stays open.
//!
//! hyper has one header-read timer, which also runs while a kept-alive connection waits,
//! so it cannot hold two different limits. Instead the socket is wrapped: [`TimedIo`]
//! learns from [`Activity`] (counted by the service) when a request is in flight, and
//! arms the right deadline whenever hyper waits for bytes. When it expires, reading
//! returns end-of-file and hyper closes the connection; a client caught halfway through a
//! head is first told `408 Request Timeout`. The same wrapper watches each head's bytes
//! for two framings ([`HeadScan`]).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::head_scan::HeadScan;

/// Written to a client that did not finish its request head in time.
const REQUEST_TIMEOUT: &[u8] =
    b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";

/// Requests of one connection: begun (the head was read) and finished (the response was
/// written, or abandoned). Shared by the service, the response bodies and the socket.
#[derive(Default)]
pub struct Activity {
    started: AtomicU64,
    finished: AtomicU64,
    /// Set when the server stops: every response from then on closes its connection.
    closing: AtomicBool,
    /// The head being read has both `Content-Length` and `Transfer-Encoding`.
    two_framings: AtomicBool,
}

impl Activity {
    /// Counts a request whose head was just read; the guard counts it finished when dropped
    /// (it travels into the response body, which hyper drops once written).
    pub fn begin(self: &Arc<Self>) -> RequestInFlight {
        self.started.fetch_add(1, Ordering::AcqRel);
        RequestInFlight(Arc::clone(self))
    }

    pub fn is_idle(&self) -> bool {
        self.started.load(Ordering::Acquire) == self.finished.load(Ordering::Acquire)
    }

    /// Requests begun so far.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Acquire)
    }

    /// Whether the head of the request just begun had two framings (then forgotten).
    pub fn take_two_framings(&self) -> bool {
        self.two_framings.swap(false, Ordering::AcqRel)
    }

    pub fn close_after_each_response(&self) {
        self.closing.store(true, Ordering::Release);
    }

    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }
}

/// One request in flight; see [`Activity::begin`].
pub struct RequestInFlight(Arc<Activity>);

impl Drop for RequestInFlight {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in flight until hyper drops it.
pub struct Tracked<B> {
    body: B,
    _request: RequestInFlight,
}

impl<B> Tracked<B> {
    pub fn new(body: B, request: RequestInFlight) -> Self {
        Tracked {
            body,
            _request: request,
        }
    }
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// What the connection waits for when hyper asks for bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// The head of a request (the first one, or one whose first bytes came in).
    Head { started_reading: bool },
    /// A request is in flight: its body, or nothing (hyper reads ahead).
    Busy,
    /// Kept alive between requests.
    Idle,
}

/// A socket whose reads end (end-of-file) when the current deadline passes.
pub struct TimedIo<S> {
    inner: S,
    activity: Arc<Activity>,
    head_timeout: Duration,
    keep_alive_timeout: Duration,
    phase: Phase,
    /// `started` as last seen, to notice a new request.
    seen_started: u64,
    /// When the current phase's time is up.
    deadline: Instant,
    /// Fires at or before `deadline`, and is moved only when it fires early or must fire
    /// sooner: resetting a timer takes the timer wheel's lock, too dear for every request
    /// (it cost about 1 µs of CPU per request on `/json`).
    timer: Pin<Box<Sleep>>,
    head: HeadScan,
}

impl<S> TimedIo<S> {
    pub fn new(
        inner: S,
        activity: Arc<Activity>,
        head_timeout: Duration,
        keep_alive_timeout: Duration,
    ) -> Self {
        TimedIo {
            inner,
            activity,
            head_timeout,
            keep_alive_timeout,
            phase: Phase::Head {
                started_reading: false,
            },
            seen_started: 0,
            deadline: Instant::now() + head_timeout,
            timer: Box::pin(tokio::time::sleep(head_timeout)),
            head: HeadScan::default(),
        }
    }

    /// Moves to the phase the request counters say, arming the deadline it needs.
    fn follow_requests(&mut self) {
        let started = self.activity.started.load(Ordering::Acquire);
        if started != self.seen_started {
            self.seen_started = started;
            self.phase = Phase::Busy;
        }
        if self.phase == Phase::Busy && self.activity.is_idle() {
            self.phase = Phase::Idle;
            self.arm(self.keep_alive_timeout);
        }
    }

    fn arm(&mut self, after: Duration) {
        self.deadline = Instant::now() + after;
        if self.timer.is_elapsed() || self.timer.deadline() > self.deadline {
            self.timer.as_mut().reset(self.deadline);
        }
    }

    /// Whether the deadline has passed; otherwise the timer is set to wake this task.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return false;
            }
            if Instant::now() >= self.deadline {
                return true;
            }
            // Fired for an earlier deadline: move it to the current one.
            self.timer.as_mut().reset(self.deadline);
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TimedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.follow_requests();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.inner).poll_read(cx, buf);
        match read {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                match this.phase {
                    Phase::Idle => {
                        this.phase = Phase::Head {
                            started_reading: true,
                        };
                        this.arm(this.head_timeout);
                        this.head.restart();
                    }
                    Phase::Head { .. } => {
                        this.phase = Phase::Head {
                            started_reading: true,
                        }
                    }
                    Phase::Busy => return Poll::Ready(Ok(())),
                }
                this.head.feed(&buf.filled()[before..]);
                if this.head.has_two_framings() {
                    this.activity.two_framings.store(true, Ordering::Release);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if this.phase != Phase::Busy => {
                if !this.expired(cx) {
                    return Poll::Pending;
                }
                if this.phase
                    == (Phase::Head {
                        started_reading: true,
                    })
                {
                    tracing::debug!("a client took too long to send a request head");
                    // Best effort: the socket is idle, so this normally goes out whole.
                    let _ = Pin::new(&mut this.inner).poll_write(cx, REQUEST_TIMEOUT);
                }
                Poll::Ready(Ok(())) // end-of-file: hyper closes the connection
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TimedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.inner).poll_flush(cx);
        // hyper flushes each response after dropping its body; if that left the
        // connection idle, start the keep-alive clock now, with this task to wake: hyper
        // may have polled its read already and will not read again until bytes come.
        this.follow_requests();
        if this.phase == Phase::Idle && this.expired(cx) {
            cx.waker().wake_by_ref(); // the next read ends the connection
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http_body_util::Full;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn timed(
        activity: &Arc<Activity>,
    ) -> (TimedIo<tokio::io::DuplexStream>, tokio::io::DuplexStream) {
        let (server, client) = tokio::io::duplex(1024);
        let io = TimedIo::new(
            server,
            Arc::clone(activity),
            Duration::from_secs(10),
            Duration::from_secs(5),
        );
        (io, client)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_new_connection_ends_after_the_head_timeout_without_an_answer() {
        let activity = Arc::new(Activity::default());
        let (mut io, mut client) = timed(&activity);
        let mut buffer = [0u8; 16];
        assert_eq!(io.read(&mut buffer).await.unwrap(), 0);
        drop(io);
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert!(answer.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_half_sent_head_gets_a_408_then_end_of_file() {
        let activity = Arc::new(Activity::default());
        let (mut io, mut client) = timed(&activity);
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let mut buffer = [0u8; 64];
        assert_eq!(io.read(&mut buffer).await.unwrap(), 16);
        assert_eq!(io.read(&mut buffer).await.unwrap(), 0);
        drop(io);
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, REQUEST_TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_kept_alive_connection_ends_after_the_keep_alive_timeout() {
        let activity = Arc::new(Activity::default());
        let (mut io, mut client) = timed(&activity);
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut buffer = [0u8; 64];
        assert_eq!(io.read(&mut buffer).await.unwrap(), 18);
        let request = activity.begin();
        let body = Tracked::new(Full::new(Bytes::from_static(b"done")), request);
        drop(body); // written: the connection is idle from here
        let waited = Instant::now();
        assert_eq!(io.read(&mut buffer).await.unwrap(), 0);
        assert_eq!(waited.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn hyper_closes_a_kept_alive_connection_once_idle_for_the_keep_alive_timeout() {
        let activity = Arc::new(Activity::default());
        let (io, mut client) = timed(&activity);
        let service = {
            let activity = Arc::clone(&activity);
            hyper::service::service_fn(move |_request| {
                let request = activity.begin();
                async move {
                    let body = Tracked::new(Full::new(Bytes::from_static(b"done")), request);
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(body))
                }
            })
        };
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(io), service);
        let serving = tokio::spawn(connection);
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = [0u8; 256];
        let read = client.read(&mut answer).await.unwrap();
        assert!(answer[..read].ends_with(b"done"));
        let answered = Instant::now();
        let ended = tokio::time::timeout(Duration::from_secs(60), serving).await;
        ended.expect("still open after a minute").unwrap().unwrap();
        assert_eq!(answered.elapsed(), Duration::from_secs(5));
        assert_eq!(client.read(&mut answer).await.unwrap(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_is_never_cut() {
        let activity = Arc::new(Activity::default());
        let (mut io, mut client) = timed(&activity);
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut buffer = [0u8; 64];
        assert_eq!(io.read(&mut buffer).await.unwrap(), 18);
        let _request = activity.begin();
        let read = tokio::time::timeout(Duration::from_secs(60), io.read(&mut buffer)).await;
        assert!(read.is_err(), "still waiting after a minute: {read:?}");
    }
}
