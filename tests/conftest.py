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
def basic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server with two interpreters running `apps/basic_app.py`, shared by a module."""
    server = ServerProcess(
        "basic_app:app", "--interpreters", "2", cwd=tmp_path_factory.mktemp("basic")
    )
    server.wait_ready()
    yield server
    code = server.stop()
    assert code == 0, server.output
    assert "panicked" not in server.output


@pytest.fixture(scope="module")
def client(basic_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=basic_server.base_url, timeout=30) as client:
        yield client
