"""One-time payments: now or on a date, card or bank, with cancel while scheduled."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import Header, Query, Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Balance, Payment, PaymentCreate, PaymentList
from spectrum_cli.sandbox import billing
from spectrum_cli.sandbox.deps import BillingReader, DbDep, NowDep, PaymentsWriter
from spectrum_cli.sandbox.domain import balances
from spectrum_cli.sandbox.errors import APIError, not_found
from spectrum_cli.sandbox.routing import new_router

router = new_router(tags=["payments"])


def payment_model(row: sqlite3.Row) -> Payment:
    return Payment(**{k: row[k] for k in Payment.model_fields if k in row.keys()})


def _get(conn: sqlite3.Connection, account_id: str, payment_id: str) -> sqlite3.Row:
    """A payment by its id or its confirmation number."""
    row = conn.execute(
        "SELECT * FROM payments WHERE (id = ? OR confirmation_number = ?) AND account_id = ?",
        (payment_id, payment_id, account_id),
    ).fetchone()
    if row is None:
        raise not_found("payment", param="payment_id")
    return row  # type: ignore[no-any-return]


@router.get(routes.PAYMENTS, response_model=PaymentList)
def list_payments(
    principal: BillingReader,
    db: DbDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> PaymentList:
    """Newest first."""
    with db.read() as conn:
        before = None
        if starting_after is not None:
            before = _get(conn, principal.account_id, starting_after)["seq"]
        rows = conn.execute(
            "SELECT * FROM payments WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            (principal.account_id, before if before is not None else 2**62, limit + 1),
        ).fetchall()
    return PaymentList(data=[payment_model(r) for r in rows[:limit]], has_more=len(rows) > limit)


@router.get(routes.BALANCE, response_model=Balance)
def balance(principal: BillingReader, db: DbDep, now: NowDep) -> Balance:
    """What the account owes now (every statement and the charges since), and what paying it
    pays: send `payable_cents` with `applies_to: balance` to `POST /v1/payments`."""
    with db.read() as conn:
        account_id = principal.account_id
        return Balance(
            balance_cents=balances.owed_cents(conn, account_id),
            unbilled_cents=balances.unbilled_cents(conn, account_id),
            scheduled_cents=balances.scheduled_cents(conn, account_id),
            payable_cents=balances.payable_cents(conn, account_id),
        )


@router.post(routes.PAYMENTS, response_model=Payment, status_code=201)
def create_payment(
    body: PaymentCreate,
    principal: PaymentsWriter,
    db: DbDep,
    now: NowDep,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Required: a retry with the same key never pays twice.",
        ),
    ],
) -> Payment:
    """Pay now or on `scheduled_for`. Needs an Idempotency-Key. A declined card answers 402
    and the failed payment is kept in the history."""
    with db.write() as conn:
        earlier = conn.execute(
            "SELECT * FROM payments WHERE account_id = ? AND idempotency_key = ?",
            (principal.account_id, idempotency_key),
        ).fetchone()
        if earlier is not None:
            # The idempotency record was lost (say, the server died mid-reply), but the
            # payment itself remembers its key: answer with it instead of paying again.
            if (earlier["amount_cents"], earlier["statement_id"]) != (
                body.amount_cents,
                earlier["statement_id"] if body.statement_id == "latest" else body.statement_id,
            ):
                raise APIError(
                    409,
                    "conflict",
                    "idempotency_key_reused",
                    "This Idempotency-Key paid a different amount; use a new key.",
                    param="Idempotency-Key",
                )
            payment_id = earlier["id"]
            response.headers[routes.IDEMPOTENT_REPLAYED_HEADER] = "true"
        else:
            payment_id = billing.create_payment(
                conn,
                account_id=principal.account_id,
                amount_cents=body.amount_cents,
                method_id=body.method_id,
                statement_id=body.statement_id,
                scheduled_for=body.scheduled_for,
                kind="one_time",
                now=now,
                idempotency_key=idempotency_key,
                applies_to=body.applies_to,
            )
        row = _get(conn, principal.account_id, payment_id)
    if row["status"] == "failed":
        raise APIError(
            402,
            "payment",
            row["failure_code"],
            f"{row['failure_reason']} Payment {row['id']} was not made; nothing was charged.",
            param="method_id",
        )
    return payment_model(row)


@router.get(routes.PAYMENT, response_model=Payment)
def get_payment(payment_id: str, principal: BillingReader, db: DbDep, now: NowDep) -> Payment:
    """One payment, by its id or its confirmation number (`SPX-...`)."""
    with db.read() as conn:
        return payment_model(_get(conn, principal.account_id, payment_id))


_STATE_PHRASES = {
    "processing": "is being processed",
    "succeeded": "has already been made",
    "failed": "failed",
    "returned": "was returned",
}


@router.post(routes.PAYMENT_CANCEL, response_model=Payment)
def cancel_payment(payment_id: str, principal: PaymentsWriter, db: DbDep, now: NowDep) -> Payment:
    """Cancel a scheduled payment before it starts processing (by id or confirmation
    number)."""
    with db.write() as conn:
        row = _get(conn, principal.account_id, payment_id)
        if row["status"] == "canceled":  # nothing to do: the answer is the payment as it is
            return payment_model(row)
        if row["status"] != "scheduled":
            raise APIError(
                409,
                "conflict",
                "payment_not_cancelable",
                f"Payment {payment_id} {_STATE_PHRASES.get(row['status'], row['status'])}; "
                "only a scheduled payment can be canceled.",
                param="payment_id",
            )
        conn.execute("UPDATE payments SET status = 'canceled' WHERE id = ?", (row["id"],))
        return payment_model(_get(conn, principal.account_id, payment_id))
