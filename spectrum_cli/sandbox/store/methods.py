"""Payment methods: cards and bank accounts, kept without their full numbers."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class MethodRow:
    id: str
    account_id: str
    type: str
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None
    account_type: str | None
    routing_number: str | None
    behavior: str  # what a well-known test number does when charged: ok, decline, return, ...
    is_default: bool
    created_at: str
    removed_at: str | None


def _method(row: sqlite3.Row) -> MethodRow:
    return MethodRow(
        id=row["id"],
        account_id=row["account_id"],
        type=row["type"],
        brand=row["brand"],
        last4=row["last4"],
        exp_month=row["exp_month"],
        exp_year=row["exp_year"],
        account_type=row["account_type"],
        routing_number=row["routing_number"],
        behavior=row["behavior"],
        is_default=bool(row["is_default"]),
        created_at=row["created_at"],
        removed_at=row["removed_at"],
    )


def get(conn: sqlite3.Connection, *, method_id: str) -> MethodRow | None:
    """The method with this id, removed or not, on any account."""
    row = conn.execute("SELECT * FROM payment_methods WHERE id = ?", (method_id,)).fetchone()
    return _method(row) if row is not None else None


def for_account(conn: sqlite3.Connection, *, account_id: str) -> list[MethodRow]:
    """Every method the account ever had, removed ones too, oldest first."""
    rows = conn.execute(
        "SELECT * FROM payment_methods WHERE account_id = ? ORDER BY created_at, id",
        (account_id,),
    ).fetchall()
    return [_method(r) for r in rows]


def add_card(
    conn: sqlite3.Connection,
    *,
    method_id: str,
    account_id: str,
    brand: str,
    last4: str,
    exp_month: int,
    exp_year: int,
    behavior: str,
    created_at: str,
) -> None:
    conn.execute(
        """INSERT INTO payment_methods (id, account_id, type, brand, last4, exp_month,
           exp_year, behavior, created_at) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?)""",
        (method_id, account_id, brand, last4, exp_month, exp_year, behavior, created_at),
    )


def add_bank_account(
    conn: sqlite3.Connection,
    *,
    method_id: str,
    account_id: str,
    last4: str,
    account_type: str,
    routing_number: str,
    behavior: str,
    created_at: str,
) -> None:
    conn.execute(
        """INSERT INTO payment_methods (id, account_id, type, last4, account_type,
           routing_number, behavior, created_at) VALUES (?, ?, 'bank_account', ?, ?, ?, ?, ?)""",
        (method_id, account_id, last4, account_type, routing_number, behavior, created_at),
    )


def make_default(conn: sqlite3.Connection, *, account_id: str, method_id: str) -> None:
    conn.execute(
        "UPDATE payment_methods SET is_default = (id = ?) WHERE account_id = ?",
        (method_id, account_id),
    )


def remove(conn: sqlite3.Connection, *, method_id: str, removed_at: str) -> None:
    conn.execute(
        "UPDATE payment_methods SET removed_at = ?, is_default = 0 WHERE id = ?",
        (removed_at, method_id),
    )
