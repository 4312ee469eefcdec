"""Atomic, private file writes: a crash leaves the old file or the new one, never half of one.

A writer holds an exclusive flock on its temporary file until the rename, so a temporary file
left by a writer that was killed is the only kind nobody holds: the next write of the same file
removes those."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


class PathError(Exception):
    """A file or folder on this machine cannot be made, read or written: names it and why."""

    def __init__(self, message: str, path: Path | str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.path, self.hint = message, str(path), hint


class DiskFullError(PathError):
    """The disk (or the user's quota) is full: nothing was written, and the same command can
    succeed once there is room."""


_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def path_error(doing: str, path: Path | str, exc: OSError, hint: str | None = None) -> PathError:
    """``exc`` as "Cannot DOING PATH: REASON." (a full disk gets its own class)."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    cls = DiskFullError if exc.errno in _FULL else PathError
    return cls(f"Cannot {doing} {path}: {reason}.", path, hint)


def make_private_dirs(directory: Path) -> None:
    """Create what is missing of ``directory``, each new level 0700; existing ones are left as
    they are (a directory the user named is theirs to set)."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for level in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            level.mkdir(mode=0o700)


def restrict_to_owner(path: Path) -> None:
    """Take group and world access off ``path`` (0644 becomes 0600, 0755 becomes 0700)."""
    mode = path.stat().st_mode
    if mode & 0o077:
        os.chmod(path, stat.S_IMODE(mode) & 0o700)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    make_private_dirs(path.parent)
    _remove_abandoned(path)
    if hasattr(os, "O_TMPFILE"):
        try:
            _write_unnamed(path, data, mode)
            return
        except OSError as exc:
            if exc.errno in _FULL:
                raise  # a named temporary file would not fit either
            # a filesystem without O_TMPFILE: fall back to a named temporary file
    fd, tmp = _locked_named_temp(path)
    try:
        os.fchmod(fd, mode)
        with open(fd, "wb", closefd=False) as f:
            f.write(data)
            f.flush()
            os.fsync(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)  # only now: the lock says "still being written" until the rename
    _sync_dir(path.parent)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on the lock file ``path`` (made 0600, in a private directory)
    for the ``with`` block; without flock on this platform the block runs uncoordinated."""
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        restrict_to_owner(path)  # one made by an older version may be 0644
        _lock(fd)
        yield
    finally:
        os.close(fd)


def _lock(fd: int, *, wait: bool = True) -> bool:
    """An exclusive flock on ``fd``; False when ``wait`` is off and another process holds it."""
    try:
        import fcntl
    except ImportError:  # no flock here: nothing is ever judged abandoned
        return wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _locked_named_temp(path: Path) -> tuple[int, str]:
    """A named temporary file beside ``path``, locked, and still ours once locked (a sweep may
    have removed it in between: then make another)."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        _lock(fd)
        with contextlib.suppress(FileNotFoundError):
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        os.close(fd)


def _remove_abandoned(path: Path) -> None:
    """Remove temporary files of ``path`` whose writer died before its rename (nobody holds
    their lock); a live writer's are left alone."""
    import glob

    for name in glob.glob(glob.escape(str(path.parent / f".{path.name}.")) + "*.tmp"):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if _lock(fd, wait=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)
        finally:
            os.close(fd)


def _write_unnamed(path: Path, data: bytes, mode: int) -> None:
    """Write into an unnamed file (it vanishes if we are killed), then give it a name."""
    fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, mode)
    try:
        _lock(fd)  # before it has a name, so no sweep can take it for abandoned
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
