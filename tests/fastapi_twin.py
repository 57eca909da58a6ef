"""Loading a test app a second time on real FastAPI, for differential tests."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from fastapi.testclient import TestClient

APPS = Path(__file__).parent / "apps"


def fastapi_client(app_file: str) -> TestClient:
    """A FastAPI TestClient for `apps/<app_file>`, with only its import line changed."""
    source = (APPS / app_file).read_text()
    assert "from fasterapi import " in source
    source = source.replace("from fasterapi import ", "from fastapi import ")
    source = source.replace("from fasterapi.", "from fastapi.")
    module = types.ModuleType(f"fastapi_twin_{Path(app_file).stem}")
    sys.modules[module.__name__] = module  # dataclasses look their module up by name
    exec(compile(source, str(APPS / app_file), "exec"), module.__dict__)
    return TestClient(module.app, raise_server_exceptions=False, follow_redirects=False)
