"""Messages the provider would text or email land here, like a local mail catcher."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.security import new_id


def send(
    conn: sqlite3.Connection,
    *,
    channel: str,
    to: str,
    subject: str,
    body: str,
    now: dt.datetime,
    code: str | None = None,
) -> None:
    conn.execute(
        """INSERT INTO outbox (id, channel, recipient, subject, body, code, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (new_id("msg"), channel, to, subject, body, code, clock.iso(now)),
    )


def primary_contact(conn: sqlite3.Connection, *, account_id: str, kind: str) -> str | None:
    row = conn.execute(
        """SELECT value FROM contacts WHERE account_id = ? AND kind = ?
           ORDER BY is_primary DESC, rowid LIMIT 1""",
        (account_id, kind),
    ).fetchone()
    return str(row["value"]) if row else None
