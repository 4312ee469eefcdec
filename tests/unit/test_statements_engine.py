"""The statement engine on an in-memory store, without HTTP: each test calls the function it
is about (named in its docstring), so a failure points at it.

The store is migrated and seeded once per module (on a fixed day) and each test works on a
copy of it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

import pytest

from spectrum_cli.api.billing import LineItem
from spectrum_cli.sandbox.domain import balances, statements
from spectrum_cli.sandbox.domain.calendar import add_months
from spectrum_cli.sandbox.schema import MIGRATIONS
from spectrum_cli.sandbox.store import statements as statements_store
from tests.unit import memory_store

SEEDED_ON = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
HARPER = "acct_6755"  # no autopay, the latest statement unpaid, an internet promotion ending
INTERNET = "Spectrum Internet Premier"


@pytest.fixture(scope="module")
def seeded() -> Iterator[sqlite3.Connection]:
    conn = memory_store.seeded(SEEDED_ON)
    yield conn
    conn.close()


def catch_up(conn: sqlite3.Connection, day: dt.date) -> None:
    noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
    statements.catch_up(conn, account_id=HARPER, today=day, now=noon)


def latest(conn: sqlite3.Connection) -> statements.StatementView:
    view = statements.statement_view(conn, HARPER, "latest", SEEDED_ON.date())
    assert view is not None
    return view


def lines(conn: sqlite3.Connection, statement_id: str) -> list[LineItem]:
    return statements_store.line_items(conn, statement_id=statement_id)


def test_issue_statement_bills_every_line_with_its_fields(conn: sqlite3.Connection) -> None:
    """issue_statement: each kind of line in order, with the fields that say what it is, the
    tax on TV, voice and equipment, and an amount due of the balance before plus the total."""
    previous = latest(conn)
    owed_before = balances.owed_cents(conn, HARPER)
    day = statements.next_statement_date(conn, HARPER)
    assert day == add_months(previous.row_date, 1, previous.row_date.day)

    statement_id = statements.issue_statement(conn, account_id=HARPER, day=day)

    items = lines(conn, statement_id)
    assert [i.kind for i in items] == [
        "service",
        "promo_discount",
        "service",
        "promo_discount",
        "surcharge",
        "usage",
        "usage",
        "equipment",
        "equipment",
        "equipment",
        "tax",
    ]
    assert all(i.code for i in items)
    service, promo = items[0], items[1]
    assert (service.code, service.plan_name, service.amount_cents) == (INTERNET, INTERNET, 99_99)
    assert (promo.plan_name, promo.regular_price_cents, promo.amount_cents) == (
        INTERNET,
        99_99,
        -50_00,
    )
    assert items[4].code == "broadcast_tv_surcharge" and items[-1].code == "sales_tax"
    usage = items[5]
    assert (usage.code, usage.line_id, usage.line_name, usage.usage_unit) == (
        "line_harper",
        "line_harper",
        "Harper",
        "MB",
    )
    assert (usage.usage_start, usage.usage_end) == (
        previous.row.period_start,
        previous.row.period_end,
    )
    assert usage.usage_quantity is not None and usage.usage_quantity > 0
    assert all(i.equipment_model == i.code for i in items if i.kind == "equipment")
    taxable = sum(
        i.amount_cents for i in items if i.kind == "equipment" or i.service_kind in ("tv", "voice")
    )
    assert items[-1].amount_cents == (taxable * 75 + 500) // 1000
    view = latest(conn)
    assert view.id == statement_id and view.total_cents == sum(i.amount_cents for i in items)
    assert view.row.amount_due_cents == owed_before + view.total_cents
    assert view.row.previous_balance_cents == previous.row.amount_due_cents


def test_assess_late_fee_the_day_after_an_unpaid_due_date(conn: sqlite3.Connection) -> None:
    """catch_up → _assess_late_fee: nothing on the due date, $8.95 (code late_fee) the day
    after, billed on the next statement with late_fee_added and past_due alerts."""
    bill = latest(conn)
    catch_up(conn, bill.due_date)
    assert balances.unbilled_cents(conn, HARPER) == 0

    catch_up(conn, bill.due_date + dt.timedelta(days=1))

    assert balances.unbilled_cents(conn, HARPER) == statements.LATE_FEE_CENTS
    view = statements.statement_view(conn, HARPER, bill.id, bill.due_date + dt.timedelta(days=1))
    assert view is not None and view.status == "past_due"
    catch_up(conn, add_months(bill.row_date, 1, bill.row_date.day))
    carried = latest(conn)
    fees = [i for i in lines(conn, carried.id) if i.kind == "late_fee"]
    assert [(i.code, i.amount_cents) for i in fees] == [("late_fee", statements.LATE_FEE_CENTS)]
    told = {a.kind: a for a in carried.row.alerts}
    assert told["late_fee_added"].amount_cents == statements.LATE_FEE_CENTS
    assert (told["late_fee_added"].statement_id, told["late_fee_added"].effective_on) == (
        bill.id,
        bill.due_date,
    )
    assert told["past_due"].effective_on == bill.due_date
    assert told["past_due"].amount_cents == bill.balance_cents
    assert list(carried.row.messages) == [a.message for a in carried.row.alerts]


def test_past_due_alerts_name_what_is_late_on_every_statement(conn: sqlite3.Connection) -> None:
    """past_due_alerts: once a newer statement is out, an older one still unpaid after its
    due date is still past due: the alert totals every late balance from the earliest."""
    bill = latest(conn)
    next_issue = add_months(bill.row_date, 1, bill.row_date.day)
    catch_up(conn, next_issue)
    views = statements.statements(conn, HARPER, next_issue)
    assert views[-1].id != bill.id and views[-1].status != "past_due"
    [alert] = statements.past_due_alerts(views)
    late = [v for v in views if v.status == "past_due"]
    assert (alert.statement_id, alert.effective_on) == (late[0].id, late[0].due_date)
    assert alert.amount_cents == sum(v.balance_cents for v in late) > 0


def test_paid_by_the_due_date_means_no_late_fee(conn: sqlite3.Connection) -> None:
    """_assess_late_fee: a statement paid in full gets no fee."""
    bill = latest(conn)
    conn.execute(
        "INSERT INTO payments (id, account_id, statement_id, confirmation_number, amount_cents, "
        "kind, status, method_id, method_label, scheduled_for, created_at) VALUES ('pay_t', ?, ?, "
        "'SPX-TEST0000', ?, 'one_time', 'succeeded', 'pm_6755_0', 'Visa', ?, ?)",
        (HARPER, bill.id, bill.balance_cents, SEEDED_ON.date().isoformat(), SEEDED_ON.isoformat()),
    )
    catch_up(conn, bill.due_date + dt.timedelta(days=2))
    assert balances.unbilled_cents(conn, HARPER) == 0


def test_a_promotion_is_told_a_full_cycle_ahead_then_its_discount_goes(
    conn: sqlite3.Connection,
) -> None:
    """issue_statement → _promo_lines and _promo_notices: a promotion ending the day after a
    statement is told (with its prices) on the statement before it and on that one; the
    statement after the end has no discount."""
    current = latest(conn)
    cycle_day = current.row_date.day
    first, second, third = (add_months(current.row_date, n, cycle_day) for n in (1, 2, 3))
    ends = second + dt.timedelta(days=1)
    conn.execute(
        "UPDATE services SET promo_ends_on = ? WHERE account_id = ? AND kind = 'internet'",
        (ends.isoformat(), HARPER),
    )

    catch_up(conn, third)

    by_date = {v.row_date: v for v in statements.statements(conn, HARPER, third)}
    for day in (first, second):
        (alert,) = [a for a in by_date[day].row.alerts if a.kind == "promo_ending"]
        assert (alert.plan_name, alert.effective_on) == (INTERNET, ends)
        assert (alert.price_before_cents, alert.price_after_cents) == (49_99, 99_99)
        assert any(
            i.kind == "promo_discount" and i.plan_name == INTERNET
            for i in lines(conn, by_date[day].id)
        )
    after = by_date[third]
    assert not [a for a in after.row.alerts if a.kind == "promo_ending"]
    assert not [
        i for i in lines(conn, after.id) if i.kind == "promo_discount" and i.plan_name == INTERNET
    ]


def _billing_tables(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for table in ("statements", "charges")
        for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
    ]


def test_catch_up_is_idempotent_and_the_same_in_steps_or_at_once(
    seeded: sqlite3.Connection, conn: sqlite3.Connection
) -> None:
    """catch_up: a second call for the same day changes nothing, and catching up day by day
    leaves the same statements and charges as one jump."""
    target = SEEDED_ON.date() + dt.timedelta(days=75)
    catch_up(conn, target)
    once = _billing_tables(conn)
    assert statements.next_event(conn, HARPER, target) is None
    catch_up(conn, target)
    assert _billing_tables(conn) == once

    stepped = memory_store.connect()
    seeded.backup(stepped)
    day = SEEDED_ON.date()
    while day < target:
        day += dt.timedelta(days=1)
        catch_up(stepped, day)
    assert _billing_tables(stepped) == once
    stepped.close()


def test_statement_rows_read_old_plain_text_messages(conn: sqlite3.Connection) -> None:
    """store.statements._statement: messages stored as plain texts (before alerts had kinds)
    still read as messages, with no alert."""
    bill = latest(conn)
    conn.execute("UPDATE statements SET messages = '[\"An old notice.\"]' WHERE id = ?", (bill.id,))
    row = latest(conn).row
    assert (row.messages, row.alerts) == (("An old notice.",), ())


def test_the_migration_gives_older_charges_their_fields() -> None:
    """The schema migration that adds line-item fields: charges stored before it get them from
    their kind and the services table."""
    step = next(i for i, m in enumerate(MIGRATIONS) if "ADD COLUMN equipment_model" in m)
    conn = memory_store.connect()
    memory_store.migrate(conn, MIGRATIONS[:step])
    conn.execute(
        "INSERT INTO accounts (id, number, security_code_hash, holder_name, status, cycle_day, "
        "service_address, billing_address, created_at) VALUES ('acct_1', '1', 'x', 'A', "
        "'active', 1, '{}', '{}', '2025-01-01')"
    )
    conn.execute(
        "INSERT INTO services (id, account_id, kind, plan_name, monthly_price_cents, "
        "promo_price_cents, promo_ends_on) VALUES ('svc', 'acct_1', 'internet', 'Plan', 8000, "
        "5000, '2025-06-01')"
    )
    conn.execute(
        "INSERT INTO statements (id, account_id, statement_date, due_date, period_start, "
        "period_end, previous_balance_cents, amount_due_cents, messages) VALUES ('st', "
        "'acct_1', '2025-01-01', '2025-01-22', '2025-01-01', '2025-01-31', 0, 0, '[]')"
    )
    old = [
        ("service", "Plan", 8000, "internet"),
        ("promo_discount", "Plan promotion (ends 2025-06-01)", -3000, "internet"),
        ("equipment", "Modem", 500, "internet"),
        ("one_time", "Activation fee", 999, None),
        ("surcharge", "Broadcast TV surcharge", 2100, "tv"),
        ("tax", "Sales tax", 200, None),
        ("late_fee", "Late fee", 895, None),
    ]
    conn.executemany(
        "INSERT INTO charges (account_id, statement_id, kind, description, amount_cents, "
        "service_kind, posted_on) VALUES ('acct_1', 'st', ?, ?, ?, ?, '2025-01-01')",
        old,
    )

    memory_store.migrate(conn, MIGRATIONS[step : step + 1])

    items = statements_store.line_items(conn, statement_id="st")
    assert [i.code for i in items] == [
        "Plan",
        "Plan",
        "Modem",
        "activation_fee",
        "broadcast_tv_surcharge",
        "sales_tax",
        "late_fee",
    ]
    assert (items[1].plan_name, items[1].regular_price_cents) == ("Plan", 8000)
    assert (items[0].plan_name, items[2].equipment_model) == ("Plan", "Modem")
    conn.close()
