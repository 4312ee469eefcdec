"""The billing engine: statements, charges, payments and balances, caught up to the clock.

Nothing runs in the background. Every request that reads or moves money first calls
`catch_up`, which replays, in date order, whatever the clock has passed since the last call:
scheduled payments, bank settlements, late fees and statement issue dates.

Sandbox rules: a statement is due 21 days after it is issued; a balance still unpaid the day
after the due date gets an $8.95 late fee (on the next statement); bank payments settle on the
second business day; a processing payment already counts against the balance, and a returned
one is owed again. A payment naming a statement may be at most what is unpaid on it; any other
may exceed what is owed (less payments already scheduled) by at most $100.00, kept as credit.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.money import usd
from spectrum_cli.sandbox.errors import APIError, invalid, missing
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store.idempotency import request_fingerprint
from spectrum_cli.sandbox.usage import by_the_gig_cents, mobile_period_mb

DUE_AFTER = dt.timedelta(days=21)
LATE_FEE_CENTS = 895
ACTIVATION_CENTS = 999
BROADCAST_TV_SURCHARGE_CENTS = 2100
TAX_PER_MILLE = 75  # 7.5% on TV, voice and equipment (sandbox rule)
OVERPAYMENT_LIMIT_CENTS = 100_00

FAILURES = {
    "decline": ("card_declined", "The card was declined."),
    "insufficient_funds": ("insufficient_funds", "The card was declined for insufficient funds."),
    "fail_on_charge": ("card_declined", "The card was declined when charged."),
    "return": ("bank_account_returned", "The bank returned the payment (R01: insufficient funds)."),
}


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


def _check_balance_payment(conn: sqlite3.Connection, account_id: str, amount_cents: int) -> None:
    """A payment of the balance pays exactly what is payable as it is read here, in the
    payment's own transaction: of several made at once, the first pays and the rest are
    refused."""
    payable = payable_cents(conn, account_id)
    if payable == 0:
        raise APIError(
            409,
            "conflict",
            "balance_already_paid",
            "The account balance is already paid"
            + (" or covered by scheduled payments." if scheduled_cents(conn, account_id) else "."),
            param="applies_to",
        )
    if amount_cents != payable:
        raise APIError(
            409,
            "conflict",
            "balance_changed",
            f"The account balance to pay is {money(payable)} now, not {money(amount_cents)}: "
            "it changed since it was read. Nothing was paid.",
            param="amount_cents",
        )


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
            _attempt(conn, payment_id=ref, day=day, now=now)
        elif kind == "autopay":
            _charge_autopay(conn, account_id=account_id, statement_id=ref, day=day, now=now)
        elif kind == "settle":
            _settle(conn, payment_id=ref, day=day)
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
    autopay = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
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
            and covers(autopay, dt.date.fromisoformat(row["statement_date"]))
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


# Payments ------------------------------------------------------------------------------------


def confirmation_number() -> str:
    # The shape of payment_id in api/routes.ID_SHAPES accepts exactly these.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "SPX-" + "".join(secrets.choice(alphabet) for _ in range(8))


def method_label(method: sqlite3.Row) -> str:
    if method["type"] == "card":
        return f"{(method['brand'] or 'card').title()} •••• {method['last4']}"
    return f"{(method['account_type'] or 'bank').title()} •••• {method['last4']}"


def _attempt(conn: sqlite3.Connection, *, payment_id: str, day: dt.date, now: dt.datetime) -> str:
    """Charge now: cards settle or fail at once; bank payments start processing."""
    payment = conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
    method = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ?", (payment["method_id"],)
    ).fetchone()
    behavior = method["behavior"]
    if method["type"] == "bank_account":
        conn.execute(
            "UPDATE payments SET status = 'processing', settle_on = ? WHERE id = ?",
            (add_business_days(day, 2).isoformat(), payment_id),
        )
        return "processing"
    if behavior in FAILURES:
        code, reason = FAILURES[behavior]
        conn.execute(
            "UPDATE payments SET status = 'failed', failure_code = ?, "
            "failure_reason = ? WHERE id = ?",
            (code, reason, payment_id),
        )
        return "failed"
    conn.execute(
        "UPDATE payments SET status = 'succeeded', settled_at = ? WHERE id = ?",
        (now.isoformat(), payment_id),
    )
    return "succeeded"


def covers(autopay: sqlite3.Row, statement_date: dt.date) -> bool:
    """Whether autopay pays the statement issued on ``statement_date``."""
    start, end = autopay["covers_from"], autopay["covers_until"]
    return (
        start is not None
        and statement_date >= dt.date.fromisoformat(start)
        and (end is None or statement_date <= dt.date.fromisoformat(end))
    )


def _charge_autopay(
    conn: sqlite3.Connection, *, account_id: str, statement_id: str, day: dt.date, now: dt.datetime
) -> None:
    """On the due date, pay what is still unpaid of the statement (less any payment already
    scheduled for it). A failure leaves the balance due and autopay needing attention."""
    conn.execute("UPDATE statements SET autopay_checked = 1 WHERE id = ?", (statement_id,))
    view = next(v for v in statements(conn, account_id, day) if v.id == statement_id)
    pending = int(
        conn.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE statement_id = ? AND "
            "status = 'scheduled'",
            (statement_id,),
        ).fetchone()[0]
    )
    amount = view.balance_cents - pending
    if amount <= 0:
        return
    autopay = conn.execute("SELECT * FROM autopay WHERE account_id = ?", (account_id,)).fetchone()
    method = conn.execute(
        "SELECT * FROM payment_methods WHERE id = ? AND removed_at IS NULL", (autopay["method_id"],)
    ).fetchone()
    if method is None:
        conn.execute(
            "UPDATE autopay SET status = 'needs_attention', last_failure_reason = ? "
            "WHERE account_id = ?",
            ("The autopay payment method was removed.", account_id),
        )
        return
    payment_id = new_id("pay")
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at)
           VALUES (?, ?, ?, ?, ?, 'autopay', 'scheduled', ?, ?, ?, ?)""",
        (
            payment_id,
            account_id,
            statement_id,
            confirmation_number(),
            amount,
            method["id"],
            method_label(method),
            day.isoformat(),
            dt.datetime.combine(day, dt.time(6), dt.UTC).isoformat(),
        ),
    )
    if method["type"] == "card" and (method["exp_year"], method["exp_month"]) < (
        day.year,
        day.month,
    ):
        conn.execute(
            "UPDATE payments SET status = 'failed', failure_code = 'card_expired', "
            "failure_reason = 'The card had expired.' WHERE id = ?",
            (payment_id,),
        )
        outcome = "failed"
    else:
        outcome = _attempt(conn, payment_id=payment_id, day=day, now=now)
    if outcome == "failed":
        reason = conn.execute(
            "SELECT failure_reason FROM payments WHERE id = ?", (payment_id,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE autopay SET status = 'needs_attention', last_failure_reason = ? "
            "WHERE account_id = ?",
            (f"Autopay on {day.isoformat()} failed: {reason}", account_id),
        )
    elif autopay["enabled"]:
        conn.execute(
            "UPDATE autopay SET status = 'active', last_failure_reason = NULL WHERE account_id = ?",
            (account_id,),
        )


def _settle(conn: sqlite3.Connection, *, payment_id: str, day: dt.date) -> None:
    payment = conn.execute(
        "SELECT p.*, m.behavior FROM payments p JOIN payment_methods m "
        "ON m.id = p.method_id WHERE p.id = ?",
        (payment_id,),
    ).fetchone()
    settled_at = dt.datetime.combine(day, dt.time(12), dt.UTC).isoformat()
    if payment["behavior"] == "return":
        code, reason = FAILURES["return"]
        conn.execute(
            "UPDATE payments SET status = 'returned', settled_at = ?, failure_code = ?, "
            "failure_reason = ? WHERE id = ?",
            (settled_at, code, reason, payment_id),
        )
    else:
        conn.execute(
            "UPDATE payments SET status = 'succeeded', settled_at = ? WHERE id = ?",
            (settled_at, payment_id),
        )


def record_settled_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    statement_id: str,
    amount_cents: int,
    method_id: str,
    day: dt.date,
    kind: str,
) -> None:
    """A payment that already went through (seeded history)."""
    method = conn.execute("SELECT * FROM payment_methods WHERE id = ?", (method_id,)).fetchone()
    at = dt.datetime.combine(day, dt.time(12), dt.UTC).isoformat()
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at,
           settled_at) VALUES (?, ?, ?, ?, ?, ?, 'succeeded', ?, ?, ?, ?, ?)""",
        (
            new_id("pay"),
            account_id,
            statement_id,
            confirmation_number(),
            amount_cents,
            kind,
            method_id,
            method_label(method),
            day.isoformat(),
            at,
            at,
        ),
    )


def create_payment(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    amount_cents: int,
    method_id: str | None,
    statement_id: str | None,
    scheduled_for: dt.date | None,
    kind: str,
    now: dt.datetime,
    idempotency_key: str | None = None,
    applies_to: str | None = None,
) -> str:
    """Validate, record and (when due today) attempt a payment. Runs in the caller's
    transaction, so the balance it checks is the balance it changes."""
    today = now.date()
    if method_id is None:
        method = conn.execute(
            "SELECT * FROM payment_methods WHERE account_id = ? AND "
            "removed_at IS NULL AND is_default = 1",
            (account_id,),
        ).fetchone()
        if method is None:
            raise invalid(
                "no_default_method",
                "There is no default payment method; pass method_id or add one.",
                param="method_id",
            )
    else:
        method = conn.execute(
            "SELECT * FROM payment_methods WHERE id = ? AND account_id = ? AND removed_at IS NULL",
            (method_id, account_id),
        ).fetchone()
        if method is None:
            raise missing(
                "no_such_method",
                f"No payment method {method_id} on this account.",
                param="method_id",
            )
    day = scheduled_for or today
    if day < today:
        raise invalid(
            "date_in_past", "A payment cannot be scheduled in the past.", param="scheduled_for"
        )
    if day > today + dt.timedelta(days=365):
        raise invalid(
            "date_too_far",
            "A payment can be scheduled at most a year ahead.",
            param="scheduled_for",
        )
    scheduled = scheduled_cents(conn, account_id)
    if applies_to == "balance":
        _check_balance_payment(conn, account_id, amount_cents)
    if statement_id is not None:
        view = statement_view(conn, account_id, statement_id, today)
        if view is None:
            raise missing(
                "no_such_statement",
                f"No statement {statement_id} on this account.",
                param="statement_id",
            )
        pending = int(
            conn.execute(
                "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE statement_id = ? AND "
                "status = 'scheduled'",
                (view.id,),
            ).fetchone()[0]
        )
        if view.balance_cents - pending <= 0:
            raise APIError(
                409,
                "conflict",
                "statement_already_paid",
                f"Statement {view.id} is already paid"
                + (" or has a payment on the way." if pending else "."),
                param="statement_id",
            )
        statement_id = view.id
        unpaid = view.balance_cents - pending
        if amount_cents > unpaid:
            raise invalid(
                "amount_too_large",
                f"{money(amount_cents)} is more than the {money(unpaid)} still unpaid on "
                f"statement {view.id}.",
                param="amount_cents",
            )
    limit = max(0, owed_cents(conn, account_id) - scheduled) + OVERPAYMENT_LIMIT_CENTS
    if statement_id is None and amount_cents > limit:
        raise invalid(
            "amount_too_large",
            f"{money(amount_cents)} is more than the {money(limit)} this account may "
            f"pay now (what is owed plus {money(OVERPAYMENT_LIMIT_CENTS)} of credit).",
            param="amount_cents",
        )
    if method["type"] == "card" and (method["exp_year"], method["exp_month"]) < (
        day.year,
        day.month,
    ):
        raise APIError(
            402,
            "payment",
            "card_expired",
            f"{method_label(method)} expires before {day.isoformat()}.",
            param="method_id",
        )
    payment_id = new_id("pay")
    conn.execute(
        """INSERT INTO payments (id, account_id, statement_id, confirmation_number,
           amount_cents, kind, status, method_id, method_label, scheduled_for, created_at,
           idempotency_key, request_fingerprint)
           VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?)""",
        (
            payment_id,
            account_id,
            statement_id,
            confirmation_number(),
            amount_cents,
            kind,
            method["id"],
            method_label(method),
            day.isoformat(),
            now.isoformat(),
            idempotency_key,
            request_fingerprint.get() if idempotency_key else None,
        ),
    )
    if day == today:
        _attempt(conn, payment_id=payment_id, day=day, now=now)
    return payment_id
