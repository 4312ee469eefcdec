"""Statements and charges (line items): every SQL statement on those two tables."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from spectrum_cli.api.account import Alert
from spectrum_cli.api.billing import LineItem

# The charges columns a line item is stored in, one per LineItem field.
_LINE_COLUMNS = (
    "kind",
    "description",
    "amount_cents",
    "code",
    "service_kind",
    "plan_name",
    "promo_ends_on",
    "regular_price_cents",
    "equipment_model",
    "line_id",
    "line_name",
    "usage_quantity",
    "usage_unit",
    "usage_start",
    "usage_end",
)


@dataclass(frozen=True)
class StatementRow:
    id: str
    statement_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    previous_balance_cents: int
    amount_due_cents: int
    messages: tuple[str, ...]
    alerts: tuple[Alert, ...]
    late_fee_checked: bool
    autopay_checked: bool


def _statement(row: sqlite3.Row) -> StatementRow:
    """Statements store what they tell as alert objects; older ones as plain texts, which
    stay messages without an alert."""
    told = json.loads(row["messages"])
    return StatementRow(
        id=row["id"],
        statement_date=dt.date.fromisoformat(row["statement_date"]),
        due_date=dt.date.fromisoformat(row["due_date"]),
        period_start=dt.date.fromisoformat(row["period_start"]),
        period_end=dt.date.fromisoformat(row["period_end"]),
        previous_balance_cents=row["previous_balance_cents"],
        amount_due_cents=row["amount_due_cents"],
        messages=tuple(t["message"] if isinstance(t, dict) else t for t in told),
        alerts=tuple(Alert.model_validate(t) for t in told if isinstance(t, dict)),
        late_fee_checked=bool(row["late_fee_checked"]),
        autopay_checked=bool(row["autopay_checked"]),
    )


def _line_item(row: sqlite3.Row) -> LineItem:
    return LineItem.model_validate({c: row[c] for c in _LINE_COLUMNS})


# Statements ------------------------------------------------------------------------------------


def statement_rows(conn: sqlite3.Connection, *, account_id: str) -> list[StatementRow]:
    """Every statement of the account, oldest first."""
    rows = conn.execute(
        "SELECT * FROM statements WHERE account_id = ? ORDER BY statement_date", (account_id,)
    ).fetchall()
    return [_statement(r) for r in rows]


def latest_statement(conn: sqlite3.Connection, *, account_id: str) -> StatementRow | None:
    row = conn.execute(
        "SELECT * FROM statements WHERE account_id = ? ORDER BY statement_date DESC LIMIT 1",
        (account_id,),
    ).fetchone()
    return _statement(row) if row is not None else None


def statements_to_check(conn: sqlite3.Connection, *, account_id: str) -> list[StatementRow]:
    """Statements whose late-fee check or autopay charge has not run yet."""
    rows = conn.execute(
        "SELECT * FROM statements WHERE account_id = ? "
        "AND (late_fee_checked = 0 OR autopay_checked = 0) ORDER BY statement_date",
        (account_id,),
    ).fetchall()
    return [_statement(r) for r in rows]


def insert_statement(
    conn: sqlite3.Connection,
    *,
    statement_id: str,
    account_id: str,
    statement_date: dt.date,
    due_date: dt.date,
    period_end: dt.date,
    previous_balance_cents: int,
) -> None:
    """A new statement for the period from ``statement_date``; what it asks for is set by
    `finish_statement` once its charges are in."""
    conn.execute(
        """INSERT INTO statements (id, account_id, statement_date, due_date, period_start,
           period_end, previous_balance_cents, amount_due_cents, messages)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, '[]')""",
        (
            statement_id,
            account_id,
            statement_date.isoformat(),
            due_date.isoformat(),
            statement_date.isoformat(),
            period_end.isoformat(),
            previous_balance_cents,
        ),
    )


def finish_statement(
    conn: sqlite3.Connection,
    *,
    statement_id: str,
    amount_due_cents: int,
    alerts: Sequence[Alert],
) -> None:
    told = [a.model_dump(mode="json", exclude_none=True) for a in alerts]
    conn.execute(
        "UPDATE statements SET amount_due_cents = ?, messages = ? WHERE id = ?",
        (amount_due_cents, json.dumps(told), statement_id),
    )


def mark_late_fee_checked(conn: sqlite3.Connection, *, statement_id: str) -> None:
    conn.execute("UPDATE statements SET late_fee_checked = 1 WHERE id = ?", (statement_id,))


def skip_late_fee_checks(conn: sqlite3.Connection, *, account_id: str) -> None:
    """Mark every statement's late-fee check as done (for a preview that assumes the bills
    not yet due are paid on time)."""
    conn.execute("UPDATE statements SET late_fee_checked = 1 WHERE account_id = ?", (account_id,))


# Charges ---------------------------------------------------------------------------------------


def charges_total(conn: sqlite3.Connection, *, account_id: str, unbilled: bool = False) -> int:
    """The sum of the account's charges; with ``unbilled``, only those not yet on a
    statement."""
    where = " AND statement_id IS NULL" if unbilled else ""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM charges WHERE account_id = ?" + where,
        (account_id,),
    ).fetchone()
    return int(row[0])


def statement_totals(conn: sqlite3.Connection, *, account_id: str) -> dict[str, int]:
    """Each statement's charges, summed, by statement id."""
    rows = conn.execute(
        "SELECT statement_id, SUM(amount_cents) FROM charges WHERE account_id = ? "
        "AND statement_id IS NOT NULL GROUP BY statement_id",
        (account_id,),
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def unbilled_late_fees_cents(conn: sqlite3.Connection, *, account_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM charges WHERE account_id = ? "
        "AND statement_id IS NULL AND kind = 'late_fee'",
        (account_id,),
    ).fetchone()
    return int(row[0])


def bill_unbilled(conn: sqlite3.Connection, *, account_id: str, statement_id: str) -> None:
    """Put every charge not yet on a statement on ``statement_id``."""
    conn.execute(
        "UPDATE charges SET statement_id = ? WHERE account_id = ? AND statement_id IS NULL",
        (statement_id, account_id),
    )


def add_charges(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    statement_id: str | None,
    posted_on: dt.date,
    items: Sequence[LineItem],
) -> None:
    """Post ``items`` (on ``statement_id``, or unbilled until the next statement)."""
    columns = ", ".join(_LINE_COLUMNS)
    marks = ", ".join("?" * (len(_LINE_COLUMNS) + 3))
    conn.executemany(
        f"INSERT INTO charges (account_id, statement_id, posted_on, {columns}) VALUES ({marks})",
        [(account_id, statement_id, posted_on.isoformat(), *_line_values(item)) for item in items],
    )


def _line_values(item: LineItem) -> tuple[object, ...]:
    values = item.model_dump(mode="json")
    return tuple(values[c] for c in _LINE_COLUMNS)


def line_items(conn: sqlite3.Connection, *, statement_id: str) -> list[LineItem]:
    """A statement's line items in the order they were posted."""
    rows = conn.execute(
        "SELECT * FROM charges WHERE statement_id = ? ORDER BY seq", (statement_id,)
    ).fetchall()
    return [_line_item(r) for r in rows]
