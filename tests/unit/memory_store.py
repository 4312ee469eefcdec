"""An in-memory sandbox store for the unit tier: migrated and seeded once per module, copied
for each test, so each test starts from the same seeded day without HTTP or files."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox import seed
from spectrum_cli.sandbox.db import _statements
from spectrum_cli.sandbox.schema import MIGRATIONS


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def migrate(conn: sqlite3.Connection, scripts: list[str]) -> None:
    for script in scripts:
        for statement in _statements(script):
            conn.execute(statement)


def seeded(now: dt.datetime) -> sqlite3.Connection:
    """A store with every migration and the demo personas, seeded as of ``now``."""
    conn = connect()
    migrate(conn, MIGRATIONS)
    seed.seed(conn, now=now)
    return conn


def copy_of(conn: sqlite3.Connection) -> sqlite3.Connection:
    copy = connect()
    conn.backup(copy)
    return copy
