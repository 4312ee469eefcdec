"""The SQLite store: one short-lived connection per unit of work, WAL, versioned schema."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from spectrum_cli.fsutil import make_private_dirs, restrict_to_owner
from spectrum_cli.sandbox.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock up front, so two writers never deadlock."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextmanager
    def scratch(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that is always rolled back: for previews ("what if")."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def migrate(self) -> int:
        """Bring the file to the newest schema version; returns the number of steps applied."""
        _make_private(Path(self.path))
        conn = self.connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                conn.execute("ROLLBACK")
                raise RuntimeError(
                    f"{self.path} has schema version {version}, newer than this program "
                    f"({len(MIGRATIONS)}); upgrade spectrum-cli or use another --db file"
                )
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            conn.execute("COMMIT")
            return len(MIGRATIONS) - version
        finally:
            conn.close()


def _make_private(path: Path) -> None:
    """The store holds password hashes and payment data: 0600, in a 0700 directory if we make
    one. SQLite gives its -wal and -shm files the main file's mode."""
    make_private_dirs(path.parent)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with suppress(FileNotFoundError):
            restrict_to_owner(name)  # made by an older version, or copied in


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    out, buf = [], ""
    for piece in "\n".join(lines).split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out
