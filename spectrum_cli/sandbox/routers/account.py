"""The account dashboard and the services on the account."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Annotated

from fastapi import Query

from spectrum_cli.api import routes
from spectrum_cli.api.account import (
    AccountSummary,
    Alert,
    AutopaySummary,
    OutageList,
    Service,
    ServiceList,
    UsageDay,
    UsageReport,
)
from spectrum_cli.api.common import RequestDate, ServiceKind
from spectrum_cli.sandbox import outages
from spectrum_cli.sandbox import usage as usage_model
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SummaryReader
from spectrum_cli.sandbox.domain import autopay, balances, statements
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import mask_account_number
from spectrum_cli.sandbox.store import accounts as accounts_store
from spectrum_cli.sandbox.store import equipment as equipment_store
from spectrum_cli.sandbox.store import statements as statements_store
from spectrum_cli.sandbox.store.accounts import ServiceRow

router = new_router(tags=["account"])

# The autopay alerts the account summary shows: a failed charge, a card that expires first.
SUMMARY_AUTOPAY_ALERTS = ("autopay_failed", "card_expiring")


def _service(row: ServiceRow, today: dt.date) -> Service:
    on_promo = statements.on_promo(row, today)
    return Service(
        id=row.id,
        kind=row.kind,
        plan_name=row.plan_name,
        monthly_price_cents=row.monthly_price_cents,
        promo_price_cents=row.promo_price_cents if on_promo else None,
        promo_ends_on=row.promo_ends_on if on_promo else None,
        current_price_cents=row.promo_price_cents
        if on_promo and row.promo_price_cents is not None
        else row.monthly_price_cents,
        lines=list(row.lines),
    )


def list_services(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> list[Service]:
    return [_service(r, today) for r in accounts_store.services(conn, account_id=account_id)]


def _autopay(
    conn: sqlite3.Connection, account_id: str, today: dt.date
) -> tuple[AutopaySummary, list[Alert]]:
    """The dashboard's autopay line and the alerts it raises, taken from autopay's own by
    kind (a failed charge, a card that expires before the next one)."""
    state = autopay.state(conn, account_id=account_id, today=today)
    summary = AutopaySummary(
        enabled=state.enabled,
        status=state.status,
        method_id=state.method_id,
        method_label=state.method_label,
    )
    alerts = [a for a in state.alerts if a.kind in SUMMARY_AUTOPAY_ALERTS]
    return summary, alerts


def _outage_alerts(conn: sqlite3.Connection, account_id: str, now: dt.datetime) -> list[Alert]:
    return [
        Alert(
            kind="outage",
            message=(
                f"{outages.services_phrase(o.services)} outage at your address: "
                f"{o.message} Estimated "
                f"restore {o.estimated_restore_at:%Y-%m-%d %H:%M} UTC."
            ),
        )
        for o in outages.active_for(conn, account_id=account_id, now=now)
    ]


def _alerts(
    conn: sqlite3.Connection,
    account_id: str,
    views: list[statements.StatementView],
    services: list[Service],
    autopay_alerts: list[Alert],
    now: dt.datetime,
) -> list[Alert]:
    today = now.date()
    return [
        *statements.past_due_alerts(views),
        *statements.returned_payment_alerts(conn, account_id, views, today),
        *autopay_alerts,
        *_outage_alerts(conn, account_id, now),
        *statements.promo_alerts(services, today),
    ]


@router.get(routes.ACCOUNT, response_model=AccountSummary)
def account_summary(principal: SummaryReader, db: DbDep, now: NowDep) -> AccountSummary:
    today, account_id = now.date(), principal.account_id
    with db.read() as conn:
        views = statements.statements(conn, account_id, today)
        account = accounts_store.get_account(conn, account_id=account_id)
        services = list_services(conn, account_id=account_id, today=today)
        autopay_summary, autopay_alerts = _autopay(conn, account_id, today)
        alerts = _alerts(conn, account_id, views, services, autopay_alerts, now)
        owed = balances.owed_cents(conn, account_id)
        unbilled = balances.unbilled_cents(conn, account_id)
        equipment = equipment_store.equipment(conn, account_id=account_id, now=now)
        users = accounts_store.account_users(conn, account_id=account_id)
    latest = views[-1] if views else None
    return AccountSummary(
        account_number_masked=mask_account_number(account.number),
        holder_name=account.holder_name,
        status="past_due" if any(v.status == "past_due" for v in views) else "active",
        service_address=account.service_address,
        billing_address=account.billing_address,
        billing_cycle_day=account.cycle_day,
        balance_cents=owed,
        unbilled_cents=unbilled,
        due_date=latest.due_date if latest and latest.balance_cents > 0 else None,
        autopay=autopay_summary,
        alerts=alerts,
        services=services,
        equipment=equipment,
        users=users,
    )


@router.get(routes.SERVICES, response_model=ServiceList)
def services(principal: AccountReader, db: DbDep, now: NowDep) -> ServiceList:
    with db.read() as conn:
        return ServiceList(
            data=list_services(conn, account_id=principal.account_id, today=now.date())
        )


def _usage_range(
    start: dt.date | None, end: dt.date | None, days: int, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The days asked for: up to today, ``days`` long unless ``start`` is given."""
    end = min(end or today, today)
    start = start or end - dt.timedelta(days=days - 1)
    if start > end:
        raise invalid(
            "bad_range", "start must be on or before end (and not in the future).", param="start"
        )
    if (end - start).days > 366:
        raise invalid("range_too_long", "At most 367 days at a time.", param="start")
    return start, end


def _mobile_days(service: ServiceRow, dates: list[dt.date]) -> list[UsageDay]:
    """Each line's data, day by day."""
    return [
        UsageDay(
            date=d,
            service="mobile",
            line_id=line.id,
            data_mb=usage_model.mobile_data_mb(line.id, d),
        )
        for d in dates
        for line in service.lines
    ]


def _daily(kind: ServiceKind, account_id: str, dates: list[dt.date]) -> list[UsageDay]:
    """Minutes for voice, data for internet, days alone for TV."""
    if kind == "voice":
        return [
            UsageDay(date=d, service=kind, voice_minutes=usage_model.voice_minutes(account_id, d))
            for d in dates
        ]
    return [
        UsageDay(
            date=d,
            service=kind,
            data_mb=usage_model.internet_data_mb(account_id, d) if kind == "internet" else None,
        )
        for d in dates
    ]


@router.get(routes.USAGE, response_model=UsageReport)
def usage(
    principal: AccountReader,
    db: DbDep,
    now: NowDep,
    service: Annotated[ServiceKind, Query()] = "internet",
    start: Annotated[
        RequestDate | None, Query(description="First day [default: 30 days ago].")
    ] = None,
    end: Annotated[RequestDate | None, Query(description="Last day [default: today].")] = None,
    days: Annotated[
        int, Query(ge=1, le=367, description="Days up to `end`, without `start`.")
    ] = 30,
) -> UsageReport:
    """Daily usage of one service; for mobile, per line, with the by-the-gig charge so far
    this cycle."""
    today = now.date()
    start, end = _usage_range(start, end, days, today)
    with db.read() as conn:
        row = accounts_store.service(conn, account_id=principal.account_id, kind=service)
        latest = statements_store.latest_statement(conn, account_id=principal.account_id)
    if row is None:
        raise invalid("no_such_service", f"This account has no {service} service.", param="service")
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if service == "mobile":
        series = _mobile_days(row, dates)
        estimate = statements.mobile_charge_so_far(row, latest, today)
    else:
        series, estimate = _daily(service, principal.account_id, dates), None
    return UsageReport(
        service=service, start=start, end=end, days=series, estimated_charge_cents=estimate
    )


@router.get(routes.OUTAGES, response_model=OutageList)
def list_outages(principal: AccountReader, db: DbDep, now: NowDep) -> OutageList:
    """Outages at the account's service address, with the estimated restore time."""
    with db.read() as conn:
        return OutageList(data=outages.active_for(conn, account_id=principal.account_id, now=now))
