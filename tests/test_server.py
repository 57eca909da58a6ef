"""Serving behaviour: handler errors, graceful stop, handler shapes, the CLI's messages."""

from __future__ import annotations

import concurrent.futures
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from server_process import APPS, ScriptRun

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_a_raising_handler_gets_500_and_the_interpreter_keeps_serving(basic_server, client):
    for _ in range(20):
        response = client.get("/boom")
        assert response.status_code == 500
        assert response.text == "Internal Server Error"
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/users/1").json() == {"user_id": 1, "q": None, "limit": 10}
    # The traceback is logged with the route.
    deadline = time.monotonic() + 10
    while "ValueError: boom" not in basic_server.output and time.monotonic() < deadline:
        time.sleep(0.05)
    log = basic_server.output
    assert "ValueError: boom" in log
    assert 'raise ValueError("boom")' in log
    assert "/boom" in log and "basic_app:boom" in log


def test_unrenderable_results_are_logged_with_the_reason(basic_server, client):
    assert client.get("/nan").status_code == 500
    assert client.get("/unserializable").status_code == 500
    deadline = time.monotonic() + 10
    wanted = [
        "Out of range float values are not JSON compliant",
        "vars() argument must have __dict__ attribute",
    ]
    while not all(text in basic_server.output for text in wanted) and time.monotonic() < deadline:
        time.sleep(0.05)
    for text in wanted:
        assert text in basic_server.output


def test_keep_alive_connection_serves_many_requests(client):
    for user_id in range(50):
        assert client.get(f"/users/{user_id}").json()["user_id"] == user_id


def test_the_readme_example_serves_as_documented(start_server):
    server = start_server(str(EXAMPLES / "hello.py"), "--interpreters", "2")
    response = httpx.get(f"{server.base_url}/users/7", params={"q": "x"})
    assert response.content == b'{"user_id":7,"q":"x","limit":10}'
    assert httpx.get(f"{server.base_url}/").json() == {"message": "Hello, World!"}


def test_static_and_class_methods_are_handlers(start_server):
    server = start_server("methods_app:app", "--interpreters", "1")
    assert httpx.get(f"{server.base_url}/static/4").json() == {"n": 4}
    assert httpx.get(f"{server.base_url}/class?name=y").json() == {
        "class": "Catalog",
        "label": "item-y",
    }


def test_a_script_run_as_main_serves_its_handlers(tmp_path):
    with ScriptRun(APPS / "script_app.py", tmp_path, "/where") as script:
        # Workers imported the script under its importable name, not as `__main__`.
        assert httpx.get(f"{script.base_url}/where").json() == {"module": "script_app"}
    assert script.returncode == 0, script.output


def test_sigterm_finishes_in_flight_requests_then_exits_cleanly(start_server, tmp_path):
    server = start_server("parallel_app:app", "--interpreters", "2")
    marker = tmp_path / "started"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(
            httpx.get,
            f"{server.base_url}/slow",
            params={"seconds": 1.5, "marker": str(marker)},
            timeout=30,
        )
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        server.process.send_signal(signal.SIGTERM)
        response = in_flight.result()
    assert response.status_code == 200
    assert response.json()["slept"] == 1.5
    assert server.wait_exit() == 0
    assert "received SIGTERM" in server.output
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.base_url)


def test_sigint_stops_an_idle_server_with_exit_code_0(start_server):
    server = start_server("basic_app:app", "--interpreters", "2")
    assert httpx.get(f"{server.base_url}/").status_code == 200
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.output
    assert "FasterAPI stopped" in server.output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_apps_using_hashlib_ssl_asyncio_stop_without_aborting(start_server, signum):
    server = start_server("stdlib_heavy_app:app", "--interpreters", "2")
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(4):
            assert client.get("/digest", params={"text": "a"}).json()["sha256"].startswith("ca97")
    assert server.stop(signum) == 0, server.output
    assert "Fatal Python error" not in server.output


STARTUP_FAILURES = [
    pytest.param(
        "refusing_extension_app:app --strict-isolation",
        ["refusing_extension_app", "does not support loading in subinterpreters"],
        id="strict-isolation-and-an-extension-refusing-subinterpreters",
    ),
    pytest.param(
        "main_only_app:app",
        ["main_only_app", "RuntimeError: this module needs the main interpreter"],
        id="module-fails-in-subinterpreter",
    ),
    pytest.param(
        "rebound_app:app",
        ["rebound_app.root", "no longer the function decorated"],
        id="handler-name-rebound",
    ),
    pytest.param(
        "broken_import_app:app",
        ["broken_import_app", "No module named 'this_module_does_not_exist'"],
        id="module-import-error",
    ),
    pytest.param(
        "bad_pattern_app:app",
        ["bad_pattern_app:search", "^(?=a)a+$", "look-around"],
        id="pattern-refused-by-regex",
    ),
    pytest.param("no_such_module:app", ["no_such_module"], id="module-missing"),
    pytest.param("basic_app:nothing", ["basic_app", "nothing"], id="attribute-missing"),
    pytest.param("basic_app:Users", ["not a FasterAPI app"], id="not-an-app"),
]


@pytest.mark.parametrize(("target", "expected"), STARTUP_FAILURES)
def test_startup_problems_stop_with_one_readable_message(start_server, target, expected):
    target, *options = target.split()
    server = start_server(target, "--interpreters", "2", *options, ready=False)
    code = server.wait_exit(timeout=60)
    output = server.output
    assert code == 1, output
    error_lines = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(error_lines) == 1, output
    for text in expected:
        assert text in error_lines[0], output
    assert "panicked" not in output
    assert "Traceback" not in output


def test_a_port_in_use_is_a_readable_startup_error(start_server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start_server("basic_app:app", "--port", str(port), ready=False)
        assert server.wait_exit(timeout=60) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in server.output
