"""`async def` handlers: they run as tasks on each interpreter's event loop, many at once,
mixed freely with sync handlers (`apps/async_app.py`)."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest
from server_process import APPS, ScriptRun


@pytest.fixture(scope="module")
def async_server(start_module_server):
    return start_module_server("async_app:app")


@pytest.fixture(scope="module")
def client(async_server):
    with httpx.Client(base_url=async_server.base_url, timeout=60) as client:
        yield client


async def _concurrently(base_url: str, path: str, count: int, **params) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        return await asyncio.gather(*(client.get(path, params=params) for _ in range(count)))


def _max_overlap(spans: list[tuple[float, float]]) -> int:
    """The largest number of spans in progress at one moment."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = best = 0
    for _, step in events:
        running += step
        best = max(best, running)
    return best


def test_200_sleeping_handlers_overlap_on_two_interpreters(async_server):
    responses = asyncio.run(_concurrently(async_server.base_url, "/sleep", 200, seconds=0.1))
    assert [response.status_code for response in responses] == [200] * 200
    bodies = [response.json() for response in responses]
    spans = [(body["start"], body["end"]) for body in bodies]
    # Two interpreters running one request at a time could never have more than two in
    # progress; sleeping coroutines leave their interpreter free for the next request.
    assert _max_overlap(spans) > 20
    assert 0 not in {body["interpreter"] for body in bodies}


def test_an_async_handler_that_never_suspends_answers(client):
    response = client.get("/instant", params={"name": "bob"})
    assert response.status_code == 200
    assert response.json() == {"hello": "bob"}


def test_asyncio_tasks_timeouts_and_gather_work_inside_handlers(client):
    assert client.get("/task").json() == {
        "task": True,
        "gathered": ["a", "b"],
        "timed_out": True,
    }


def test_async_handlers_take_validated_parameters_and_bodies(client):
    response = client.post(
        "/items/7", json={"name": "pen", "price": 1.5}, headers={"x-token": "secret"}
    )
    assert response.status_code == 201
    assert response.json() == {"id": 7, "name": "pen", "price": 1.5, "token": "secret"}
    invalid = client.post("/items/x", json={"name": "pen"})
    assert invalid.status_code == 422
    assert [error["loc"] for error in invalid.json()["detail"]] == [
        ["path", "item_id"],
        ["body", "price"],
    ]


@pytest.mark.parametrize("path", ["/raise", "/raise-now", "/unrenderable"])
def test_a_failing_async_handler_gets_500_and_the_interpreter_keeps_serving(
    async_server, client, path
):
    for _ in range(4):
        response = client.get(path)
        assert response.status_code == 500
        assert response.text == "Internal Server Error"
    assert client.get("/instant").status_code == 200
    assert "Exception in handler" in async_server.output


def test_system_exit_in_an_async_handler_is_a_500_and_the_loop_serves_on(async_server, client):
    for _ in range(4):  # both interpreters, twice each on average
        response = client.get("/exit")
        assert response.status_code == 500
        assert response.text == "Internal Server Error"
    for _ in range(10):
        assert client.get("/instant").json() == {"hello": "x"}
    assert async_server.process.poll() is None
    # Logged as the handler's failure (once: not again as an escape from the loop).
    assert "in exit_after_await\n    raise SystemExit(3)\nSystemExit: 3" in async_server.output
    assert "escaped the event loop" not in async_server.output


def test_context_variables_set_by_a_request_do_not_leak_into_the_next(client):
    for _ in range(6):
        assert client.get("/context/sync").json() == {"seen": "unset"}
        assert client.get("/context/async").json() == {"seen": "unset"}


def test_sync_and_async_handlers_mix_under_concurrency(async_server):
    async def mixed() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(
            base_url=async_server.base_url, timeout=60, limits=limits
        ) as client:
            requests = []
            for index in range(60):
                if index % 3 == 0:
                    requests.append(client.get("/block", params={"seconds": 0.001}))
                elif index % 3 == 1:
                    requests.append(client.get("/sleep", params={"seconds": 0.05}))
                else:
                    requests.append(client.get("/instant", params={"name": str(index)}))
            return await asyncio.gather(*requests)

    responses = asyncio.run(mixed())
    assert all(response.status_code == 200 for response in responses)
    names = [response.json()["hello"] for response in responses[2::3]]
    assert names == [str(index) for index in range(2, 60, 3)]


def test_a_sync_handler_holds_up_a_ready_coroutine_for_its_own_run_only(start_server):
    """One interpreter: a coroutine that becomes ready while sync handlers are queued
    resumes after at most the sync handler running at that moment, not after all of them."""
    server = start_server("async_app:app", "--interpreters", "1")

    async def scenario() -> tuple[dict, list[dict]]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            sleeper = asyncio.ensure_future(client.get("/sleep", params={"seconds": 0.2}))
            await asyncio.sleep(0.05)  # the coroutine is asleep before the burst arrives
            blockers = [client.get("/block", params={"seconds": 0.15}) for _ in range(5)]
            blocked = await asyncio.gather(*blockers)
            return (await sleeper).json(), [response.json() for response in blocked]

    sleeper, blockers = asyncio.run(scenario())
    due = sleeper["start"] + 0.2
    # Sync handlers that started after the coroutine was due and finished before it
    # resumed: with one job per loop turn while a task is pending, there are none.
    overtaking = [b for b in blockers if b["start"] >= due and b["end"] <= sleeper["end"]]
    assert overtaking == [], (sleeper, blockers)
    assert any(b["start"] >= sleeper["end"] for b in blockers), (sleeper, blockers)


def test_a_script_with_async_handlers_returns_from_run_and_exits_cleanly(tmp_path):
    """`fasterapi.run()` returns and the interpreter finalizes normally, on 3.12 too (see
    `fasterapi.worker_loop.prime_in_main_interpreter`)."""
    with ScriptRun(APPS / "async_script_app.py", tmp_path, "/digest?text=a") as script:
        digest = httpx.get(f"{script.base_url}/digest", params={"text": "a"}).json()
        assert digest["sha256"].startswith("ca978112")
        for _ in range(10):
            assert httpx.get(f"{script.base_url}/digest", params={"text": "b"}).is_success
    assert script.returncode == 0, script.output
    assert "run() returned" in script.output
    assert "Fatal Python error" not in script.output


def test_sigterm_lets_suspended_async_requests_finish(start_server, tmp_path):
    events = tmp_path / "events"
    server = start_server("async_app:app", "--interpreters", "2", env={"EVENTS_FILE": str(events)})

    async def scenario() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            requests = [client.get("/sleep", params={"seconds": 1.0}) for _ in range(20)]
            pending = asyncio.gather(*requests)
            # Signal once every request is inside its handler (recorded by the app).
            while events.read_text().count("request") < 20:
                await asyncio.sleep(0.01)
            server.process.send_signal(signal.SIGTERM)
            return await pending

    responses = asyncio.run(scenario())
    assert [response.status_code for response in responses] == [200] * 20
    assert server.wait_exit() == 0, server.output
    # Shutdown ran after the last request, in both interpreters.
    assert events.read_text().splitlines()[-2:] == [
        line for line in events.read_text().splitlines() if line.startswith("shutdown")
    ]
