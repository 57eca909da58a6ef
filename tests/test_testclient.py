"""`fasterapi.testclient.TestClient`: FastAPI's test client, over a real server started in a
child process. Requests carry what FastAPI's client sends, the server starts with `with`
or on the first request, and no server process outlives its client."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
import types

import httpx
import pytest
from basic_app import app as basic_app
from hooks_app import app as hooks_app
from request_app import app as request_app

from fasterapi import FastAPI
from fasterapi.testclient import TestClient


def assert_gone(pid: int) -> None:
    """The server process has exited and was reaped: no zombie, nothing running."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def events(path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def echo_client():
    """The client that `apps/testclient_app.py` creates beside its app, as FastAPI's
    testing tutorial does; the server imports that module too, the client included."""
    from testclient_app import client

    yield client
    client.close()


@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "patch", "delete"])
def test_every_method_reaches_the_app(echo_client, method):
    response = getattr(echo_client, method)("/echo", params={"a": "1"})
    assert response.status_code == 200
    if method != "head":
        body = response.json()
        assert body["method"] == method.upper()
        assert body["query"] == [["a", "1"]]


def test_request_sends_any_method(echo_client):
    assert echo_client.request("PATCH", "/echo").json()["method"] == "PATCH"


@pytest.mark.filterwarnings("ignore:Setting per-request cookies")  # httpx's, as in FastAPI
def test_requests_carry_params_headers_cookies_and_bodies(echo_client):
    body = echo_client.post(
        "/echo",
        params=[("tag", "a"), ("tag", "b c")],
        headers={"X-Token": "secret"},
        cookies={"session": "abc"},
        json={"x": [1, "é"]},
    ).json()
    assert body["query"] == [["tag", "a"], ["tag", "b c"]]
    assert body["x_token"] == "secret"
    assert body["cookies"] == {"session": "abc"}
    assert body["content_type"] == "application/json"
    assert body["body"] == '{"x":[1,"é"]}'
    form = echo_client.put("/echo", data={"name": "a b", "n": "1"}).json()
    assert form["content_type"] == "application/x-www-form-urlencoded"
    assert form["body"] == "name=a+b&n=1"
    raw = echo_client.patch("/echo", content=b"raw bytes").json()
    assert raw["body"] == "raw bytes" and raw["content_type"] is None


def test_the_app_sees_the_test_host_and_user_agent(echo_client):
    body = echo_client.get("/echo").json()
    assert body["host"] == "testserver"
    assert body["user_agent"] == "testclient"
    response = echo_client.get("/echo")
    assert str(response.url) == "http://testserver/echo"
    assert echo_client.server_url is not None
    assert echo_client.server_url.startswith("http://127.0.0.1:")


def test_client_headers_and_cookies_go_with_every_request():
    with TestClient(request_app, headers={"X-Multi": "one"}, cookies={"flavour": "oat"}) as client:
        body = client.get("/sync").json()
        assert body["x_multi"] == ["one"]
        assert body["cookies"] == {"flavour": "oat"}
        assert body["url"] == "http://testserver/sync"


def test_base_url_is_the_host_the_app_sees():
    with TestClient(request_app, base_url="http://example.com") as client:
        body = client.get("/sync/name", params={"q": 3}).json()
    assert body["url"] == "http://example.com/sync/name?q=3"
    assert body["hostname"] == "example.com"
    assert (body["name"], body["q"]) == ("name", 3)


def test_params_json_and_validation_errors():
    from params_app import app

    with TestClient(app) as client:
        item = client.post("/items", json={"name": "x", "price": "2"}).json()
        assert item["dataclass"] == "Item"
        assert item["fields"]["price"] == 2.0
        response = client.post(
            "/mixed/1",
            params={"q": 2},
            headers={"x-h": "3"},
            json={"name": "n", "price": 1.5},
        )
        assert response.status_code == 422  # the cookie `c` is missing
        assert response.json()["detail"][0]["loc"] == ["cookie", "c"]
        client.cookies.set("c", "4")
        response = client.post(
            "/mixed/1", params={"q": 2}, headers={"x-h": "3"}, json={"name": "n", "price": 1.5}
        )
        assert response.status_code == 200, response.text
        assert response.json()[:4] == [1, 2, 3, 4]


def test_redirects_are_followed_unless_asked_not_to():
    from responses_app import app

    with TestClient(app) as client:
        followed = client.get("/redirect/default")
        assert followed.status_code == 404  # the app has no /target
        assert str(followed.url) == "http://testserver/target"
        assert [r.status_code for r in followed.history] == [307]
        kept = client.get("/redirect/default", follow_redirects=False)
        assert kept.status_code == 307
        assert kept.headers["location"] == "/target"
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/redirect/default").status_code == 307


def test_cookies_the_app_sets_are_kept_for_the_test_host():
    from responses_app import app

    with TestClient(app) as client:
        assert client.get("/sub/cookies").status_code == 200
        assert dict(client.cookies)["plain"] == "again"


def test_with_starts_the_server_and_its_end_stops_it():
    threads = threading.active_count()
    client = TestClient(basic_app)
    assert client.server_pid is None  # creating a client starts nothing
    with client:
        pid = client.server_pid
        assert pid is not None
        assert client.get("/").json() == {"message": "Hello, World!"}
    assert client.server_pid is None and client.server_url is None
    assert_gone(pid)
    assert "FasterAPI stopped" in client.server_output
    assert threading.active_count() == threads
    client.close()


def test_without_with_the_first_request_starts_it_and_close_stops_it():
    client = TestClient(basic_app)
    assert client.server_pid is None
    assert client.get("/users/7", params={"q": "x"}).json() == {
        "user_id": 7,
        "q": "x",
        "limit": 10,
    }
    pid = client.server_pid
    assert client.get("/users/8").status_code == 200
    assert client.server_pid == pid  # one server for every request
    client.close()
    assert_gone(pid)
    with pytest.raises(RuntimeError, match="closed"):
        client.get("/")


def test_servers_start_and_stop_again_and_again_without_leaks():
    threads = threading.active_count()
    pids = []
    client = TestClient(basic_app)
    for _ in range(3):
        with client:
            pids.append(client.server_pid)
            assert client.get("/text").json() == "hi"
        assert client.get("/none").json() is None  # after `with`: a request starts one again
        pids.append(client.server_pid)
        client.stop()
    for _ in range(2):
        with TestClient(basic_app) as other:
            pids.append(other.server_pid)
    assert len(set(pids)) == len(pids) == 8
    for pid in pids:
        assert_gone(pid)
    assert threading.active_count() == threads
    client.close()


def test_a_forgotten_server_ends_with_its_client():
    client = TestClient(basic_app)
    client.get("/")
    pid = client.server_pid
    del client  # never closed: the finalizer stops it
    gc.collect()
    assert_gone(pid)


def test_lifespan_runs_with_or_without_with(tmp_path):
    recorded = tmp_path / "events"
    client = TestClient(hooks_app, env={"EVENTS_FILE": str(recorded)})
    assert client.get("/").json() == {"opened": True}  # set by the startup hook
    client.stop()
    with client:
        assert client.get("/").json() == {"opened": True}
    client.close()
    # Each of the two runs: both startup hooks and both shutdown hooks, in 2 interpreters.
    seen = events(recorded)
    for event in ("startup-1", "startup-2", "shutdown-1", "shutdown-2"):
        assert seen.count(event) == 4, seen
    assert seen.count("request") == 2


def test_handler_errors_are_500s_with_the_traceback_in_server_output():
    with TestClient(basic_app) as client:
        assert client.get("/boom").status_code == 500
        deadline = time.monotonic() + 10
        while "ValueError: boom" not in client.server_output and time.monotonic() < deadline:
            time.sleep(0.02)
        assert 'raise ValueError("boom")' in client.server_output


def test_the_client_timeout_applies():
    from async_app import app

    with TestClient(app, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/sleep", params={"seconds": 2})
        assert client.get("/sleep", params={"seconds": 0}, timeout=10).status_code == 200


def test_a_startup_failure_is_a_runtime_error_with_the_cause():
    from failing_startup_app import app

    client = TestClient(app)
    with pytest.raises(RuntimeError) as raised:
        client.get("/")
    message = str(raised.value)
    assert "'failing_startup_app:app' did not start (it exited with code 1)" in message
    assert "ConnectionError: database unreachable at startup" in message.splitlines()[1]
    assert client.server_pid is None
    assert "database unreachable" in client.server_output
    client.close()


def test_missing_environment_is_a_startup_failure_too():
    with pytest.raises(RuntimeError, match="EVENTS_FILE"), TestClient(hooks_app):
        pass


def test_a_server_that_dies_is_reported_at_the_next_request():
    client = TestClient(basic_app)
    client.start()
    pid = client.server_pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    with pytest.raises(RuntimeError, match=r"exited unexpectedly \(exit code -9\)"):
        while time.monotonic() < deadline:  # until the kill has landed
            client.get("/")
            time.sleep(0.02)
    assert_gone(pid)
    assert client.get("/").status_code == 200  # a fresh server
    assert client.server_pid != pid
    client.close()


def test_an_app_without_a_module_level_name_is_refused():
    app = FastAPI()  # a local variable: no module has it
    with pytest.raises(RuntimeError, match="no module has this app as a module-level name"):
        TestClient(app).get("/")


def test_an_app_whose_module_cannot_be_imported_by_name_is_explained(monkeypatch):
    ghost = types.ModuleType("ghost_module_for_testclient")
    ghost.app = FastAPI()
    monkeypatch.setitem(sys.modules, ghost.__name__, ghost)
    with pytest.raises(RuntimeError) as raised:
        TestClient(ghost.app).start()
    message = str(raised.value)
    assert "could not import module 'ghost_module_for_testclient'" in message
    assert "imports 'ghost_module_for_testclient' by name" in message


def test_a_fastapi_app_is_refused_with_the_fix():
    import fastapi

    with pytest.raises(TypeError, match="import FastAPI from fasterapi instead of fastapi"):
        TestClient(fastapi.FastAPI())


def test_no_server_starts_inside_the_server_process(monkeypatch):
    monkeypatch.setenv("FASTERAPI_TESTCLIENT_SERVER", "1")
    with pytest.raises(RuntimeError, match="keep requests inside test functions"):
        TestClient(basic_app).get("/")


def test_raise_server_exceptions_is_accepted_for_compatibility():
    with TestClient(basic_app, raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
