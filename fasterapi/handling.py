"""What a worker runs in Python when a call needs more than the Rust fast path.

The Rust core renders a plain result (a dict, a list, a dataclass...) as JSON itself. It
calls these functions, inside the worker's own interpreter, for everything else:
response classes, exceptions (the app's exception handlers, FastAPI's defaults), and
the `Request` object. Each returns plain objects the core reads back; none of them is
on the path of an ordinary request. Streaming bodies are `fasterapi.streaming`'s.
"""

from __future__ import annotations

from fasterapi.exception_handlers import (
    body_allowed,
    http_exception_response,
    validation_error_response,
)
from fasterapi.exceptions import HTTPException, RequestValidationError
from fasterapi.responses import JSONResponse, Response

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any

    from fasterapi.applications import FasterAPI
    from fasterapi.requests import Request

    Outcome = Response | Awaitable[Response] | None


def new_sub_response() -> Response:
    """The `Response` a handler declaring `response: Response` gets, as in FastAPI: no
    status of its own and no headers, until the handler sets them."""
    response = Response()
    response.raw_headers.clear()
    response.status_code = None  # type: ignore[assignment]
    return response


def respond(
    content: Any,
    response_class: type[Response] | None,
    status_code: int | None,
    sub_response: Response | None,
) -> Response:
    """A handler's result as the response FastAPI sends: a `Response` as it is; anything
    else encoded (`jsonable_encoder`) into the route's response class, with the status
    and headers set on `sub_response`."""
    if isinstance(content, Response):
        return content
    from fasterapi.encoders import jsonable_encoder

    arguments: dict[str, Any] = {}
    if sub_response is not None and sub_response.status_code:
        status_code = sub_response.status_code
    if status_code is not None:
        arguments["status_code"] = status_code
    response = (response_class or JSONResponse)(jsonable_encoder(content), **arguments)
    if not body_allowed(response.status_code):
        response.body = b""
    if sub_response is not None:
        response.raw_headers.extend(sub_response.raw_headers)
    return response


def handle_exception(
    app: FasterAPI | None,
    request: Request | None,
    exc: BaseException,
    layer: int = 0,
    routed: bool = False,
) -> tuple[Outcome, BaseException | None, int]:
    """The app's answer to `exc`, as FastAPI's layers give it.

    Layers 0 and 1 are Starlette's two exception layers (around the route, and around
    the router): a handler registered for the status (`HTTPException`) or for the closest
    class, then FastAPI's defaults for `HTTPException` and `RequestValidationError`. What
    a handler raises goes to the next layer; layer 2 is the server-error layer, the
    handler for 500/`Exception`. `routed`: `exc` stands for an error the core found itself
    (Starlette raises its own `HTTPException` for those, which handlers registered for
    FastAPI's do not catch).

    Returns the response (or an awaitable giving it; `None` for the plain 500), the
    exception to log as unhandled (if any), and the layer that answered: the core calls
    this again with `layer + 1` if an awaitable handler raises.
    """
    handlers = app.exception_handlers if app is not None else {}
    if not isinstance(exc, Exception):
        # Starlette's layers catch `Exception` only: a cancelled task, `SystemExit` or
        # `KeyboardInterrupt` is the plain 500 of a failed request.
        return None, exc, 2
    while layer < 2:
        handler = _registered_handler(handlers, exc, routed)
        if handler is None:
            break
        try:
            answer = handler(request, exc)
        except Exception as raised:
            exc, layer, routed = raised, layer + 1, False
            continue
        if answer is None:
            # Starlette then sends nothing and the server answers its plain 500.
            return None, _no_answer(handler, exc), layer
        return answer, None, layer
    server_error = _server_error_handler(handlers)
    if server_error is None:
        return None, exc, 2
    try:
        answer = server_error(request, exc)
    except Exception as raised:
        return None, raised, 2
    return answer, exc if answer is not None else _no_answer(server_error, exc), 2


def _no_answer(handler: Callable[..., Any], exc: BaseException) -> RuntimeError:
    error = RuntimeError(f"the exception handler {handler!r} returned None: no response was sent")
    error.__cause__ = exc
    return error


def _server_error_handler(handlers: dict[Any, Callable[..., Any]]) -> Callable[..., Any] | None:
    """Starlette's choice: the handler registered last for 500 or `Exception`."""
    chosen = None
    for key, handler in handlers.items():
        if key == 500 or key is Exception:
            chosen = handler
    return chosen


def _registered_handler(
    handlers: dict[Any, Callable[..., Any]], exc: BaseException, routed: bool
) -> Callable[..., Any] | None:
    """The handler Starlette's exception layer picks for `exc`, FastAPI's defaults
    included (none for `Exception`: that one belongs to the server-error layer)."""
    if isinstance(exc, HTTPException) and exc.status_code != 500:
        by_status = handlers.get(exc.status_code)
        if by_status is not None:
            return by_status
    for cls in type(exc).__mro__:
        if cls is Exception:
            continue  # the server-error layer's
        if cls is HTTPException:
            # FastAPI's `HTTPException` subclasses Starlette's, which the core's own errors
            # stand for: a handler for Starlette's class catches both.
            if not routed and cls in handlers:
                return handlers[cls]
            starlette = starlette_http_exception(handlers)
            if starlette is not None:
                return handlers[starlette]
            return _default_http_exception_handler
        if cls in handlers:
            return handlers[cls]
    if isinstance(exc, RequestValidationError):
        return _default_validation_handler
    return None


def starlette_http_exception(handlers: dict[Any, Callable[..., Any]]) -> Any:
    """Starlette's `HTTPException` class, if `handlers` has a handler for it."""
    for key in handlers:
        if (
            isinstance(key, type)
            and key.__name__ == "HTTPException"
            and key.__module__ == "starlette.exceptions"
        ):
            return key
    return None


def _default_http_exception_handler(request: Request | None, exc: HTTPException) -> Response:
    return http_exception_response(exc)


def _default_validation_handler(request: Request | None, exc: RequestValidationError) -> Response:
    return validation_error_response(exc)


def validation_failed(
    app: FasterAPI | None, request: Request | None, errors_json: str, body: bytes | None
) -> tuple[Outcome, BaseException | None, int]:
    """The app's answer to a request the core refused with a 422 (`errors_json` is
    FastAPI's list of error items), for an app with its own handler for it."""
    import json

    errors = json.loads(errors_json)
    for error in errors:
        error["loc"] = tuple(error["loc"])  # as pydantic gives it
    error = RequestValidationError(errors, body=_parsed_body(body))
    return handle_exception(app, request, error)


def _parsed_body(body: bytes | None) -> Any:
    """The body as FastAPI keeps it on `RequestValidationError.body`: the JSON value it
    holds, the text of JSON it could not parse, or `None` when there is none."""
    if not body:
        return None
    import json

    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        return error.doc
    except ValueError:
        return None


# What FastAPI says when it cannot read a body at all.
_UNREADABLE_BODY = "There was an error parsing the body"


def http_error(
    app: FasterAPI | None, request: Request | None, status_code: int, headers: dict[str, str]
) -> tuple[Outcome, BaseException | None, int]:
    """The app's answer to a 400 (unreadable body), 404 or 405 the core found, for an app
    with its own handler for it."""
    detail = _UNREADABLE_BODY if status_code == 400 else None
    error = HTTPException(status_code, detail, headers=headers or None)
    # FastAPI raises the 400 inside the route (both exception layers apply); Starlette's
    # router raises 404 and 405 outside it, where only the outer layer is left.
    layer = 0 if status_code == 400 else 1
    return handle_exception(app, request, error, layer=layer, routed=True)


def run_without_loop(awaitable: Awaitable[Any]) -> Any:
    """Runs an awaitable that never waits for anything (an async stream on an
    interpreter without an event loop); one that does wait cannot run here."""
    coroutine = awaitable.__await__()
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError(
        "an async iterator or exception handler awaited something on an interpreter "
        "without an event loop; declare the handler `async def` (its interpreters then "
        "run a loop)"
    )


def new_request(
    scope: dict[str, Any], body: bytes, app: Any, worker_loop: Any, app_location: Any
) -> Request:
    """The `Request` a handler (or an exception handler) gets: the scope the core built,
    with this interpreter's app (found on first use when the interpreter did not load it:
    `app_location` is `(module, attribute)` or `None`) and a copy of its lifespan's state."""
    from fasterapi.requests import Request

    scope["app"] = app if app is not None else _app_at(app_location)
    state = worker_loop.lifespan_state() if worker_loop is not None else None
    scope["state"] = dict(state) if state else {}
    return Request(scope, body)


# This interpreter's own copy of the app, once looked up (None: not found).
_APP: dict[Any, Any] = {}


def _app_at(location: Any) -> Any:
    if location is None:
        return None
    if location not in _APP:
        import importlib

        try:
            _APP[location] = getattr(importlib.import_module(location[0]), location[1])
        except Exception:  # not loadable here (an extension refusing sub-interpreters)
            _APP[location] = None
    return _APP[location]
