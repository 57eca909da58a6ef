//! Serving without an event loop: block on the queue, then drain it under one GIL hold.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use crossbeam_channel::{select_biased, Receiver, TryRecvError};

use super::{run_directed, run_job, Message};
use crate::inbox::Directed;
use crate::interpreter::Interpreter;
use crate::route_table::RouteTable;

/// What a worker takes next.
enum Work {
    Job(Message),
    Directed(Directed),
}

/// Waits for work; once some arrives, keeps the GIL and drains both queues, then releases
/// the GIL before blocking again. Returns on a stop message.
pub(super) fn serve(
    interpreter: &mut Interpreter,
    table: &Arc<RouteTable>,
    jobs: &Receiver<Message>,
    directed: &Receiver<Directed>,
) {
    // Without an event loop no task can stay in flight; the count stays 0.
    let in_flight = Arc::new(AtomicUsize::new(0));
    loop {
        // The inbox first: a stream's next chunk is for a response already under way.
        let first = select_biased! {
            recv(directed) -> message => message.map(Work::Directed),
            recv(jobs) -> message => message.map(Work::Job),
        };
        let Ok(first) = first else { return };
        let gil = interpreter.acquire();
        let mut next = Some(first);
        while let Some(work) = next.take() {
            match work {
                Work::Job(Message::Call(job)) => run_job(&gil, table, job, &in_flight),
                Work::Job(Message::Stop) => return,
                Work::Directed(message) => run_directed(&gil, message, &in_flight),
            }
            next = match directed.try_recv() {
                Ok(message) => Some(Work::Directed(message)),
                Err(_) => match jobs.try_recv() {
                    Ok(message) => Some(Work::Job(message)),
                    Err(TryRecvError::Disconnected) => return,
                    Err(TryRecvError::Empty) => None,
                },
            };
        }
    }
}
