"""Statements, their line items and their PDFs."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Annotated

from fastapi import Query, Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import LineItem, Statement, StatementList, StatementSummary
from spectrum_cli.sandbox import billing
from spectrum_cli.sandbox.deps import BillingReader, DbDep, NowDep
from spectrum_cli.sandbox.errors import not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import mask_account_number

router = new_router(tags=["statements"])


def summary(view: billing.StatementView) -> StatementSummary:
    row = view.row
    return StatementSummary(
        id=row["id"],
        statement_date=row["statement_date"],
        due_date=row["due_date"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        previous_balance_cents=row["previous_balance_cents"],
        payments_received_cents=row["previous_balance_cents"]
        + view.total_cents
        - row["amount_due_cents"],
        total_cents=view.total_cents,
        amount_due_cents=row["amount_due_cents"],
        balance_cents=view.balance_cents,
        status=view.status,  # type: ignore[arg-type]
        days_until_due=view.days_until_due,
    )


def detail(conn: sqlite3.Connection, view: billing.StatementView) -> Statement:
    items = conn.execute(
        "SELECT * FROM charges WHERE statement_id = ? ORDER BY seq", (view.id,)
    ).fetchall()
    return Statement(
        **summary(view).model_dump(),
        line_items=[
            LineItem(
                kind=i["kind"],
                description=i["description"],
                amount_cents=i["amount_cents"],
                service_kind=i["service_kind"],
                promo_ends_on=i["promo_ends_on"],
            )
            for i in items
        ],
        messages=json.loads(view.row["messages"]),
    )


@router.get(routes.STATEMENTS, response_model=StatementList)
def list_statements(
    principal: BillingReader,
    db: DbDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 12,
    starting_after: Annotated[str | None, Query(max_length=64)] = None,
) -> StatementList:
    """Newest first."""
    with db.read() as conn:
        views = list(reversed(billing.statements(conn, principal.account_id, now.date())))
    if starting_after is not None:
        ids = [v.id for v in views]
        if starting_after not in ids:
            raise not_found("statement", param="starting_after")
        views = views[ids.index(starting_after) + 1 :]
    return StatementList(data=[summary(v) for v in views[:limit]], has_more=len(views) > limit)


def _find(
    db: DbDep, principal: BillingReader, now: NowDep, statement_id: str
) -> tuple[Statement, sqlite3.Row]:
    with db.read() as conn:
        view = billing.statement_view(conn, principal.account_id, statement_id, now.date())
        if view is None:
            raise not_found("statement", param="statement_id")
        account = conn.execute(
            "SELECT * FROM accounts WHERE id = ?", (principal.account_id,)
        ).fetchone()
        return detail(conn, view), account


@router.get(routes.STATEMENT_UPCOMING, response_model=Statement)
def upcoming_statement(principal: BillingReader, db: DbDep, now: NowDep) -> Statement:
    """The next statement as it will be issued if nothing else changes and the bills not yet
    due are paid by their due dates: the engine runs to the next statement date in a
    transaction that is then rolled back."""
    with db.scratch() as conn:
        issue_on = billing.next_statement_date(conn, principal.account_id)
        if issue_on is None:
            raise not_found("upcoming statement")
        # A late fee not yet assessed is for a due date still ahead: no fee is predicted.
        conn.execute(
            "UPDATE statements SET late_fee_checked = 1 WHERE account_id = ?",
            (principal.account_id,),
        )
        noon = dt.datetime.combine(issue_on, dt.time(12), dt.UTC)
        billing.catch_up(conn, account_id=principal.account_id, today=issue_on, now=noon)
        view = billing.statement_view(conn, principal.account_id, "latest", now.date())
        assert view is not None
        return detail(conn, view)


@router.get(routes.STATEMENT, response_model=Statement)
def get_statement(statement_id: str, principal: BillingReader, db: DbDep, now: NowDep) -> Statement:
    """One statement with its line items; `latest` is the newest."""
    return _find(db, principal, now, statement_id)[0]


@router.get(
    routes.STATEMENT_PDF,
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The statement as a PDF."}},
)
def statement_pdf(statement_id: str, principal: BillingReader, db: DbDep, now: NowDep) -> Response:
    from spectrum_cli.sandbox.pdf import render

    statement, account = _find(db, principal, now, statement_id)
    content = render(
        statement,
        holder=account["holder_name"],
        account_masked=mask_account_number(account["number"]),
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="spectrum-{statement.statement_date}.pdf"'
        },
    )
