"""Autopay: show, enroll or switch method, cancel."""

from __future__ import annotations

from spectrum_cli.api import routes
from spectrum_cli.api.billing import Autopay, AutopayUpdate
from spectrum_cli.sandbox.deps import AutopayManager, BillingReader, DbDep, NowDep
from spectrum_cli.sandbox.domain import autopay
from spectrum_cli.sandbox.routing import new_router

router = new_router(tags=["autopay"])


@router.get(routes.AUTOPAY, response_model=Autopay)
def get_autopay(principal: BillingReader, db: DbDep, now: NowDep) -> Autopay:
    with db.read() as conn:
        return autopay.state(conn, account_id=principal.account_id, today=now.date())


@router.put(routes.AUTOPAY, response_model=Autopay)
def enroll(body: AutopayUpdate, principal: AutopayManager, db: DbDep, now: NowDep) -> Autopay:
    """Turn autopay on (or switch its method). Within 3 business days of a due date it starts
    with the next statement; `effective_from_statement_date` says which."""
    with db.write() as conn:
        autopay.enroll(
            conn, account_id=principal.account_id, method_id=body.method_id, today=now.date()
        )
        return autopay.state(conn, account_id=principal.account_id, today=now.date())


@router.delete(routes.AUTOPAY, response_model=Autopay)
def cancel(principal: AutopayManager, db: DbDep, now: NowDep) -> Autopay:
    """Turn autopay off. Within 3 business days of a due date that charge still happens;
    `ends_after_statement_date` says so."""
    with db.write() as conn:
        autopay.cancel(conn, account_id=principal.account_id, today=now.date())
        return autopay.state(conn, account_id=principal.account_id, today=now.date())
