"""The application object users decorate their handlers with."""

from __future__ import annotations

import sys

from fasterapi.datastructures import State
from fasterapi.interpreters import in_main_interpreter

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, TypeVar

    from fasterapi.lifespan import LifespanContext
    from fasterapi.routing import Route

    Handler = TypeVar("Handler", bound=Callable[..., Any])
    Hook = TypeVar("Hook", bound=Callable[[], Any])


class FasterAPI:
    """A FastAPI-compatible application.

    Routes are recorded as plain data when decorated; nothing is served until
    `python -m fasterapi run module:app` (or `fasterapi.run(app)`) starts the Rust core.
    """

    def __init__(
        self,
        *,
        title: str = "FasterAPI",
        version: str = "0.1.0",
        lifespan: Callable[[Any], Any] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        isolated: bool = True,
    ) -> None:
        """`lifespan`, `on_startup` and `on_shutdown` run in every interpreter that serves
        the app (see docs/lifespan.md). `isolated=False` runs every route on the main
        interpreter, for apps whose code cannot run in sub-interpreters."""
        self.title = title
        self.version = version
        self.routes: list[Route] = []
        self.state = State()
        self.on_startup: list[Callable[[], Any]] = list(on_startup or [])
        self.on_shutdown: list[Callable[[], Any]] = list(on_shutdown or [])
        self._lifespan = lifespan
        self.has_lifespan = lifespan is not None
        self.isolated = isolated
        # Where the app is defined: each interpreter finds its own copy of the app there
        # to run the lifespan (the attribute name is looked up when the server starts).
        self.defined_in: str = sys._getframe(1).f_globals.get("__name__", "__main__")

    @property
    def lifespan_context(self) -> LifespanContext:
        """What each interpreter enters at startup and leaves at shutdown."""
        from fasterapi.lifespan import lifespan_context

        return lifespan_context(self, self._lifespan)

    @property
    def runs_lifespan(self) -> bool:
        """Whether each interpreter must run startup/shutdown code for this app."""
        return self.has_lifespan or bool(self.on_startup or self.on_shutdown)

    def on_event(self, event_type: str) -> Callable[[Hook], Hook]:
        """Registers a `startup` or `shutdown` hook (sync or async), as FastAPI does."""

        def decorator(hook: Hook) -> Hook:
            self.add_event_handler(event_type, hook)
            return hook

        return decorator

    def add_event_handler(self, event_type: str, hook: Callable[[], Any]) -> None:
        if event_type == "startup":
            self.on_startup.append(hook)
        elif event_type == "shutdown":
            self.on_shutdown.append(hook)
        else:
            raise ValueError(f"unknown event {event_type!r}; use 'startup' or 'shutdown'")

    def api_route(
        self,
        path: str,
        *,
        methods: Sequence[str] | None = None,
        status_code: int | None = None,
        isolated: bool | None = None,
    ) -> Callable[[Handler], Handler]:
        """Registers the decorated function for `path` and `methods` (default: GET).

        `isolated=False` runs it on the main interpreter (one call at a time), for code
        that cannot run in a sub-interpreter; by default that is decided at startup.
        """

        def decorator(handler: Handler) -> Handler:
            # Routes are recorded (and checked) where the route table is built; the
            # sub-interpreters importing this module again only need the function itself.
            if in_main_interpreter():
                from fasterapi.routing import build_route

                route = build_route(handler, path, methods or ["GET"], status_code, isolated)
                self.routes.append(route)
            return handler

        return decorator

    def get(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["GET"], status_code=status_code, isolated=isolated)

    def post(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["POST"], status_code=status_code, isolated=isolated)

    def put(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PUT"], status_code=status_code, isolated=isolated)

    def patch(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PATCH"], status_code=status_code, isolated=isolated)

    def delete(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["DELETE"], status_code=status_code, isolated=isolated)

    def head(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["HEAD"], status_code=status_code, isolated=isolated)

    def options(
        self, path: str, *, status_code: int | None = None, isolated: bool | None = None
    ) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["OPTIONS"], status_code=status_code, isolated=isolated)


FastAPI = FasterAPI
"""Alias, so that `from fasterapi import FastAPI` is the only change a FastAPI app needs."""
