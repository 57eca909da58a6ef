"""The server's log: uvicorn-style access lines, Python `logging` from every interpreter
in the same output, the JSON format, and the `routes` command."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

APPS = Path(__file__).parent / "apps"


def _wait_for(server, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in server.output:
        assert time.monotonic() < deadline, f"{text!r} not logged:\n{server.output}"
        time.sleep(0.02)


def test_python_logging_in_handlers_reaches_the_server_log(start_server):
    server = start_server("logging_app:app", "--interpreters", "2")
    for word in ("alpha", "beta", "gamma"):
        assert httpx.get(f"{server.base_url}/info/{word}").json() == {"logged": word}
    assert httpx.get(f"{server.base_url}/failure").status_code == 200
    for word in ("alpha", "beta", "gamma"):
        _wait_for(server, f"info from a handler: {word}")
    _wait_for(server, "KeyError: 'lost'")
    record = server.output[server.output.index("handled, and logged") :]
    assert "Traceback (most recent call last):" in record
    # --log-level info: a debug record is filtered out, as the core's own are.
    assert httpx.get(f"{server.base_url}/debug").status_code == 200
    _wait_for(server, '"GET /debug HTTP/1.1" 200 OK')
    assert "a debug record" not in server.output


def test_access_log_lines_look_like_uvicorns_and_can_be_turned_off(start_server):
    server = start_server("logging_app:app", "--interpreters", "1")
    httpx.get(f"{server.base_url}/info/x?y=1")
    httpx.get(f"{server.base_url}/nope")
    _wait_for(server, ' - "GET /info/x?y=1 HTTP/1.1" 200 OK')
    _wait_for(server, ' - "GET /nope HTTP/1.1" 404 Not Found')
    quiet = start_server("logging_app:app", "--interpreters", "1", "--no-access-log")
    assert httpx.get(f"{quiet.base_url}/info/quiet").status_code == 200
    _wait_for(quiet, "info from a handler: quiet")
    assert "HTTP/1.1" not in quiet.output


def test_json_log_format_writes_one_object_per_line(start_server):
    server = start_server("logging_app:app", "--interpreters", "1", "--log-format", "json")
    httpx.get(f"{server.base_url}/info/json")
    _wait_for(server, "info from a handler: json")
    _wait_for(server, "GET /info/json")
    records = [json.loads(line) for line in server.output.splitlines() if line.strip()]
    handler_record = next(r for r in records if "json" in r["fields"]["message"])
    assert handler_record["level"] == "INFO"
    assert handler_record["fields"]["logger"] == "logging_app"
    assert any(r.get("target") == "access" for r in records)


def test_routes_command_lists_each_route_and_where_it_runs():
    listing = subprocess.run(
        [sys.executable, "-m", "fasterapi", "routes", "mixed_app:app"],
        cwd=APPS,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    assert listing[0].split() == ["METHODS", "PATH", "HANDLER", "RUNS", "ON"]
    rows = {line.split()[1]: line for line in listing[1:]}
    assert rows["/isolated/whoami"].split()[2:] == ["mixed_isolated:whoami", "sub-interpreters"]
    assert "main interpreter (module 'mixed_models' cannot load" in rows["/models/point"]
