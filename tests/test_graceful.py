"""SIGTERM under load: what was accepted is answered, nothing accepted is reset, new
connections are refused, and the server exits 0 within the grace period."""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import httpx
import pytest


def _wait_for_handlers(marker, count: int) -> None:
    """Until `count` handlers wrote to `marker`: they are running."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if marker.exists() and len(marker.read_text().splitlines()) >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the handlers did not start")


def _address(server) -> tuple[str, int]:
    host, port = server.base_url.removeprefix("http://").split(":")
    return host, int(port)


def test_requests_in_flight_complete_and_new_connections_are_refused(start_server, tmp_path):
    server = start_server("graceful_app:app", "--interpreters", "2")
    marker = tmp_path / "started"
    params = {"seconds": 2, "started": str(marker)}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = [
            pool.submit(httpx.get, f"{server.base_url}/slow", params=params, timeout=30)
            for _ in range(2)
        ]
        _wait_for_handlers(marker, 2)
        server.process.send_signal(signal.SIGTERM)
        # The listener closes at once: a new connection is refused while those finish.
        refused = None
        for _ in range(100):
            try:
                socket.create_connection(_address(server), timeout=1).close()
            except ConnectionRefusedError as error:
                refused = error
                break
            time.sleep(0.02)
        answers = [future.result() for future in slow]
    assert refused is not None, "a connection was accepted after SIGTERM"
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all(answer.json() == {"slept": 2.0} for answer in answers)
    # The last response tells the client the connection ends.
    assert all(answer.headers["connection"] == "close" for answer in answers)
    assert server.wait_exit(timeout=30) == 0, server.output


def test_a_kept_alive_connection_gets_its_next_request_answered_with_close(start_server):
    server = start_server("graceful_app:app", "--interpreters", "2")
    with socket.create_connection(_address(server), timeout=10) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200 OK")
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.05)  # the stop is under way; the connection is idle, not yet closed
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK"), answer
    assert b"connection: close" in head.lower()
    assert body == b'{"ok":true}'
    assert server.wait_exit(timeout=30) == 0, server.output


def test_the_grace_period_bounds_the_wait(start_server):
    server = start_server("graceful_app:app", "--interpreters", "2", "--graceful-timeout", "1")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(httpx.get, f"{server.base_url}/slow", params={"seconds": 8}, timeout=30)
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        # Exits 0 well before the handler would have returned; the client is cut.
        assert server.wait_exit(timeout=6) == 0, server.output
        with pytest.raises(httpx.HTTPError):
            stuck.result()
    assert "graceful shutdown timed out" in server.output
    assert "still running a handler after the grace period" in server.output


WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@pytest.mark.skipif(
    shutil.which("wrk") is None and not os.environ.get("CI"), reason="needs wrk (apt install wrk)"
)
def test_sigterm_during_a_wrk_run_resets_nothing_it_accepted(start_server):
    server = start_server("graceful_app:app", "--interpreters", "2", "--no-access-log")
    load = subprocess.Popen(
        ["wrk", "-t2", "-c32", "-d4s", "--timeout", "10s", f"{server.base_url}/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(1.5)
    server.process.send_signal(signal.SIGTERM)
    assert server.wait_exit(timeout=30) == 0, server.output
    report, _ = load.communicate(timeout=30)
    assert load.returncode == 0, report
    served = re.search(r"(\d+) requests in", report)
    assert served and int(served.group(1)) > 0, report
    # Every request wrk sent on a connection the server accepted was answered: no read
    # errors (a reset or close before the answer) and no timeouts. Connecting after the
    # stop is refused; wrk counts those as connect or write errors.
    errors = WRK_ERRORS.search(report)
    if errors:
        _connect, read, _write, timeout = map(int, errors.groups())
        assert (read, timeout) == (0, 0), report
    assert "Non-2xx" not in report, report
