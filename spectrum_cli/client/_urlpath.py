"""The one rule for what the request loop accepts as a path: a path under the base URL."""

from __future__ import annotations

import re
from urllib.parse import unquote

from spectrum_cli.client._exceptions import InvalidPathError

# Whitespace, controls, backslashes (read as slashes by some servers), a query or a fragment.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\?#]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def is_absolute_url(text: str) -> bool:
    """``scheme:…`` or ``//host…``: a URL of its own, not a path under a base URL."""
    return bool(_SCHEME.match(text)) or text.startswith("//")


def check_path(path: str) -> str:
    """``path`` if it names a resource under the client's base URL, else InvalidPathError
    (nothing is sent): an absolute URL (``https://…``, ``//host…``), a path not starting with
    ``/``, a ``.`` or ``..`` segment (also percent-encoded), whitespace, a control character,
    a backslash, ``?`` or ``#``. Ids inside it are the caller's to percent-encode."""
    if is_absolute_url(path):
        raise InvalidPathError(path, "an absolute URL; give a path such as /v1/account")
    if not path.startswith("/"):
        raise InvalidPathError(path, "a path starts with /, as in /v1/account")
    found = _UNSAFE.search(path)
    if found:
        raise InvalidPathError(path, f"{found.group()!r} is not allowed in a path")
    if any(unquote(segment) in (".", "..") for segment in path.split("/")):
        raise InvalidPathError(path, "a path may not contain . or .. segments")
    return path
