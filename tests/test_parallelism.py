"""Handlers run in several own-GIL interpreters at once; proven without timing."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import httpx


def test_two_requests_that_wait_for_each_other_meet_in_two_interpreters(
    start_server, tmp_path: Path
) -> None:
    server = start_server("parallel_app:app", "--interpreters", "2")
    folder = tmp_path / "rendezvous"
    folder.mkdir()

    def arrive(me: str, other: str) -> dict:
        params = {"folder": str(folder), "me": me, "other": other}
        response = httpx.get(f"{server.base_url}/rendezvous", params=params, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(arrive, "a", "b")
        second = pool.submit(arrive, "b", "a")
        results = [first.result(), second.result()]

    assert [result["met"] for result in results] == [True, True]
    interpreters = {result["interpreter"] for result in results}
    assert len(interpreters) == 2
    assert 0 not in interpreters, "handlers must not run in the main interpreter"


def wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def test_a_busy_interpreter_leaves_requests_to_the_free_one(start_server, tmp_path: Path) -> None:
    server = start_server("parallel_app:app", "--interpreters", "2")
    marker = tmp_path / "slow-started"
    with (
        httpx.Client(base_url=server.base_url, timeout=60) as client,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        slow = pool.submit(client.get, "/slow", params={"seconds": 3, "marker": str(marker)})
        wait_for(marker)
        counts = [client.get("/counter").json() for _ in range(3)]
        busy_interpreter = slow.result().json()["interpreter"]
    # All three went to the free interpreter, whose module state is its own.
    assert {body["interpreter"] for body in counts} != {busy_interpreter}
    assert len({body["interpreter"] for body in counts}) == 1
    assert [body["calls"] for body in counts] == [1, 2, 3]


def test_one_interpreter_serves_requests_one_after_another(start_server) -> None:
    server = start_server("parallel_app:app", "--interpreters", "1")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda _: httpx.get(f"{server.base_url}/whoami").json(), range(8)))
    assert len({body["interpreter"] for body in bodies}) == 1
    assert len({body["thread"] for body in bodies}) == 1
