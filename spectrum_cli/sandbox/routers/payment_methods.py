"""Cards and bank accounts. Full numbers are taken once, checked, and never kept."""

from __future__ import annotations

import sqlite3

from fastapi import Response

from spectrum_cli.api import routes
from spectrum_cli.api.billing import PaymentMethod, PaymentMethodCreate, PaymentMethodList
from spectrum_cli.sandbox.deps import BillingReader, DbDep, MethodsManager, NowDep
from spectrum_cli.sandbox.domain import methods
from spectrum_cli.sandbox.errors import not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import methods as store
from spectrum_cli.sandbox.store.methods import MethodRow

router = new_router(tags=["payment-methods"])


def _get(conn: sqlite3.Connection, account_id: str, method_id: str) -> MethodRow:
    method = methods.active_method(conn, account_id=account_id, method_id=method_id)
    if method is None:
        raise not_found("payment method", param="method_id")
    return method


@router.get(routes.PAYMENT_METHODS, response_model=PaymentMethodList)
def list_methods(principal: BillingReader, db: DbDep) -> PaymentMethodList:
    with db.read() as conn:
        active = methods.active_methods(conn, account_id=principal.account_id)
    return PaymentMethodList(data=[methods.as_model(m) for m in active])


@router.post(routes.PAYMENT_METHODS, response_model=PaymentMethod, status_code=201)
def add_method(
    body: PaymentMethodCreate, principal: MethodsManager, db: DbDep, now: NowDep
) -> PaymentMethod:
    with db.write() as conn:
        method = methods.add_method(conn, account_id=principal.account_id, body=body, now=now)
    return methods.as_model(method)


@router.delete(routes.PAYMENT_METHOD, status_code=204, response_class=Response)
def remove_method(method_id: str, principal: MethodsManager, db: DbDep, now: NowDep) -> Response:
    with db.write() as conn:
        method = _get(conn, principal.account_id, method_id)
        methods.remove_method(conn, method=method, account_id=principal.account_id, now=now)
    return Response(status_code=204)


@router.post(routes.PAYMENT_METHOD_DEFAULT, response_model=PaymentMethod)
def set_default(method_id: str, principal: MethodsManager, db: DbDep) -> PaymentMethod:
    with db.write() as conn:
        _get(conn, principal.account_id, method_id)
        store.make_default(conn, account_id=principal.account_id, method_id=method_id)
        return methods.as_model(_get(conn, principal.account_id, method_id))
