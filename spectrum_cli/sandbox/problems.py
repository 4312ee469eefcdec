"""Why the sandbox cannot start on this machine: its store, its key file, its port.

Standard library only, so the CLI's error table can name these without loading the server.
"""

from __future__ import annotations

from pathlib import Path

from spectrum_cli.fsutil import PathError


class StoreError(PathError):
    """The store (or its key file) exists but cannot be used: not SQLite, damaged, written by
    a newer version, unreadable. Starting over (a reset, or moving the file aside) fixes it."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        what: str = "sandbox store",
        hint: str | None = None,
    ) -> None:
        super().__init__(f"The {what} {path} {problem}.", path, hint)


class PortUnavailable(Exception):
    """The address to serve on cannot be listened on (in use, not ours, privileged)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint
