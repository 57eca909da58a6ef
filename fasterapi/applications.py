"""The application object users decorate their handlers with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fasterapi.routing import Route, build_route

Handler = TypeVar("Handler", bound=Callable[..., Any])


class FasterAPI:
    """A FastAPI-compatible application.

    Routes are recorded as plain data when decorated; nothing is served until
    `python -m fasterapi run module:app` (or `fasterapi.run(app)`) starts the Rust core.
    """

    def __init__(self, *, title: str = "FasterAPI", version: str = "0.1.0") -> None:
        self.title = title
        self.version = version
        self.routes: list[Route] = []

    def api_route(
        self,
        path: str,
        *,
        methods: Sequence[str] | None = None,
        status_code: int | None = None,
    ) -> Callable[[Handler], Handler]:
        """Registers the decorated function for `path` and `methods` (default: GET)."""

        def decorator(handler: Handler) -> Handler:
            self.routes.append(build_route(handler, path, methods or ["GET"], status_code))
            return handler

        return decorator

    def get(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["GET"], status_code=status_code)

    def post(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["POST"], status_code=status_code)

    def put(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PUT"], status_code=status_code)

    def patch(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PATCH"], status_code=status_code)

    def delete(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["DELETE"], status_code=status_code)

    def head(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["HEAD"], status_code=status_code)

    def options(self, path: str, *, status_code: int | None = None) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["OPTIONS"], status_code=status_code)


FastAPI = FasterAPI
"""Alias, so that `from fasterapi import FastAPI` is the only change a FastAPI app needs."""
