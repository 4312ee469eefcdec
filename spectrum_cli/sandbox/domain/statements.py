"""Statements: issuing them, what is unpaid of each, late fees, and catching up to the clock.

Nothing runs in the background. Every request that reads or moves money first calls
`catch_up`, which replays, in date order, whatever the clock has passed since the last call:
scheduled payments, bank settlements, autopay, late fees and statement issue dates.

Sandbox rules: a statement bills the coming month (services at their current price, promotion
discounts, a TV surcharge, equipment fees, last period's mobile data, 7.5% tax on TV, voice
and equipment) and is due 21 days after it is issued; a balance still unpaid the day after the
due date gets an $8.95 late fee, carried on the next statement. Credits pay the oldest charges
first.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.account import Alert, Service
from spectrum_cli.api.billing import LineItem, StatementStatus
from spectrum_cli.api.money import usd
from spectrum_cli.sandbox.domain import balances
from spectrum_cli.sandbox.domain.calendar import DUE_AFTER, add_months
from spectrum_cli.sandbox.store import accounts as accounts_store
from spectrum_cli.sandbox.store import payments as payments_store
from spectrum_cli.sandbox.store import statements as statements_store
from spectrum_cli.sandbox.store.accounts import EquipmentCharge, ServiceRow
from spectrum_cli.sandbox.store.statements import StatementRow
from spectrum_cli.sandbox.usage import by_the_gig_cents, mobile_period_mb

LATE_FEE_CENTS = 895
ACTIVATION_CENTS = 999
BROADCAST_TV_SURCHARGE_CENTS = 2100
TAX_PER_MILLE = 75  # 7.5% on TV, voice and equipment
# The account summary warns of a promotion's end this many days ahead.
PROMO_WARNING = dt.timedelta(days=60)

Event = tuple[dt.date, int, str, str]


# What is unpaid -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementView:
    row: StatementRow
    total_cents: int
    balance_cents: int
    status: StatementStatus
    days_until_due: int

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def due_date(self) -> dt.date:
        return self.row.due_date

    @property
    def row_date(self) -> dt.date:
        """The statement date."""
        return self.row.statement_date

    @property
    def autopay_checked(self) -> bool:
        """Whether autopay's due-date charge for this statement has run."""
        return self.row.autopay_checked


def _status(row: StatementRow, balance: int, today: dt.date) -> StatementStatus:
    if balance == 0:
        return "paid"
    if today > row.due_date:
        return "past_due"
    return "partially_paid" if balance < row.amount_due_cents else "unpaid"


def statements(conn: sqlite3.Connection, account_id: str, today: dt.date) -> list[StatementView]:
    """Every statement, oldest first, with what is still unpaid of each.

    Credits pay the oldest charges first, so a statement's balance is what its charges and
    those before it still lack, capped by what it asked for.
    """
    totals = statements_store.statement_totals(conn, account_id=account_id)
    credits = balances.credited_cents(conn, account_id)
    views, through = [], 0
    for row in statements_store.statement_rows(conn, account_id=account_id):
        total = totals.get(row.id, 0)
        through += total
        balance = max(0, min(row.amount_due_cents, through - credits))
        days = (row.due_date - today).days
        views.append(StatementView(row, total, balance, _status(row, balance, today), days))
    return views


def statement_view(
    conn: sqlite3.Connection, account_id: str, statement_id: str, today: dt.date
) -> StatementView | None:
    """One statement by id; ``latest`` is the newest."""
    views = statements(conn, account_id, today)
    if statement_id == "latest":
        return views[-1] if views else None
    return next((v for v in views if v.id == statement_id), None)


# Catching up to the clock ---------------------------------------------------------------------


def catch_up(
    conn: sqlite3.Connection, *, account_id: str, today: dt.date, now: dt.datetime
) -> None:
    """Apply every dated event up to and including ``today``, in date order."""
    # Charging reads statements, so it is imported here, not at the top.
    from spectrum_cli.sandbox.domain import charging

    while (event := next_event(conn, account_id, today)) is not None:
        day, _, kind, ref = event
        if kind == "charge":
            charging.attempt(conn, payment_id=ref, day=day, now=now)
        elif kind == "autopay":
            charging.charge_autopay(conn, account_id=account_id, statement_id=ref, day=day, now=now)
        elif kind == "settle":
            charging.settle(conn, payment_id=ref, day=day)
        elif kind == "late_fee":
            _assess_late_fee(conn, account_id=account_id, statement_id=ref, day=day)
        else:
            issue_statement(conn, account_id=account_id, day=day)


def next_event(conn: sqlite3.Connection, account_id: str, today: dt.date) -> Event | None:
    """The earliest event due by ``today``. On one day: payments, then autopay, then the
    late-fee check (which falls the day after a due date), then a new statement."""
    events = _payment_events(conn, account_id) + _statement_events(conn, account_id)
    issue_on = next_statement_date(conn, account_id)
    if issue_on is not None:
        events.append((issue_on, 3, "statement", ""))
    due = [e for e in events if e[0] <= today]
    return min(due) if due else None


def _payment_events(conn: sqlite3.Connection, account_id: str) -> list[Event]:
    """Scheduled payments are charged on their date; bank payments settle on theirs."""
    return [
        (p.scheduled_for, 0, "charge", p.id)
        if p.settle_on is None
        else (p.settle_on, 0, "settle", p.id)
        for p in payments_store.pending(conn, account_id=account_id)
    ]


def _statement_events(conn: sqlite3.Connection, account_id: str) -> list[Event]:
    """The late-fee check the day after each due date, and autopay on the due date of each
    statement it covers."""
    from spectrum_cli.sandbox.domain.charging import covers
    from spectrum_cli.sandbox.store import autopay as autopay_store

    autopay = autopay_store.get(conn, account_id=account_id)
    events: list[Event] = []
    for row in statements_store.statements_to_check(conn, account_id=account_id):
        if not row.late_fee_checked:
            events.append((row.due_date + dt.timedelta(days=1), 2, "late_fee", row.id))
        if not row.autopay_checked and autopay is not None and covers(autopay, row.statement_date):
            events.append((row.due_date, 1, "autopay", row.id))
    return events


def next_statement_date(conn: sqlite3.Connection, account_id: str) -> dt.date | None:
    """The day the next statement is issued: billing's start, then each cycle day."""
    account = accounts_store.get_account(conn, account_id=account_id)
    if account.billing_start is None:
        return None
    last = statements_store.latest_statement(conn, account_id=account_id)
    if last is None:
        return account.billing_start
    return add_months(last.statement_date, 1, account.cycle_day)


def _assess_late_fee(
    conn: sqlite3.Connection, *, account_id: str, statement_id: str, day: dt.date
) -> None:
    """The day after a due date, a balance still unpaid on the statement gets a late fee,
    billed on the next statement."""
    view = next(v for v in statements(conn, account_id, day) if v.id == statement_id)
    statements_store.mark_late_fee_checked(conn, statement_id=statement_id)
    if view.balance_cents <= 0:
        return
    fee = LineItem(
        kind="late_fee",
        description=f"Late fee: {usd(view.balance_cents)} unpaid after {view.due_date}",
        amount_cents=LATE_FEE_CENTS,
        code="late_fee",
    )
    statements_store.add_charges(
        conn, account_id=account_id, statement_id=None, posted_on=day, items=[fee]
    )


def upcoming_statement(
    conn: sqlite3.Connection, account_id: str, today: dt.date
) -> StatementView | None:
    """The next statement as it will be issued if nothing else changes and the bills not yet
    due are paid by their due dates. It is issued in ``conn``'s transaction, which the caller
    must roll back."""
    issue_on = next_statement_date(conn, account_id)
    if issue_on is None:
        return None
    # A late fee not yet assessed is for a due date still ahead: no fee is predicted.
    statements_store.skip_late_fee_checks(conn, account_id=account_id)
    noon = dt.datetime.combine(issue_on, dt.time(12), dt.UTC)
    catch_up(conn, account_id=account_id, today=issue_on, now=noon)
    return statement_view(conn, account_id, "latest", today)


# Issuing a statement --------------------------------------------------------------------------


def issue_statement(conn: sqlite3.Connection, *, account_id: str, day: dt.date) -> str:
    """Bill the next period: services, promos, equipment, usage, surcharges, taxes, and any
    charges posted since the last statement."""
    account = accounts_store.get_account(conn, account_id=account_id)
    previous = statements_store.latest_statement(conn, account_id=account_id)
    items = _new_charges(conn, account_id, day, previous)
    statement_id = _insert(conn, account, day, previous)
    late_fees = statements_store.unbilled_late_fees_cents(conn, account_id=account_id)
    statements_store.bill_unbilled(conn, account_id=account_id, statement_id=statement_id)
    statements_store.add_charges(
        conn, account_id=account_id, statement_id=statement_id, posted_on=day, items=items
    )
    amount_due = balances.owed_cents(conn, account_id)
    alerts = [
        *_promo_notices(items, day, account.cycle_day),
        *_late_fee_notice(late_fees, previous),
        *_past_due_notice(conn, account_id, day, previous, amount_due),
    ]
    statements_store.finish_statement(
        conn, statement_id=statement_id, amount_due_cents=amount_due, alerts=alerts
    )
    return statement_id


def _insert(
    conn: sqlite3.Connection,
    account: accounts_store.AccountRow,
    day: dt.date,
    previous: StatementRow | None,
) -> str:
    """The statement itself, for the month from ``day``; returns its id."""
    statement_id = f"st_{account.id[-4:]}_{day.strftime('%Y%m')}"
    statements_store.insert_statement(
        conn,
        statement_id=statement_id,
        account_id=account.id,
        statement_date=day,
        due_date=day + DUE_AFTER,
        period_end=add_months(day, 1, account.cycle_day) - dt.timedelta(days=1),
        previous_balance_cents=previous.amount_due_cents if previous else 0,
    )
    return statement_id


def _new_charges(
    conn: sqlite3.Connection, account_id: str, day: dt.date, previous: StatementRow | None
) -> list[LineItem]:
    """This statement's own lines, in the order they are printed, tax last."""
    items = _activation_line(previous)
    for service in accounts_store.services(conn, account_id=account_id):
        items += _service_lines(service)
        items += _promo_lines(service, day)
        items += _surcharge_lines(service)
        items += _usage_lines(service, previous)
    items += _equipment_lines(accounts_store.billable_equipment(conn, account_id=account_id))
    return items + _tax_line(items)


def _activation_line(previous: StatementRow | None) -> list[LineItem]:
    """The first statement carries the activation fee."""
    if previous is not None:
        return []
    return [
        LineItem(
            kind="one_time",
            description="Activation fee",
            amount_cents=ACTIVATION_CENTS,
            code="activation_fee",
        )
    ]


def _service_lines(service: ServiceRow) -> list[LineItem]:
    """The plan at its regular monthly price (a free plan prints no line)."""
    if not service.monthly_price_cents:
        return []
    return [
        LineItem(
            kind="service",
            description=service.plan_name,
            amount_cents=service.monthly_price_cents,
            code=service.plan_name,
            service_kind=service.kind,
            plan_name=service.plan_name,
        )
    ]


def on_promo(service: ServiceRow, day: dt.date) -> bool:
    """Whether ``day`` is billed at the promotional price: up to and including the
    promotion's last day."""
    return (
        service.promo_price_cents is not None
        and service.promo_ends_on is not None
        and day <= service.promo_ends_on
    )


def _promo_lines(service: ServiceRow, day: dt.date) -> list[LineItem]:
    """While a promotion lasts, a discount line: the promotional less the regular price."""
    if not on_promo(service, day):
        return []
    assert service.promo_price_cents is not None and service.promo_ends_on is not None
    return [
        LineItem(
            kind="promo_discount",
            description=f"{service.plan_name} promotion (ends {service.promo_ends_on})",
            amount_cents=service.promo_price_cents - service.monthly_price_cents,
            code=service.plan_name,
            service_kind=service.kind,
            plan_name=service.plan_name,
            promo_ends_on=service.promo_ends_on,
            regular_price_cents=service.monthly_price_cents,
        )
    ]


def _surcharge_lines(service: ServiceRow) -> list[LineItem]:
    """TV carries the broadcast TV surcharge."""
    if service.kind != "tv":
        return []
    return [
        LineItem(
            kind="surcharge",
            description="Broadcast TV surcharge",
            amount_cents=BROADCAST_TV_SURCHARGE_CENTS,
            code="broadcast_tv_surcharge",
            service_kind="tv",
        )
    ]


def _usage_lines(service: ServiceRow, previous: StatementRow | None) -> list[LineItem]:
    """Mobile data is billed by the gig, per line, for the previous statement's period."""
    if service.kind != "mobile" or previous is None:
        return []
    start, end = previous.period_start, previous.period_end
    items = []
    for line in service.lines:
        used = mobile_period_mb(line.id, start, end)
        items.append(
            LineItem(
                kind="usage",
                description=f"Mobile data, {line.name}: {used / 1024:.1f} GB ({start} to {end})",
                amount_cents=by_the_gig_cents(used),
                code=line.id,
                service_kind="mobile",
                line_id=line.id,
                line_name=line.name,
                usage_quantity=used,
                usage_unit="MB",
                usage_start=start,
                usage_end=end,
            )
        )
    return items


def mobile_charge_so_far(
    service: ServiceRow, latest: StatementRow | None, today: dt.date
) -> int | None:
    """What the mobile lines' data costs so far in the current statement's period (billed on
    the next statement); None before the first statement."""
    if latest is None:
        return None
    start, end = latest.period_start, min(today, latest.period_end)
    return sum(by_the_gig_cents(mobile_period_mb(line.id, start, end)) for line in service.lines)


def _equipment_lines(equipment: list[EquipmentCharge]) -> list[LineItem]:
    """Each device with a monthly fee."""
    return [
        LineItem(
            kind="equipment",
            description=device.model,
            amount_cents=device.monthly_fee_cents,
            code=device.model,
            service_kind=device.service_kind,
            equipment_model=device.model,
        )
        for device in equipment
    ]


def _tax_line(items: list[LineItem]) -> list[LineItem]:
    """Sales tax: 7.5% of TV, voice and equipment, rounded half up to the cent."""
    taxable = sum(
        i.amount_cents for i in items if i.kind == "equipment" or i.service_kind in ("tv", "voice")
    )
    tax = (taxable * TAX_PER_MILLE + 500) // 1000 if taxable > 0 else 0
    if not tax:
        return []
    return [
        LineItem(
            kind="tax",
            description="Sales tax (7.5% of TV, voice and equipment)",
            amount_cents=tax,
            code="sales_tax",
        )
    ]


# What a statement tells -----------------------------------------------------------------------


def _promo_notice_due(day: dt.date, promo_end: dt.date, cycle_day: int) -> bool:
    """Whether the statement of ``day`` tells that a promotion ends: the one issued in the last
    full cycle before the end does (a cycle or more ahead, so never only a day before), and so
    does the one whose cycle the end falls in."""
    return day <= promo_end < add_months(day, 2, cycle_day)


def _promo_notices(items: list[LineItem], day: dt.date, cycle_day: int) -> list[Alert]:
    alerts = []
    for item in items:
        end, regular = item.promo_ends_on, item.regular_price_cents
        if item.kind != "promo_discount" or end is None or regular is None:
            continue
        if _promo_notice_due(day, end, cycle_day):
            before = regular + item.amount_cents
            message = (
                f"Your {item.plan_name} promotion ends {end}. From then the price is "
                f"{usd(regular)} a month, up from {usd(before)}."
            )
            alerts.append(_promo_ending(item.plan_name or "", end, before, regular, message))
    return alerts


def _late_fee_notice(late_fees_cents: int, previous: StatementRow | None) -> list[Alert]:
    """Late fees are assessed the day after the last statement's due date, so that is the
    statement they are for."""
    if not late_fees_cents:
        return []
    message = "A late fee was added because the last bill was not paid by its due date."
    return [
        Alert(
            kind="late_fee_added",
            message=message,
            amount_cents=late_fees_cents,
            statement_id=previous.id if previous else None,
            effective_on=previous.due_date if previous else None,
        )
    ]


def _past_due_notice(
    conn: sqlite3.Connection,
    account_id: str,
    day: dt.date,
    previous: StatementRow | None,
    amount_due: int,
) -> list[Alert]:
    """An earlier statement still unpaid after its due date, while something is owed."""
    if previous is None or previous.amount_due_cents <= 0 or amount_due <= 0:
        return []
    past_due = [v for v in statements(conn, account_id, day)[:-1] if v.status == "past_due"]
    if not past_due:
        return []
    return [
        Alert(
            kind="past_due",
            message="Your account is past due. Please pay now to avoid further fees.",
            statement_id=past_due[-1].id,
            amount_cents=past_due[-1].balance_cents,
            effective_on=past_due[-1].due_date,
        )
    ]


def _promo_ending(plan_name: str, end: dt.date, before: int, after: int, message: str) -> Alert:
    return Alert(
        kind="promo_ending",
        message=message,
        plan_name=plan_name,
        effective_on=end,
        price_before_cents=before,
        price_after_cents=after,
    )


# What the account summary tells ---------------------------------------------------------------


def promo_alerts(services: list[Service], today: dt.date) -> list[Alert]:
    """A promotion ending within the warning window, with the prices before and after."""
    alerts = []
    for service in services:
        end = service.promo_ends_on
        if end is None or end - today > PROMO_WARNING:
            continue
        before, after = service.current_price_cents, service.monthly_price_cents
        message = (
            f"The {service.plan_name} promotion ends {end}: the price goes from {usd(before)} "
            f"to {usd(after)} a month (+{usd(after - before)})."
        )
        alerts.append(_promo_ending(service.plan_name, end, before, after, message))
    return alerts


def past_due_alerts(views: list[StatementView]) -> list[Alert]:
    """What is still unpaid after its due date, on any statement: the total, and the
    earliest statement it is owed on."""
    late = [v for v in views if v.status == "past_due"]
    if not late:
        return []
    amount, first = sum(v.balance_cents for v in late), late[0]
    message = (
        f"{usd(amount)} was due {first.due_date} and is past due; pay it to avoid further "
        "late fees."
    )
    return [
        Alert(
            kind="past_due",
            message=message,
            statement_id=first.id,
            amount_cents=amount,
            effective_on=first.due_date,
        )
    ]


def _paid_for(
    returned: payments_store.ReturnedPayment, views: list[StatementView]
) -> StatementView | None:
    """The statement a payment paid: the one it named, else the latest issued by then."""
    named = next((v for v in views if v.id == returned.statement_id), None)
    return named or next((v for v in reversed(views) if v.row_date <= returned.made_on), None)


def returned_payment_alerts(
    conn: sqlite3.Connection, account_id: str, views: list[StatementView], today: dt.date
) -> list[Alert]:
    """Payments the bank returned in the last 30 days, while still owed: until the statement
    each paid is paid again (credits pay the oldest charges first)."""
    owed = balances.owed_cents(conn, account_id)
    alerts = []
    for payment in balances.returned_since(conn, account_id, today - dt.timedelta(days=30)):
        paid_for = _paid_for(payment, views)
        if not (paid_for.balance_cents > 0 if paid_for is not None else owed > 0):
            continue
        message = (
            f"The {usd(payment.amount_cents)} payment {payment.confirmation_number} was "
            "returned by the bank; that amount is owed again."
        )
        alerts.append(
            Alert(
                kind="payment_returned",
                message=message,
                payment_id=payment.id,
                statement_id=paid_for.id if paid_for is not None else payment.statement_id,
                amount_cents=payment.amount_cents,
                effective_on=payment.returned_on,
            )
        )
    return alerts
