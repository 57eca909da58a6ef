"""Streaming bodies, from the worker's side: the core asks the interpreter holding a
`StreamingResponse`'s iterator for one chunk at a time (see docs/architecture.md)."""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator
    from typing import Any

    from fasterapi.responses import StreamingResponse


def open_stream(response: StreamingResponse) -> tuple[Any, bool]:
    """The iterator to pull a streaming body from, and whether it is asynchronous."""
    content = response.body_iterator
    if hasattr(content, "__aiter__"):
        return content.__aiter__(), True
    return iter(content), False


def next_chunk(iterator: Iterator[Any], charset: str) -> bytes | None:
    """The next chunk of a sync stream as bytes; `None` at its end."""
    for chunk in iterator:
        return _as_bytes(chunk, charset)
    return None


async def next_async_chunk(iterator: Any, charset: str) -> bytes | None:
    """The next chunk of an async stream as bytes; `None` at its end."""
    try:
        chunk = await iterator.__anext__()
    except StopAsyncIteration:
        return None
    return _as_bytes(chunk, charset)


def _as_bytes(chunk: Any, charset: str) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, memoryview):
        return chunk.tobytes()
    return chunk.encode(charset)


def close_stream(iterator: Any, is_async: bool) -> Awaitable[Any] | None:
    """Closes a stream the client stopped reading: runs a generator's `finally` blocks.
    For an async one, returns the awaitable that does it."""
    if is_async:
        aclose = getattr(iterator, "aclose", None)
        return aclose() if aclose is not None else None
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
    return None
