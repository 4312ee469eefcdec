"""Cards and bank accounts. Full numbers are taken once, checked, and never kept."""

from __future__ import annotations

import sqlite3

from fastapi import Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import (
    BankAccountDetails,
    CardDetails,
    PaymentMethod,
    PaymentMethodCreate,
    PaymentMethodList,
)
from spectrum_cli.api.validation import card_brand
from spectrum_cli.sandbox import billing, clock
from spectrum_cli.sandbox.deps import BillingReader, DbDep, MethodsManager, NowDep
from spectrum_cli.sandbox.errors import APIError, invalid, not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import new_id

router = new_router(tags=["payment-methods"])

# What the well-known test numbers do when charged (DESIGN §2).
CARD_BEHAVIOR = {
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000341": "fail_on_charge",
}
BANK_BEHAVIOR = {"000111111116": "return"}


def method_model(row: sqlite3.Row) -> PaymentMethod:
    card = bank = None
    if row["type"] == "card":
        card = CardDetails(
            brand=row["brand"],
            last4=row["last4"],
            exp_month=row["exp_month"],
            exp_year=row["exp_year"],
        )
    else:
        bank = BankAccountDetails(
            account_type=row["account_type"],
            routing_number=row["routing_number"],
            last4=row["last4"],
        )
    return PaymentMethod(
        id=row["id"],
        type=row["type"],
        label=billing.method_label(row),
        is_default=bool(row["is_default"]),
        card=card,
        bank_account=bank,
        created_at=row["created_at"],
    )


def _rows(conn: sqlite3.Connection, account_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM payment_methods WHERE account_id = ? AND removed_at IS "
        "NULL ORDER BY created_at, id",
        (account_id,),
    ).fetchall()


def _get(conn: sqlite3.Connection, account_id: str, method_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ? AND account_id = ? AND removed_at IS NULL",
        (method_id, account_id),
    ).fetchone()
    if row is None:
        raise not_found("payment method", param="method_id")
    return row  # type: ignore[no-any-return]


@router.get(routes.PAYMENT_METHODS, response_model=PaymentMethodList)
def list_methods(principal: BillingReader, db: DbDep) -> PaymentMethodList:
    with db.read() as conn:
        return PaymentMethodList(data=[method_model(r) for r in _rows(conn, principal.account_id)])


@router.post(routes.PAYMENT_METHODS, response_model=PaymentMethod, status_code=201)
def add_method(
    body: PaymentMethodCreate, principal: MethodsManager, db: DbDep, now: NowDep
) -> PaymentMethod:
    method_id = new_id("pm")
    with db.write() as conn:
        first = not _rows(conn, principal.account_id)
        if body.card is not None:
            card = body.card
            if (card.exp_year, card.exp_month) < (now.year, now.month):
                raise invalid(
                    "card_expired",
                    f"The card expired {card.exp_month:02d}/{card.exp_year}.",
                    param="card.exp_year",
                )
            conn.execute(
                """INSERT INTO payment_methods (id, account_id, type, brand, last4, exp_month,
                   exp_year, behavior, created_at) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?)""",
                (
                    method_id,
                    principal.account_id,
                    card_brand(card.number),
                    card.number[-4:],
                    card.exp_month,
                    card.exp_year,
                    CARD_BEHAVIOR.get(card.number, "ok"),
                    clock.iso(now),
                ),
            )
        else:
            bank = body.bank_account
            assert bank is not None
            conn.execute(
                """INSERT INTO payment_methods (id, account_id, type, last4, account_type,
                   routing_number, behavior, created_at)
                   VALUES (?, ?, 'bank_account', ?, ?, ?, ?, ?)""",
                (
                    method_id,
                    principal.account_id,
                    bank.account_number[-4:],
                    bank.account_type,
                    bank.routing_number,
                    BANK_BEHAVIOR.get(bank.account_number, "ok"),
                    clock.iso(now),
                ),
            )
        if first or body.make_default:
            _make_default(conn, principal.account_id, method_id)
        return method_model(_get(conn, principal.account_id, method_id))


def _make_default(conn: sqlite3.Connection, account_id: str, method_id: str) -> None:
    conn.execute(
        "UPDATE payment_methods SET is_default = (id = ?) WHERE account_id = ?",
        (method_id, account_id),
    )


@router.delete(routes.PAYMENT_METHOD, status_code=204, response_class=Response)
def remove_method(method_id: str, principal: MethodsManager, db: DbDep, now: NowDep) -> Response:
    with db.write() as conn:
        row = _get(conn, principal.account_id, method_id)
        if conn.execute(
            "SELECT 1 FROM autopay WHERE account_id = ? AND enabled = 1 AND method_id = ?",
            (principal.account_id, method_id),
        ).fetchone():
            raise APIError(
                409,
                "conflict",
                "method_in_use",
                "Autopay pays with this method; switch autopay to another method "
                "or turn it off first.",
                param="method_id",
            )
        if conn.execute(
            "SELECT 1 FROM payments WHERE method_id = ? AND status IN ('scheduled', 'processing')",
            (method_id,),
        ).fetchone():
            raise APIError(
                409,
                "conflict",
                "method_in_use",
                "A scheduled or processing payment uses this method; cancel it or "
                "wait until it settles.",
                param="method_id",
            )
        conn.execute(
            "UPDATE payment_methods SET removed_at = ?, is_default = 0 WHERE id = ?",
            (clock.iso(now), method_id),
        )
        if row["is_default"]:
            rest = _rows(conn, principal.account_id)
            if rest:
                _make_default(conn, principal.account_id, rest[0]["id"])
    return Response(status_code=204)


@router.post(routes.PAYMENT_METHOD_DEFAULT, response_model=PaymentMethod)
def set_default(method_id: str, principal: MethodsManager, db: DbDep) -> PaymentMethod:
    with db.write() as conn:
        _get(conn, principal.account_id, method_id)
        _make_default(conn, principal.account_id, method_id)
        return method_model(_get(conn, principal.account_id, method_id))
