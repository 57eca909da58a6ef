"""The route decorators, shared by the app and by `APIRouter`.

Every sub-interpreter imports the app's modules again, so the decorators run there too.
They record routes only in the main interpreter, which builds the route table; elsewhere
they return the function untouched, which keeps this module (and a worker's start-up)
light: the signature analysis lives in `fasterapi.routing`, imported only where routes
are recorded.
"""

from __future__ import annotations

from fasterapi.interpreters import in_main_interpreter

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, TypedDict, TypeVar, Unpack

    from fasterapi.responses import Response
    from fasterapi.routing import Route

    Handler = TypeVar("Handler", bound=Callable[..., Any])

    class RouteOptions(TypedDict, total=False):
        """What a route decorator takes besides the path (and `methods`)."""

        status_code: int | None
        response_class: type[Response] | None
        tags: list[str] | None
        summary: str | None
        description: str | None
        deprecated: bool | None
        include_in_schema: bool
        name: str | None
        operation_id: str | None
        isolated: bool | None


_OPTIONS = frozenset(
    {
        "status_code",
        "response_class",
        "tags",
        "summary",
        "description",
        "deprecated",
        "include_in_schema",
        "name",
        "operation_id",
        "isolated",
    }
)


class RouteDecorators:
    """`get`/`post`/.../`api_route`/`add_api_route` and `include_router`, recording
    routes under this object's `prefix`, `tags` and defaults.

    Included routers are kept as they are and their routes are built for their full path
    when `routes` is read, as in FastAPI 0.165: a route added to a router after it was
    included is served too.
    """

    prefix: str = ""
    tags: list[str]
    default_response_class: type[Response] | None = None
    deprecated: bool | None = None
    include_in_schema: bool = True
    # Own routes and inclusions, in declaration order.
    _entries: list[Route | _Inclusion]
    _cache: tuple[int, list[Route]] | None = None

    @property
    def routes(self) -> list[Route]:
        """Every route, included routers' too, each built for its full path."""
        if self._cache is None or self._cache[0] != _generation.value:
            routes: list[Route] = []
            for entry in self._entries:
                if isinstance(entry, _Inclusion):
                    routes.extend(entry.routes(self))
                else:
                    routes.append(entry)
            self._cache = (_generation.value, routes)
        return list(self._cache[1])

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        """Records `endpoint` for `path` (under this object's prefix) and `methods`
        (default: GET). `isolated=False` runs it on the main interpreter, for code that
        cannot run in a sub-interpreter; by default that is decided at startup."""
        unknown = set(options) - _OPTIONS
        if unknown:
            raise TypeError(
                f"unsupported route option(s): {', '.join(sorted(unknown))} (see docs/routers.md)"
            )
        if not in_main_interpreter():
            return
        from fasterapi.routing import build_route

        options["tags"] = [*self.tags, *(options.get("tags") or [])]
        if options.get("response_class") is None:
            options["response_class"] = self.default_response_class
        options["deprecated"] = options.get("deprecated") or self.deprecated
        options["include_in_schema"] = options.get("include_in_schema", True) and (
            self.include_in_schema
        )
        full_path = self.prefix + path
        # A router may leave the path empty: it is completed by the prefix it is included
        # under (and refused there if that is empty too).
        route = build_route(
            endpoint, full_path, methods or ["GET"], options, in_router=self._completed_later
        )
        self._entries.append(route)
        _generation.value += 1

    _completed_later = False

    def api_route(
        self, path: str, *, methods: Sequence[str] | None = None, **options: Unpack[RouteOptions]
    ) -> Callable[[Handler], Handler]:
        """Decorator form of `add_api_route`."""

        def decorator(handler: Handler) -> Handler:
            self.add_api_route(path, handler, methods=methods, **options)
            return handler

        return decorator

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["GET"], **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["POST"], **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PUT"], **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["PATCH"], **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["DELETE"], **options)

    def head(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["HEAD"], **options)

    def options(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[Handler], Handler]:
        return self.api_route(path, methods=["OPTIONS"], **options)

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str] | None = None,
        default_response_class: type[Response] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
    ) -> None:
        """Adds `router`'s routes under `prefix`, with the tags and defaults of both
        levels, as FastAPI does."""
        if router is self:
            raise AssertionError(
                "Cannot include the same APIRouter instance into itself. "
                "Did you mean to include a different router?"
            )
        if isinstance(self, APIRouter) and router._includes(self):
            raise AssertionError(
                "Cannot include an APIRouter instance that already includes this router. "
                "Did you mean to include a different router?"
            )
        _check_prefix(prefix)
        if default_response_class is not None and not _is_response_class(default_response_class):
            raise TypeError("default_response_class: response_class must be a Response subclass")
        if not in_main_interpreter():
            return
        inclusion = _Inclusion(
            router, prefix, list(tags or []), default_response_class, deprecated, include_in_schema
        )
        if not prefix:
            for route in router.routes:
                if not route.path:
                    raise ValueError(
                        f"Prefix and path cannot be both empty (path operation: {route.name})"
                    )
        self._entries.append(inclusion)
        _generation.value += 1

    def _includes(self, other: RouteDecorators) -> bool:
        """Whether `other` is among the routers included here, at any depth."""
        return any(
            isinstance(entry, _Inclusion)
            and (entry.router is other or entry.router._includes(other))
            for entry in self._entries
        )


class _Generation:
    """Counts route changes anywhere, so that cached route lists know they are stale (a
    route added to an included router changes its includer's routes too)."""

    value = 0


_generation = _Generation()


class _Inclusion:
    """A router included under a prefix, with the options given to `include_router`."""

    def __init__(
        self,
        router: APIRouter,
        prefix: str,
        tags: list[str],
        default_response_class: type[Response] | None,
        deprecated: bool | None,
        include_in_schema: bool,
    ) -> None:
        self.router = router
        self.prefix = prefix
        self.tags = tags
        self.default_response_class = default_response_class
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema

    def routes(self, includer: RouteDecorators) -> list[Route]:
        """The router's routes, built again for their path under this inclusion."""
        from fasterapi.routing import build_route

        built = []
        for route in self.router.routes:
            options: RouteOptions = {
                "status_code": route.status_code,
                "response_class": route.response_class
                or self.default_response_class
                or includer.default_response_class,
                "tags": [*includer.tags, *self.tags, *route.tags],
                "summary": route.summary,
                "description": route.description,
                "deprecated": route.deprecated or self.deprecated or includer.deprecated,
                "include_in_schema": route.include_in_schema
                and self.include_in_schema
                and includer.include_in_schema,
                "name": route.name,
                "operation_id": route.operation_id,
                "isolated": route.isolated,
            }
            path = includer.prefix + self.prefix + route.path
            built.append(
                build_route(
                    route.handler,
                    path,
                    route.methods,
                    options,
                    in_router=includer._completed_later,
                )
            )
        return built


class APIRouter(RouteDecorators):
    """A group of routes, included in an app (or another router) with `include_router`."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str] | None = None,
        default_response_class: type[Response] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
    ) -> None:
        _check_prefix(prefix)
        self.prefix = prefix
        self.tags = list(tags or [])
        self.default_response_class = default_response_class
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self._entries = []

    # A router's route may have an empty path, completed by the prefix it is included
    # under.
    _completed_later = True


def _is_response_class(candidate: Any) -> bool:
    from fasterapi.responses import Response

    return isinstance(candidate, type) and issubclass(candidate, Response)


def _check_prefix(prefix: str) -> None:
    if prefix and not prefix.startswith("/"):
        raise ValueError("A path prefix must start with '/'")
    if prefix.endswith("/"):
        raise ValueError("A path prefix must not end with '/', as the routes will start with '/'")
