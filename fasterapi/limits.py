"""What the server accepts before it refuses: sizes, counts and timeouts.

Set on the app (`FasterAPI(limits=Limits(max_body_size=1_000_000))`); a `run` flag such as
`--limit-body` overrides one field. The defaults bound memory and slow clients without
refusing any request a FastAPI app would normally get; docs/reliability.md has each one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any  # main interpreter only: the server imports this module

MIB = 1024 * 1024
_MOST = 2**31 - 1


@dataclass(frozen=True)
class Limits:
    """Every limit the core enforces, with what a request over it gets."""

    # 413 {"detail": "Content Too Large"}: checked against Content-Length before reading,
    # and counted while a chunked body is read.
    max_body_size: int = 16 * MIB
    # 431 (hyper's, empty body): the request line and headers together, in bytes.
    max_header_size: int = 16 * 1024
    # 431 (hyper's, empty body): header lines.
    max_headers: int = 100
    # 414 {"detail": "URI Too Long"}: the request target, in bytes.
    max_uri_length: int = 8 * 1024
    # Open connections; more wait in the kernel's listen backlog until one closes.
    max_connections: int = 10_000
    # Requests waiting for an interpreter, per interpreter; beyond it a 503
    # {"detail": "Service Unavailable"} with `retry-after: 1`.
    max_queued: int = 1024
    # Seconds a client has to send a whole request head; then the connection is closed.
    request_head_timeout: float = 10.0
    # Seconds an idle keep-alive connection waits for the next request.
    keep_alive_timeout: float = 5.0
    # Seconds a handler may run before the client gets a 504 {"detail": "Gateway
    # Timeout"}; None: no limit. The interpreter stays busy until the handler returns.
    handler_timeout: float | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None and field.name == "handler_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{field.name} must be a positive number, not {value!r}")
        for name in ("max_body_size", "max_header_size", "max_headers", "max_uri_length"):
            if not isinstance(getattr(self, name), int):
                raise ValueError(f"Limits.{name} must be a whole number")
        if self.max_header_size < 1024:
            raise ValueError("Limits.max_header_size must be at least 1024 bytes")
        for name in ("max_connections", "max_queued"):
            if getattr(self, name) > _MOST:  # the core counts them in 32 bits
                raise ValueError(f"Limits.{name} must be at most {_MOST}")

    def with_overrides(self, **overrides: Any) -> Limits:
        """A copy with the fields given (not None) replaced: the CLI's flags."""
        given = {name: value for name, value in overrides.items() if value is not None}
        return dataclasses.replace(self, **given) if given else self

    def for_core(self) -> dict[str, Any]:
        """The plain data the Rust core reads (`rust/src/config.rs`, `Limits`)."""
        return dataclasses.asdict(self)
