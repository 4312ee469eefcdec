"""The account dashboard, services, equipment, usage and outages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from spectrum_cli.api.auth import Role
from spectrum_cli.api.common import Address, Cents, Currency, ListResponse, Resource, ServiceKind

AccountStatus = Literal["active", "past_due", "suspended"]
EquipmentKind = Literal["modem", "router", "tv_receiver", "voice_modem"]
EquipmentStatus = Literal["online", "offline", "restarting"]
AlertKind = Literal[
    "promo_ending",
    "past_due",
    "autopay_failed",
    "card_expiring",
    "outage",
    "payment_returned",
    "late_fee_added",
    "autopay_uncovered",
    "autopay_ending",
]
AutopayStatus = Literal["off", "active", "pending", "needs_attention"]


class MobileLine(Resource):
    id: str
    name: str
    number_masked: str


class Service(Resource):
    id: str
    kind: ServiceKind
    plan_name: str
    monthly_price_cents: Cents = Field(description="Standard price, after any promotion ends.")
    promo_price_cents: Cents | None = None
    promo_ends_on: dt.date | None = None
    current_price_cents: Cents = Field(
        description="What this month costs: promo price while it lasts."
    )
    lines: list[MobileLine] = Field(default_factory=list)


class Equipment(Resource):
    id: str
    kind: EquipmentKind
    model: str
    service_kind: ServiceKind
    monthly_fee_cents: Cents
    status: EquipmentStatus
    back_online_at: dt.datetime | None = Field(
        default=None, description="While restarting: when it is expected back online."
    )


class Alert(Resource):
    """Something the customer should know. ``kind`` and the data fields carry the meaning;
    ``message`` is for people and its words may change."""

    kind: AlertKind
    message: str
    statement_id: str | None = None
    payment_id: str | None = None
    method_id: str | None = None
    plan_name: str | None = Field(default=None, description="Set on promo_ending.")
    effective_on: dt.date | None = Field(
        default=None,
        description="The day it happens or happened: the promotion's end (promo_ending), the "
        "due date (past_due, autopay_uncovered), the card's last valid day (card_expiring), the "
        "charge date (autopay_ending, autopay_failed), the day it was returned (payment_returned).",
    )
    amount_cents: Cents | None = Field(
        default=None,
        description="The money concerned: what is past due or not covered, the returned "
        "payment, the charge still to come.",
    )
    price_before_cents: Cents | None = Field(
        default=None, description="promo_ending: the monthly price until effective_on."
    )
    price_after_cents: Cents | None = Field(
        default=None, description="promo_ending: the monthly price from effective_on."
    )


class AutopaySummary(Resource):
    enabled: bool
    status: AutopayStatus
    method_id: str | None = None
    method_label: str | None = None


class AccountUser(Resource):
    username: str
    role: Role


class AccountSummary(Resource):
    """Everything the dashboard shows, in one response."""

    account_number_masked: str = Field(description="e.g. `•••• •••• •••• 6755`.")
    holder_name: str
    status: AccountStatus
    service_address: Address
    billing_address: Address
    billing_cycle_day: int = Field(ge=1, le=28)
    balance_cents: Cents = Field(description="Everything owed now, unbilled charges included.")
    unbilled_cents: Cents = Field(
        default=0, description="Charges not yet on a statement (a late fee since the last one)."
    )
    currency: Currency = "usd"
    due_date: dt.date | None = Field(
        default=None, description="Set while the latest bill is unpaid."
    )
    autopay: AutopaySummary
    alerts: list[Alert]
    services: list[Service]
    equipment: list[Equipment]
    users: list[AccountUser]


class ServiceList(ListResponse[Service]):
    pass


class EquipmentList(ListResponse[Equipment]):
    pass


class UsageDay(Resource):
    date: dt.date
    service: ServiceKind
    line_id: str | None = Field(default=None, description="Mobile line, for mobile usage.")
    data_mb: int | None = None
    voice_minutes: int | None = None


class UsageReport(Resource):
    service: ServiceKind
    start: dt.date
    end: dt.date
    days: list[UsageDay]
    estimated_charge_cents: Cents | None = Field(
        default=None, description="By-the-gig mobile charge so far this cycle."
    )


OutageStatus = Literal["investigating", "identified", "restoring", "resolved"]


class Outage(Resource):
    id: str
    services: list[ServiceKind]
    status: OutageStatus
    message: str
    started_at: dt.datetime
    estimated_restore_at: dt.datetime | None = None


class OutageList(ListResponse[Outage]):
    pass
