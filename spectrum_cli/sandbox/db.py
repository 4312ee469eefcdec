"""The SQLite store: one short-lived connection per unit of work, WAL, versioned schema."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from spectrum_cli.fsutil import DiskFullError, make_private_dirs, path_error, restrict_to_owner
from spectrum_cli.sandbox.problems import StoreError
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
            found = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if found != "ok":
                raise StoreError(self.path, f"is damaged ({found})")
            conn.execute("BEGIN IMMEDIATE")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                conn.execute("ROLLBACK")
                raise StoreError(
                    self.path,
                    f"was made by a newer spectrum-cli (schema {version}; this one knows "
                    f"{len(MIGRATIONS)}): upgrade spectrum-cli to use it",
                )
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            conn.execute("COMMIT")
            return len(MIGRATIONS) - version
        finally:
            conn.close()


# SQLite's primary result codes that say the file cannot be used as it is.
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 3, 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26

MAKE_HINT = "Use a file in a folder you can write to (`sandbox serve --db PATH`)."


@contextmanager
def store_errors(path: str | Path) -> Iterator[None]:
    """Turn what SQLite and the file system say about an unusable store into StoreError (or
    DiskFullError) naming the file. Other errors (a busy store, a constraint) pass unchanged."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code == _SQLITE_FULL:
            raise DiskFullError(f"Cannot write {path}: its disk is full.", path) from None
        if code == _SQLITE_CANTOPEN and Path(path).is_dir():
            raise StoreError(path, "is a folder, not a file", hint=MAKE_HINT) from None
        problem = _sqlite_problem(code, exc)
        if problem is None:
            raise  # busy, a constraint...: not the file's fault
        raise StoreError(path, problem) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise path_error("write", exc.filename or path, exc) from None
        where = f"{exc.filename}: " if exc.filename and str(exc.filename) != str(path) else ""
        problem = f"cannot be opened ({where}{os.strerror(exc.errno or 0)})"
        raise StoreError(path, problem, hint=MAKE_HINT) from None


def _sqlite_problem(code: int, exc: sqlite3.DatabaseError) -> str | None:
    if code == _SQLITE_NOTADB:
        return "is not a SQLite database"
    if code == _SQLITE_CORRUPT:
        return f"is damaged ({exc})"
    if code == _SQLITE_CANTOPEN:
        return f"cannot be opened ({exc})"
    if code in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR):
        return f"cannot be read or written ({exc})"
    return None


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
