"""Lifespan and startup/shutdown hooks run in every interpreter that serves the app,
before its first request and after its last; state they set up is per interpreter."""

from __future__ import annotations

import httpx


def _events(path) -> list[tuple[str, int]]:
    lines = path.read_text().splitlines()
    return [(event, int(interpreter)) for event, interpreter in map(str.split, lines)]


def _check_order(events: list[tuple[str, int]], first: str, last: str) -> set[int]:
    """Per interpreter: `first` comes before any request and `last` after every one."""
    interpreters = {interpreter for _, interpreter in events}
    for interpreter in interpreters:
        own = [event for event, where in events if where == interpreter]
        assert own[0] == first, events
        assert own[-1] == last, events
        assert own.count(first) == 1 and own.count(last) == 1, events
    return interpreters


def test_lifespan_runs_in_each_interpreter_around_its_requests(start_server, tmp_path):
    events = tmp_path / "events"
    server = start_server("async_app:app", "--interpreters", "2", env={"EVENTS_FILE": str(events)})
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for _ in range(20):
            assert client.get("/sleep", params={"seconds": 0}).status_code == 200
            assert client.get("/block", params={"seconds": 0}).status_code == 200
    assert server.stop() == 0, server.output
    recorded = _events(events)
    interpreters = _check_order(recorded, "startup", "shutdown")
    assert len(interpreters) == 2 and 0 not in interpreters, recorded


def test_on_event_hooks_run_in_order_sync_and_async(start_server, tmp_path):
    events = tmp_path / "events"
    server = start_server("hooks_app:app", "--interpreters", "2", env={"EVENTS_FILE": str(events)})
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for _ in range(10):
            assert client.get("/").json() == {"opened": True}
    assert server.stop() == 0, server.output
    recorded = _events(events)
    for interpreter in {where for _, where in recorded}:
        own = [event for event, where in recorded if where == interpreter]
        assert own[:2] == ["startup-1", "startup-2"], recorded
        assert own[-2:] == ["shutdown-1", "shutdown-2"], recorded
        assert set(own[2:-2]) <= {"request"}, recorded
    assert len({where for _, where in recorded}) == 2


def test_app_state_is_per_interpreter(start_server):
    server = start_server("async_app:app", "--interpreters", "2")
    seen: dict[int, list[int]] = {}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for _ in range(40):
            body = client.get("/state").json()
            # Each interpreter's startup stored its own id in its own app.state.
            assert body["state_interpreter"] == body["interpreter"]
            seen.setdefault(body["interpreter"], []).append(body["calls"])
    for calls in seen.values():
        # Each interpreter counts only the calls it served itself.
        assert calls == list(range(1, len(calls) + 1))
    assert sum(len(calls) for calls in seen.values()) == 40


def test_a_failing_startup_hook_stops_the_server_with_a_readable_message(start_server):
    server = start_server("failing_startup_app:app", "--interpreters", "2", ready=False)
    assert server.wait_exit(timeout=60) == 1, server.output
    errors = [line for line in server.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, server.output
    assert "startup code failed" in errors[0]
    assert "ConnectionError: database unreachable at startup" in errors[0]
    assert "panicked" not in server.output
