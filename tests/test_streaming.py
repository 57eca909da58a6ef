"""A `StreamingResponse` reaches the client as its iterator yields, over a real socket.

The slow streams of `apps/responses_app.py` put in each chunk the time it was made, and
record in a file (in the directory `RESPONSES_APP_FILES` names) how they ended: every
interpreter has its own module globals, so the file system is what they share with the
tests. Orderings are checked against those stamps, never against durations.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

KINDS = ["sync", "async"]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("records")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESPONSES_APP_FILES", str(directory))
        yield directory


@pytest.fixture(scope="module")
def server(records: Path, start_module_server):
    """The app on two interpreters."""
    return start_module_server("responses_app:app")


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def _stamps(body: bytes) -> list[float]:
    """When each chunk of a slow stream was made, in order."""
    lines = body.decode().splitlines()
    assert [int(line.split()[0]) for line in lines] == list(range(len(lines)))
    return [float(line.split()[1]) for line in lines]


def _record(records: Path, token: str, timeout: float = 10.0) -> list[str]:
    """What the stream `token` recorded, waiting for it to record something."""
    path = records / token
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().endswith("\n"):
        assert time.monotonic() < deadline, f"the stream {token} recorded nothing"
        time.sleep(0.02)
    return path.read_text().splitlines()


@pytest.mark.parametrize("kind", KINDS)
def test_chunks_arrive_as_they_are_made(client, records, kind):
    token = uuid.uuid4().hex
    arrivals: list[tuple[float, bytes]] = []
    with client.stream("GET", f"/slow/{kind}", params={"token": token}) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            arrivals.append((time.time(), chunk))
    made = _stamps(b"".join(chunk for _, chunk in arrivals))
    assert len(made) == 5
    first_arrival = arrivals[0][0]
    assert first_arrival < made[-1], "the first chunk waited for the stream to end"
    assert len(arrivals) > 1
    assert _record(records, token) == ["closed 5"]


@pytest.mark.parametrize("kind", KINDS)
def test_client_leaving_mid_stream_closes_the_iterator(client, records, kind):
    """The generator's `finally` runs soon after the client goes, long before the 1000
    chunks it would make."""
    token = uuid.uuid4().hex
    params = {"token": token, "count": 1000}
    with client.stream("GET", f"/slow/{kind}", params=params) as response:
        first = next(response.iter_raw())
    assert first.startswith(b"0 ")
    [line] = _record(records, token)
    sent = int(line.removeprefix("closed "))
    assert 1 <= sent < 1000
    assert client.get("/slow/now").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_other_requests_are_served_while_a_stream_is_slow(client, server, records, kind):
    token = uuid.uuid4().hex
    params = {"token": token, "count": 20}
    served: list[float] = []
    with client.stream("GET", f"/slow/{kind}", params=params) as response:
        chunks = response.iter_raw()
        body = next(chunks)
        with httpx.Client(base_url=server.base_url, timeout=30) as other:
            for _ in range(5):
                answer = other.get("/slow/now")
                assert answer.status_code == 200
                served.append(answer.json()["now"])
        body += b"".join(chunks)
    made = _stamps(body)
    assert len(made) == 20
    assert max(served) < made[-1], "the other requests waited for the stream to end"
    assert _record(records, token) == ["closed 20"]


def test_stream_raising_midway_cuts_the_connection(client, server, records):
    """The client gets the chunks made before the error, then a cut connection (no final
    empty chunk): it cannot take the truncated body for a complete one."""
    token = uuid.uuid4().hex
    received = b""
    with client.stream("GET", "/slow/failing", params={"token": token}) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert len(_stamps(received)) == 1
    assert _record(records, token) == ["raising"]
    for _ in range(3):
        assert client.get("/slow/now").status_code == 200
    deadline = time.monotonic() + 10
    while "the slow stream broke" not in server.output:
        assert time.monotonic() < deadline, server.output
        time.sleep(0.02)
