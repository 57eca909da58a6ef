"""Routes: what the decorators record, and the checks that make a handler servable.

Every sub-interpreter imports the handler's module by name and looks the handler up by its
qualified name, so a handler must be a named function reachable from module level. These
checks run when the handler is decorated (its shape) and when the server starts (that the
name still leads to the same object).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fasterapi.exceptions import StartupError
from fasterapi.modules import importable_name
from fasterapi.responses import JSONResponse, Response
from fasterapi.schema import TypeRegistry, classes_modules
from fasterapi.signature import ParamSpec, embeds_body, parameter_specs, special_params

if TYPE_CHECKING:
    from fasterapi.routers import RouteOptions

_FIX = "define it with `def` at module level (or as a static/class method of a module-level class)"


@dataclass(frozen=True)
class Route:
    """One decorated handler, described as data the Rust core can serve."""

    path: str
    methods: tuple[str, ...]
    function: Callable[..., Any]
    module: str
    qualname: str
    params: tuple[ParamSpec, ...]
    # What was decorated (a function, or a static/class method object): routers build
    # the route again from it for the full path when they are included.
    handler: Any
    status_code: int | None = None
    is_async: bool = False
    # False: always run on the main interpreter; None: wherever its modules can load.
    isolated: bool | None = None
    # None: FastAPI's default, `JSONResponse`, which the Rust core renders itself.
    response_class: type[Response] | None = None
    # Names of the parameters that receive the `Request` and the `Response` to edit.
    request_param: str | None = None
    response_param: str | None = None
    # For OpenAPI.
    tags: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = None
    deprecated: bool | None = None
    include_in_schema: bool = True
    name: str | None = None
    operation_id: str | None = None

    @property
    def embed_body(self) -> bool:
        return embeds_body(self.params)

    def table_entry(self, registry: TypeRegistry) -> dict[str, Any]:
        return {
            "methods": list(self.methods),
            "path": self.path,
            "module": self.module,
            "qualname": self.qualname,
            "params": [param.table_entry(registry) for param in self.params],
            "embed_body": self.embed_body,
            "status_code": self.status_code,
            "is_async": self.is_async,
            "response_class": self.custom_response_class,
            "request_param": self.request_param,
            "response_param": self.response_param,
        }

    @property
    def custom_response_class(self) -> dict[str, str] | None:
        """Where each interpreter finds the response class, unless it is `JSONResponse`
        (rendered by the core)."""
        if self.response_class is None or self.response_class is JSONResponse:
            return None
        return {
            "module": importable_name(self.response_class.__module__),
            "main_module": self.response_class.__module__,
            "qualname": self.response_class.__qualname__,
        }

    @property
    def endpoint(self) -> str:
        return f"{self.module}:{self.qualname}"

    def needed_modules(self) -> list[str]:
        """The modules an interpreter imports to run this route: the handler's and those
        of the classes its parameters use."""
        modules = [self.module]
        if self.custom_response_class is not None:
            modules.append(self.custom_response_class["module"])
        for param in self.params:
            modules.extend(classes_modules(param.schema))
        return list(dict.fromkeys(modules))


def build_route(
    handler: Any,
    path: str,
    methods: Sequence[str],
    options: RouteOptions,
    *,
    in_router: bool = False,
) -> Route:
    """Validates `handler`'s shape and records it; raises `TypeError` naming the fix.

    `in_router`: an empty path is allowed (a router's route, completed by a prefix)."""
    function = handler.__func__ if isinstance(handler, (staticmethod, classmethod)) else handler
    if not inspect.isfunction(function):
        raise TypeError(
            f"{handler!r} cannot be a FasterAPI handler: sub-interpreters import handlers by "
            f"name, so it must be a plain function; {_FIX}"
        )
    name = f"{function.__module__}.{function.__qualname__}"
    if function.__name__ == "<lambda>":
        raise TypeError(f"{name}: a lambda cannot be a FasterAPI handler; {_FIX}")
    if "<locals>" in function.__qualname__:
        raise TypeError(
            f"{name} is defined inside a function, so sub-interpreters cannot import it; {_FIX}"
        )
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        raise TypeError(
            f"{name} is a generator: FasterAPI does not stream a handler's yielded items "
            "(JSON Lines) yet; return a StreamingResponse instead"
        )
    if not path.startswith("/") and not (in_router and path == ""):
        raise ValueError(f"{name}: route path {path!r} must start with '/'")
    response_class = options.get("response_class")
    if response_class is not None and not (
        isinstance(response_class, type) and issubclass(response_class, Response)
    ):
        raise TypeError(f"{name}: response_class must be a Response subclass")
    bound_first = isinstance(handler, classmethod)
    special = special_params(function, bound_first=bound_first)
    return Route(
        path=path,
        methods=tuple(dict.fromkeys(method.upper() for method in methods)),
        function=function,
        handler=handler,
        module=importable_name(function.__module__),
        qualname=function.__qualname__,
        params=parameter_specs(function, path, bound_first=bound_first),
        status_code=options.get("status_code"),
        is_async=inspect.iscoroutinefunction(function),
        isolated=options.get("isolated"),
        response_class=response_class,
        request_param=special.get("request"),
        response_param=special.get("response"),
        tags=tuple(options.get("tags") or ()),
        summary=options.get("summary"),
        # As FastAPI: the docstring by default, cut at a form feed.
        description=(options.get("description") or inspect.cleandoc(function.__doc__ or ""))
        .split("\f")[0]
        .strip(),
        deprecated=options.get("deprecated"),
        include_in_schema=options.get("include_in_schema", True),
        name=options.get("name") or function.__name__,
        operation_id=options.get("operation_id"),
    )


def check_reachable(route: Route) -> None:
    """Checks, at server start, that `module.qualname` still names the decorated function.

    The name is bound only after the decorator returns, so this cannot run earlier; a name
    rebound later in the module (or a decorator that wraps the handler afterwards) would
    make the sub-interpreters call something else.
    """
    module = sys.modules.get(route.function.__module__)
    if module is None:
        module = importlib.import_module(route.module)
    target: Any = module
    for part in route.qualname.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise StartupError(
                f"handler '{route.qualname}' for {route.path} is not reachable as "
                f"'{route.module}.{route.qualname}'; {_FIX}"
            )
    if getattr(target, "__func__", target) is not route.function:
        raise StartupError(
            f"'{route.module}.{route.qualname}' is no longer the function decorated for "
            f"{route.path} (was the name rebound later in the module, or wrapped by another "
            "decorator?); sub-interpreters would call the wrong object"
        )
