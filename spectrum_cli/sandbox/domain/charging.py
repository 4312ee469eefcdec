"""Charging and settlement: what happens to a payment on its day, and autopay on a due date.

Cards succeed or fail at once; bank payments start processing and settle on the second
business day, or come back returned. Autopay pays, on the due date, what is still unpaid of a
statement it covers, less payments already scheduled toward it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox.domain import methods as methods_domain
from spectrum_cli.sandbox.domain import payments, statements
from spectrum_cli.sandbox.domain.calendar import add_business_days
from spectrum_cli.sandbox.store import autopay as autopay_store
from spectrum_cli.sandbox.store import methods as methods_store
from spectrum_cli.sandbox.store import payments as store
from spectrum_cli.sandbox.store.autopay import AutopayRow
from spectrum_cli.sandbox.store.methods import MethodRow

BANK_SETTLES_AFTER_BUSINESS_DAYS = 2
AUTOPAY_CHARGED_AT = dt.time(6)
SETTLED_AT = dt.time(12)

# What a method's behavior does when charged: (failure_code, failure_reason).
FAILURES = {
    "decline": ("card_declined", "The card was declined."),
    "insufficient_funds": ("insufficient_funds", "The card was declined for insufficient funds."),
    "fail_on_charge": ("card_declined", "The card was declined when charged."),
    "return": ("bank_account_returned", "The bank returned the payment (R01: insufficient funds)."),
}
CARD_EXPIRED = ("card_expired", "The card had expired.")
METHOD_REMOVED = "The autopay payment method was removed."


def attempt(conn: sqlite3.Connection, *, payment_id: str, day: dt.date, now: dt.datetime) -> str:
    """Charge now: cards settle or fail at once; bank payments start processing. Returns
    the payment's new status."""
    payment = store.get(conn, payment_id=payment_id)
    method = methods_store.get(conn, method_id=payment.method_id)
    assert method is not None
    if method.type == "bank_account":
        settle_on = add_business_days(day, BANK_SETTLES_AFTER_BUSINESS_DAYS)
        store.mark_processing(conn, payment_id=payment_id, settle_on=settle_on)
        return "processing"
    if method.behavior in FAILURES:
        code, reason = FAILURES[method.behavior]
        store.mark_failed(conn, payment_id=payment_id, code=code, reason=reason)
        return "failed"
    store.mark_succeeded(conn, payment_id=payment_id, settled_at=now.isoformat())
    return "succeeded"


def settle(conn: sqlite3.Connection, *, payment_id: str, day: dt.date) -> None:
    """A processing bank payment settles, or comes back returned and is owed again."""
    payment = store.get(conn, payment_id=payment_id)
    method = methods_store.get(conn, method_id=payment.method_id)
    assert method is not None
    settled_at = dt.datetime.combine(day, SETTLED_AT, dt.UTC).isoformat()
    if method.behavior == "return":
        code, reason = FAILURES["return"]
        store.mark_returned(
            conn, payment_id=payment_id, settled_at=settled_at, code=code, reason=reason
        )
    else:
        store.mark_succeeded(conn, payment_id=payment_id, settled_at=settled_at)


def covers(autopay: AutopayRow, statement_date: dt.date) -> bool:
    """Whether autopay pays the statement issued on ``statement_date``."""
    start, end = autopay.covers_from, autopay.covers_until
    return start is not None and start <= statement_date and (end is None or statement_date <= end)


# Autopay on a due date -----------------------------------------------------------------------


def _autopay_amount(
    conn: sqlite3.Connection, account_id: str, statement_id: str, day: dt.date
) -> int:
    """What is still unpaid of the statement, less payments already scheduled toward it."""
    view = next(v for v in statements.statements(conn, account_id, day) if v.id == statement_id)
    return view.balance_cents - store.scheduled_toward(conn, statement_id=statement_id)


def _charge_card_or_bank(
    conn: sqlite3.Connection, payment_id: str, method: MethodRow, day: dt.date, now: dt.datetime
) -> str:
    """Attempt the autopay payment; an expired card fails it without a charge."""
    if methods_domain.card_expired(method, day):
        code, reason = CARD_EXPIRED
        store.mark_failed(conn, payment_id=payment_id, code=code, reason=reason)
        return "failed"
    return attempt(conn, payment_id=payment_id, day=day, now=now)


def _record_outcome(
    conn: sqlite3.Connection, autopay: AutopayRow, payment_id: str, outcome: str, day: dt.date
) -> None:
    """A failure leaves autopay needing attention, saying why; a charge that went through
    clears an earlier failure while autopay is on."""
    if outcome == "failed":
        payment = store.get(conn, payment_id=payment_id)
        autopay_store.needs_attention(
            conn,
            account_id=autopay.account_id,
            reason=f"Autopay on {day.isoformat()} failed: {payment.failure_reason}",
            failed_on=day,
            amount_cents=payment.amount_cents,
        )
    elif autopay.enabled:
        autopay_store.mark_active(conn, account_id=autopay.account_id)


def charge_autopay(
    conn: sqlite3.Connection, *, account_id: str, statement_id: str, day: dt.date, now: dt.datetime
) -> None:
    """On the due date, pay what is still unpaid of the statement (less any payment already
    scheduled for it). A failure leaves the balance due and autopay needing attention."""
    autopay_store.mark_statement_checked(conn, statement_id=statement_id)
    amount = _autopay_amount(conn, account_id, statement_id, day)
    if amount <= 0:
        return
    autopay = autopay_store.get(conn, account_id=account_id)
    assert autopay is not None and autopay.method_id is not None
    method = methods_domain.active_method(conn, account_id=account_id, method_id=autopay.method_id)
    if method is None:
        autopay_store.needs_attention(
            conn, account_id=account_id, reason=METHOD_REMOVED, failed_on=day, amount_cents=amount
        )
        return
    payment_id = payments.record_payment(
        conn,
        account_id=account_id,
        statement_id=statement_id,
        amount_cents=amount,
        method=method,
        day=day,
        kind="autopay",
        created_at=dt.datetime.combine(day, AUTOPAY_CHARGED_AT, dt.UTC),
    )
    outcome = _charge_card_or_bank(conn, payment_id, method, day, now)
    _record_outcome(conn, autopay, payment_id, outcome, day)
