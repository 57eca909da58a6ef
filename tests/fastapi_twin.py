"""Loading a test app a second time on real FastAPI, for differential tests."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

APPS = Path(__file__).parent / "apps"


def fastapi_app(app_file: str | Path) -> Any:
    """The FastAPI app of `apps/<app_file>` (or of the file at that absolute path), loaded
    with only its import lines changed, in a module named `fastapi_twin_<stem>`."""
    path = APPS / app_file
    source = path.read_text()
    assert "from fasterapi import " in source
    source = source.replace("from fasterapi import ", "from fastapi import ")
    source = source.replace("from fasterapi.", "from fastapi.")
    module = types.ModuleType(f"fastapi_twin_{path.stem}")
    sys.modules[module.__name__] = module  # dataclasses look their module up by name
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module.app


def fastapi_client(app_file: str) -> TestClient:
    """A FastAPI TestClient for `apps/<app_file>`, with only its import line changed."""
    return TestClient(fastapi_app(app_file), raise_server_exceptions=False, follow_redirects=False)
