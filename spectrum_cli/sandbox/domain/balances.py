"""What an account owes: charges less the payments that count.

A processing payment already counts against the balance; a returned one is owed again.
Balances are derived from charges and payments, never stored.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox.store import payments as payments_store
from spectrum_cli.sandbox.store import statements as statements_store


def charged_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Every charge ever posted, billed or not."""
    return statements_store.charges_total(conn, account_id=account_id)


def unbilled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Charges not yet on a statement (a late fee)."""
    return statements_store.charges_total(conn, account_id=account_id, unbilled=True)


def credited_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Payments that count against the balance: succeeded, and processing ones."""
    return payments_store.total(conn, account_id=account_id, statuses=("succeeded", "processing"))


def owed_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Charges minus credited payments: the account balance."""
    return charged_cents(conn, account_id) - credited_cents(conn, account_id)


def scheduled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Payments scheduled for a later date."""
    return payments_store.total(conn, account_id=account_id, statuses=("scheduled",))


def payable_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """What paying the balance pays now: the balance less payments already scheduled."""
    return max(0, owed_cents(conn, account_id) - scheduled_cents(conn, account_id))


def returned_since(
    conn: sqlite3.Connection, account_id: str, day: dt.date
) -> list[payments_store.ReturnedPayment]:
    """Payments the bank returned on or after ``day``: each is owed again."""
    return payments_store.returned_since(conn, account_id=account_id, day=day)
