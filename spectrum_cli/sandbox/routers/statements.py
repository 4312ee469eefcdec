"""Statements, their line items and their PDFs."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import Query, Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Statement, StatementList, StatementSummary
from spectrum_cli.sandbox.deps import BillingReader, DbDep, NowDep
from spectrum_cli.sandbox.domain import statements
from spectrum_cli.sandbox.domain.statements import StatementView
from spectrum_cli.sandbox.errors import not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import mask_account_number
from spectrum_cli.sandbox.store import accounts as accounts_store
from spectrum_cli.sandbox.store import statements as statements_store

router = new_router(tags=["statements"])


def summary(view: StatementView) -> StatementSummary:
    row = view.row
    return StatementSummary(
        id=row.id,
        statement_date=row.statement_date,
        due_date=row.due_date,
        period_start=row.period_start,
        period_end=row.period_end,
        previous_balance_cents=row.previous_balance_cents,
        payments_received_cents=row.previous_balance_cents
        + view.total_cents
        - row.amount_due_cents,
        total_cents=view.total_cents,
        amount_due_cents=row.amount_due_cents,
        balance_cents=view.balance_cents,
        status=view.status,
        days_until_due=view.days_until_due,
    )


def detail(conn: sqlite3.Connection, view: StatementView) -> Statement:
    return Statement(
        **summary(view).model_dump(),
        line_items=statements_store.line_items(conn, statement_id=view.id),
        messages=list(view.row.messages),
        alerts=list(view.row.alerts),
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
        views = list(reversed(statements.statements(conn, principal.account_id, now.date())))
    if starting_after is not None:
        ids = [v.id for v in views]
        if starting_after not in ids:
            raise not_found("statement", param="starting_after")
        views = views[ids.index(starting_after) + 1 :]
    return StatementList(data=[summary(v) for v in views[:limit]], has_more=len(views) > limit)


def _find(
    db: DbDep, principal: BillingReader, now: NowDep, statement_id: str
) -> tuple[Statement, accounts_store.AccountRow]:
    with db.read() as conn:
        view = statements.statement_view(conn, principal.account_id, statement_id, now.date())
        if view is None:
            raise not_found("statement", param="statement_id")
        account = accounts_store.get_account(conn, account_id=principal.account_id)
        return detail(conn, view), account


@router.get(routes.STATEMENT_UPCOMING, response_model=Statement)
def upcoming_statement(principal: BillingReader, db: DbDep, now: NowDep) -> Statement:
    """The next statement as it will be issued if nothing else changes and the bills not yet
    due are paid by their due dates: the engine runs to the next statement date in a
    transaction that is then rolled back."""
    with db.scratch() as conn:
        view = statements.upcoming_statement(conn, principal.account_id, now.date())
        if view is None:
            raise not_found("upcoming statement")
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
        holder=account.holder_name,
        account_masked=mask_account_number(account.number),
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="spectrum-{statement.statement_date}.pdf"'
        },
    )
