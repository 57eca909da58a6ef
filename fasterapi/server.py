"""Starting the Rust core for an app; the only module that imports `fasterapi._core`."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fasterapi.exceptions import StartupError
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
    graceful_timeout: float = 30.0,
) -> None:
    """Serves `app` until SIGINT or SIGTERM; raises `StartupError` if it cannot start."""
    for route in app.routes:
        check_reachable(route)
    from fasterapi import _core  # only here: handler modules must not load the core

    cpus = available_cpus()
    registry = TypeRegistry()
    table = {
        "routes": [route.table_entry(registry) for route in app.routes],
        "types": registry.types,
        "sys_path": [os.path.abspath(entry or os.curdir) for entry in sys.path],
        "python_minor": sys.version_info.minor,
    }
    config = {
        "host": host,
        "port": port,
        "interpreters": interpreters or cpus,
        "io_threads": io_threads or max(1, cpus // 2),
        "log_level": log_level,
        "graceful_timeout": graceful_timeout,
    }
    with _signals_for_rust():
        try:
            _core.serve(table, config)
        except RuntimeError as error:
            raise StartupError(str(error)) from None


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
