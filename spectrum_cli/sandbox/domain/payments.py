"""Making a payment: which method pays, how much may be paid toward what, and recording it.

A payment naming a statement may be at most what is unpaid on it (less payments already
scheduled toward it); any other may exceed what is owed (less payments already scheduled) by
at most $100.00, kept as credit. A payment of the balance pays exactly what is payable.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from spectrum_cli.api.billing import Payment
from spectrum_cli.api.money import usd as money
from spectrum_cli.sandbox.domain import balances, charging, statements
from spectrum_cli.sandbox.domain import methods as methods_domain
from spectrum_cli.sandbox.errors import APIError, invalid, missing
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store import methods as methods_store
from spectrum_cli.sandbox.store import payments as store
from spectrum_cli.sandbox.store.idempotency import request_fingerprint
from spectrum_cli.sandbox.store.methods import MethodRow

OVERPAYMENT_LIMIT_CENTS = 100_00
FURTHEST_AHEAD = dt.timedelta(days=365)


def confirmation_number() -> str:
    # The shape of payment_id in api/routes.ID_SHAPES accepts exactly these.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "SPX-" + "".join(secrets.choice(alphabet) for _ in range(8))


def record_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    statement_id: str | None,
    amount_cents: int,
    method: MethodRow,
    day: dt.date,
    kind: str,
    created_at: dt.datetime,
    settled: bool = False,
    idempotency_key: str | None = None,
) -> str:
    """Keep a payment, scheduled for ``day`` (or already ``settled``), with a new id and
    confirmation number; returns the id."""
    payment_id = new_id("pay")
    store.insert(
        conn,
        payment_id=payment_id,
        account_id=account_id,
        statement_id=statement_id,
        confirmation_number=confirmation_number(),
        amount_cents=amount_cents,
        kind=kind,
        method_id=method.id,
        method_label=methods_domain.method_label(method),
        scheduled_for=day,
        created_at=created_at.isoformat(),
        status="succeeded" if settled else "scheduled",
        settled_at=created_at.isoformat() if settled else None,
        idempotency_key=idempotency_key,
        # The fingerprint of the request made under the key, so that with the key's record
        # lost a different request under it is still refused.
        request_fingerprint=request_fingerprint.get() if idempotency_key else None,
    )
    return payment_id


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
    method = methods_store.get(conn, method_id=method_id)
    assert method is not None
    record_payment(
        conn,
        account_id=account_id,
        statement_id=statement_id,
        amount_cents=amount_cents,
        method=method,
        day=day,
        kind=kind,
        created_at=dt.datetime.combine(day, dt.time(12), dt.UTC),
        settled=True,
    )


# The checks a new payment passes, in the order it is refused ---------------------------------


def _paying_method(conn: sqlite3.Connection, account_id: str, method_id: str | None) -> MethodRow:
    """The named active method, else the account's default."""
    if method_id is not None:
        return methods_domain.named_method(conn, account_id=account_id, method_id=method_id)
    method = methods_domain.default_method(conn, account_id=account_id)
    if method is None:
        raise invalid(
            "no_default_method",
            "There is no default payment method; pass method_id or add one.",
            param="method_id",
        )
    return method


def _payment_day(scheduled_for: dt.date | None, today: dt.date) -> dt.date:
    """Today, or a day at most a year ahead."""
    day = scheduled_for or today
    if day < today:
        raise invalid(
            "date_in_past", "A payment cannot be scheduled in the past.", param="scheduled_for"
        )
    if day > today + FURTHEST_AHEAD:
        raise invalid(
            "date_too_far",
            "A payment can be scheduled at most a year ahead.",
            param="scheduled_for",
        )
    return day


def check_balance_payment(conn: sqlite3.Connection, account_id: str, amount_cents: int) -> None:
    """A payment of the balance pays exactly what is payable as it is read here, in the
    payment's own transaction: of several made at once, the first pays and the rest are
    refused."""
    payable = balances.payable_cents(conn, account_id)
    if payable == 0:
        covered = balances.scheduled_cents(conn, account_id)
        raise APIError(
            409,
            "conflict",
            "balance_already_paid",
            "The account balance is already paid"
            + (" or covered by scheduled payments." if covered else "."),
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


def _toward_statement(
    conn: sqlite3.Connection, account_id: str, statement_id: str, amount_cents: int, today: dt.date
) -> str:
    """The id of the named statement (``latest`` resolved), if the amount fits what is still
    unpaid on it less payments already scheduled toward it."""
    view = statements.statement_view(conn, account_id, statement_id, today)
    if view is None:
        raise missing(
            "no_such_statement",
            f"No statement {statement_id} on this account.",
            param="statement_id",
        )
    pending = store.scheduled_toward(conn, statement_id=view.id)
    unpaid = view.balance_cents - pending
    if unpaid <= 0:
        raise APIError(
            409,
            "conflict",
            "statement_already_paid",
            f"Statement {view.id} is already paid"
            + (" or has a payment on the way." if pending else "."),
            param="statement_id",
        )
    if amount_cents > unpaid:
        raise invalid(
            "amount_too_large",
            f"{money(amount_cents)} is more than the {money(unpaid)} still unpaid on "
            f"statement {view.id}.",
            param="amount_cents",
        )
    return view.id


def _check_overpayment(conn: sqlite3.Connection, account_id: str, amount_cents: int) -> None:
    owed = balances.owed_cents(conn, account_id) - balances.scheduled_cents(conn, account_id)
    limit = max(0, owed) + OVERPAYMENT_LIMIT_CENTS
    if amount_cents > limit:
        raise invalid(
            "amount_too_large",
            f"{money(amount_cents)} is more than the {money(limit)} this account may "
            f"pay now (what is owed plus {money(OVERPAYMENT_LIMIT_CENTS)} of credit).",
            param="amount_cents",
        )


def _check_card_valid(method: MethodRow, day: dt.date) -> None:
    if methods_domain.card_expired(method, day):
        raise APIError(
            402,
            "payment",
            "card_expired",
            f"{methods_domain.method_label(method)} expires before {day.isoformat()}.",
            param="method_id",
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
    method = _paying_method(conn, account_id, method_id)
    day = _payment_day(scheduled_for, today)
    if applies_to == "balance":
        check_balance_payment(conn, account_id, amount_cents)
    if statement_id is not None:
        statement_id = _toward_statement(conn, account_id, statement_id, amount_cents, today)
    else:
        _check_overpayment(conn, account_id, amount_cents)
    _check_card_valid(method, day)
    payment_id = record_payment(
        conn,
        account_id=account_id,
        statement_id=statement_id,
        amount_cents=amount_cents,
        method=method,
        day=day,
        kind=kind,
        created_at=now,
        idempotency_key=idempotency_key,
    )
    if day == today:
        charging.attempt(conn, payment_id=payment_id, day=day, now=now)
    return payment_id


# A key already used, and canceling -----------------------------------------------------------


def kept_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    idempotency_key: str,
    amount_cents: int,
    statement_id: str | None,
) -> Payment | None:
    """The payment this key already made, if any. The idempotency record can be lost (say,
    the server died mid-reply), but the payment itself remembers its key: a retry is answered
    with it instead of paying again, and another request with the key is refused."""
    earlier = store.find_by_key(conn, account_id=account_id, idempotency_key=idempotency_key)
    if earlier is None:
        return None
    named = earlier.statement_id if statement_id == "latest" else statement_id
    if (earlier.amount_cents, earlier.statement_id) != (amount_cents, named):
        raise APIError(
            409,
            "conflict",
            "idempotency_key_reused",
            "This Idempotency-Key paid a different amount; use a new key.",
            param="Idempotency-Key",
        )
    return earlier


def declined(payment: Payment) -> APIError:
    """The 402 for a payment that failed when charged (it stays in the history)."""
    assert payment.failure_code is not None
    return APIError(
        402,
        "payment",
        payment.failure_code,
        f"{payment.failure_reason} Payment {payment.id} was not made; nothing was charged.",
        param="method_id",
    )


_STATE_PHRASES = {
    "processing": "is being processed",
    "succeeded": "has already been made",
    "failed": "failed",
    "returned": "was returned",
}


def cancel_payment(conn: sqlite3.Connection, *, payment: Payment, named_as: str) -> Payment:
    """Cancel a payment while it is scheduled; one already canceled is nothing to do.
    ``named_as`` is how the request named it (its id or confirmation number)."""
    if payment.status == "canceled":
        return payment
    if payment.status != "scheduled":
        raise APIError(
            409,
            "conflict",
            "payment_not_cancelable",
            f"Payment {named_as} {_STATE_PHRASES.get(payment.status, payment.status)}; "
            "only a scheduled payment can be canceled.",
            param="payment_id",
        )
    store.mark_canceled(conn, payment_id=payment.id)
    return store.get(conn, payment_id=payment.id)
