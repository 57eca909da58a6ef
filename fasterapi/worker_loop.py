"""The asyncio event loop an interpreter runs when its routes need one.

Interpreters that serve `async def` handlers, or an app with a lifespan, run their jobs on
a loop that owns the worker thread. The Rust worker drives this object, inside its own
interpreter: `WorkerLoop(app)`, `startup()`, `serve(fd, drain)` until `stop()`, then
`shutdown()`. `serve` registers the worker's wake-up file descriptor, so new jobs are
taken between the loop's other callbacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fasterapi.lifespan import Lifespan

logger = logging.getLogger("fasterapi")

# How many loop turns a queued job may wait for ready callbacks to run first.
_MAX_DEFERRED_TURNS = 16


class WorkerLoop:
    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._report)
        asyncio.set_event_loop(self.loop)
        self._lifespan = Lifespan(app) if app is not None else None
        self._stopping = False
        self._starting = False

    def startup(self) -> None:
        """Runs the app's startup code; raises what it raised."""
        if self._lifespan is not None:
            self.loop.run_until_complete(self._lifespan.startup())

    def lifespan_state(self) -> Any:
        """What the app's lifespan yielded (a mapping copied into each request's
        `request.state`), or `None`."""
        return self._lifespan.state if self._lifespan is not None else None

    def start(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Runs a handler's coroutine as a task, eagerly: up to its first real suspension
        it runs right here, and a handler that never suspends finishes without a loop turn.

        asyncio re-raises a `KeyboardInterrupt` or `SystemExit` from the task's first step,
        out of this call: the core answers it as the handler's exception (a 500, logged).
        The task is lost with it, and collected before this call returns: `_report` must
        not log its exception a second time."""
        self._starting = True
        try:
            return asyncio.Task(coroutine, loop=self.loop, eager_start=True)
        finally:
            self._starting = False

    def _report(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler: asyncio's own, except for the exception of a task
        that `start` lost (see there)."""
        if self._starting and isinstance(context.get("exception"), KeyboardInterrupt | SystemExit):
            return
        loop.default_exception_handler(context)

    def serve(self, fd: int, drain: Callable[[], None]) -> None:
        """Runs the loop until `stop()`, calling `drain` whenever `fd` is readable.

        A `SystemExit` or `KeyboardInterrupt` raised in a task escapes `run_forever`; the
        task has failed with it, and the loop goes on serving rather than leave the
        interpreter without one. A handler's task reports it as the handler's failure
        (a 500, logged); any other task, when it is collected with its exception never
        retrieved.
        """
        self._stopping = False
        self.loop.add_reader(fd, drain)
        try:
            while not self._stopping:
                try:
                    self.loop.run_forever()
                except (KeyboardInterrupt, SystemExit):
                    logger.debug("a task raised KeyboardInterrupt or SystemExit; serving on")
                except BaseException:  # the worker must keep serving
                    logger.exception("an exception escaped the event loop; serving on")
        finally:
            self.loop.remove_reader(fd)

    def call_after_ready(self, callback: Callable[[], None]) -> None:
        """Runs `callback` once the callbacks that are ready now, and those they make
        ready, have run (for a few turns at most, so a busy loop cannot starve it).

        The worker takes its next job this way while tasks are in flight: a coroutine
        whose timer or I/O fired during a sync handler resumes before the next sync
        handler starts. (`_ready` is the loop's queue of callbacks due this turn.)
        """
        loop = self.loop
        turns = 0

        def when_idle() -> None:
            nonlocal turns
            turns += 1
            if turns < _MAX_DEFERRED_TURNS and getattr(loop, "_ready", None):
                loop.call_soon(when_idle)
            else:
                callback()

        loop.call_soon(when_idle)

    def stop(self) -> None:
        self._stopping = True
        self.loop.stop()

    def shutdown(self) -> None:
        """Cancels the handlers still running, runs the app's shutdown code, closes the loop."""
        loop = self.loop
        lifespan_task = self._lifespan.task if self._lifespan is not None else None
        try:
            # Handlers left over after the graceful timeout go first, so they cannot run
            # against resources the shutdown code has already closed.
            _cancel_remaining(loop, keep=lifespan_task)
            if self._lifespan is not None:
                loop.run_until_complete(self._lifespan.shutdown())
        finally:
            try:
                _cancel_remaining(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()


def _cancel_remaining(
    loop: asyncio.AbstractEventLoop, keep: asyncio.Task[Any] | None = None
) -> None:
    tasks = asyncio.all_tasks(loop) - {keep}
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def prime_in_main_interpreter() -> None:
    """Runs the loop machinery once in the main interpreter, before any worker does.

    On Python 3.12, a C function of an extension module (`_asyncio`, `_socket`, ...) that
    is first called with keyword arguments inside a sub-interpreter caches its keyword
    tuple in that interpreter's memory, shared by the whole process; ending the
    sub-interpreter frees it, and finalizing the main interpreter then aborts with heap
    corruption (CPython #119213, fixed in 3.13). Making those first calls here, in the main
    interpreter, keeps the cached tuples in memory that lives until the process ends.
    """
    worker_loop = WorkerLoop(None)
    try:
        task = worker_loop.start(_exercise())
        task.add_done_callback(lambda _: None)
        worker_loop.call_after_ready(lambda: None)
        worker_loop.loop.run_until_complete(task)
    finally:
        worker_loop.shutdown()


async def _exercise() -> None:
    await asyncio.sleep(0)
    async with asyncio.timeout(60):
        await asyncio.gather(asyncio.sleep(0), asyncio.sleep(0.001))
