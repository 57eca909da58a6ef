"""A raw HTTP/1.1 client for tests that need bytes no HTTP library would send: malformed
requests, half-sent heads, connections held open."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    """One response: status, headers (names lower-cased) and body; `interim` holds the 1xx
    statuses that came before it."""

    status: int
    headers: dict[str, str]
    body: bytes
    interim: list[int] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


class RawConnection:
    """A TCP connection that writes bytes as given and reads responses one at a time."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        address = urlsplit(base_url)
        self.sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
        self.buffer = b""
        self.eof = False

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def finish_sending(self) -> None:
        """Half-closes: the server sees the end of the stream, and can still answer."""
        self.sock.shutdown(socket.SHUT_WR)

    def _fill(self) -> bool:
        """Reads more bytes; False at the end of the stream (or on a reset)."""
        if self.eof:
            return False
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        except TimeoutError:
            raise AssertionError(
                f"no answer within {self.sock.gettimeout()}s; got {self.buffer[:200]!r}"
            ) from None
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise AssertionError(f"connection closed inside a body: {self.buffer[:200]!r}")
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def read_line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise AssertionError(f"connection closed inside a line: {self.buffer[:200]!r}")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def read_answer(self, head: bool = False) -> Answer | None:
        """The next final response (1xx ones are collected on the way), or None if the server
        closed the connection before sending anything. `head`: it answers a HEAD request."""
        interim: list[int] = []
        while True:
            while b"\r\n\r\n" not in self.buffer:
                if not self._fill():
                    if not self.buffer and not interim:
                        return None
                    raise AssertionError(f"connection closed inside a head: {self.buffer!r}")
            raw_head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            status_line, *lines = raw_head.decode("latin-1").split("\r\n")
            version, status_text, *_ = status_line.split(" ", 2)
            assert version in ("HTTP/1.1", "HTTP/1.0"), status_line
            status = int(status_text)
            headers: dict[str, str] = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if 100 <= status < 200:
                interim.append(status)
                continue
            return Answer(status, headers, self._read_body(status, headers, head), interim)

    def _read_body(self, status: int, headers: dict[str, str], head: bool) -> bytes:
        if head or status in (204, 304):
            return b""
        if "content-length" in headers:
            return self._take(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while size := int(self.read_line().split(b";")[0], 16):
                body += self._take(size)
                self.read_line()
            while self.read_line():  # trailers, up to the empty line
                pass
            return body
        while self._fill():
            pass
        body, self.buffer = self.buffer, b""
        return body

    def closed_by_server(self) -> bool:
        """True when the server closes the connection (within the socket timeout) without
        sending anything more; False when more bytes come, or none come and it stays open."""
        if self.buffer:
            return False
        try:
            return not self._fill()
        except AssertionError:  # timed out: still open
            return False


def exchange(base_url: str, raw: bytes, *, half_close: bool = False, timeout: float = 10.0):
    """Sends `raw` on a fresh connection; returns (first answer or None, the connection)."""
    connection = RawConnection(base_url, timeout)
    connection.send(raw)
    if half_close:
        connection.finish_sending()
    return connection.read_answer(head=raw.startswith(b"HEAD ")), connection
