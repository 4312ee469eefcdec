"""Autopay: which statements it pays, and turning it on and off near a due date.

Enrolling or canceling within 3 business days of a due date takes effect from the next
statement. Coverage is stored as a range of statement dates (`covers_from`, `covers_until`),
so "still pays this one" and "starts with the next one" are plain data, and the billing engine
charges whatever is covered on its due date.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api.account import Alert, AutopayStatus
from spectrum_cli.api.billing import Autopay
from spectrum_cli.api.money import usd as money
from spectrum_cli.sandbox.domain import charging, statements
from spectrum_cli.sandbox.domain import methods as methods_domain
from spectrum_cli.sandbox.domain.calendar import DUE_AFTER, business_days_until
from spectrum_cli.sandbox.domain.statements import StatementView
from spectrum_cli.sandbox.store import autopay as store
from spectrum_cli.sandbox.store import methods as methods_store
from spectrum_cli.sandbox.store import payments as payments_store
from spectrum_cli.sandbox.store.autopay import AutopayRow
from spectrum_cli.sandbox.store.methods import MethodRow

WINDOW_BUSINESS_DAYS = 3


def _open_statement(views: list[StatementView]) -> StatementView | None:
    """The latest statement while autopay could still act on it."""
    if views and views[-1].balance_cents > 0 and not views[-1].autopay_checked:
        return views[-1]
    return None


def _too_close(latest: StatementView, today: dt.date) -> bool:
    """A change within 3 business days of the due date is too late for that statement."""
    return business_days_until(today, latest.due_date) <= WINDOW_BUSINESS_DAYS


def _first_covered(
    conn: sqlite3.Connection, account_id: str, row: AutopayRow | None, today: dt.date
) -> dt.date:
    """The statement date autopay starts from when turned on today: where it already starts
    while it covers something, else the open statement unless its due date is too close,
    else the next statement."""
    latest = _open_statement(statements.statements(conn, account_id, today))
    if (
        row is not None
        and row.covers_from is not None
        and (row.enabled or (latest is not None and charging.covers(row, latest.row_date)))
    ):
        return row.covers_from  # already covering: only the method changes
    if latest is not None and not _too_close(latest, today):
        return latest.row_date
    upcoming = statements.next_statement_date(conn, account_id)
    return upcoming or today


def enroll(conn: sqlite3.Connection, *, account_id: str, method_id: str, today: dt.date) -> None:
    methods_domain.named_method(conn, account_id=account_id, method_id=method_id)
    row = store.get(conn, account_id=account_id)
    covers_from = _first_covered(conn, account_id, row, today)
    store.turn_on(conn, account_id=account_id, method_id=method_id, covers_from=covers_from)


def cancel(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> None:
    row = store.get(conn, account_id=account_id)
    if row is None or not row.enabled:
        return
    latest = _open_statement(statements.statements(conn, account_id, today))
    if latest is not None and charging.covers(row, latest.row_date) and _too_close(latest, today):
        # Too late to stop this one: it is still paid on its due date, then autopay ends.
        store.turn_off(conn, account_id=account_id, covers_until=latest.row_date)
    else:
        store.turn_off(conn, account_id=account_id, covers_until=None)


# What autopay will do, and what needs attention ----------------------------------------------


def _pending(views: list[StatementView], row: AutopayRow) -> list[StatementView]:
    """Unpaid statements autopay will still charge on their due dates."""
    return [
        v
        for v in views
        if not v.autopay_checked and v.balance_cents > 0 and charging.covers(row, v.row_date)
    ]


def _next_charge(
    conn: sqlite3.Connection, account_id: str, row: AutopayRow, pending: list[StatementView]
) -> tuple[dt.date | None, int | None]:
    """The next charge's date and, once its statement is out, its amount."""
    if pending:
        return pending[0].due_date, pending[0].balance_cents
    if row.enabled:
        upcoming = statements.next_statement_date(conn, account_id)
        return (upcoming + DUE_AFTER if upcoming else None), None
    return None, None


def _status(row: AutopayRow, latest: StatementView | None) -> AutopayStatus:
    if row.status == "needs_attention":
        return "needs_attention"
    if not row.enabled:
        return "off"
    if latest is None or row.covers_from is None or latest.row_date < row.covers_from:
        return "pending"
    return "active"


def _failed_alert(conn: sqlite3.Connection, row: AutopayRow) -> Alert | None:
    """The last charge failed: its day and amount, and the failed payment with its statement
    and method (none when there was no method left to charge)."""
    if not row.last_failure_reason:
        return None
    failed = (
        payments_store.failed_autopay(conn, account_id=row.account_id, day=row.failed_on)
        if row.failed_on
        else None
    )
    return Alert(
        kind="autopay_failed",
        message=row.last_failure_reason,
        effective_on=row.failed_on,
        amount_cents=row.failed_amount_cents,
        payment_id=failed.id if failed else None,
        statement_id=failed.statement_id if failed else None,
        method_id=failed.method_id if failed else None,
    )


def _expiring_alert(method: MethodRow | None, next_date: dt.date | None) -> Alert | None:
    """The card expires before the next charge."""
    if method is None or next_date is None or not methods_domain.card_expired(method, next_date):
        return None
    return Alert(
        kind="card_expiring",
        message=(
            f"{methods_domain.method_label(method)} expires {method.exp_month:02d}/"
            f"{method.exp_year}, before the next autopay charge on {next_date.isoformat()}."
        ),
        method_id=method.id,
        effective_on=methods_domain.card_last_day(method),
    )


def _uncovered(row: AutopayRow, latest: StatementView | None) -> StatementView | None:
    """The latest statement, when it is unpaid and autopay is on but does not pay it."""
    if row.enabled and latest is not None and latest.balance_cents > 0:
        return None if charging.covers(row, latest.row_date) else latest
    return None


def _uncovered_alert(uncovered: StatementView | None) -> Alert | None:
    if uncovered is None:
        return None
    return Alert(
        kind="autopay_uncovered",
        message=(
            f"Statement {uncovered.id} ({money(uncovered.balance_cents)}, due "
            f"{uncovered.due_date.isoformat()}) is not paid by autopay; pay it yourself."
        ),
        statement_id=uncovered.id,
        amount_cents=uncovered.balance_cents,
        effective_on=uncovered.due_date,
    )


def _ends_after(row: AutopayRow, pending: list[StatementView]) -> dt.date | None:
    """Turned off too late for a statement it still pays: the last one it pays."""
    return row.covers_until if not row.enabled and row.covers_until and pending else None


def _ending_alert(ends_after: dt.date | None, pending: list[StatementView]) -> Alert | None:
    if ends_after is None:
        return None
    last = pending[0]
    return Alert(
        kind="autopay_ending",
        message=(
            f"Autopay is off from the next statement, but it still pays "
            f"{money(last.balance_cents)} on {last.due_date.isoformat()}: that was too close "
            "to change."
        ),
        statement_id=last.id,
        amount_cents=last.balance_cents,
        effective_on=last.due_date,
    )


def state(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> Autopay:
    row = store.get(conn, account_id=account_id)
    if row is None:
        return Autopay(enabled=False, status="off")
    views = statements.statements(conn, account_id, today)
    latest = views[-1] if views else None
    method = methods_store.get(conn, method_id=row.method_id) if row.method_id else None
    label = methods_domain.method_label(method) if method else None
    pending = _pending(views, row)
    next_date, next_amount = _next_charge(conn, account_id, row, pending)
    uncovered = _uncovered(row, latest)
    ends_after = _ends_after(row, pending)
    alerts = [
        alert
        for alert in (
            _failed_alert(conn, row),
            _expiring_alert(method, next_date),
            _uncovered_alert(uncovered),
            _ending_alert(ends_after, pending),
        )
        if alert is not None
    ]
    shows_method = row.enabled or ends_after is not None
    return Autopay(
        enabled=row.enabled,
        status=_status(row, latest),
        method_id=row.method_id if shows_method else None,
        method_label=label if shows_method else None,
        effective_from_statement_date=row.covers_from if row.enabled else None,
        ends_after_statement_date=ends_after,
        next_charge_date=next_date,
        next_charge_amount_cents=next_amount,
        uncovered_statement_id=uncovered.id if uncovered else None,
        uncovered_balance_cents=uncovered.balance_cents if uncovered else None,
        last_failure_reason=row.last_failure_reason,
        warnings=[alert.message for alert in alerts],
        alerts=alerts,
    )
