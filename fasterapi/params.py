"""Parameter markers: `Query`, `Path`, `Header`, `Cookie` and `Body`, as in FastAPI.

Use them as a default (`q: str = Query(None, max_length=5)`) or inside `Annotated`
(`q: Annotated[str | None, Query(max_length=5)] = None`). They only carry data: the
signature reader (`fasterapi.signature`) turns them into the spec the Rust core validates
with, and the worker reads `default` back when the request leaves the parameter out.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar

Required: Any = ...
"""The default that marks a parameter as required, as in FastAPI (`Query(...)`)."""


class Param:
    """What every marker records; the subclass says where the value comes from."""

    source: ClassVar[str]

    def __init__(
        self,
        default: Any = Required,
        *,
        alias: str | None = None,
        title: str | None = None,
        description: str | None = None,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        regex: str | None = None,
        examples: list[Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
    ) -> None:
        self.default = default
        self.alias = alias
        self.title = title
        self.description = description
        self.examples = examples
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.constraints: dict[str, Any] = {
            name: value
            for name, value in (
                ("gt", gt),
                ("ge", ge),
                ("lt", lt),
                ("le", le),
                ("min_length", min_length),
                ("max_length", max_length),
                ("pattern", pattern if pattern is not None else regex),
            )
            if value is not None
        }

    @property
    def required(self) -> bool:
        return self.default is Required

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default!r})"


class Query(Param):
    source = "query"


class Path(Param):
    source = "path"


class Cookie(Param):
    source = "cookie"


class Header(Param):
    source = "header"

    def __init__(
        self, default: Any = Required, *, convert_underscores: bool = True, **options: Any
    ) -> None:
        super().__init__(default, **options)
        self.convert_underscores = convert_underscores


class Body(Param):
    source = "body"

    def __init__(
        self,
        default: Any = Required,
        *,
        embed: bool | None = None,
        media_type: str = "application/json",
        **options: Any,
    ) -> None:
        super().__init__(default, **options)
        self.embed = embed
        self.media_type = media_type


# Defaults of these types are passed as they are; any other (a list, a tuple that may hold
# one) is deep-copied for each call, as FastAPI does.
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes)


def marker_defaults(function: Callable[..., Any]) -> dict[str, tuple[Any, bool]]:
    """For each parameter whose default is a marker with a default (`q: int = Query(5)`):
    that default, and whether it must be copied for each call (it is mutable).

    Called by every worker, inside its own interpreter, when it loads the handler.
    """
    defaults = {}
    for name, marker in _signature_defaults(function).items():
        if isinstance(marker, Param) and not marker.required:
            defaults[name] = (marker.default, not isinstance(marker.default, _IMMUTABLE))
    return defaults


def _signature_defaults(function: Callable[..., Any]) -> dict[str, Any]:
    """The defaults of `function`'s parameters by name, read from the function object
    itself (`inspect.signature` would load `inspect` into every worker for this)."""
    function = getattr(function, "__func__", function)  # a class method, bound
    code = function.__code__
    positional = code.co_varnames[: code.co_argcount]
    values = function.__defaults__ or ()
    found = dict(zip(positional[len(positional) - len(values) :], values, strict=True))
    found.update(function.__kwdefaults__ or {})
    return found
