"""The error envelope: every failure the sandbox answers goes through `error_response`."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from spectrum_cli.api.common import ErrorType
from spectrum_cli.api.routes import REQUEST_ID_HEADER

log = logging.getLogger("spectrum_cli.sandbox")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


class APIError(Exception):
    """Raise from a route to answer with the error envelope."""

    def __init__(
        self,
        status: int,
        type: ErrorType,
        code: str,
        message: str,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.code, self.message = status, type, code, message
        self.param, self.headers = param, headers or {}


def not_found(what: str, param: str | None = None) -> APIError:
    return APIError(404, "not_found", "resource_missing", f"No such {what}.", param=param)


def missing(code: str, message: str, param: str | None = None) -> APIError:
    """A 404 for an id named in the request body (a payment method, a statement)."""
    return APIError(404, "not_found", code, message, param=param)


def invalid(code: str, message: str, param: str | None = None) -> APIError:
    return APIError(400, "invalid_request", code, message, param=param)


def error_response(
    status: int,
    type: ErrorType,
    code: str,
    message: str,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = request_id_var.get()
    body: dict[str, Any] = {
        "error": {
            "type": type,
            "code": code,
            "message": message,
            "param": param,
            "request_id": request_id,
        }
    }
    all_headers = dict(headers or {})
    if request_id:
        all_headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(body, status_code=status, headers=all_headers)


_STATUS_ERRORS: dict[int, tuple[ErrorType, str]] = {
    400: ("invalid_request", "bad_request"),
    401: ("authentication", "unauthenticated"),
    403: ("permission", "forbidden"),
    404: ("not_found", "route_missing"),
    405: ("invalid_request", "method_not_allowed"),
    409: ("conflict", "conflict"),
    412: ("conflict", "precondition_failed"),
    413: ("invalid_request", "body_too_large"),
    415: ("invalid_request", "unsupported_media_type"),
    429: ("rate_limit", "rate_limited"),
}


def _validation_param(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError) -> JSONResponse:
        return error_response(exc.status, exc.type, exc.code, exc.message, exc.param, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "Invalid request."}
        param = _validation_param(tuple(first.get("loc", ())))
        msg = str(first.get("msg", "Invalid request.")).removeprefix("Value error, ")
        message = f"{param}: {msg}" if param else msg
        return error_response(400, "invalid_request", "invalid_parameter", message, param)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        type_, code = _STATUS_ERRORS.get(exc.status_code, ("api", "http_error"))
        if exc.status_code == 404:
            message = f"No route {request.method} {request.url.path}."
        elif isinstance(exc.detail, str):
            message = exc.detail
        else:
            message = "Request failed."
        return error_response(
            exc.status_code, type_, code, message, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if type(exc).__name__ != "ConnectionDropped":  # an injected fault, not a bug
            log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(
            500,
            "api",
            "internal_error",
            "The sandbox hit an internal error; the request was not applied.",
        )
