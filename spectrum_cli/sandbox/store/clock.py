"""The sandbox clock's stored offset from real time (sandbox/clock.py is the clock)."""

from __future__ import annotations

import sqlite3


def clock_offset(conn: sqlite3.Connection) -> int:
    """The stored offset of sandbox time from real time, in seconds."""
    return int(conn.execute("SELECT offset_seconds FROM clock WHERE id = 1").fetchone()[0])


def set_clock_offset(conn: sqlite3.Connection, *, seconds: int) -> None:
    conn.execute("UPDATE clock SET offset_seconds = ? WHERE id = 1", (seconds,))
