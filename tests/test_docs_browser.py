"""`/docs` and `/redoc` in a real browser (Debian's headless chromium), offline: the
operations render, a screenshot is saved, and the page requests nothing outside
127.0.0.1 (read from chromium's own network log)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (CI installs it)",
)
# Where screenshots are kept for a person to look at after the run.
ARTIFACTS = Path(os.environ.get("FASTERAPI_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))


def _chromium(url: str, *extra: str, netlog: Path) -> str:
    """Loads `url` headless, lets its scripts run, and returns the DOM it ended with."""
    assert CHROMIUM is not None, "chromium must be installed in CI"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
        "--virtual-time-budget=20000",
        f"--log-net-log={netlog}",
        *extra,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _requested_hosts(netlog: Path) -> set[str]:
    """Every host the page's requests went to, from chromium's NetLog: the navigation
    to the page, and every request the page itself started (its initiator is an origin).
    Chromium's own background requests (updates, sign-in: initiator "not an origin",
    after the navigation) are not the page's and are left out."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    hosts = set()
    page_requests = 0
    for event in log.get("events", []):
        params = event.get("params", {})
        if event.get("type") != start_job or "url" not in params:
            continue
        initiator = params.get("initiator", "")
        host = urlsplit(params["url"]).hostname
        if initiator.startswith(("http://", "https://")):
            page_requests += 1
            hosts.add(host)
        elif host == "127.0.0.1":
            hosts.add(host)  # the navigation itself
    assert page_requests >= 2, "the page loaded no assets: nothing was checked"
    return hosts


@pytest.fixture(scope="module")
def docs_server(start_module_server):
    return start_module_server("basic_app:app")


def test_swagger_ui_renders_the_operations_offline(docs_server, tmp_path):
    url = f"{docs_server.base_url}/docs"
    dom = _chromium(url, "--dump-dom", netlog=tmp_path / "docs.json")
    assert 'class="swagger-ui"' in dom
    assert "opblock-summary-path" in dom  # operations were rendered from /openapi.json
    assert 'data-path="/users/{user_id}"' in dom
    assert _requested_hosts(tmp_path / "docs.json") == {"127.0.0.1"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "docs.png"
    _chromium(url, f"--screenshot={shot}", netlog=tmp_path / "shot.json")
    assert shot.stat().st_size > 10_000


def test_redoc_renders_offline(docs_server, tmp_path):
    url = f"{docs_server.base_url}/redoc"
    dom = _chromium(url, "--dump-dom", netlog=tmp_path / "redoc.json")
    assert "/users/{user_id}" in dom  # ReDoc rendered the document
    assert _requested_hosts(tmp_path / "redoc.json") == {"127.0.0.1"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _chromium(url, f"--screenshot={ARTIFACTS / 'redoc.png'}", netlog=tmp_path / "s.json")
