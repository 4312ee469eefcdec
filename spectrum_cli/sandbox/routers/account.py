"""The account dashboard and the services on the account."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Annotated

from fastapi import Query

from spectrum_cli.api import routes
from spectrum_cli.api.account import (
    AccountSummary,
    AccountUser,
    Alert,
    AutopaySummary,
    OutageList,
    Service,
    ServiceList,
    UsageDay,
    UsageReport,
)
from spectrum_cli.api.common import RequestDate, ServiceKind
from spectrum_cli.sandbox import billing, outages
from spectrum_cli.sandbox import usage as usage_model
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SummaryReader
from spectrum_cli.sandbox.domain import autopay
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.routers.equipment import equipment_model
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import mask_account_number

router = new_router(tags=["account"])

PROMO_WARNING = dt.timedelta(days=60)


def _service(row: sqlite3.Row, today: dt.date) -> Service:
    promo_end = dt.date.fromisoformat(row["promo_ends_on"]) if row["promo_ends_on"] else None
    on_promo = row["promo_price_cents"] is not None and promo_end is not None and today <= promo_end
    return Service(
        id=row["id"],
        kind=row["kind"],
        plan_name=row["plan_name"],
        monthly_price_cents=row["monthly_price_cents"],
        promo_price_cents=row["promo_price_cents"] if on_promo else None,
        promo_ends_on=promo_end if on_promo else None,
        current_price_cents=row["promo_price_cents"] if on_promo else row["monthly_price_cents"],
        lines=json.loads(row["lines"]),
    )


def list_services(conn: sqlite3.Connection, *, account_id: str, today: dt.date) -> list[Service]:
    rows = conn.execute(
        "SELECT * FROM services WHERE account_id = ? ORDER BY rowid", (account_id,)
    ).fetchall()
    return [_service(r, today) for r in rows]


def _autopay(
    conn: sqlite3.Connection, account_id: str, today: dt.date
) -> tuple[AutopaySummary, list[Alert]]:
    """The dashboard's autopay line and the alerts it raises (a failed charge, a card that
    expires before the next one)."""
    state = autopay.state(conn, account_id=account_id, today=today)
    summary = AutopaySummary(
        enabled=state.enabled,
        status=state.status,
        method_id=state.method_id,
        method_label=state.method_label,
    )
    alerts = [a for a in state.alerts if a.kind in ("autopay_failed", "card_expiring")]
    return summary, alerts


def _still_owed(returned: sqlite3.Row, views: list[billing.StatementView], owed: int) -> bool:
    """Whether a returned payment is still owed: until the statement it paid (the one it
    named, else the latest issued by then) is paid again, since credits pay the oldest
    charges first."""
    made_on = returned["created_at"][:10]
    paid_for = next((v for v in views if v.id == returned["statement_id"]), None) or next(
        (v for v in reversed(views) if v.row["statement_date"] <= made_on), None
    )
    return paid_for.balance_cents > 0 if paid_for is not None else owed > 0


def _alerts(
    conn: sqlite3.Connection,
    account_id: str,
    views: list[billing.StatementView],
    owed: int,
    today: dt.date,
) -> list[Alert]:
    alerts = []
    latest = views[-1] if views else None
    if latest is not None and latest.status == "past_due":
        alerts.append(
            Alert(
                kind="past_due",
                message=(
                    f"{billing.money(latest.balance_cents)} was due {latest.due_date.isoformat()} and is "
                    "past due; pay it to avoid further late fees."
                ),
            )
        )
    since = (today - dt.timedelta(days=30)).isoformat()
    for row in conn.execute(
        "SELECT * FROM payments WHERE account_id = ? AND status = 'returned' AND settled_at >= ?",
        (account_id, since),
    ):
        if not _still_owed(row, views, owed):
            continue
        alerts.append(
            Alert(
                kind="payment_returned",
                message=(
                    f"The {billing.money(row['amount_cents'])} payment {row['confirmation_number']} was "
                    f"returned by the bank; that amount is owed again."
                ),
            )
        )
    return alerts


def _promo_alerts(services: list[Service], today: dt.date) -> list[Alert]:
    alerts = []
    for service in services:
        end = service.promo_ends_on
        if end and end - today <= PROMO_WARNING:
            alerts.append(
                Alert(
                    kind="promo_ending",
                    message=(
                        f"The {service.plan_name} promotion ends {end.isoformat()}: the price "
                        f"goes from {billing.money(service.current_price_cents)} to "
                        f"{billing.money(service.monthly_price_cents)} a month (+"
                        f"{billing.money(service.monthly_price_cents - service.current_price_cents)})."
                    ),
                )
            )
    return alerts


@router.get(routes.ACCOUNT, response_model=AccountSummary)
def account_summary(principal: SummaryReader, db: DbDep, now: NowDep) -> AccountSummary:
    today = now.date()
    with db.read() as conn:
        views = billing.statements(conn, principal.account_id, today)
        latest = views[-1] if views else None
        owed = billing.owed_cents(conn, principal.account_id)
        unbilled = billing.unbilled_cents(conn, principal.account_id)
        alerts = _alerts(conn, principal.account_id, views, owed, today)
        account = conn.execute(
            "SELECT * FROM accounts WHERE id = ?", (principal.account_id,)
        ).fetchone()
        services = list_services(conn, account_id=account["id"], today=today)
        equipment = conn.execute(
            "SELECT * FROM equipment WHERE account_id = ? ORDER BY rowid", (account["id"],)
        ).fetchall()
        users = conn.execute(
            "SELECT username, role FROM users WHERE account_id = ? ORDER BY created_at, username",
            (account["id"],),
        ).fetchall()
        autopay_summary, autopay_alerts = _autopay(conn, account["id"], today)
        alerts += autopay_alerts
        alerts += [
            Alert(
                kind="outage",
                message=(
                    f"{outages.services_phrase(o.services)} outage at your address: "
                    f"{o.message} Estimated "
                    f"restore {o.estimated_restore_at:%Y-%m-%d %H:%M} UTC."
                ),
            )
            for o in outages.active_for(conn, account_id=account["id"], now=now)
        ]
    return AccountSummary(
        account_number_masked=mask_account_number(account["number"]),
        holder_name=account["holder_name"],
        status="past_due" if any(v.status == "past_due" for v in views) else "active",
        service_address=json.loads(account["service_address"]),
        billing_address=json.loads(account["billing_address"]),
        billing_cycle_day=account["cycle_day"],
        balance_cents=owed,
        unbilled_cents=unbilled,
        due_date=latest.due_date if latest and latest.balance_cents > 0 else None,
        autopay=autopay_summary,
        alerts=alerts + _promo_alerts(services, today),
        services=services,
        equipment=[equipment_model(e, now) for e in equipment],
        users=[AccountUser(username=u["username"], role=u["role"]) for u in users],
    )


@router.get(routes.SERVICES, response_model=ServiceList)
def services(principal: AccountReader, db: DbDep, now: NowDep) -> ServiceList:
    with db.read() as conn:
        return ServiceList(
            data=list_services(conn, account_id=principal.account_id, today=now.date())
        )


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
    end = min(end or today, today)
    start = start or end - dt.timedelta(days=days - 1)
    if start > end:
        raise invalid(
            "bad_range", "start must be on or before end (and not in the future).", param="start"
        )
    if (end - start).days > 366:
        raise invalid("range_too_long", "At most 367 days at a time.", param="start")
    with db.read() as conn:
        row = conn.execute(
            "SELECT * FROM services WHERE account_id = ? AND kind = ?",
            (principal.account_id, service),
        ).fetchone()
        latest = conn.execute(
            "SELECT * FROM statements WHERE account_id = ? ORDER BY statement_date DESC LIMIT 1",
            (principal.account_id,),
        ).fetchone()
    if row is None:
        raise invalid("no_such_service", f"This account has no {service} service.", param="service")
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    estimate = None
    if service == "mobile":
        lines = json.loads(row["lines"])
        series = [
            UsageDay(
                date=d,
                service="mobile",
                line_id=line["id"],
                data_mb=usage_model.mobile_data_mb(line["id"], d),
            )
            for d in dates
            for line in lines
        ]
        if latest is not None:
            cycle_start = dt.date.fromisoformat(latest["period_start"])
            cycle_end = min(today, dt.date.fromisoformat(latest["period_end"]))
            estimate = sum(
                usage_model.by_the_gig_cents(
                    usage_model.mobile_period_mb(line["id"], cycle_start, cycle_end)
                )
                for line in lines
            )
    elif service == "voice":
        series = [
            UsageDay(
                date=d,
                service="voice",
                voice_minutes=usage_model.voice_minutes(principal.account_id, d),
            )
            for d in dates
        ]
    else:
        series = [
            UsageDay(
                date=d,
                service=service,
                data_mb=usage_model.internet_data_mb(principal.account_id, d)
                if service == "internet"
                else None,
            )
            for d in dates
        ]
    return UsageReport(
        service=service, start=start, end=end, days=series, estimated_charge_cents=estimate
    )


@router.get(routes.OUTAGES, response_model=OutageList)
def list_outages(principal: AccountReader, db: DbDep, now: NowDep) -> OutageList:
    """Outages at the account's service address, with the estimated restore time."""
    with db.read() as conn:
        return OutageList(data=outages.active_for(conn, account_id=principal.account_id, now=now))
