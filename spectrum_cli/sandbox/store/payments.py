"""Payments: one-time and autopay, from scheduled to settled, failed, returned or canceled."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.billing import Payment

_NO_CURSOR = 2**62


def _payment(row: sqlite3.Row) -> Payment:
    return Payment(**{k: row[k] for k in Payment.model_fields if k in row.keys()})


def get(conn: sqlite3.Connection, *, payment_id: str) -> Payment:
    row = conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
    return _payment(row)


def find(conn: sqlite3.Connection, *, account_id: str, ref: str) -> Payment | None:
    """A payment of the account by its id or its confirmation number."""
    row = conn.execute(
        "SELECT * FROM payments WHERE (id = ? OR confirmation_number = ?) AND account_id = ?",
        (ref, ref, account_id),
    ).fetchone()
    return _payment(row) if row is not None else None


def find_by_key(
    conn: sqlite3.Connection, *, account_id: str, idempotency_key: str
) -> Payment | None:
    row = conn.execute(
        "SELECT * FROM payments WHERE account_id = ? AND idempotency_key = ?",
        (account_id, idempotency_key),
    ).fetchone()
    return _payment(row) if row is not None else None


def failed_autopay(conn: sqlite3.Connection, *, account_id: str, day: dt.date) -> Payment | None:
    """The autopay charge scheduled for ``day`` that failed, if there is one."""
    row = conn.execute(
        "SELECT * FROM payments WHERE account_id = ? AND kind = 'autopay' AND status = 'failed' "
        "AND scheduled_for = ? ORDER BY rowid DESC LIMIT 1",
        (account_id, day.isoformat()),
    ).fetchone()
    return _payment(row) if row is not None else None


@dataclass(frozen=True)
class PaymentFilter:
    """Which payments a page holds: in this status, dated (``scheduled_for``) within these days."""

    status: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def sql(self) -> tuple[str, tuple[str, ...]]:
        """The filter as SQL conditions to AND, and their parameters."""
        conditions = (
            ("status = ?", self.status),
            ("scheduled_for >= ?", self.first_day and self.first_day.isoformat()),
            ("scheduled_for <= ?", self.last_day and self.last_day.isoformat()),
        )
        given = [(sql, value) for sql, value in conditions if value is not None]
        return "".join(f" AND {sql}" for sql, _ in given), tuple(v for _, v in given)


def page(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    after: str | None,
    limit: int,
    only: PaymentFilter = PaymentFilter(),
) -> list[Payment]:
    """Up to ``limit`` payments that ``only`` lets through, newest first, made before ``after``
    (an id or confirmation number) when given."""
    conditions, values = only.sql()
    rows = conn.execute(
        f"""SELECT * FROM payments WHERE account_id = ?{conditions} AND seq < COALESCE(
               (SELECT seq FROM payments WHERE (id = ? OR confirmation_number = ?)
                AND account_id = ?), ?)
           ORDER BY seq DESC LIMIT ?""",
        (account_id, *values, after, after, account_id, _NO_CURSOR, limit),
    ).fetchall()
    return [_payment(r) for r in rows]


def insert(
    conn: sqlite3.Connection,
    *,
    payment_id: str,
    account_id: str,
    statement_id: str | None,
    confirmation_number: str,
    amount_cents: int,
    kind: str,
    method_id: str,
    method_label: str,
    scheduled_for: dt.date,
    created_at: str,
    status: str = "scheduled",
    settled_at: str | None = None,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
) -> None:
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at,
           settled_at, idempotency_key, request_fingerprint)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            payment_id,
            account_id,
            statement_id,
            confirmation_number,
            amount_cents,
            kind,
            status,
            method_id,
            method_label,
            scheduled_for.isoformat(),
            created_at,
            settled_at,
            idempotency_key,
            request_fingerprint,
        ),
    )


def mark_processing(conn: sqlite3.Connection, *, payment_id: str, settle_on: dt.date) -> None:
    conn.execute(
        "UPDATE payments SET status = 'processing', settle_on = ? WHERE id = ?",
        (settle_on.isoformat(), payment_id),
    )


def mark_succeeded(conn: sqlite3.Connection, *, payment_id: str, settled_at: str) -> None:
    conn.execute(
        "UPDATE payments SET status = 'succeeded', settled_at = ? WHERE id = ?",
        (settled_at, payment_id),
    )


def mark_failed(conn: sqlite3.Connection, *, payment_id: str, code: str, reason: str) -> None:
    conn.execute(
        "UPDATE payments SET status = 'failed', failure_code = ?, failure_reason = ? WHERE id = ?",
        (code, reason, payment_id),
    )


def mark_returned(
    conn: sqlite3.Connection, *, payment_id: str, settled_at: str, code: str, reason: str
) -> None:
    conn.execute(
        "UPDATE payments SET status = 'returned', settled_at = ?, failure_code = ?, "
        "failure_reason = ? WHERE id = ?",
        (settled_at, code, reason, payment_id),
    )


def mark_canceled(conn: sqlite3.Connection, *, payment_id: str) -> None:
    conn.execute("UPDATE payments SET status = 'canceled' WHERE id = ?", (payment_id,))


def scheduled_toward(conn: sqlite3.Connection, *, statement_id: str) -> int:
    """What payments already scheduled toward the statement will pay."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE statement_id = ? AND "
        "status = 'scheduled'",
        (statement_id,),
    ).fetchone()
    return int(row[0])


def in_flight_with(conn: sqlite3.Connection, *, method_id: str) -> bool:
    """Whether a scheduled or processing payment uses the method."""
    row = conn.execute(
        "SELECT 1 FROM payments WHERE method_id = ? AND status IN ('scheduled', 'processing')",
        (method_id,),
    ).fetchone()
    return row is not None


def total(conn: sqlite3.Connection, *, account_id: str, statuses: tuple[str, ...]) -> int:
    """The sum of the account's payments in any of ``statuses``."""
    marks = ", ".join("?" * len(statuses))
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ? "
        f"AND status IN ({marks})",
        (account_id, *statuses),
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class PendingPayment:
    """A payment still to be charged (on ``scheduled_for``) or settled (on ``settle_on``)."""

    id: str
    scheduled_for: dt.date
    settle_on: dt.date | None


def pending(conn: sqlite3.Connection, *, account_id: str) -> list[PendingPayment]:
    rows = conn.execute(
        "SELECT id, status, scheduled_for, settle_on FROM payments WHERE account_id = ? "
        "AND status IN ('scheduled', 'processing')",
        (account_id,),
    ).fetchall()
    return [
        PendingPayment(
            id=r["id"],
            scheduled_for=dt.date.fromisoformat(r["scheduled_for"]),
            settle_on=dt.date.fromisoformat(r["settle_on"])
            if r["status"] == "processing"
            else None,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class ReturnedPayment:
    id: str
    statement_id: str | None
    confirmation_number: str
    amount_cents: int
    made_on: dt.date
    returned_on: dt.date


def returned_since(
    conn: sqlite3.Connection, *, account_id: str, day: dt.date
) -> list[ReturnedPayment]:
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
