"""The application object users decorate their handlers with."""

from __future__ import annotations

import sys

from fasterapi.datastructures import State
from fasterapi.routers import RouteDecorators

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, TypeVar

    from fasterapi.lifespan import LifespanContext
    from fasterapi.limits import Limits
    from fasterapi.responses import Response

    Hook = TypeVar("Hook", bound=Callable[[], Any])
    Hook2 = TypeVar("Hook2", bound=Callable[..., Any])


class FasterAPI(RouteDecorators):
    """A FastAPI-compatible application.

    Routes are recorded as plain data when decorated; nothing is served until
    `python -m fasterapi run module:app` (or `fasterapi.run(app)`) starts the Rust core.
    """

    def __init__(
        self,
        *,
        title: str = "FastAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        openapi_url: str | None = "/openapi.json",
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        swagger_ui_oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        swagger_ui_parameters: dict[str, Any] | None = None,
        terms_of_service: str | None = None,
        contact: dict[str, str | Any] | None = None,
        license_info: dict[str, str | Any] | None = None,
        lifespan: Callable[[Any], Any] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        isolated: bool = True,
        default_response_class: type[Response] | None = None,
        exception_handlers: dict[int | type[BaseException], Callable[..., Any]] | None = None,
        limits: Limits | None = None,
    ) -> None:
        """`lifespan`, `on_startup` and `on_shutdown` run in every interpreter that serves
        the app (see docs/lifespan.md). `isolated=False` runs every route on the main
        interpreter, for apps whose code cannot run in sub-interpreters. `limits` bounds
        what the server accepts (sizes, counts, timeouts; docs/reliability.md)."""
        # What the OpenAPI document and the docs pages say (`docs/openapi.md`); a URL of
        # None turns that page off, as in FastAPI.
        self.title = title
        self.summary = summary
        self.description = description
        self.version = version
        self.openapi_url = openapi_url
        self.openapi_tags = openapi_tags
        self.servers = list(servers or [])
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        self.swagger_ui_oauth2_redirect_url = swagger_ui_oauth2_redirect_url
        self.swagger_ui_parameters = swagger_ui_parameters
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license_info = license_info
        self.openapi_schema: dict[str, Any] | None = None
        self._entries = []
        self.tags: list[str] = []
        self.default_response_class = default_response_class
        self.exception_handlers: dict[int | type[BaseException], Callable[..., Any]] = dict(
            exception_handlers or {}
        )
        self.state = State()
        self.on_startup: list[Callable[[], Any]] = list(on_startup or [])
        self.on_shutdown: list[Callable[[], Any]] = list(on_shutdown or [])
        self._lifespan = lifespan
        self.has_lifespan = lifespan is not None
        self.isolated = isolated
        # Kept as given: `fasterapi.limits` imports dataclasses, too heavy for every
        # sub-interpreter; the server fills in the defaults.
        self.limits = limits
        # Where the app is defined: each interpreter finds its own copy of the app there
        # to run the lifespan (the attribute name is looked up when the server starts).
        self.defined_in: str = sys._getframe(1).f_globals.get("__name__", "__main__")

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, made once (assign another function to `app.openapi` to
        change it, as FastAPI allows). Main interpreter only: it reads the routes."""
        if self.openapi_schema is None:
            from fasterapi.openapi import openapi_document

            self.openapi_schema = openapi_document(self)
        return self.openapi_schema

    @property
    def lifespan_context(self) -> LifespanContext:
        """What each interpreter enters at startup and leaves at shutdown."""
        from fasterapi.lifespan import lifespan_context

        return lifespan_context(self, self._lifespan)

    @property
    def runs_lifespan(self) -> bool:
        """Whether each interpreter must run startup/shutdown code for this app."""
        return self.has_lifespan or bool(self.on_startup or self.on_shutdown)

    @property
    def runs_in_each_interpreter(self) -> str:
        """What of the app itself (not its routes) each interpreter runs, in words for
        messages; empty when nothing."""
        parts = []
        if self.runs_lifespan:
            parts.append("lifespan (startup/shutdown)")
        if self.exception_handlers:
            parts.append("exception handlers")
        return " and ".join(parts)

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

    def exception_handler(self, key: int | type[BaseException]) -> Callable[[Hook2], Hook2]:
        """Registers the decorated function as the app's answer to exceptions of class
        `key` (or to `HTTPException`s with status `key`), as FastAPI does."""

        def decorator(handler: Hook2) -> Hook2:
            self.add_exception_handler(key, handler)
            return handler

        return decorator

    def add_exception_handler(
        self, key: int | type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Every interpreter runs this as it imports the app: each looks its handlers up
        on its own copy of the app."""
        self.exception_handlers[key] = handler


FastAPI = FasterAPI
"""Alias, so that `from fasterapi import FastAPI` is the only change a FastAPI app needs."""
