"""Sandbox time: real UTC time plus a stored offset that only moves forward."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox.store.clock import clock_offset, set_clock_offset

# Sandbox time stays within a century of real time, so date arithmetic never overflows.
MAX_OFFSET_YEARS = 100
MAX_OFFSET_SECONDS = MAX_OFFSET_YEARS * 365 * 86400


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def offset(conn: sqlite3.Connection) -> int:
    stored = clock_offset(conn)
    # A store written before the bound existed may hold any offset; `now` must still work.
    return max(-MAX_OFFSET_SECONDS, min(stored, MAX_OFFSET_SECONDS))


def now(conn: sqlite3.Connection) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=offset(conn))


def advance(conn: sqlite3.Connection, *, seconds: int) -> None:
    set_clock_offset(conn, seconds=offset(conn) + seconds)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
