"""Python's `logging`, sent to the server's log (Rust's `tracing`), from every interpreter.

Each interpreter gets a handler on its root logger that passes every record to a native
function of the core (made for that interpreter), so `logging.getLogger(__name__).info(...)`
in a handler comes out in the server's format (text or JSON), filtered by `--log-level`.
"""

from __future__ import annotations

import logging

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class CoreHandler(logging.Handler):
    """Sends each record, formatted (a traceback included), to the core."""

    def __init__(self, emit: Callable[[tuple[int, str, str]], None]) -> None:
        super().__init__()
        self._emit = emit

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._emit((record.levelno, record.name, self.format(record)))
        except Exception:  # a log record must never fail the code that logs
            self.handleError(record)


def install(emit: Callable[[tuple[int, str, str]], None], level: str) -> None:
    """Routes this interpreter's root logger to the core, at `level` (uvicorn's names),
    unless the app configured logging itself (the root logger has handlers)."""
    root = logging.getLogger()
    if any(isinstance(handler, CoreHandler) for handler in root.handlers):
        return
    if root.handlers:
        return
    root.addHandler(CoreHandler(emit))
    root.setLevel(_LEVELS.get(level.lower(), logging.INFO))


_LEVELS = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}
