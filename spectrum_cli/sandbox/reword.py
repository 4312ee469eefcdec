"""A wording switch: every text meant for people comes out in other words.

With SPECTRUM_SANDBOX_REWORD=1 the sandbox rewrites the strings under the keys below in its
JSON answers (reversed word order behind a marker), so a test can show that a client reads
meaning only from kinds and data fields: what it concludes must not change.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENV = "SPECTRUM_SANDBOX_REWORD"
PEOPLE_TEXT_KEYS = frozenset(
    {"description", "message", "messages", "warnings", "last_failure_reason"}
)
MARKER = "Reworded:"


def reword(text: str) -> str:
    """The same text in other words, the same way every time."""
    return f"{MARKER} {' '.join(reversed(text.split()))}"


def reword_json(value: Any) -> Any:
    """``value`` with every people's text under PEOPLE_TEXT_KEYS reworded, at any depth."""
    if isinstance(value, list):
        return [reword_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: _reword_field(v) if k in PEOPLE_TEXT_KEYS else reword_json(v) for k, v in value.items()
    }


def _reword_field(value: Any) -> Any:
    if isinstance(value, str):
        return reword(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [reword(v) for v in value]
    return reword_json(value)  # e.g. support messages: objects with texts of their own


def _is_json(start: Message) -> bool:
    for key, value in start.get("headers", []):
        if key.lower() == b"content-type":
            return value.split(b";")[0].strip().lower() == b"application/json"
    return False


def _with_length(start: Message, length: int) -> Message:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {**start, "headers": headers}


class RewordMiddleware:
    """Buffers each JSON answer, rewords it and sends it with its new Content-Length; any
    other answer (a PDF) passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def rewording_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_json(message):
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._send_reworded(start, b"".join(chunks), send)

        await self.app(scope, receive, rewording_send)

    @staticmethod
    async def _send_reworded(start: Message, body: bytes, send: Send) -> None:
        try:
            body = json.dumps(reword_json(json.loads(body)), ensure_ascii=False).encode()
        except ValueError:
            pass  # not JSON after all: sent as it came
        await send(_with_length(start, len(body)))
        await send({"type": "http.response.body", "body": body})
