"""Run the sandbox in-process behind an httpx transport: same HTTP semantics, no socket."""

from __future__ import annotations

import atexit
import contextlib
from pathlib import Path
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal

from spectrum_cli.sandbox.middleware import ConnectionDropped


class EmbeddedTransport(httpx.BaseTransport):
    """A sync transport that hands each request to the sandbox ASGI app on a private loop."""

    def __init__(self, app: Any) -> None:
        async def app_or_dropped(scope: Any, receive: Any, send: Any) -> None:
            try:
                await app(scope, receive, send)
            except ConnectionDropped:
                raise
            except Exception:
                pass

        self._asgi = httpx.ASGITransport(app=app_or_dropped, raise_app_exceptions=True)
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        # The portal's loop thread would block interpreter exit if close() were forgotten.
        atexit.register(self.close)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            inner = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self._asgi.handle_async_request(inner)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        try:
            status, headers, content = self._portal.call(call)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from exc
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        self._stack.close()  # idempotent: a second close finds the stack empty
        atexit.unregister(self.close)


def embedded_transport(db_path: str | Path) -> EmbeddedTransport:
    from spectrum_cli.sandbox.app import create_app

    return EmbeddedTransport(create_app(db_path))
