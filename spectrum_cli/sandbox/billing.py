"""Payments: making them, charging them, settling them, and the labels they carry.

Sandbox rules: bank payments settle on the second business day; a processing payment already
counts against the balance, and a returned one is owed again. A payment naming a statement may
be at most what is unpaid on it; any other may exceed what is owed (less payments already
scheduled) by at most $100.00, kept as credit.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from spectrum_cli.api.money import usd
from spectrum_cli.sandbox.domain.balances import owed_cents, payable_cents, scheduled_cents
from spectrum_cli.sandbox.domain.calendar import add_business_days
from spectrum_cli.sandbox.domain.statements import statement_view, statements
from spectrum_cli.sandbox.errors import APIError, invalid, missing
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store.idempotency import request_fingerprint

OVERPAYMENT_LIMIT_CENTS = 100_00

FAILURES = {
    "decline": ("card_declined", "The card was declined."),
    "insufficient_funds": ("insufficient_funds", "The card was declined for insufficient funds."),
    "fail_on_charge": ("card_declined", "The card was declined when charged."),
    "return": ("bank_account_returned", "The bank returned the payment (R01: insufficient funds)."),
}


money = usd


def _check_balance_payment(conn: sqlite3.Connection, account_id: str, amount_cents: int) -> None:
    """A payment of the balance pays exactly what is payable as it is read here, in the
    payment's own transaction: of several made at once, the first pays and the rest are
    refused."""
    payable = payable_cents(conn, account_id)
    if payable == 0:
        raise APIError(
            409,
            "conflict",
            "balance_already_paid",
            "The account balance is already paid"
            + (" or covered by scheduled payments." if scheduled_cents(conn, account_id) else "."),
            param="applies_to",
        )
    if amount_cents != payable:
        raise APIError(
            409,
            "conflict",
            "balance_changed",
            f"The account balance to pay is {money(payable)} now, not {money(amount_cents)}: "
            "it changed since it was read. Nothing was paid.",
            param="amount_cents",
        )


# Payments ------------------------------------------------------------------------------------


def confirmation_number() -> str:
    # The shape of payment_id in api/routes.ID_SHAPES accepts exactly these.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "SPX-" + "".join(secrets.choice(alphabet) for _ in range(8))


def method_label(method: sqlite3.Row) -> str:
    if method["type"] == "card":
        return f"{(method['brand'] or 'card').title()} •••• {method['last4']}"
    return f"{(method['account_type'] or 'bank').title()} •••• {method['last4']}"


def _attempt(conn: sqlite3.Connection, *, payment_id: str, day: dt.date, now: dt.datetime) -> str:
    """Charge now: cards settle or fail at once; bank payments start processing."""
    payment = conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
    method = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ?", (payment["method_id"],)
    ).fetchone()
    behavior = method["behavior"]
    if method["type"] == "bank_account":
        conn.execute(
            "UPDATE payments SET status = 'processing', settle_on = ? WHERE id = ?",
            (add_business_days(day, 2).isoformat(), payment_id),
        )
        return "processing"
    if behavior in FAILURES:
        code, reason = FAILURES[behavior]
        conn.execute(
            "UPDATE payments SET status = 'failed', failure_code = ?, "
            "failure_reason = ? WHERE id = ?",
            (code, reason, payment_id),
        )
        return "failed"
    conn.execute(
        "UPDATE payments SET status = 'succeeded', settled_at = ? WHERE id = ?",
        (now.isoformat(), payment_id),
    )
    return "succeeded"


def covers(autopay: sqlite3.Row, statement_date: dt.date) -> bool:
    """Whether autopay pays the statement issued on ``statement_date``."""
    start, end = autopay["covers_from"], autopay["covers_until"]
    return (
        start is not None
        and statement_date >= dt.date.fromisoformat(start)
        and (end is None or statement_date <= dt.date.fromisoformat(end))
    )


def _charge_autopay(
    conn: sqlite3.Connection, *, account_id: str, statement_id: str, day: dt.date, now: dt.datetime
) -> None:
    """On the due date, pay what is still unpaid of the statement (less any payment already
    scheduled for it). A failure leaves the balance due and autopay needing attention."""
    conn.execute("UPDATE statements SET autopay_checked = 1 WHERE id = ?", (statement_id,))
    view = next(v for v in statements(conn, account_id, day) if v.id == statement_id)
    pending = int(
        conn.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE statement_id = ? AND "
            "status = 'scheduled'",
            (statement_id,),
        ).fetchone()[0]
    )
    amount = view.balance_cents - pending
    if amount <= 0:
        return
    autopay = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
    method = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ? AND removed_at IS NULL", (autopay["method_id"],)
    ).fetchone()
    if method is None:
        conn.execute(
            "UPDATE autopay SET status = 'needs_attention', last_failure_reason = ? "
            "WHERE account_id = ?",
            ("The autopay payment method was removed.", account_id),
        )
        return
    payment_id = new_id("pay")
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at)
           VALUES (?, ?, ?, ?, ?, 'autopay', 'scheduled', ?, ?, ?, ?)""",
        (
            payment_id,
            account_id,
            statement_id,
            confirmation_number(),
            amount,
            method["id"],
            method_label(method),
            day.isoformat(),
            dt.datetime.combine(day, dt.time(6), dt.UTC).isoformat(),
        ),
    )
    if method["type"] == "card" and (method["exp_year"], method["exp_month"]) < (
        day.year,
        day.month,
    ):
        conn.execute(
            "UPDATE payments SET status = 'failed', failure_code = 'card_expired', "
            "failure_reason = 'The card had expired.' WHERE id = ?",
            (payment_id,),
        )
        outcome = "failed"
    else:
        outcome = _attempt(conn, payment_id=payment_id, day=day, now=now)
    if outcome == "failed":
        reason = conn.execute(
            "SELECT failure_reason FROM payments WHERE id = ?", (payment_id,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE autopay SET status = 'needs_attention', last_failure_reason = ? "
            "WHERE account_id = ?",
            (f"Autopay on {day.isoformat()} failed: {reason}", account_id),
        )
    elif autopay["enabled"]:
        conn.execute(
            "UPDATE autopay SET status = 'active', last_failure_reason = NULL WHERE account_id = ?",
            (account_id,),
        )


def _settle(conn: sqlite3.Connection, *, payment_id: str, day: dt.date) -> None:
    payment = conn.execute(
        "SELECT p.*, m.behavior FROM payments p JOIN payment_methods m "
        "ON m.id = p.method_id WHERE p.id = ?",
        (payment_id,),
    ).fetchone()
    settled_at = dt.datetime.combine(day, dt.time(12), dt.UTC).isoformat()
    if payment["behavior"] == "return":
        code, reason = FAILURES["return"]
        conn.execute(
            "UPDATE payments SET status = 'returned', settled_at = ?, failure_code = ?, "
            "failure_reason = ? WHERE id = ?",
            (settled_at, code, reason, payment_id),
        )
    else:
        conn.execute(
            "UPDATE payments SET status = 'succeeded', settled_at = ? WHERE id = ?",
            (settled_at, payment_id),
        )


def record_settled_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    statement_id: str,
    amount_cents: int,
    method_id: str,
    day: dt.date,
    kind: str,
) -> None:
    """A payment that already went through (seeded history)."""
    method = conn.execute("SELECT * FROM payment_methods WHERE id = ?", (method_id,)).fetchone()
    at = dt.datetime.combine(day, dt.time(12), dt.UTC).isoformat()
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at,
           settled_at) VALUES (?, ?, ?, ?, ?, ?, 'succeeded', ?, ?, ?, ?, ?)""",
        (
            new_id("pay"),
            account_id,
            statement_id,
            confirmation_number(),
            amount_cents,
            kind,
            method_id,
            method_label(method),
            day.isoformat(),
            at,
            at,
        ),
    )


def create_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    amount_cents: int,
    method_id: str | None,
    statement_id: str | None,
    scheduled_for: dt.date | None,
    kind: str,
    now: dt.datetime,
    idempotency_key: str | None = None,
    applies_to: str | None = None,
) -> str:
    """Validate, record and (when due today) attempt a payment. Runs in the caller's
    transaction, so the balance it checks is the balance it changes."""
    today = now.date()
    if method_id is None:
        method = conn.execute(
            "SELECT * FROM payment_methods WHERE account_id = ? AND "
            "removed_at IS NULL AND is_default = 1",
            (account_id,),
        ).fetchone()
        if method is None:
            raise invalid(
                "no_default_method",
                "There is no default payment method; pass method_id or add one.",
                param="method_id",
            )
    else:
        method = conn.execute(
            "SELECT * FROM payment_methods WHERE id = ? AND account_id = ? AND removed_at IS NULL",
            (method_id, account_id),
        ).fetchone()
        if method is None:
            raise missing(
                "no_such_method",
                f"No payment method {method_id} on this account.",
                param="method_id",
            )
    day = scheduled_for or today
    if day < today:
        raise invalid(
            "date_in_past", "A payment cannot be scheduled in the past.", param="scheduled_for"
        )
    if day > today + dt.timedelta(days=365):
        raise invalid(
            "date_too_far",
            "A payment can be scheduled at most a year ahead.",
            param="scheduled_for",
        )
    scheduled = scheduled_cents(conn, account_id)
    if applies_to == "balance":
        _check_balance_payment(conn, account_id, amount_cents)
    if statement_id is not None:
        view = statement_view(conn, account_id, statement_id, today)
        if view is None:
            raise missing(
                "no_such_statement",
                f"No statement {statement_id} on this account.",
                param="statement_id",
            )
        pending = int(
            conn.execute(
                "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE statement_id = ? AND "
                "status = 'scheduled'",
                (view.id,),
            ).fetchone()[0]
        )
        if view.balance_cents - pending <= 0:
            raise APIError(
                409,
                "conflict",
                "statement_already_paid",
                f"Statement {view.id} is already paid"
                + (" or has a payment on the way." if pending else "."),
                param="statement_id",
            )
        statement_id = view.id
        unpaid = view.balance_cents - pending
        if amount_cents > unpaid:
            raise invalid(
                "amount_too_large",
                f"{money(amount_cents)} is more than the {money(unpaid)} still unpaid on "
                f"statement {view.id}.",
                param="amount_cents",
            )
    limit = max(0, owed_cents(conn, account_id) - scheduled) + OVERPAYMENT_LIMIT_CENTS
    if statement_id is None and amount_cents > limit:
        raise invalid(
            "amount_too_large",
            f"{money(amount_cents)} is more than the {money(limit)} this account may "
            f"pay now (what is owed plus {money(OVERPAYMENT_LIMIT_CENTS)} of credit).",
            param="amount_cents",
        )
    if method["type"] == "card" and (method["exp_year"], method["exp_month"]) < (
        day.year,
        day.month,
    ):
        raise APIError(
            402,
            "payment",
            "card_expired",
            f"{method_label(method)} expires before {day.isoformat()}.",
            param="method_id",
        )
    payment_id = new_id("pay")
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at,
           idempotency_key, request_fingerprint)
           VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?)""",
        (
            payment_id,
            account_id,
            statement_id,
            confirmation_number(),
            amount_cents,
            kind,
            method["id"],
            method_label(method),
            day.isoformat(),
            now.isoformat(),
            idempotency_key,
            request_fingerprint.get() if idempotency_key else None,
        ),
    )
    if day == today:
        _attempt(conn, payment_id=payment_id, day=day, now=now)
    return payment_id
