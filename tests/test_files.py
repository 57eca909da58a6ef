"""FileResponse edge cases on our server alone (FastAPI's TestClient cannot make them)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

SHM = Path("/dev/shm")


@pytest.mark.skipif(not SHM.is_dir(), reason="needs tmpfs at /dev/shm for far-future dates")
def test_a_file_dated_past_year_9999_is_served_without_last_modified(start_server, tmp_path):
    """HTTP dates end at year 9999; the server must not fail (it once panicked)."""
    target = SHM / f"fasterapi-future-{os.getpid()}.txt"
    target.write_bytes(b"from the future")
    try:
        os.utime(target, (300_000_000_000, 300_000_000_000))  # year 11476
        app = tmp_path / "future_app.py"
        app.write_text(
            "from fasterapi import FastAPI\n"
            "from fasterapi.responses import FileResponse\n\n"
            "app = FastAPI()\n\n\n"
            "@app.get('/file')\n"
            "def file():\n"
            f"    return FileResponse({str(target)!r})\n"
        )
        server = start_server("future_app:app", "--interpreters", "1")
        response = httpx.get(f"{server.base_url}/file")
        assert (response.status_code, response.content) == (200, b"from the future")
        assert "last-modified" not in response.headers
        assert response.headers["etag"].startswith('"')
        assert httpx.get(f"{server.base_url}/file").status_code == 200  # still serving
    finally:
        target.unlink()
