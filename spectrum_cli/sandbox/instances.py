"""Which server processes over a store are alive, so a key left running by a dead one is free.

Each process that runs requests over a store holds an exclusive lock (flock) on a file of its
own in `<store>.instances/`, from its first idempotent request until it exits. The operating
system lets go of the lock when the process ends, however it ends (`kill -9` too), so another
process can tell at once whether an instance is alive by trying its lock. The sandbox clock
plays no part: moving it never makes a running request look dead.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import threading
from pathlib import Path

from spectrum_cli.fsutil import make_private_dirs

try:
    import fcntl
except ImportError:  # no flock on this platform: liveness is unknown, see `alive`
    fcntl = None  # type: ignore[assignment]

_ID = re.compile(r"^[0-9a-f]{16}$")


def instances_dir(db_path: str | Path) -> Path:
    return Path(f"{db_path}.instances")


class ServerInstance:
    """This process's claim on a store."""

    def __init__(self, db_path: str | Path) -> None:
        self.id = secrets.token_hex(8)
        self.dir = instances_dir(db_path)
        self._fd: int | None = None
        self._guard = threading.Lock()

    def claim(self) -> str:
        """This instance's id, its lock taken the first time (before any key names it)."""
        with self._guard:
            if self._fd is None and fcntl is not None:
                self._fd = self._lock_file()
                atexit.register(self.release)
        return self.id

    def _lock_file(self) -> int:
        make_private_dirs(self.dir)
        self._sweep()
        # Locked before it gets its name, so no one ever finds it unlocked while we live.
        staged = self.dir / f".{self.id}.new"
        fd = os.open(staged, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(staged, self.dir / f"{self.id}.lock")
        return fd

    def alive(self, instance_id: str | None) -> bool | None:
        """Whether the instance that wrote ``instance_id`` still runs; None when this platform
        cannot tell."""
        if instance_id == self.id:
            return True
        if instance_id is None or not _ID.match(instance_id):
            return False
        if fcntl is None:
            return None
        return _held(self.dir / f"{instance_id}.lock")

    def _sweep(self) -> None:
        """Remove the lock files of instances that ended without removing their own."""
        for path in self.dir.glob("*.lock"):
            _held(path)

    def release(self) -> None:
        with self._guard:
            if self._fd is None:
                return
            with contextlib.suppress(OSError):
                (self.dir / f"{self.id}.lock").unlink()
            os.close(self._fd)
            self._fd = None
        atexit.unregister(self.release)


def _held(path: Path) -> bool:
    """Whether a live process holds the lock on ``path``; a dead one's file is removed."""
    assert fcntl is not None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        with contextlib.suppress(OSError):
            path.unlink()
        return False
    finally:
        os.close(fd)
