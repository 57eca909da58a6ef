"""FastAPI's default answers to `HTTPException` and `RequestValidationError`.

The `async` functions are FastAPI's public names, for apps whose own handlers delegate
to the defaults (`return await http_exception_handler(request, exc)`); the worker calls
the plain functions below them, which need no event loop.
"""

from __future__ import annotations

from fasterapi.responses import JSONResponse, Response

# Not `typing.TYPE_CHECKING`: every sub-interpreter imports this module, and `typing`
# costs each about 1 MiB; type checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from fasterapi.exceptions import HTTPException, RequestValidationError
    from fasterapi.requests import Request


def body_allowed(status_code: int) -> bool:
    """Whether a response with this status may have a body (not 1xx, 204, 205, 304)."""
    return not (status_code < 200 or status_code in (204, 205, 304))


def http_exception_response(exc: HTTPException) -> Response:
    headers = getattr(exc, "headers", None)
    if not body_allowed(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def validation_error_response(exc: RequestValidationError) -> JSONResponse:
    from fasterapi.encoders import jsonable_encoder

    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    return http_exception_response(exc)


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    return validation_error_response(exc)
