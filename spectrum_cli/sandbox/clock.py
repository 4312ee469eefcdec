"""Sandbox time: real UTC time plus a stored offset that only moves forward."""

from __future__ import annotations

import datetime as dt
import sqlite3


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def offset(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT offset_seconds FROM clock WHERE id = 1").fetchone()[0])


def now(conn: sqlite3.Connection) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=offset(conn))


def advance(conn: sqlite3.Connection, *, seconds: int) -> None:
    conn.execute("UPDATE clock SET offset_seconds = offset_seconds + ? WHERE id = 1", (seconds,))


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
