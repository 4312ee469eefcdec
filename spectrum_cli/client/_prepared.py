"""A request built by the client's request loop and not sent: what a dry run shows."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spectrum_cli.client._exceptions import SpectrumError
from spectrum_cli.client._redact import SECRET_HEADERS

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class PreparedRequest:
    """A request exactly as the client would send it (URL, headers, body bytes, idempotency
    key), less its credentials: no Authorization, Cookie or Sandbox-Key header."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @classmethod
    def of(cls, request: httpx.Request) -> PreparedRequest:
        headers = tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.decode("latin-1").lower() not in SECRET_HEADERS
        )
        return cls(request.method, str(request.url), headers, request.read())

    def as_dict(self) -> dict[str, Any]:
        """``method``, ``url``, ``headers`` and ``body``: the body bytes as text (UTF-8), or
        ``body_base64`` when they are not text; no body, no key."""
        shown: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
        }
        if self.content:
            try:
                shown["body"] = self.content.decode("utf-8")
            except UnicodeDecodeError:
                shown["body_base64"] = base64.b64encode(self.content).decode("ascii")
        return shown


class RequestPrepared(SpectrumError):
    """Raised by the request loop inside `SpectrumClient.prepare` instead of sending."""

    def __init__(self, prepared: PreparedRequest) -> None:
        super().__init__(f"{prepared.method} {prepared.url} was prepared, not sent.")
        self.prepared = prepared
