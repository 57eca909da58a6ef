"""`--reload`: a changed `.py` file restarts the server with the new code, and stopping
the watcher stops the server too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("watchfiles")

APP = """from fasterapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {{"version": {version}}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answer(url: str) -> dict | None:
    try:
        return httpx.get(url, timeout=2).json()
    except httpx.HTTPError:
        return None


def _wait_for_answer(url: str, wanted: dict, process: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while _answer(url) != wanted:
        assert process.poll() is None, "the reloader exited"
        assert time.monotonic() < deadline, f"never answered {wanted}"
        time.sleep(0.1)


def test_a_changed_file_restarts_the_server_with_the_new_code(tmp_path: Path):
    app = tmp_path / "reload_app.py"
    app.write_text(APP.format(version=1))
    port = _free_port()
    command = [sys.executable, "-m", "fasterapi", "run", "reload_app:app", "--port", str(port)]
    command += ["--interpreters", "1", "--reload", "--reload-dir", str(tmp_path)]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_answer(url, {"version": 1}, process)
        app.write_text(APP.format(version=2))
        _wait_for_answer(url, {"version": 2}, process)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Reloading after changes to" in output, output
    assert output.count("FasterAPI running on") == 2, output
    assert _answer(url) is None  # the server went with the watcher
