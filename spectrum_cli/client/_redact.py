"""Scrub secrets from anything the client logs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from spectrum_cli.api.routes import SECRET_FIELDS

REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "proxy-authorization", "sandbox-key"}
)

_FIELD_RE = re.compile(r'("(?:' + "|".join(sorted(SECRET_FIELDS)) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
_TOKEN_RE = re.compile(r"\b(?:sat|srt|spk|sbx)_[A-Za-z0-9_\-]{8,}")
_DIGITS_RE = re.compile(r"\b\d(?:[ -]?\d){8,18}\b")  # card, bank and account numbers


def redact_text(text: str) -> str:
    text = _FIELD_RE.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    text = _TOKEN_RE.sub(REDACTED, text)
    return _DIGITS_RE.sub(REDACTED, text)


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else redact_text(v)) for k, v in items}
