"""Messages the provider would text or email land here, like a local mail catcher."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api.sandbox import OutboxMessage
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.security import new_id


def _message(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        channel=row["channel"],
        to=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        code=row["code"],
        created_at=row["created_at"],
    )


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


def messages(conn: sqlite3.Connection, *, to: str | None, limit: int) -> list[OutboxMessage]:
    """Up to ``limit`` messages, newest first, to one recipient or to all."""
    rows = conn.execute(
        "SELECT * FROM outbox WHERE (? IS NULL OR recipient = ?) ORDER BY seq DESC LIMIT ?",
        (to, to, limit),
    ).fetchall()
    return [_message(r) for r in rows]
