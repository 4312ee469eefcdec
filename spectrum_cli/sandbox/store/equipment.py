"""Equipment on an account and its remote restarts."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api.account import Equipment
from spectrum_cli.sandbox import clock


def equipment_model(row: sqlite3.Row, now: dt.datetime) -> Equipment:
    """A device as it is at ``now``: `restarting` until its restart is over."""
    until = clock.parse(row["restarting_until"]) if row["restarting_until"] else None
    restarting = until is not None and until > now
    return Equipment(
        id=row["id"],
        kind=row["kind"],
        model=row["model"],
        service_kind=row["service_kind"],
        monthly_fee_cents=row["monthly_fee_cents"],
        status="restarting" if restarting else row["status"],
        back_online_at=until if restarting else None,
    )


def equipment(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> list[Equipment]:
    rows = conn.execute(
        "SELECT * FROM equipment WHERE account_id = ? ORDER BY rowid", (account_id,)
    ).fetchall()
    return [equipment_model(r, now) for r in rows]


def device(
    conn: sqlite3.Connection, *, account_id: str, equipment_id: str, now: dt.datetime
) -> Equipment | None:
    row = conn.execute(
        "SELECT * FROM equipment WHERE id = ? AND account_id = ?", (equipment_id, account_id)
    ).fetchone()
    return equipment_model(row, now) if row else None


def restart(
    conn: sqlite3.Connection, *, equipment_id: str, until: dt.datetime, now: dt.datetime
) -> Equipment:
    """Mark the device restarting until ``until``; returns it as it is at ``now``."""
    conn.execute(
        "UPDATE equipment SET restarting_until = ? WHERE id = ?", (clock.iso(until), equipment_id)
    )
    row = conn.execute("SELECT * FROM equipment WHERE id = ?", (equipment_id,)).fetchone()
    return equipment_model(row, now)
