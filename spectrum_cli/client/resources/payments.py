from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from spectrum_cli.api import routes
from spectrum_cli.api.billing import (
    Balance,
    BankAccountInput,
    BankAccountType,
    CardInput,
    Payment,
    PaymentCreate,
    PaymentList,
    PaymentMethod,
    PaymentMethodCreate,
    PaymentMethodList,
    PaymentStatus,
)
from spectrum_cli.client.resources._base import Resource
from spectrum_cli.client.resources._paths import path


class PaymentsResource(Resource):
    def list(
        self,
        *,
        limit: int = 20,
        starting_after: str | None = None,
        status: PaymentStatus | None = None,
        from_date: dt.date | None = None,
        to_date: dt.date | None = None,
    ) -> PaymentList:
        """One page, newest first: only payments in ``status``, dated (``scheduled_for``)
        from ``from_date`` to ``to_date``, when given."""
        params = {
            "limit": limit,
            "starting_after": starting_after,
            "status": status,
            "from": from_date and from_date.isoformat(),
            "to": to_date and to_date.isoformat(),
        }
        return self._get(routes.PAYMENTS, PaymentList, params=params)

    def iter(self, *, page_size: int = 100, **only: Any) -> Iterator[Payment]:
        """Every payment that ``only`` (the filters of `list`) lets through, newest first,
        fetching pages as needed."""
        after = None
        while True:
            page = self.list(limit=page_size, starting_after=after, **only)
            yield from page.data
            if not page.has_more or not page.data:
                return
            after = page.data[-1].id

    def balance(self) -> Balance:
        """What the account owes now, and what paying it pays."""
        return self._get(routes.BALANCE, Balance)

    def get(self, payment_id: str) -> Payment:
        return self._get(path(routes.PAYMENT, payment_id=payment_id), Payment)

    def create(
        self,
        amount_cents: int,
        *,
        method_id: str | None = None,
        statement_id: str | None = None,
        scheduled_for: dt.date | None = None,
        idempotency_key: str | None = None,
        pays_balance: bool = False,
    ) -> Payment:
        """Pay ``amount_cents``. Giving ``statement_id`` lets the server refuse a second
        payment of a paid statement (409 ``statement_already_paid``). With ``pays_balance``,
        ``amount_cents`` is the ``payable_cents`` of `balance()`, and the server refuses the
        payment once the balance is paid (409 ``balance_already_paid``) or has changed
        (409 ``balance_changed``)."""
        body = PaymentCreate(
            amount_cents=amount_cents,
            method_id=method_id,
            statement_id=statement_id,
            scheduled_for=scheduled_for,
            **({"applies_to": "balance"} if pays_balance else {}),
        )
        return self._send("POST", routes.PAYMENTS, Payment, body, idempotency_key=idempotency_key)

    def cancel(self, payment_id: str, *, idempotency_key: str | None = None) -> Payment:
        return self._send(
            "POST",
            path(routes.PAYMENT_CANCEL, payment_id=payment_id),
            Payment,
            idempotency_key=idempotency_key,
        )


class PaymentMethodsResource(Resource):
    def list(self) -> PaymentMethodList:
        return self._get(routes.PAYMENT_METHODS, PaymentMethodList)

    def add_card(
        self,
        number: str,
        exp_month: int,
        exp_year: int,
        *,
        make_default: bool = False,
        idempotency_key: str | None = None,
    ) -> PaymentMethod:
        body = PaymentMethodCreate(
            type="card",
            card=CardInput(number=number, exp_month=exp_month, exp_year=exp_year),
            make_default=make_default,
        )
        return self._send(
            "POST", routes.PAYMENT_METHODS, PaymentMethod, body, idempotency_key=idempotency_key
        )

    def add_bank_account(
        self,
        routing_number: str,
        account_number: str,
        *,
        account_type: BankAccountType = "checking",
        make_default: bool = False,
        idempotency_key: str | None = None,
    ) -> PaymentMethod:
        body = PaymentMethodCreate(
            type="bank_account",
            bank_account=BankAccountInput(
                routing_number=routing_number,
                account_number=account_number,
                account_type=account_type,
            ),
            make_default=make_default,
        )
        return self._send(
            "POST", routes.PAYMENT_METHODS, PaymentMethod, body, idempotency_key=idempotency_key
        )

    def remove(self, method_id: str) -> None:
        self._send_no_content("DELETE", path(routes.PAYMENT_METHOD, method_id=method_id))

    def set_default(self, method_id: str) -> PaymentMethod:
        return self._send(
            "POST", path(routes.PAYMENT_METHOD_DEFAULT, method_id=method_id), PaymentMethod
        )
