"""Atomic, private file writes: a crash leaves the old file or the new one, never half of one,
and (on Linux) no stray temporary file either."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if hasattr(os, "O_TMPFILE"):
        try:
            _write_unnamed(path, data, mode)
            return
        except OSError:
            pass  # a filesystem without O_TMPFILE: fall back to a named temporary file
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_dir(path.parent)


def _write_unnamed(path: Path, data: bytes, mode: int) -> None:
    """Write into an unnamed file (it vanishes if we are killed), then give it a name."""
    fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, mode)
    try:
        os.fchmod(fd, mode)
        with open(fd, "wb", closefd=False) as f:
            f.write(data)
            f.flush()
            os.fsync(fd)
        staged = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        os.link(f"/proc/self/fd/{fd}", staged, follow_symlinks=True)
        try:
            os.replace(staged, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(staged)
            raise
    finally:
        os.close(fd)
    _sync_dir(path.parent)


def _sync_dir(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
