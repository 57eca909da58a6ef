"""Starting the Rust core for an app; the only module that imports `fasterapi._core`."""

from __future__ import annotations

import functools
import inspect
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fasterapi.exceptions import RequestValidationError, StartupError
from fasterapi.limits import Limits
from fasterapi.placement import Placement, place_routes, probe_always, probe_in_subinterpreter
from fasterapi.routing import check_reachable
from fasterapi.schema import TypeRegistry

if TYPE_CHECKING:
    from fasterapi.applications import FasterAPI


def available_cpus() -> int:
    """CPUs this process may run on (respects `taskset` and container limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(
    app: FasterAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    interpreters: int | None = None,
    io_threads: int | None = None,
    log_level: str = "info",
    log_format: str = "text",
    access_log: bool = True,
    graceful_timeout: float = 30.0,
    strict_isolation: bool = False,
    limits: Limits | None = None,
) -> None:
    """Serves `app` until SIGINT or SIGTERM; raises `StartupError` if it cannot start.

    Routes whose modules cannot load in a sub-interpreter run on the main interpreter
    (see `fasterapi.placement`); `strict_isolation=True` makes that a startup error.
    `limits` replaces the app's own `limits` (docs/reliability.md).
    """
    # `_core` only here: handler modules must not load the core. Every worker calls the
    # other three; loaded here, the main interpreter's worker finds them ready.
    from fasterapi import _core, encoders, handling, streaming  # noqa: F401

    cpus = available_cpus()
    interpreters = interpreters or cpus
    if sys.version_info < (3, 13) and _runs_event_loops(app):
        from fasterapi.worker_loop import prime_in_main_interpreter

        prime_in_main_interpreter()  # before any sub-interpreter exists (see its docstring)
    placement = plan(app, strict_isolation=strict_isolation)
    table = route_table(app, placement)
    table["log_level"] = log_level
    config = {
        "host": host,
        "port": port,
        "interpreters": interpreters,
        "io_threads": io_threads or max(1, cpus // 2),
        "log_level": log_level,
        "log_format": log_format,
        "access_log": access_log,
        "graceful_timeout": graceful_timeout,
        "limits": (limits or app.limits or Limits()).for_core(),
        "report": placement.report(app, interpreters),
    }
    with _signals_for_rust():
        try:
            every_interpreter_ended = _core.serve(table, config)
        except RuntimeError as error:
            raise StartupError(str(error)) from None
    if not every_interpreter_ended:
        # A handler still runs in an interpreter that cannot be ended; finalizing Python
        # would wait for it (or crash). The server has stopped: leave now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _runs_event_loops(app: FasterAPI) -> bool:
    return (
        app.runs_lifespan
        or any(route.is_async for route in app.routes)
        or _has_async_exception_handlers(app)
    )


def _has_async_exception_handlers(app: FasterAPI) -> bool:
    return any(_is_async_callable(handler) for handler in app.exception_handlers.values())


def _is_async_callable(candidate: Any) -> bool:
    """`async def` functions, also behind `functools.partial` or as `__call__`."""
    while isinstance(candidate, functools.partial):
        candidate = candidate.func
    return inspect.iscoroutinefunction(candidate) or inspect.iscoroutinefunction(
        getattr(candidate, "__call__", None)  # noqa: B004 - an instance's async __call__
    )


def plan(
    app: FasterAPI, *, strict_isolation: bool = False, always_probe: bool = False
) -> Placement:
    """Checks that every handler is reachable by name and decides where each route runs
    (`always_probe`: import the modules in a scratch sub-interpreter even when nothing
    loaded could refuse one, so that any other import error shows too)."""
    for route in app.routes:
        check_reachable(route)
    probe = probe_always if always_probe else probe_in_subinterpreter
    return place_routes(app, probe, strict=strict_isolation)


def route_table(app: FasterAPI, placement: Placement) -> dict[str, Any]:
    """The plain data the Rust core serves from."""
    registry = TypeRegistry()
    routes = []
    for index, route in enumerate(app.routes):
        entry = route.table_entry(registry)
        entry["on_main"] = index in placement.on_main
        # The main interpreter already has the handler: under the name it has there (a
        # script is `__main__`), so it is not imported a second time.
        entry["main_module"] = route.function.__module__
        entry["needs_request"] = route.request_param is not None or bool(app.exception_handlers)
        routes.append(entry)
    location = placement.app_location
    from fasterapi.docs import fixed_routes

    # First, as FastAPI adds them before any route of the app.
    routes = fixed_routes(app) + routes
    return {
        "routes": routes,
        "types": registry.types,
        "sys_path": [os.path.abspath(entry or os.curdir) for entry in sys.path],
        "python_minor": sys.version_info.minor,
        "app": None
        if location is None
        else {"module": location[0], "attribute": location[1], "main_module": location[2]},
        "lifespan": app.runs_lifespan,
        "exception_handlers": bool(app.exception_handlers),
        "async_exception_handlers": _has_async_exception_handlers(app),
        "routed_errors": routed_errors(app),
    }


def routed_errors(app: FasterAPI) -> list[int]:
    """The statuses of the errors the core makes itself (422, the 400 of an unreadable
    body, 404 and 405) that go through the app instead, because it has its own exception
    handler for them: for `RequestValidationError`, for the status, or for Starlette's
    `HTTPException` (FastAPI raises Starlette's for these, so a handler for FastAPI's own
    `HTTPException` does not see them)."""
    from fasterapi.handling import starlette_http_exception

    handlers = app.exception_handlers
    starlette_http = starlette_http_exception(handlers) is not None
    routed = [422] if RequestValidationError in handlers else []
    routed += [status for status in (400, 404, 405) if status in handlers or starlette_http]
    return routed


@contextmanager
def _signals_for_rust() -> Iterator[None]:
    """Leaves SIGINT/SIGTERM to the Rust core while it serves.

    The core's handlers chain to any previous C-level handler; Python's would then raise a
    stray KeyboardInterrupt after `serve` returns. Default dispositions are not chained.
    """
    if sys.platform == "win32":  # pragma: no cover - the core serves POSIX only
        yield
        return
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, signal.SIG_DFL)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
