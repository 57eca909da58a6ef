"""Lifespan: the app's startup and shutdown code, run in every interpreter that serves it.

`FastAPI(lifespan=...)` takes an async context manager factory (or an async generator
function); without one, the `on_startup`/`on_shutdown` hooks (`@app.on_event(...)`) run,
as in FastAPI. Each interpreter imports the app's module itself, so each runs its own copy
of the hooks against its own objects: state set up here is per interpreter.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from fasterapi.applications import FasterAPI

LifespanContext = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]


def lifespan_context(app: FasterAPI, lifespan: Callable[..., Any] | None) -> LifespanContext:
    """What `app` enters at startup and leaves at shutdown, following FastAPI's rules."""
    import inspect  # here: only interpreters that run a lifespan need it

    if lifespan is None:
        return _hooks_context
    if inspect.isasyncgenfunction(lifespan):
        return contextlib.asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan):
        return _sync_generator_context(lifespan)
    return lifespan


@contextlib.asynccontextmanager
async def _hooks_context(app: FasterAPI) -> AsyncIterator[None]:
    for hook in app.on_startup:
        await _call(hook)
    yield
    for hook in app.on_shutdown:
        await _call(hook)


async def _call(hook: Callable[[], Any]) -> None:
    import inspect

    result = hook()
    if inspect.isawaitable(result):
        await result


def _sync_generator_context(lifespan: Callable[[Any], Any]) -> LifespanContext:
    synchronous = contextlib.contextmanager(lifespan)

    @contextlib.asynccontextmanager
    async def context(app: Any) -> AsyncIterator[Any]:
        with synchronous(app) as state:
            yield state

    return context


class Lifespan:
    """Runs an app's lifespan context in one long-lived task on the current loop.

    One task enters and leaves the context, so an `async with` or `try/finally` around its
    `yield` behaves as it does under FastAPI.
    """

    def __init__(self, app: FasterAPI) -> None:
        self._app = app
        self.state: Any = None
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Enters the context; raises what the startup code raised."""
        import asyncio  # here: sync-only apps never load asyncio in their interpreters

        loop = asyncio.get_running_loop()
        self._started: asyncio.Future[None] = loop.create_future()
        self._stopping = asyncio.Event()
        self.task = loop.create_task(self._run())
        await self._started

    async def _run(self) -> None:
        try:
            async with self._app.lifespan_context(self._app) as state:
                self.state = state
                self._started.set_result(None)
                await self._stopping.wait()
        except BaseException as error:
            if self._started.done():
                raise
            self._started.set_exception(error)

    async def shutdown(self) -> None:
        """Leaves the context; raises what the shutdown code raised."""
        if self.task is None:
            return
        self._stopping.set()
        await self.task
