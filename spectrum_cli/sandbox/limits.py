"""Refuse request bodies over 64 KiB (413 body_too_large) before anything buffers them."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spectrum_cli.sandbox.errors import error_response

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a streamed body passes the limit."""


def _declared_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects it; counting the chunks still applies
    return None


def _too_large() -> Response:
    return error_response(
        413,
        "invalid_request",
        "body_too_large",
        f"The request body is over {MAX_BODY_BYTES // 1024} KiB.",
        # Close rather than drain a body the client may still be sending.
        headers={"Connection": "close"},
    )


class BodyLimitMiddleware:
    """413 by Content-Length up front, or as soon as the chunks received pass the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > MAX_BODY_BYTES:
            await _too_large()(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app makes of the cut-off body, the 413 below answers
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            pass
        if exceeded and not started:
            await _too_large()(scope, receive, send)
