"""Autopay: which statements it pays, and turning it on and off near a due date.

Sandbox rule (DESIGN §2): enrolling or canceling within 3 business days of a due date takes
effect from the next statement. Coverage is stored as a range of statement dates
(`covers_from`, `covers_until`), so "still pays this one" and "starts with the next one" are
plain data, and the billing engine charges whatever is covered on its due date.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api.account import AutopayStatus
from spectrum_cli.api.billing import Autopay
from spectrum_cli.sandbox import billing
from spectrum_cli.sandbox.domain import statements as billing_statements
from spectrum_cli.sandbox.domain.calendar import DUE_AFTER, business_days_until
from spectrum_cli.sandbox.errors import missing

WINDOW_BUSINESS_DAYS = 3


def _open_statement(
    views: list[billing_statements.StatementView],
) -> billing_statements.StatementView | None:
    """The latest statement while autopay could still act on it."""
    if views and views[-1].balance_cents > 0 and not views[-1].autopay_checked:
        return views[-1]
    return None


def _too_close(latest: billing_statements.StatementView, today: dt.date) -> bool:
    return business_days_until(today, latest.due_date) <= WINDOW_BUSINESS_DAYS


def enroll(conn: sqlite3.Connection, *, account_id: str, method_id: str, today: dt.date) -> None:
    method = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ? AND account_id = ? AND removed_at IS NULL",
        (method_id, account_id),
    ).fetchone()
    if method is None:
        raise missing(
            "no_such_method", f"No payment method {method_id} on this account.", param="method_id"
        )
    row = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
    views = billing_statements.statements(conn, account_id, today)
    latest = _open_statement(views)
    if (
        row is not None
        and row["covers_from"] is not None
        and (row["enabled"] or (latest and billing.covers(row, latest.row_date)))
    ):
        covers_from = row["covers_from"]  # already covering: only the method changes
    elif latest is not None and not _too_close(latest, today):
        covers_from = latest.row_date.isoformat()
    else:
        upcoming = billing_statements.next_statement_date(conn, account_id)
        covers_from = upcoming.isoformat() if upcoming else today.isoformat()
    conn.execute(
        """INSERT INTO autopay (account_id, enabled, method_id, status, covers_from)
           VALUES (?, 1, ?, 'active', ?)
           ON CONFLICT (account_id) DO UPDATE SET enabled = 1, method_id = excluded.method_id,
           status = 'active', last_failure_reason = NULL, covers_from = excluded.covers_from,
           covers_until = NULL""",
        (account_id, method_id, covers_from),
    )


def cancel(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> None:
    row = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
    if row is None or not row["enabled"]:
        return
    latest = _open_statement(billing_statements.statements(conn, account_id, today))
    if latest is not None and billing.covers(row, latest.row_date) and _too_close(latest, today):
        # Too late to stop this one: it is still paid on its due date, then autopay ends.
        conn.execute(
            "UPDATE autopay SET enabled = 0, status = 'off', covers_until = ? WHERE account_id = ?",
            (latest.row_date.isoformat(), account_id),
        )
    else:
        conn.execute(
            "UPDATE autopay SET enabled = 0, status = 'off', covers_from = NULL, "
            "covers_until = NULL WHERE account_id = ?",
            (account_id,),
        )


def state(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> Autopay:
    row = conn.execute(
        """SELECT a.*, m.type, m.brand, m.last4, m.exp_month, m.exp_year, m.account_type
           FROM autopay a LEFT JOIN payment_methods m ON m.id = a.method_id
           WHERE a.account_id = ?""",
        (account_id,),
    ).fetchone()
    views = billing_statements.statements(conn, account_id, today)
    if row is None:
        return Autopay(enabled=False, status="off")
    pending = [
        v
        for v in views
        if not v.autopay_checked
        and v.balance_cents > 0
        and row["covers_from"] is not None
        and billing.covers(row, v.row_date)
    ]
    next_date = next_amount = None
    if pending:
        next_date, next_amount = pending[0].due_date, pending[0].balance_cents
    elif row["enabled"]:
        upcoming = billing_statements.next_statement_date(conn, account_id)
        next_date = upcoming + DUE_AFTER if upcoming else None
    latest = views[-1] if views else None
    status: AutopayStatus
    if row["status"] == "needs_attention":
        status = "needs_attention"
    elif not row["enabled"]:
        status = "off"
    elif latest is None or latest.row_date.isoformat() < row["covers_from"]:
        status = "pending"
    else:
        status = "active"
    label = billing.method_label(row) if row["type"] else None
    warnings: list[str] = []
    if row["last_failure_reason"]:
        warnings.append(row["last_failure_reason"])
    if (
        next_date
        and row["type"] == "card"
        and (row["exp_year"], row["exp_month"]) < (next_date.year, next_date.month)
    ):
        warnings.append(
            f"{label} expires {row['exp_month']:02d}/{row['exp_year']}, before the "
            f"next autopay charge on {next_date.isoformat()}."
        )
    uncovered = None
    if (
        row["enabled"]
        and latest is not None
        and latest.balance_cents > 0
        and (row["covers_from"] is None or not billing.covers(row, latest.row_date))
    ):
        uncovered = latest
        warnings.append(
            f"Statement {latest.id} ({billing.money(latest.balance_cents)}, due "
            f"{latest.due_date.isoformat()}) is not paid by autopay; pay it "
            f"yourself."
        )
    ends_after = None
    if not row["enabled"] and row["covers_until"] and pending:
        ends_after = dt.date.fromisoformat(row["covers_until"])
        warnings.append(
            f"Autopay is off from the next statement, but it still pays "
            f"{billing.money(pending[0].balance_cents)} on "
            f"{pending[0].due_date.isoformat()}: that was too close to change."
        )
    return Autopay(
        enabled=bool(row["enabled"]),
        status=status,
        method_id=row["method_id"] if row["enabled"] or ends_after else None,
        method_label=label if row["enabled"] or ends_after else None,
        effective_from_statement_date=row["covers_from"] if row["enabled"] else None,
        ends_after_statement_date=ends_after,
        next_charge_date=next_date,
        next_charge_amount_cents=next_amount,
        uncovered_statement_id=uncovered.id if uncovered else None,
        uncovered_balance_cents=uncovered.balance_cents if uncovered else None,
        last_failure_reason=row["last_failure_reason"],
        warnings=warnings,
    )
