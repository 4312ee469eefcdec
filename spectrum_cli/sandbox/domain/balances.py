"""What an account owes: charges less the payments that count.

A processing payment already counts against the balance; a returned one is owed again.
Balances are derived from charges and payments, never stored.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.sandbox.store import statements as statements_store


def charged_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Every charge ever posted, billed or not."""
    return statements_store.charges_total(conn, account_id=account_id)


def unbilled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Charges not yet on a statement (a late fee)."""
    return statements_store.charges_total(conn, account_id=account_id, unbilled=True)


def _payments_cents(conn: sqlite3.Connection, account_id: str, statuses: tuple[str, ...]) -> int:
    marks = ", ".join("?" * len(statuses))
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ? "
        f"AND status IN ({marks})",
        (account_id, *statuses),
    ).fetchone()
    return int(row[0])


def credited_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Payments that count against the balance: succeeded, and processing ones."""
    return _payments_cents(conn, account_id, ("succeeded", "processing"))


def owed_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Charges minus credited payments: the account balance."""
    return charged_cents(conn, account_id) - credited_cents(conn, account_id)


def scheduled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Payments scheduled for a later date."""
    return _payments_cents(conn, account_id, ("scheduled",))


def payable_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """What paying the balance pays now: the balance less payments already scheduled."""
    return max(0, owed_cents(conn, account_id) - scheduled_cents(conn, account_id))


@dataclass(frozen=True)
class ReturnedPayment:
    id: str
    statement_id: str | None
    confirmation_number: str
    amount_cents: int
    made_on: dt.date
    returned_on: dt.date


def returned_since(
    conn: sqlite3.Connection, account_id: str, day: dt.date
) -> list[ReturnedPayment]:
    """Payments the bank returned on or after ``day``: each is owed again."""
    rows = conn.execute(
        "SELECT * FROM payments WHERE account_id = ? AND status = 'returned' AND settled_at >= ?",
        (account_id, day.isoformat()),
    ).fetchall()
    return [
        ReturnedPayment(
            id=r["id"],
            statement_id=r["statement_id"],
            confirmation_number=r["confirmation_number"],
            amount_cents=r["amount_cents"],
            made_on=dt.date.fromisoformat(r["created_at"][:10]),
            returned_on=dt.date.fromisoformat(r["settled_at"][:10]),
        )
        for r in rows
    ]
