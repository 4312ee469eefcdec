"""The payments and autopay engine on an in-memory store: no server, no HTTP.

The store is seeded once at a fixed moment (Thursday 2026-03-05, noon UTC) and each test gets
its own copy, so days of the week are known: Harper's latest statement is due on Sunday
2026-03-15, and a bank payment made on a Thursday settles on the next Monday.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import replace

import pytest

from spectrum_cli.api.billing import BankAccountInput, PaymentMethodCreate
from spectrum_cli.sandbox.domain import autopay, balances, methods, payments, statements
from spectrum_cli.sandbox.domain.calendar import DUE_AFTER
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.store import methods as methods_store
from spectrum_cli.sandbox.store import payments as payments_store
from tests.unit import memory_store

NOW = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
HARPER = "acct_6755"  # a balance due, autopay off, one Visa card
HARPER_CARD = "pm_6755_0"
CASEY = "acct_4417"  # autopay on a card that is declined when charged
THURSDAY, FRIDAY, MONDAY = dt.date(2026, 3, 5), dt.date(2026, 3, 6), dt.date(2026, 3, 9)
DUE = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def seeded() -> Iterator[sqlite3.Connection]:
    conn = memory_store.seeded(NOW)
    yield conn
    conn.close()


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def catch_up(conn: sqlite3.Connection, account_id: str, day: dt.date) -> None:
    statements.catch_up(conn, account_id=account_id, today=day, now=at(day))


def latest(conn: sqlite3.Connection, account_id: str, day: dt.date) -> statements.StatementView:
    return statements.statements(conn, account_id, day)[-1]


def add_bank(conn: sqlite3.Connection, account_number: str) -> str:
    body = PaymentMethodCreate(
        type="bank_account",
        bank_account=BankAccountInput(routing_number="110000000", account_number=account_number),
    )
    return methods.add_method(conn, account_id=HARPER, body=body, now=NOW).id


def add_march_card(conn: sqlite3.Connection, method_id: str) -> None:
    """A card of Harper's that is good through 2026-03-31."""
    methods_store.add_card(
        conn,
        method_id=method_id,
        account_id=HARPER,
        brand="visa",
        last4="1111",
        exp_month=3,
        exp_year=2026,
        behavior="ok",
        created_at=NOW.isoformat(),
    )


def pay(conn: sqlite3.Connection, method_id: str, amount_cents: int) -> str:
    return payments.create_payment(
        conn,
        account_id=HARPER,
        amount_cents=amount_cents,
        method_id=method_id,
        statement_id=None,
        scheduled_for=None,
        kind="one_time",
        now=NOW,
    )


def autopay_payments(conn: sqlite3.Connection, account_id: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT statement_id, status FROM payments WHERE account_id = ? AND kind = 'autopay' "
        "AND scheduled_for >= ?",
        (account_id, NOW.date().isoformat()),
    ).fetchall()
    return [tuple(r) for r in rows]


def test_the_seeded_days_are_the_ones_the_tests_assume(conn: sqlite3.Connection) -> None:
    assert THURSDAY.weekday() == 3 and MONDAY.weekday() == 0
    bill = latest(conn, HARPER, THURSDAY)
    assert bill.due_date == DUE and bill.status == "unpaid"


# Settlement ----------------------------------------------------------------------------------


def test_a_bank_payment_settles_on_the_second_business_day(conn: sqlite3.Connection) -> None:
    owed = balances.owed_cents(conn, HARPER)
    payment_id = pay(conn, add_bank(conn, "123456789"), 25_00)
    made = payments_store.get(conn, payment_id=payment_id)
    assert made.status == "processing"
    assert balances.owed_cents(conn, HARPER) == owed - 25_00  # processing counts already

    catch_up(conn, HARPER, FRIDAY)
    assert payments_store.get(conn, payment_id=payment_id).status == "processing"
    catch_up(conn, HARPER, MONDAY)
    settled = payments_store.get(conn, payment_id=payment_id)
    assert settled.status == "succeeded"
    assert settled.settled_at == at(MONDAY)
    assert balances.owed_cents(conn, HARPER) == owed - 25_00


def test_a_returned_bank_payment_is_owed_again(conn: sqlite3.Connection) -> None:
    owed = balances.owed_cents(conn, HARPER)
    payment_id = pay(conn, add_bank(conn, "000111111116"), 25_00)
    catch_up(conn, HARPER, MONDAY)
    returned = payments_store.get(conn, payment_id=payment_id)
    assert returned.status == "returned"
    assert returned.failure_code == "bank_account_returned"
    assert returned.settled_at == at(MONDAY)
    assert balances.owed_cents(conn, HARPER) == owed


# Autopay -------------------------------------------------------------------------------------


def test_autopay_charges_a_covered_statement_on_its_due_date(conn: sqlite3.Connection) -> None:
    bill = latest(conn, HARPER, THURSDAY)
    autopay.enroll(conn, account_id=HARPER, method_id=HARPER_CARD, today=THURSDAY)
    state = autopay.state(conn, account_id=HARPER, today=THURSDAY)
    assert state.status == "active" and state.effective_from_statement_date == bill.row_date
    assert (state.next_charge_date, state.next_charge_amount_cents) == (DUE, bill.balance_cents)

    catch_up(conn, HARPER, DUE - dt.timedelta(days=1))
    assert autopay_payments(conn, HARPER) == []
    catch_up(conn, HARPER, DUE)
    assert autopay_payments(conn, HARPER) == [(bill.id, "succeeded")]
    assert latest(conn, HARPER, DUE).status == "paid"


def test_enrolling_within_three_business_days_starts_with_the_next_statement(
    conn: sqlite3.Connection,
) -> None:
    wednesday = dt.date(2026, 3, 11)  # Thursday and Friday are left before Sunday's due date
    catch_up(conn, HARPER, wednesday)
    bill = latest(conn, HARPER, wednesday)
    autopay.enroll(conn, account_id=HARPER, method_id=HARPER_CARD, today=wednesday)
    state = autopay.state(conn, account_id=HARPER, today=wednesday)
    assert state.status == "pending"
    assert state.effective_from_statement_date == statements.next_statement_date(conn, HARPER)
    assert state.uncovered_statement_id == bill.id

    catch_up(conn, HARPER, DUE)
    assert autopay_payments(conn, HARPER) == []
    assert latest(conn, HARPER, DUE).status == "unpaid"


# Card expiry ---------------------------------------------------------------------------------


def test_a_card_is_good_through_the_last_day_of_its_expiry_month(
    conn: sqlite3.Connection,
) -> None:
    card = methods_store.get(conn, method_id=HARPER_CARD)
    assert card is not None
    february = replace(card, exp_month=2, exp_year=2028)
    assert methods.card_last_day(february) == dt.date(2028, 2, 29)
    assert not methods.card_expired(february, dt.date(2028, 2, 29))
    assert methods.card_expired(february, dt.date(2028, 3, 1))
    assert not methods.card_expired(february, dt.date(2027, 12, 31))
    bank = methods_store.get(conn, method_id=add_bank(conn, "123456789"))
    assert bank is not None and not methods.card_expired(bank, dt.date(2100, 1, 1))


def test_a_payment_dated_after_the_card_expires_is_refused(conn: sqlite3.Connection) -> None:
    add_march_card(conn, "pm_expiring")
    with pytest.raises(APIError) as refused:
        payments.create_payment(
            conn,
            account_id=HARPER,
            amount_cents=10_00,
            method_id="pm_expiring",
            statement_id=None,
            scheduled_for=dt.date(2026, 4, 1),
            kind="one_time",
            now=NOW,
        )
    assert (refused.value.status, refused.value.code) == (402, "card_expired")


# What autopay tells, in fields ---------------------------------------------------------------


def assert_messages_are_the_warnings(state: object) -> None:
    assert [a.message for a in state.alerts] == state.warnings  # type: ignore[attr-defined]


def test_a_failed_autopay_charge_is_an_alert_with_its_day_and_amount(
    conn: sqlite3.Connection,
) -> None:
    bill = latest(conn, CASEY, THURSDAY)
    catch_up(conn, CASEY, bill.due_date)
    state = autopay.state(conn, account_id=CASEY, today=bill.due_date)
    assert state.status == "needs_attention"
    [failed] = state.alerts
    assert failed.kind == "autopay_failed"
    assert (failed.effective_on, failed.amount_cents) == (bill.due_date, bill.balance_cents)
    [payment] = [
        p
        for p in payments_store.page(conn, account_id=CASEY, after=None, limit=100)
        if p.status == "failed"
    ]
    assert (failed.payment_id, failed.statement_id, failed.method_id) == (
        payment.id,
        bill.id,
        payment.method_id,
    )
    assert failed.message == state.last_failure_reason
    assert_messages_are_the_warnings(state)


def test_a_card_expiring_before_the_next_charge_and_an_uncovered_bill_are_alerts(
    conn: sqlite3.Connection,
) -> None:
    add_march_card(conn, "pm_march")
    wednesday = dt.date(2026, 3, 11)
    catch_up(conn, HARPER, wednesday)
    bill = latest(conn, HARPER, wednesday)
    autopay.enroll(conn, account_id=HARPER, method_id="pm_march", today=wednesday)
    state = autopay.state(conn, account_id=HARPER, today=wednesday)
    assert state.next_charge_date is not None and state.next_charge_date > dt.date(2026, 3, 31)
    expiring, uncovered = state.alerts
    assert expiring.kind == "card_expiring"
    assert (expiring.method_id, expiring.effective_on) == ("pm_march", dt.date(2026, 3, 31))
    assert uncovered.kind == "autopay_uncovered"
    assert (uncovered.statement_id, uncovered.amount_cents, uncovered.effective_on) == (
        bill.id,
        bill.balance_cents,
        bill.due_date,
    )
    assert (uncovered.statement_id, uncovered.amount_cents) == (
        state.uncovered_statement_id,
        state.uncovered_balance_cents,
    )
    assert_messages_are_the_warnings(state)


def test_autopay_turned_off_too_late_tells_the_charge_still_to_come(
    conn: sqlite3.Connection,
) -> None:
    bill = latest(conn, HARPER, THURSDAY)
    autopay.enroll(conn, account_id=HARPER, method_id=HARPER_CARD, today=THURSDAY)
    wednesday = dt.date(2026, 3, 11)
    catch_up(conn, HARPER, wednesday)
    autopay.cancel(conn, account_id=HARPER, today=wednesday)
    state = autopay.state(conn, account_id=HARPER, today=wednesday)
    [ending] = state.alerts
    assert ending.kind == "autopay_ending"
    assert (ending.statement_id, ending.amount_cents, ending.effective_on) == (
        bill.id,
        bill.balance_cents,
        DUE,
    )
    assert state.ends_after_statement_date == bill.row_date
    assert_messages_are_the_warnings(state)


def test_a_charge_that_goes_through_clears_the_failure(conn: sqlite3.Connection) -> None:
    bill = latest(conn, CASEY, THURSDAY)
    catch_up(conn, CASEY, bill.due_date)
    assert autopay.state(conn, account_id=CASEY, today=bill.due_date).alerts
    card = methods.default_method(conn, account_id=CASEY)
    assert card is not None
    conn.execute("UPDATE payment_methods SET behavior = 'ok' WHERE id = ?", (card.id,))
    following = statements.next_statement_date(conn, CASEY)
    assert following is not None
    catch_up(conn, CASEY, following + DUE_AFTER)
    state = autopay.state(conn, account_id=CASEY, today=following + DUE_AFTER)
    assert state.status == "active" and state.alerts == [] and state.warnings == []
