"""One-time payments: now or on a date, card or bank, with cancel while scheduled."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Annotated

from fastapi import Header, Query, Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Balance, Payment, PaymentCreate, PaymentList, PaymentStatus
from spectrum_cli.api.common import RequestDate
from spectrum_cli.sandbox.deps import BillingReader, DbDep, NowDep, PaymentsWriter
from spectrum_cli.sandbox.domain import balances, payments
from spectrum_cli.sandbox.errors import invalid, not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import payments as store

router = new_router(tags=["payments"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Required: a retry with the same key never pays twice.",
    ),
]


def _find(conn: sqlite3.Connection, account_id: str, ref: str) -> Payment:
    """A payment by its id or its confirmation number."""
    payment = store.find(conn, account_id=account_id, ref=ref)
    if payment is None:
        raise not_found("payment", param="payment_id")
    return payment


@router.get(routes.PAYMENTS, response_model=PaymentList)
def list_payments(
    principal: BillingReader,
    db: DbDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        PaymentStatus | None, Query(description="Only payments in this state.")
    ] = None,
    from_: Annotated[
        RequestDate | None,
        Query(alias="from", description="Only payments dated this day or later."),
    ] = None,
    to: Annotated[
        RequestDate | None, Query(description="Only payments dated this day or earlier.")
    ] = None,
) -> PaymentList:
    """Newest first. A payment's date is its `scheduled_for`: the day it is (or was) charged."""
    if from_ is not None and to is not None and from_ > to:
        raise invalid("bad_range", "from must be on or before to.", param="from")
    with db.read() as conn:
        if starting_after is not None:
            _find(conn, principal.account_id, starting_after)
        found = store.page(
            conn,
            account_id=principal.account_id,
            after=starting_after,
            limit=limit + 1,
            only=store.PaymentFilter(status=status, first_day=from_, last_day=to),
        )
    return PaymentList(data=found[:limit], has_more=len(found) > limit)


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


def _pay(
    conn: sqlite3.Connection, account_id: str, body: PaymentCreate, key: str, now: dt.datetime
) -> Payment:
    payment_id = payments.create_payment(
        conn,
        account_id=account_id,
        amount_cents=body.amount_cents,
        method_id=body.method_id,
        statement_id=body.statement_id,
        scheduled_for=body.scheduled_for,
        kind="one_time",
        now=now,
        idempotency_key=key,
        applies_to=body.applies_to,
    )
    return store.get(conn, payment_id=payment_id)


@router.post(routes.PAYMENTS, response_model=Payment, status_code=201)
def create_payment(
    body: PaymentCreate,
    principal: PaymentsWriter,
    db: DbDep,
    now: NowDep,
    response: Response,
    idempotency_key: IdempotencyKey,
) -> Payment:
    """Pay now or on `scheduled_for`. Needs an Idempotency-Key. A declined card answers 402
    and the failed payment is kept in the history."""
    with db.write() as conn:
        payment = payments.kept_payment(
            conn,
            account_id=principal.account_id,
            idempotency_key=idempotency_key,
            amount_cents=body.amount_cents,
            statement_id=body.statement_id,
        )
        if payment is not None:
            response.headers[routes.IDEMPOTENT_REPLAYED_HEADER] = "true"
        else:
            payment = _pay(conn, principal.account_id, body, idempotency_key, now)
    if payment.status == "failed":
        raise payments.declined(payment)
    return payment


@router.get(routes.PAYMENT, response_model=Payment)
def get_payment(payment_id: str, principal: BillingReader, db: DbDep, now: NowDep) -> Payment:
    """One payment, by its id or its confirmation number (`SPX-...`)."""
    with db.read() as conn:
        return _find(conn, principal.account_id, payment_id)


@router.post(routes.PAYMENT_CANCEL, response_model=Payment)
def cancel_payment(payment_id: str, principal: PaymentsWriter, db: DbDep, now: NowDep) -> Payment:
    """Cancel a scheduled payment before it starts processing (by id or confirmation
    number)."""
    with db.write() as conn:
        payment = _find(conn, principal.account_id, payment_id)
        return payments.cancel_payment(conn, payment=payment, named_as=payment_id)
