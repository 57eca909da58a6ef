"""Where each route runs: the sub-interpreter pool, or the main interpreter.

Routes run in parallel sub-interpreters unless their code cannot load there: pydantic-core,
orjson, numpy and every other PyO3 or single-phase extension refuse own-GIL
sub-interpreters. At startup every module a route needs is imported once in a scratch
sub-interpreter; a route whose modules refuse runs on the main interpreter instead (one
call at a time), and the startup report says so. `strict=True` (`--strict-isolation`)
makes that fallback a startup error.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.machinery import EXTENSION_SUFFIXES
from typing import TYPE_CHECKING

from fasterapi.exceptions import StartupError

if TYPE_CHECKING:
    from fasterapi.applications import FasterAPI
    from fasterapi.routing import Route

# (module names) -> one (status, message) per module; status is "loaded", "refused" or
# "failed". `fasterapi._core.probe_imports` in production.
Probe = Callable[[Sequence[str]], Sequence[tuple[str, str]]]


@dataclass
class Placement:
    """Which routes run where, and why."""

    on_main: dict[int, str] = field(default_factory=dict)  # route index -> reason
    pool: list[int] = field(default_factory=list)
    app_location: tuple[str, str, str] | None = None

    def report(self, app: FasterAPI, interpreters: int) -> str:
        """The startup report: interpreter count, and which routes run where and why."""
        routes = app.routes
        lines = []
        if self.pool or not self.on_main:
            lines.append(
                f"{interpreters} sub-interpreters (in parallel) serve "
                f"{_count(len(self.pool), 'route')}"
                + (f" from {', '.join(_modules(routes, self.pool))}" if self.pool else "")
            )
        if self.on_main:
            lines.append(
                f"the main interpreter (one call at a time) serves "
                f"{_count(len(self.on_main), 'route')}:"
            )
            by_reason: dict[str, list[int]] = {}
            for index, reason in self.on_main.items():
                by_reason.setdefault(reason, []).append(index)
            for reason, indexes in by_reason.items():
                lines.append(f"  because {reason}:")
                lines.extend(f"    {_describe(routes[index])}" for index in indexes)
        if app.runs_lifespan:
            lines.append("the app's lifespan (startup/shutdown) runs in each of them")
        return "\n".join(lines)


def place_routes(app: FasterAPI, probe: Probe, *, strict: bool = False) -> Placement:
    """Decides where each route of `app` runs; raises `StartupError` if a module fails to
    import for another reason, or (with `strict`) if any route would need the fallback."""
    placement = Placement()
    if app.runs_in_each_interpreter:
        placement.app_location = app_location(app)
    else:
        # Not needed to serve, but `request.app` finds the app there when asked.
        with contextlib.suppress(StartupError):
            placement.app_location = app_location(app)
    # Where every interpreter must load the app (else it is only looked up on demand).
    needed = placement.app_location if app.runs_in_each_interpreter else None
    wanted: dict[str, None] = {}
    for route in app.routes:
        if app.isolated and route.isolated is not False:
            wanted.update(dict.fromkeys(route.needed_modules()))
    if (
        needed is not None
        and app.isolated
        and any(route.isolated is not False for route in app.routes)
    ):
        wanted[needed[0]] = None
    verdicts = dict(zip(wanted, probe(list(wanted)), strict=True))
    refused = {module: why for module, (status, why) in verdicts.items() if status == "refused"}
    app_refused = needed is not None and needed[0] in refused
    for index, route in enumerate(app.routes):
        reason = _main_reason(app, route, refused, app_refused, needed)
        if reason is None:
            for module in route.needed_modules():
                status, why = verdicts[module]
                if status == "failed":
                    raise StartupError(why)
            placement.pool.append(index)
        else:
            placement.on_main[index] = reason
    fallback = {
        index: reason
        for index, reason in placement.on_main.items()
        if reason not in (_MARKED_ON_APP, _MARKED_ON_ROUTE)
    }
    if strict and fallback:
        by_reason: dict[str, list[str]] = {}
        for index, reason in fallback.items():
            route = app.routes[index]
            by_reason.setdefault(reason, []).append(f"{' '.join(route.methods)} {route.path}")
        raise StartupError(
            "strict isolation: "
            + "; ".join(
                f"{reason}, needed by {', '.join(routes)}" for reason, routes in by_reason.items()
            )
        )
    return placement


# Chosen by the user, so not a fallback that --strict-isolation refuses.
_MARKED_ON_APP = "it is marked isolated=False (on the app)"
_MARKED_ON_ROUTE = "it is marked isolated=False"


def _main_reason(
    app: FasterAPI,
    route: Route,
    refused: dict[str, str],
    app_refused: bool,
    app_location: tuple[str, str, str] | None,
) -> str | None:
    """Why `route` must run on the main interpreter; `None` if it can run in the pool."""
    if not app.isolated:
        return _MARKED_ON_APP
    if route.isolated is False:
        return _MARKED_ON_ROUTE
    for module in route.needed_modules():
        if module in refused:
            return f"module '{module}' cannot load in a sub-interpreter ({_cause(refused[module])})"
    if app_refused and app_location is not None:
        return (
            f"the app's {app.runs_in_each_interpreter} must run in every interpreter, and its "
            f"module '{app_location[0]}' cannot load in a sub-interpreter "
            f"({_cause(refused[app_location[0]])})"
        )
    return None


def app_location(app: FasterAPI) -> tuple[str, str, str]:
    """`(module, attribute, module in this process)` under which each interpreter finds
    its own copy of `app` (the main interpreter finds this very object: a script run as
    `__main__` is not imported a second time there): a
    module-level name bound to it, in the module that created it or any other (an app
    made by a factory function, or by a subclass, lives where it was assigned)."""
    from fasterapi.modules import importable_name

    candidates = [sys.modules.get(app.defined_in)]
    candidates += [module for name, module in list(sys.modules.items()) if name != app.defined_in]
    for module in candidates:
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is app:
                try:
                    return importable_name(module.__name__), name, module.__name__
                except TypeError:  # an interactive __main__: keep looking
                    continue
    raise StartupError(
        f"the app has {app.runs_in_each_interpreter}, so every interpreter must find "
        "it, but no module has it as a module-level name; assign it at module level "
        "(app = FastAPI(...))"
    )


def probe_in_subinterpreter(modules: Sequence[str]) -> Sequence[tuple[str, str]]:
    """Imports `modules` in a scratch sub-interpreter (the real probe).

    Skipped when no loaded extension module could refuse a sub-interpreter: the scratch
    interpreter costs startup time and leaves a few MiB behind. A module that fails there
    for another reason then fails the same way in the workers, with the same message.
    """
    if not modules or not extensions_that_may_refuse():
        return [("loaded", "")] * len(modules)
    return probe_always(modules)


def probe_always(modules: Sequence[str]) -> Sequence[tuple[str, str]]:
    """Imports `modules` in a scratch sub-interpreter, whatever is loaded."""
    from fasterapi import _core

    if not modules:
        return []
    sys_path = [os.path.abspath(entry or os.curdir) for entry in sys.path]
    return _core.probe_imports(sys_path, list(modules))


# Standard-library extensions that refuse sub-interpreters on 3.12 without a pure-Python
# fallback (`_decimal`, `_datetime` and `_elementtree` refuse too, but their modules fall
# back, and sub-interpreters never import `_zoneinfo`, so `zoneinfo` falls back as well);
# on 3.13 the whole standard library loads.
_STDLIB_REFUSING_312 = {"_ctypes"}


def extensions_that_may_refuse() -> list[str]:
    """Loaded extension modules that might refuse an own-GIL sub-interpreter: any outside
    the standard library's own directory, and the few standard ones 3.12 refuses."""
    # Where this Python installed its own extension modules (a venv does not move them).
    stdlib_dynload = sysconfig.get_config_var("DESTSHARED") or os.path.join(
        sys.base_exec_prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}"
    )
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not file.endswith(tuple(EXTENSION_SUFFIXES)):
            continue
        in_stdlib = os.path.dirname(os.path.abspath(file)) == os.path.abspath(stdlib_dynload)
        if not in_stdlib or (sys.version_info < (3, 13) and name in _STDLIB_REFUSING_312):
            found.append(name)
    return found


def _cause(message: str) -> str:
    # "module 'x' cannot be imported in a sub-interpreter: ImportError: ..." -> the error
    return message.split(": ", 1)[-1].split("\n", 1)[0]


def _describe(route: Route) -> str:
    return f"{' '.join(route.methods)} {route.path} ({route.endpoint})"


def _modules(routes: list[Route], indexes: list[int]) -> list[str]:
    return list(dict.fromkeys(routes[index].module for index in indexes))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
