"""Statements, payments, payment methods and autopay."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from spectrum_cli.api.account import Alert, AutopayStatus
from spectrum_cli.api.common import (
    Cents,
    Currency,
    ListResponse,
    Request,
    RequestDate,
    RequestInt,
    Resource,
    ServiceKind,
)
from spectrum_cli.api.validation import aba_routing_ok, luhn_ok

StatementStatus = Literal["paid", "partially_paid", "unpaid", "past_due"]
LineItemKind = Literal[
    "service",
    "promo_discount",
    "equipment",
    "one_time",
    "proration",
    "surcharge",
    "tax",
    "fee",
    "late_fee",
    "adjustment",
    "credit",
    "usage",
]
PaymentKind = Literal["one_time", "autopay"]
PaymentStatus = Literal["scheduled", "processing", "succeeded", "failed", "returned", "canceled"]
PaymentMethodType = Literal["card", "bank_account"]
CardBrand = Literal["visa", "mastercard", "amex", "discover", "unknown"]
BankAccountType = Literal["checking", "savings"]


UsageUnit = Literal["MB"]


class LineItem(Resource):
    """One charge. ``kind`` and the data fields say what it is; ``description`` is for people
    and its words may change."""

    kind: LineItemKind
    description: str
    amount_cents: Cents
    code: str | None = Field(
        default=None,
        description="What is charged, the same on every statement: the plan (service, "
        "promo_discount), the equipment model (equipment), the mobile line (usage), or a fee "
        "code such as activation_fee, broadcast_tv_surcharge, sales_tax, late_fee.",
    )
    service_kind: ServiceKind | None = None
    plan_name: str | None = Field(default=None, description="Set on service and promo_discount.")
    promo_ends_on: dt.date | None = Field(default=None, description="Set on promo_discount lines.")
    regular_price_cents: Cents | None = Field(
        default=None,
        description="promo_discount: the plan's monthly price without the promotion.",
    )
    equipment_model: str | None = Field(default=None, description="Set on equipment lines.")
    line_id: str | None = Field(default=None, description="usage: the mobile line's id.")
    line_name: str | None = Field(default=None, description="usage: the mobile line's name.")
    usage_quantity: int | None = Field(default=None, description="usage: how much was used.")
    usage_unit: UsageUnit | None = Field(default=None, description="usage: the quantity's unit.")
    usage_start: dt.date | None = Field(default=None, description="usage: first day measured.")
    usage_end: dt.date | None = Field(default=None, description="usage: last day measured.")


class StatementSummary(Resource):
    id: str
    statement_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    previous_balance_cents: Cents
    payments_received_cents: Cents
    total_cents: Cents = Field(description="This statement's charges: the sum of its line items.")
    amount_due_cents: Cents = Field(description="Previous balance − payments received + total.")
    balance_cents: Cents = Field(description="What is still unpaid of amount_due_cents.")
    currency: Currency = "usd"
    status: StatementStatus
    days_until_due: int = Field(
        description="Days from the server's today to the due date; negative once it has passed."
    )


class Statement(StatementSummary):
    line_items: list[LineItem]
    messages: list[str] = Field(description="The texts of `alerts`, for people.")
    alerts: list[Alert] = Field(
        default_factory=list,
        description="What the statement tells, with its meaning in kind and data fields, as "
        "the account summary's alerts.",
    )


class StatementList(ListResponse[StatementSummary]):
    pass


class Payment(Resource):
    id: str
    confirmation_number: str
    statement_id: str | None = None
    amount_cents: Cents
    currency: Currency = "usd"
    kind: PaymentKind
    status: PaymentStatus
    method_id: str
    method_label: str
    scheduled_for: dt.date
    created_at: dt.datetime
    settled_at: dt.datetime | None = None
    failure_code: str | None = None
    failure_reason: str | None = None


class PaymentCreate(Request):
    amount_cents: RequestInt = Field(gt=0, le=10_000_00)
    method_id: str | None = Field(default=None, description="Default method when omitted.")
    statement_id: str | None = Field(
        default=None, description="Pay toward this statement (`latest` for the newest)."
    )
    scheduled_for: RequestDate | None = Field(default=None, description="Today when omitted.")
    applies_to: Literal["balance"] | None = Field(
        default=None,
        description="`balance`: this pays the account balance, and `amount_cents` is the "
        "`payable_cents` the caller read from `GET /v1/balance`. Refused with 409 "
        "`balance_changed` when that is no longer what is payable, and 409 "
        "`balance_already_paid` when nothing is, so any number of balance payments made at "
        "once pay it once. Not with `statement_id`.",
    )

    @model_validator(mode="after")
    def _one_target(self) -> PaymentCreate:
        if self.applies_to is not None and self.statement_id is not None:
            raise ValueError("give statement_id or applies_to, not both")
        return self


class Balance(Resource):
    """What the account owes now, for paying it."""

    balance_cents: Cents = Field(
        description="Everything owed now: every statement and the charges since (a late fee), "
        "less payments made or on their way; negative is a credit."
    )
    unbilled_cents: Cents = Field(description="Charges not yet on a statement.")
    scheduled_cents: Cents = Field(description="Payments scheduled for a later date.")
    payable_cents: Cents = Field(
        description="What paying the balance pays now: balance_cents less scheduled_cents, "
        "never below 0."
    )
    currency: Currency = "usd"


class PaymentList(ListResponse[Payment]):
    pass


class CardDetails(Resource):
    brand: CardBrand
    last4: str
    exp_month: int
    exp_year: int


class BankAccountDetails(Resource):
    account_type: BankAccountType
    routing_number: str
    last4: str


class PaymentMethod(Resource):
    id: str
    type: PaymentMethodType
    label: str = Field(description="e.g. `Visa •••• 4242`.")
    is_default: bool
    card: CardDetails | None = None
    bank_account: BankAccountDetails | None = None
    created_at: dt.datetime


class CardInput(Request):
    number: str = Field(pattern=r"^[0-9]{12,19}$", repr=False)
    exp_month: RequestInt = Field(ge=1, le=12)
    exp_year: RequestInt = Field(ge=2000, le=2100)
    cvc: str | None = Field(default=None, pattern=r"^[0-9]{3,4}$", repr=False)

    @field_validator("number")
    @classmethod
    def _luhn(cls, number: str) -> str:
        if not luhn_ok(number):
            raise ValueError("the card number is not valid (its check digit is wrong)")
        return number


class BankAccountInput(Request):
    routing_number: str = Field(pattern=r"^[0-9]{9}$")
    account_number: str = Field(pattern=r"^[0-9]{4,17}$", repr=False)
    account_type: BankAccountType = "checking"

    @field_validator("routing_number")
    @classmethod
    def _aba(cls, number: str) -> str:
        if not aba_routing_ok(number):
            raise ValueError("the routing number is not valid (its ABA checksum is wrong)")
        return number


class PaymentMethodCreate(Request):
    type: PaymentMethodType
    card: CardInput | None = None
    bank_account: BankAccountInput | None = None
    make_default: bool = False

    @model_validator(mode="after")
    def _details_match_type(self) -> PaymentMethodCreate:
        if (self.card is not None) != (self.type == "card") or (self.bank_account is not None) != (
            self.type == "bank_account"
        ):
            raise ValueError(f"a {self.type} needs exactly its own details object")
        return self


class PaymentMethodList(ListResponse[PaymentMethod]):
    pass


class Autopay(Resource):
    enabled: bool
    status: AutopayStatus
    method_id: str | None = None
    method_label: str | None = None
    effective_from_statement_date: dt.date | None = Field(
        default=None, description="The first statement the current setting applies to."
    )
    next_charge_date: dt.date | None = None
    next_charge_amount_cents: Cents | None = None
    ends_after_statement_date: dt.date | None = Field(
        default=None,
        description="Turned off close to a due date: the last statement autopay still pays.",
    )
    uncovered_statement_id: str | None = Field(
        default=None, description="An unpaid statement autopay will not pay: pay it yourself."
    )
    uncovered_balance_cents: Cents | None = None
    last_failure_reason: str | None = None
    warnings: list[str] = Field(
        default_factory=list, description="The texts of `alerts`, for people."
    )
    alerts: list[Alert] = Field(
        default_factory=list,
        description="What needs attention (autopay_failed, card_expiring, autopay_uncovered, "
        "autopay_ending), with its meaning in kind and data fields.",
    )


class AutopayUpdate(Request):
    method_id: str = Field(min_length=1, max_length=64)
