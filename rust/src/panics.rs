//! Keeping Rust panics where they can be answered.
//!
//! A panic must never unwind through a C frame (a Python callback into Rust, a CPython
//! destructor calling a capsule's drop function): that is undefined behaviour, and in
//! practice an abort. Nor may it end a worker thread silently: the requests it holds would
//! wait forever. Every entry point from Python, and every job a worker runs, goes through
//! [`catch`], which turns a panic into a logged error that the caller answers with a
//! fallback (a 500, `None` to Python, a new interpreter).

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A panic caught by [`catch`]; its message was logged.
#[derive(Debug)]
pub struct Panicked {
    pub message: String,
}

/// Runs `run`; a panic in it is logged as an internal error `while` doing what it says
/// (`"calling a handler"`), and returned as [`Panicked`].
///
/// `AssertUnwindSafe`: after a caught panic, callers only answer with a fallback or
/// replace the state the closure touched (an interpreter ends and is created anew); they
/// never go on using data that a panic may have left half-updated.
pub fn catch<T>(while_: &str, run: impl FnOnce() -> T) -> Result<T, Panicked> {
    catch_unwind(AssertUnwindSafe(run)).map_err(|payload| {
        let message = message_of(payload.as_ref());
        tracing::error!("internal error (panic) while {while_}: {message}");
        Panicked { message }
    })
}

pin_project_lite::pin_project! {
    /// A future whose panic is logged and answered with `fallback()`'s value, instead of
    /// ending the task that polls it (and, for a request, leaving its client unanswered).
    pub struct Guarded<F, G> {
        #[pin]
        inner: F,
        fallback: Option<G>,
        while_: &'static str,
    }
}

pub fn guarded<F: Future, G: FnOnce() -> F::Output>(
    while_: &'static str,
    inner: F,
    fallback: G,
) -> Guarded<F, G> {
    Guarded {
        inner,
        fallback: Some(fallback),
        while_,
    }
}

impl<F: Future, G: FnOnce() -> F::Output> Future for Guarded<F, G> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let inner = this.inner;
        match catch(this.while_, || inner.poll(cx)) {
            Ok(poll) => poll,
            // Polled again after its fallback answered: it stays finished.
            Err(_) => this
                .fallback
                .take()
                .map_or(Poll::Pending, |fallback| Poll::Ready(fallback())),
        }
    }
}

/// Sends panic reports through `tracing` (with where they happened), rather than as bare
/// lines on stderr; [`catch`] then logs what was done about it.
pub fn log_through_tracing() {
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("a thread");
        tracing::error!("{name} panicked: {info}");
    }));
}

/// The text a panic was raised with (`panic!("...")`), when it has one.
pub fn message_of(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps the default panic hook from printing the panics these tests provoke.
    fn quietly<T>(run: impl FnOnce() -> T) -> T {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = run();
        std::panic::set_hook(hook);
        result
    }

    #[test]
    fn a_closure_that_returns_gives_its_value() {
        assert_eq!(catch("adding", || 1 + 1).unwrap(), 2);
    }

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let caught = quietly(|| catch("testing", || -> u8 { panic!("boom") }));
        assert_eq!(caught.unwrap_err().message, "boom");
        let formatted = quietly(|| catch("testing", || -> u8 { panic!("boom {}", 7) }));
        assert_eq!(formatted.unwrap_err().message, "boom 7");
    }

    #[test]
    fn a_panic_without_text_is_still_caught() {
        let caught = quietly(|| catch("testing", || std::panic::panic_any(42_u32)));
        assert_eq!(caught.unwrap_err().message, "(no message)");
    }

    #[test]
    fn an_index_out_of_bounds_is_caught() {
        let items: Vec<u8> = Vec::new();
        let index = items.len() + 1;
        let caught = quietly(|| catch("indexing", || items[index]));
        assert!(caught.unwrap_err().message.contains("index out of bounds"));
    }

    #[test]
    fn a_panicking_future_answers_with_its_fallback() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let answer = quietly(|| {
            runtime.block_on(guarded(
                "answering",
                async { panic!("in the middle") },
                || "fallback",
            ))
        });
        assert_eq!(answer, "fallback");
        let fine = runtime.block_on(guarded("answering", async { "answer" }, || "fallback"));
        assert_eq!(fine, "answer");
    }
}
