"""Naming modules so that every sub-interpreter can import them again.

Workers find each handler by importable module name and qualified name. A script run as
`__main__` has no importable name of its own, so it is given the one its file path has on
`sys.path`; an app named on the command line is imported the same way.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from fasterapi.exceptions import AppLoadError


def importable_name(module_name: str) -> str:
    """The name under which `module_name` can be imported in a fresh interpreter."""
    if module_name != "__main__":
        return module_name
    main = sys.modules["__main__"]
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != "__main__":
        return spec.name  # started with `python -m package.module`
    file = getattr(main, "__file__", None)
    if file is None:
        raise TypeError(
            "handlers defined in an interactive session cannot run in sub-interpreters: "
            "put them in a module or script file"
        )
    return name_for_path(Path(file))


def name_for_path(path: Path) -> str:
    """The dotted module name of the file `path`, relative to an entry of `sys.path`."""
    path = path.resolve()
    for entry in sys.path:
        base = Path(entry or ".").resolve()
        try:
            relative = path.with_suffix("").relative_to(base)
        except ValueError:
            continue
        parts = [part for part in relative.parts if part != "__init__"]
        if parts and all(part.isidentifier() for part in parts):
            return ".".join(parts)
    raise TypeError(
        f"{path} is not importable from sys.path, so sub-interpreters cannot import it; "
        "run it from its project directory or add that directory to PYTHONPATH"
    )


def load_app(target: str, default_attribute: str = "app") -> object:
    """Imports `MODULE[:ATTR]` or `FILE.py[:ATTR]` and returns the attribute."""
    location, _, attribute = target.partition(":")
    if location.endswith(".py"):
        module_name = _prepare_file_import(Path(location))
    else:
        module_name = location
        if "" not in sys.path and str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
    module = _import(module_name)
    attribute = attribute or default_attribute
    obj: object = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AppLoadError(f"module '{module_name}' has no attribute '{attribute}'") from None
    return obj


def _prepare_file_import(file: Path) -> str:
    """Puts the root of `file`'s package (or its folder) on `sys.path`; returns its name."""
    if not file.is_file():
        raise AppLoadError(f"file '{file}' does not exist")
    file = file.resolve()
    root = file.parent
    while (root / "__init__.py").is_file():
        root = root.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    parts = [*file.parent.relative_to(root).parts, file.stem]
    return ".".join(part for part in parts if part != "__init__")


def _import(module_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except Exception as error:  # any import-time failure becomes one readable line
        raise AppLoadError(
            f"could not import module '{module_name}': {type(error).__name__}: {error}"
        ) from error
