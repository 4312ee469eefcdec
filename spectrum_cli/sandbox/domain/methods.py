"""Payment methods: which can pay, when a card has expired, how a method is named, and what
the well-known test numbers do when charged."""

from __future__ import annotations

import calendar
import datetime as dt
import sqlite3
from typing import Protocol

from spectrum_cli.api.billing import (
    BankAccountDetails,
    CardDetails,
    CardInput,
    PaymentMethod,
    PaymentMethodCreate,
)
from spectrum_cli.api.validation import card_brand
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.errors import APIError, invalid, missing
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store import autopay as autopay_store
from spectrum_cli.sandbox.store import methods as store
from spectrum_cli.sandbox.store import payments as payments_store
from spectrum_cli.sandbox.store.methods import MethodRow

# What the well-known test numbers do when charged.
CARD_BEHAVIOR = {
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000341": "fail_on_charge",
}
BANK_BEHAVIOR = {"000111111116": "return"}


class Expiring(Protocol):
    """A card as stored or as typed in; a bank account has no expiry."""

    @property
    def exp_month(self) -> int | None: ...

    @property
    def exp_year(self) -> int | None: ...


def card_last_day(method: Expiring) -> dt.date | None:
    """A card is good through the last day of its expiry month."""
    if method.exp_year is None or method.exp_month is None:
        return None
    days = calendar.monthrange(method.exp_year, method.exp_month)[1]
    return dt.date(method.exp_year, method.exp_month, days)


def card_expired(method: Expiring, day: dt.date) -> bool:
    """Whether a charge on ``day`` finds the card expired (never for a bank account)."""
    last = card_last_day(method)
    return last is not None and day > last


def method_label(method: MethodRow) -> str:
    if method.type == "card":
        return f"{(method.brand or 'card').title()} •••• {method.last4}"
    return f"{(method.account_type or 'bank').title()} •••• {method.last4}"


def as_model(method: MethodRow) -> PaymentMethod:
    card = bank = None
    if method.type == "card":
        assert method.brand and method.exp_month and method.exp_year
        card = CardDetails(
            brand=method.brand,  # type: ignore[arg-type]
            last4=method.last4,
            exp_month=method.exp_month,
            exp_year=method.exp_year,
        )
    else:
        bank = BankAccountDetails(
            account_type=method.account_type,  # type: ignore[arg-type]
            routing_number=method.routing_number or "",
            last4=method.last4,
        )
    return PaymentMethod(
        id=method.id,
        type=method.type,  # type: ignore[arg-type]
        label=method_label(method),
        is_default=method.is_default,
        card=card,
        bank_account=bank,
        created_at=method.created_at,  # type: ignore[arg-type]
    )


# Which methods can pay ---------------------------------------------------------------------


def is_active(method: MethodRow, account_id: str) -> bool:
    """A method pays for an account while it is the account's own and not removed."""
    return method.account_id == account_id and method.removed_at is None


def active_methods(conn: sqlite3.Connection, *, account_id: str) -> list[MethodRow]:
    return [m for m in store.for_account(conn, account_id=account_id) if is_active(m, account_id)]


def active_method(conn: sqlite3.Connection, *, account_id: str, method_id: str) -> MethodRow | None:
    method = store.get(conn, method_id=method_id)
    return method if method is not None and is_active(method, account_id) else None


def named_method(conn: sqlite3.Connection, *, account_id: str, method_id: str) -> MethodRow:
    """The active method a request body names, or 404 no_such_method."""
    method = active_method(conn, account_id=account_id, method_id=method_id)
    if method is None:
        raise missing(
            "no_such_method", f"No payment method {method_id} on this account.", param="method_id"
        )
    return method


def default_method(conn: sqlite3.Connection, *, account_id: str) -> MethodRow | None:
    return next((m for m in active_methods(conn, account_id=account_id) if m.is_default), None)


# Adding and removing -------------------------------------------------------------------------


def _check_card(card: CardInput, today: dt.date) -> None:
    if card_expired(card, today):
        raise invalid(
            "card_expired",
            f"The card expired {card.exp_month:02d}/{card.exp_year}.",
            param="card.exp_year",
        )


def add_method(
    conn: sqlite3.Connection, *, account_id: str, body: PaymentMethodCreate, now: dt.datetime
) -> MethodRow:
    """Keep the method without its full number; the account's first becomes its default."""
    method_id = new_id("pm")
    first = not active_methods(conn, account_id=account_id)
    if body.card is not None:
        _check_card(body.card, now.date())
        store.add_card(
            conn,
            method_id=method_id,
            account_id=account_id,
            brand=card_brand(body.card.number),
            last4=body.card.number[-4:],
            exp_month=body.card.exp_month,
            exp_year=body.card.exp_year,
            behavior=CARD_BEHAVIOR.get(body.card.number, "ok"),
            created_at=clock.iso(now),
        )
    else:
        bank = body.bank_account
        assert bank is not None
        store.add_bank_account(
            conn,
            method_id=method_id,
            account_id=account_id,
            last4=bank.account_number[-4:],
            account_type=bank.account_type,
            routing_number=bank.routing_number,
            behavior=BANK_BEHAVIOR.get(bank.account_number, "ok"),
            created_at=clock.iso(now),
        )
    if first or body.make_default:
        store.make_default(conn, account_id=account_id, method_id=method_id)
    method = store.get(conn, method_id=method_id)
    assert method is not None
    return method


def _in_use(message: str) -> APIError:
    return APIError(409, "conflict", "method_in_use", message, param="method_id")


def remove_method(
    conn: sqlite3.Connection, *, method: MethodRow, account_id: str, now: dt.datetime
) -> None:
    """Remove a method nothing still pays with; the oldest left becomes the default."""
    if autopay_store.pays_with(conn, account_id=account_id, method_id=method.id):
        raise _in_use(
            "Autopay pays with this method; switch autopay to another method or turn it off first."
        )
    if payments_store.in_flight_with(conn, method_id=method.id):
        raise _in_use(
            "A scheduled or processing payment uses this method; cancel it or wait until it "
            "settles."
        )
    store.remove(conn, method_id=method.id, removed_at=clock.iso(now))
    rest = active_methods(conn, account_id=account_id)
    if method.is_default and rest:
        store.make_default(conn, account_id=account_id, method_id=rest[0].id)
