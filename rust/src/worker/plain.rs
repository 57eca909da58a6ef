//! Serving without an event loop: block on the queue, then drain it under one GIL hold.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use crossbeam_channel::{Receiver, TryRecvError};

use super::{run_job, Message};
use crate::interpreter::Interpreter;
use crate::route_table::RouteTable;

/// Waits for work; once a job arrives, keeps the GIL and drains the queue, then releases
/// the GIL before blocking again. Returns on a stop message.
pub(super) fn serve(
    interpreter: &mut Interpreter,
    table: &Arc<RouteTable>,
    jobs: &Receiver<Message>,
) {
    // Without an event loop no task can stay in flight; the count stays 0.
    let in_flight = Arc::new(AtomicUsize::new(0));
    while let Ok(Message::Call(first)) = jobs.recv() {
        let gil = interpreter.acquire();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            run_job(&gil, table, job, &in_flight);
            match jobs.try_recv() {
                Ok(Message::Call(job)) => next = Some(job),
                Ok(Message::Stop) | Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
        }
    }
}
