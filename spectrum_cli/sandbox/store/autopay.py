"""Autopay: one row per account, and which statements it has already looked at."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class AutopayRow:
    account_id: str
    enabled: bool
    method_id: str | None
    status: str
    covers_from: dt.date | None  # the first statement it pays (by statement date)
    covers_until: dt.date | None  # the last one, when it was turned off too late to skip it
    last_failure_reason: str | None
    failed_on: dt.date | None  # the day of the charge that failed, with what it was to pay
    failed_amount_cents: int | None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _autopay(row: sqlite3.Row) -> AutopayRow:
    return AutopayRow(
        account_id=row["account_id"],
        enabled=bool(row["enabled"]),
        method_id=row["method_id"],
        status=row["status"],
        covers_from=_date(row["covers_from"]),
        covers_until=_date(row["covers_until"]),
        last_failure_reason=row["last_failure_reason"],
        failed_on=_date(row["failed_on"]),
        failed_amount_cents=row["failed_amount_cents"],
    )


def get(conn: sqlite3.Connection, *, account_id: str) -> AutopayRow | None:
    row = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
    return _autopay(row) if row is not None else None


def turn_on(
    conn: sqlite3.Connection, *, account_id: str, method_id: str, covers_from: dt.date
) -> None:
    conn.execute(
        """INSERT INTO autopay (account_id, enabled, method_id, status, covers_from)
           VALUES (?, 1, ?, 'active', ?)
           ON CONFLICT (account_id) DO UPDATE SET enabled = 1, method_id = excluded.method_id,
           status = 'active', last_failure_reason = NULL, failed_on = NULL,
           failed_amount_cents = NULL, covers_from = excluded.covers_from, covers_until = NULL""",
        (account_id, method_id, covers_from.isoformat()),
    )


def turn_off(conn: sqlite3.Connection, *, account_id: str, covers_until: dt.date | None) -> None:
    """Off; with ``covers_until`` it still pays the statements up to that one, else none."""
    if covers_until is not None:
        conn.execute(
            "UPDATE autopay SET enabled = 0, status = 'off', covers_until = ? WHERE account_id = ?",
            (covers_until.isoformat(), account_id),
        )
    else:
        conn.execute(
            "UPDATE autopay SET enabled = 0, status = 'off', covers_from = NULL, "
            "covers_until = NULL WHERE account_id = ?",
            (account_id,),
        )


def needs_attention(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    reason: str,
    failed_on: dt.date,
    amount_cents: int,
) -> None:
    """The charge of ``failed_on`` for ``amount_cents`` failed, for ``reason``."""
    conn.execute(
        "UPDATE autopay SET status = 'needs_attention', last_failure_reason = ?, failed_on = ?, "
        "failed_amount_cents = ? WHERE account_id = ?",
        (reason, failed_on.isoformat(), amount_cents, account_id),
    )


def mark_active(conn: sqlite3.Connection, *, account_id: str) -> None:
    conn.execute(
        "UPDATE autopay SET status = 'active', last_failure_reason = NULL, failed_on = NULL, "
        "failed_amount_cents = NULL WHERE account_id = ?",
        (account_id,),
    )


def pays_with(conn: sqlite3.Connection, *, account_id: str, method_id: str) -> bool:
    """Whether autopay is on and pays with the method."""
    row = conn.execute(
        "SELECT 1 FROM autopay WHERE account_id = ? AND enabled = 1 AND method_id = ?",
        (account_id, method_id),
    ).fetchone()
    return row is not None


def mark_statement_checked(conn: sqlite3.Connection, *, statement_id: str) -> None:
    """Autopay has looked at the statement on its due date (whether or not it paid)."""
    conn.execute("UPDATE statements SET autopay_checked = 1 WHERE id = ?", (statement_id,))
