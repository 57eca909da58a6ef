"""Which interpreter this code runs in.

Every sub-interpreter imports the app's modules again, so the decorators run there too.
They only need to record routes in the main interpreter, which builds the route table;
elsewhere they leave the function as it is, which keeps a worker's start-up and memory
small (no signature analysis, no `inspect` or `typing` machinery).
"""

from __future__ import annotations

try:
    import _interpreters as _runtime  # Python 3.13
except ImportError:  # Python 3.12
    import _xxsubinterpreters as _runtime  # type: ignore[no-redef]


def current_id() -> int:
    """CPython's id of the current interpreter (the main one is 0)."""
    current = _runtime.get_current()
    return int(current[0] if isinstance(current, tuple) else current)


def in_main_interpreter() -> bool:
    return current_id() == 0
