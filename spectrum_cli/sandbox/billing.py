"""The billing engine: statements, charges, payments and balances, caught up to the clock.

Nothing runs in the background. Every request that reads or moves money first calls
`catch_up`, which replays, in date order, whatever the clock has passed since the last call:
scheduled payments, bank settlements, late fees and statement issue dates.

Sandbox rules: a statement is due 21 days after it is issued; a balance still unpaid the day
after the due date gets an $8.95 late fee (on the next statement); bank payments settle on the
second business day; a processing payment already counts against the balance, and a returned
one is owed again. Payments and their charging are in domain/payments.py and
domain/charging.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.money import usd
from spectrum_cli.sandbox.domain import charging
from spectrum_cli.sandbox.store import autopay as autopay_store
from spectrum_cli.sandbox.usage import by_the_gig_cents, mobile_period_mb

DUE_AFTER = dt.timedelta(days=21)
LATE_FEE_CENTS = 895
ACTIVATION_CENTS = 999
BROADCAST_TV_SURCHARGE_CENTS = 2100
TAX_PER_MILLE = 75  # 7.5% on TV, voice and equipment (sandbox rule)

money = usd


def add_months(day: dt.date, months: int, cycle_day: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, cycle_day)


def add_business_days(day: dt.date, count: int) -> dt.date:
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _tax(taxable: int) -> int:
    return (taxable * TAX_PER_MILLE + 500) // 1000 if taxable > 0 else 0


# Balances ------------------------------------------------------------------------------------


def charged_cents(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM charges WHERE account_id = ?", (account_id,)
    ).fetchone()
    return int(row[0])


def unbilled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM charges WHERE account_id = ? "
        "AND statement_id IS NULL",
        (account_id,),
    ).fetchone()
    return int(row[0])


def credited_cents(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ? "
        "AND status IN ('succeeded', 'processing')",
        (account_id,),
    ).fetchone()
    return int(row[0])


def owed_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """Charges minus credited payments: the account balance."""
    return charged_cents(conn, account_id) - credited_cents(conn, account_id)


def scheduled_cents(conn: sqlite3.Connection, account_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE account_id = ? AND "
        "status = 'scheduled'",
        (account_id,),
    ).fetchone()
    return int(row[0])


def payable_cents(conn: sqlite3.Connection, account_id: str) -> int:
    """What paying the balance pays now: the balance less payments already scheduled."""
    return max(0, owed_cents(conn, account_id) - scheduled_cents(conn, account_id))


@dataclass(frozen=True)
class StatementView:
    row: sqlite3.Row
    total_cents: int
    balance_cents: int
    status: str
    days_until_due: int

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def due_date(self) -> dt.date:
        return dt.date.fromisoformat(self.row["due_date"])

    @property
    def row_date(self) -> dt.date:
        """The statement date."""
        return dt.date.fromisoformat(self.row["statement_date"])


def statements(conn: sqlite3.Connection, account_id: str, today: dt.date) -> list[StatementView]:
    """Every statement, oldest first, with what is still unpaid of each.

    Credits pay the oldest charges first, so a statement's balance is what its charges and
    those before it still lack, capped by what it asked for.
    """
    rows = conn.execute(
        "SELECT * FROM statements WHERE account_id = ? ORDER BY statement_date", (account_id,)
    ).fetchall()
    totals = dict(
        conn.execute(
            "SELECT statement_id, SUM(amount_cents) FROM charges WHERE account_id = ? "
            "AND statement_id IS NOT NULL GROUP BY statement_id",
            (account_id,),
        ).fetchall()
    )
    credits = credited_cents(conn, account_id)
    views, through = [], 0
    for row in rows:
        total = int(totals.get(row["id"], 0))
        through += total
        balance = max(0, min(row["amount_due_cents"], through - credits))
        due = dt.date.fromisoformat(row["due_date"])
        if balance == 0:
            status = "paid"
        elif today > due:
            status = "past_due"
        elif balance < row["amount_due_cents"]:
            status = "partially_paid"
        else:
            status = "unpaid"
        views.append(StatementView(row, total, balance, status, (due - today).days))
    return views


def statement_view(
    conn: sqlite3.Connection, account_id: str, statement_id: str, today: dt.date
) -> StatementView | None:
    views = statements(conn, account_id, today)
    if statement_id == "latest":
        return views[-1] if views else None
    return next((v for v in views if v.id == statement_id), None)


# Catching up to the clock ---------------------------------------------------------------------


def catch_up(
    conn: sqlite3.Connection, *, account_id: str, today: dt.date, now: dt.datetime
) -> None:
    """Apply every dated event up to and including ``today``, in date order."""
    while True:
        event = next_event(conn, account_id, today)
        if event is None:
            return
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


def next_event(
    conn: sqlite3.Connection, account_id: str, today: dt.date
) -> tuple[dt.date, int, str, str] | None:
    """The earliest event due by ``today``. On one day: payments, then autopay, then the
    late-fee check (which falls the day after a due date), then a new statement."""
    events: list[tuple[dt.date, int, str, str]] = []
    for row in conn.execute(
        "SELECT id, scheduled_for FROM payments WHERE account_id = ? AND status = 'scheduled'",
        (account_id,),
    ):
        events.append((dt.date.fromisoformat(row["scheduled_for"]), 0, "charge", row["id"]))
    for row in conn.execute(
        "SELECT id, settle_on FROM payments WHERE account_id = ? AND status = 'processing'",
        (account_id,),
    ):
        events.append((dt.date.fromisoformat(row["settle_on"]), 0, "settle", row["id"]))
    autopay = autopay_store.get(conn, account_id=account_id)
    for row in conn.execute(
        "SELECT id, statement_date, due_date, late_fee_checked, autopay_checked FROM statements "
        "WHERE account_id = ? AND (late_fee_checked = 0 OR autopay_checked = 0)",
        (account_id,),
    ):
        due = dt.date.fromisoformat(row["due_date"])
        if not row["late_fee_checked"]:
            events.append((due + dt.timedelta(days=1), 2, "late_fee", row["id"]))
        if (
            not row["autopay_checked"]
            and autopay is not None
            and charging.covers(autopay, dt.date.fromisoformat(row["statement_date"]))
        ):
            events.append((due, 1, "autopay", row["id"]))
    next_issue = next_statement_date(conn, account_id)
    if next_issue is not None:
        events.append((next_issue, 3, "statement", ""))
    due_events = [e for e in events if e[0] <= today]
    return min(due_events) if due_events else None


def next_statement_date(conn: sqlite3.Connection, account_id: str) -> dt.date | None:
    account = conn.execute(
        "SELECT cycle_day, billing_start FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    if account["billing_start"] is None:
        return None
    last = conn.execute(
        "SELECT MAX(statement_date) FROM statements WHERE account_id = ?", (account_id,)
    ).fetchone()[0]
    if last is None:
        return dt.date.fromisoformat(account["billing_start"])
    return add_months(dt.date.fromisoformat(last), 1, account["cycle_day"])


def _assess_late_fee(
    conn: sqlite3.Connection, *, account_id: str, statement_id: str, day: dt.date
) -> None:
    view = next(v for v in statements(conn, account_id, day) if v.id == statement_id)
    conn.execute("UPDATE statements SET late_fee_checked = 1 WHERE id = ?", (statement_id,))
    if view.balance_cents > 0:
        conn.execute(
            "INSERT INTO charges (account_id, kind, description, amount_cents, posted_on) "
            "VALUES (?, 'late_fee', ?, ?, ?)",
            (
                account_id,
                f"Late fee: {money(view.balance_cents)} unpaid after {view.due_date.isoformat()}",
                LATE_FEE_CENTS,
                day.isoformat(),
            ),
        )


def _promo_notice_due(day: dt.date, promo_end: dt.date, cycle_day: int) -> bool:
    """Whether the statement of ``day`` tells that a promotion ends: the one issued in the last
    full cycle before the end does (a cycle or more ahead, so never only a day before), and so
    does the one whose cycle the end falls in."""
    return day <= promo_end < add_months(day, 2, cycle_day)


def issue_statement(conn: sqlite3.Connection, *, account_id: str, day: dt.date) -> str:
    """Bill the next period: services, promos, equipment, usage, surcharges, taxes, and any
    charges posted since the last statement."""
    account = conn.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    previous = conn.execute(
        "SELECT * FROM statements WHERE account_id = ? ORDER BY statement_date DESC LIMIT 1",
        (account_id,),
    ).fetchone()
    period_end = add_months(day, 1, account["cycle_day"]) - dt.timedelta(days=1)
    statement_id = f"st_{account_id[-4:]}_{day.strftime('%Y%m')}"
    lines: list[tuple[str, str, int, str | None, str | None]] = []
    if previous is None:
        lines.append(("one_time", "Activation fee", ACTIVATION_CENTS, None, None))
    messages: list[str] = []
    for service in conn.execute(
        "SELECT * FROM services WHERE account_id = ? ORDER BY rowid", (account_id,)
    ):
        kind = service["kind"]
        if service["monthly_price_cents"]:
            lines.append(
                ("service", service["plan_name"], service["monthly_price_cents"], kind, None)
            )
        promo_end = service["promo_ends_on"]
        if (
            service["promo_price_cents"] is not None
            and promo_end
            and day <= dt.date.fromisoformat(promo_end)
        ):
            discount = service["promo_price_cents"] - service["monthly_price_cents"]
            lines.append(
                (
                    "promo_discount",
                    f"{service['plan_name']} promotion (ends {promo_end})",
                    discount,
                    kind,
                    promo_end,
                )
            )
            if _promo_notice_due(day, dt.date.fromisoformat(promo_end), account["cycle_day"]):
                messages.append(
                    f"Your {service['plan_name']} promotion ends {promo_end}. From then the "
                    f"price is {money(service['monthly_price_cents'])} a month, up from "
                    f"{money(service['promo_price_cents'])}."
                )
        if kind == "tv":
            lines.append(
                ("surcharge", "Broadcast TV surcharge", BROADCAST_TV_SURCHARGE_CENTS, kind, None)
            )
        if kind == "mobile" and previous is not None:
            start = dt.date.fromisoformat(previous["period_start"])
            end = dt.date.fromisoformat(previous["period_end"])
            for line in json.loads(service["lines"]):
                used = mobile_period_mb(line["id"], start, end)
                lines.append(
                    (
                        "usage",
                        f"Mobile data, {line['name']}: {used / 1024:.1f} GB "
                        f"({start.isoformat()} to {end.isoformat()})",
                        by_the_gig_cents(used),
                        kind,
                        None,
                    )
                )
    for equipment in conn.execute(
        "SELECT * FROM equipment WHERE account_id = ? AND monthly_fee_cents > 0 ORDER BY rowid",
        (account_id,),
    ):
        lines.append(
            (
                "equipment",
                equipment["model"],
                equipment["monthly_fee_cents"],
                equipment["service_kind"],
                None,
            )
        )
    taxable = sum(
        amount
        for kind, _, amount, service_kind, _ in lines
        if kind == "equipment" or service_kind in ("tv", "voice")
    )
    if _tax(taxable):
        lines.append(
            ("tax", "Sales tax (7.5% of TV, voice and equipment)", _tax(taxable), None, None)
        )

    previous_due = previous["amount_due_cents"] if previous else 0
    conn.execute(
        """INSERT INTO statements (id, account_id, statement_date, due_date, period_start,
           period_end, previous_balance_cents, amount_due_cents, messages)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, '[]')""",
        (
            statement_id,
            account_id,
            day.isoformat(),
            (day + DUE_AFTER).isoformat(),
            day.isoformat(),
            period_end.isoformat(),
            previous_due,
        ),
    )
    late_fees = conn.execute(
        "SELECT COUNT(*) FROM charges WHERE account_id = ? AND "
        "statement_id IS NULL AND kind = 'late_fee'",
        (account_id,),
    ).fetchone()[0]
    conn.execute(
        "UPDATE charges SET statement_id = ? WHERE account_id = ? AND statement_id IS NULL",
        (statement_id, account_id),
    )
    conn.executemany(
        """INSERT INTO charges (account_id, statement_id, kind, description, amount_cents,
           service_kind, promo_ends_on, posted_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (account_id, statement_id, kind, text, amount, service_kind, promo, day.isoformat())
            for kind, text, amount, service_kind, promo in lines
        ],
    )
    amount_due = owed_cents(conn, account_id)
    if late_fees:
        messages.append("A late fee was added because the last bill was not paid by its due date.")
    if (
        previous is not None
        and previous_due > 0
        and amount_due > 0
        and any(v.status == "past_due" for v in statements(conn, account_id, day)[:-1])
    ):
        messages.append("Your account is past due. Please pay now to avoid further fees.")
    conn.execute(
        "UPDATE statements SET amount_due_cents = ?, messages = ? WHERE id = ?",
        (amount_due, json.dumps(messages), statement_id),
    )
    return statement_id
