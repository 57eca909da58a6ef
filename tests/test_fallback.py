"""Code that cannot load in a sub-interpreter (pydantic here) runs on the main
interpreter; everything else stays on the parallel pool."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys

import httpx
import pytest
from server_process import APPS, ScriptRun


def test_refusing_modules_run_on_main_while_the_rest_stays_parallel(start_server, tmp_path):
    events = tmp_path / "events"
    server = start_server("mixed_app:app", "--interpreters", "2", env={"EVENTS_FILE": str(events)})
    base = server.base_url
    with httpx.Client(base_url=base, timeout=30) as client:
        main_ids = {client.get("/models/whoami").json()["interpreter"] for _ in range(10)}
        point = client.post("/models/point", json={"x": 1, "y": 2})
        invalid = client.post("/models/point", json={"x": 1, "y": "q"})
    assert main_ids == {0}
    assert point.json() == {"point": {"x": 1, "y": 2}, "interpreter": 0}
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "y"]
    # Two isolated requests that can only finish together: they ran at the same time,
    # in two different sub-interpreters.
    folder = tmp_path / "meet"
    folder.mkdir()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(
                httpx.get,
                f"{base}/isolated/rendezvous",
                params={"folder": str(folder), "me": me, "other": other},
                timeout=30,
            )
            for me, other in (("a", "b"), ("b", "a"))
        ]
        met = [future.result().json() for future in futures]
    assert all(body["met"] for body in met)
    assert len({body["interpreter"] for body in met}) == 2
    assert 0 not in {body["interpreter"] for body in met}
    assert server.stop() == 0, server.output
    # The startup report says what runs where, and why.
    assert "2 sub-interpreters (in parallel) serve 2 routes from mixed_isolated" in server.output
    assert "module 'mixed_models' cannot load in a sub-interpreter" in server.output
    assert "does not support loading in subinterpreters" in server.output
    # The app's startup hook ran in each sub-interpreter and in the main one.
    started = sorted(int(line.split()[1]) for line in events.read_text().splitlines())
    assert len(started) == 3 and started[0] == 0, started


def test_strict_isolation_refuses_to_fall_back(start_server):
    server = start_server("mixed_app:app", "--interpreters", "2", "--strict-isolation", ready=False)
    assert server.wait_exit(timeout=60) == 1, server.output
    errors = [line for line in server.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, server.output
    assert "strict isolation" in errors[0]
    assert "mixed_models" in errors[0]
    assert "POST /models/point, GET /models/whoami" in errors[0]
    assert "/isolated" not in errors[0]


def test_isolated_false_keeps_an_app_on_the_main_interpreter(start_server):
    server = start_server("marked_main_app:app", "--interpreters", "2")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        assert client.get("/").json() == {"interpreter": 0}
        assert client.get("/async").json() == {"interpreter": 0}
    assert "it is marked isolated=False (on the app)" in server.output


def test_an_extension_refusing_subinterpreters_falls_back_to_main(start_server):
    server = start_server("refusing_extension_app:app", "--interpreters", "2")
    assert httpx.get(f"{server.base_url}/", timeout=30).json() == {"ok": True}
    assert "module 'refusing_extension_app' cannot load in a sub-interpreter" in server.output


def test_zoneinfo_runs_in_sub_interpreters_and_on_main(start_server):
    # On 3.12 a sub-interpreter importing `_zoneinfo` broke it for the main interpreter
    # (a segfault on its next ZoneInfo); the pool uses the pure-Python one instead.
    server = start_server("zoneinfo_app:app", "--interpreters", "2")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for _ in range(3):
            pool = client.get("/pool").json()
            main = client.get("/main").json()
            assert pool["offset"] == main["offset"] == "2:00:00"
            assert pool["interpreter"] != 0
            assert main["interpreter"] == 0
    assert server.stop() == 0, server.output
    assert "cannot load" not in server.output


def _check(cwd, target: str, *args: str) -> subprocess.CompletedProcess[str]:
    # cwd must not be the repository root, or the source tree would shadow the wheel.
    return subprocess.run(
        [sys.executable, "-m", "fasterapi", "check", target, "--interpreters", "3", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(APPS)},
        cwd=cwd,
        timeout=120,
    )


def test_check_prints_the_placement_report_without_serving(tmp_path):
    result = _check(tmp_path, "mixed_app:app")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "3 sub-interpreters (in parallel) serve 2 routes from mixed_isolated",
        "the main interpreter (one call at a time) serves 2 routes:",
        "  because module 'mixed_models' cannot load in a sub-interpreter (ImportError: "
        "module pydantic_core._pydantic_core does not support loading in subinterpreters):",
        "    POST /models/point (mixed_models:point)",
        "    GET /models/whoami (mixed_models:whoami)",
        "the app's lifespan (startup/shutdown) runs in each of them",
    ]


@pytest.mark.parametrize("target", ["mixed_app:app", "pydantic_app:app"])
def test_check_with_strict_isolation_fails_like_run(tmp_path, target):
    result = _check(tmp_path, target, "--strict-isolation")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: strict isolation: ")


def test_a_scripts_main_interpreter_routes_run_in_the_script_itself(tmp_path):
    with ScriptRun(APPS / "main_script_app.py", tmp_path, "/isolated") as script:
        # The very module that ran the `__main__` block, not a second import of the file.
        shared = httpx.get(f"{script.base_url}/shared").json()
        assert shared == {"module": "__main__", "set_by_main_block": True}
        # Sub-interpreters import the script under its importable name.
        isolated = httpx.get(f"{script.base_url}/isolated").json()
        assert isolated == {"module": "main_script_app"}
    assert script.returncode == 0, script.output
