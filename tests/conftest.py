from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "apps"))

from server_process import ServerProcess


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Starts servers for one test; each must stop cleanly (exit 0, no panic) at teardown."""
    started: list[ServerProcess] = []

    def start(target: str, *args: str, ready: bool = True, **kwargs) -> ServerProcess:
        server = ServerProcess(target, *args, cwd=tmp_path, **kwargs)
        started.append(server)
        if ready:
            server.wait_ready()
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            code = server.stop()
            assert code == 0, server.output
        assert "panicked" not in server.output, server.output


@pytest.fixture(scope="module")
def start_module_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], ServerProcess]]:
    """Starts servers (two interpreters each) shared by one test module; each must stop
    cleanly when the module is done."""
    started: list[ServerProcess] = []

    def start(target: str) -> ServerProcess:
        server = ServerProcess(target, "--interpreters", "2", cwd=tmp_path_factory.mktemp("module"))
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        code = server.stop()
        assert code == 0, server.output
        assert "panicked" not in server.output, server.output


@pytest.fixture(scope="module")
def basic_server(start_module_server: Callable[[str], ServerProcess]) -> ServerProcess:
    """One server running `apps/basic_app.py`, shared by a module."""
    return start_module_server("basic_app:app")


@pytest.fixture(scope="module")
def client(basic_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=basic_server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def params_client(start_module_server: Callable[[str], ServerProcess]) -> Iterator[httpx.Client]:
    """A client of FasterAPI serving `apps/params_app.py`, shared by a module."""
    server = start_module_server("params_app:app")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def params_fastapi():
    """FastAPI's TestClient for the same `apps/params_app.py`."""
    from fastapi_twin import fastapi_client

    with fastapi_client("params_app.py") as client:
        yield client
