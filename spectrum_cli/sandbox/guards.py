"""Requests the sandbox will not answer at all: a foreign Host, or an unsafe request whose
body is not JSON.

A Host check stops DNS rebinding (a hostile page whose name resolves to 127.0.0.1 would
otherwise be same-origin with the API), and JSON-only bodies stop a plain HTML form from
POSTing here: a browser cannot send `application/json` cross-origin without a preflight,
which this server never approves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from spectrum_cli.sandbox.errors import error_response

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The in-process transport's base URL names this host; nothing on a network does.
EMBEDDED_HOST = "sandbox.embedded"


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a Host header, without the port (IPv6 literals keep no brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class RequestGuard:
    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed_hosts = {host_name(h) for h in allowed_hosts} | {EMBEDDED_HOST}

    def host_allowed(self, header: str | None) -> bool:
        if not header:
            return False
        name = host_name(header)
        return name in self.allowed_hosts or is_loopback_host(name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.host_allowed(headers.get(b"host")):
            response = error_response(
                400,
                "invalid_request",
                "host_not_allowed",
                "This server answers only its own host names; start it with --allow-host NAME "
                "to add one.",
                param="Host",
            )
            await response(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS and not _json_or_empty(headers):
            response = error_response(
                415,
                "invalid_request",
                "unsupported_media_type",
                "Send the request body as JSON (Content-Type: application/json).",
                param="Content-Type",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _json_or_empty(headers: dict[bytes, str]) -> bool:
    content_type = headers.get(b"content-type")
    if content_type is None:
        # No declared type is fine only when there is no body at all.
        return b"transfer-encoding" not in headers and headers.get(b"content-length", "0") == "0"
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json"
