"""Exceptions: those handlers raise to answer with an error, and those FasterAPI raises."""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any


class HTTPException(Exception):
    """Raised by a handler to answer with `status_code` and `{"detail": detail}` (the
    status's reason phrase when no detail is given), plus `headers`."""

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            from http import HTTPStatus

            detail = HTTPStatus(status_code).phrase
        self.status_code = status_code
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


class RequestValidationError(Exception):
    """A request's parameters or body did not validate: FastAPI's 422. An app can give it
    an exception handler to answer differently."""

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self._errors = errors
        self.body = body

    def errors(self) -> Sequence[Any]:
        return self._errors

    def __str__(self) -> str:
        count = len(self._errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''}:"]
        lines += [f"  {error}" for error in self._errors]
        return "\n".join(lines)


class StartupError(RuntimeError):
    """The server could not start; the message says which module or handler and why."""


class AppLoadError(StartupError):
    """`python -m fasterapi run TARGET` could not find the app that TARGET names."""
