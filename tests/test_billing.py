"""The billing engine through the client: statements, promos, late fees, payments, methods."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from spectrum_cli.client import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PaymentError,
    PermissionDeniedError,
    SpectrumClient,
)

PERSONAS = {
    "harper": "Sandbox-Harper1",
    "morgan": None,
    "pat": "Sandbox-Pat1",
    "casey": "Sandbox-Casey1",
}


def login(client: SpectrumClient, username: str, password: str | None = None) -> None:
    password = password or next(
        p.password for p in client.sandbox.personas().data if p.username == username
    )
    result = client.auth.login(username, password)
    if result.mfa_required and result.challenge is not None:
        code = client.sandbox.outbox(limit=1).data[0].code or ""
        client.auth.verify_code(result.challenge.challenge_id, code)


def advance(client: SpectrumClient, days: int) -> None:
    """Move the clock in steps short enough that the session refreshes on the way (a refresh
    token lives 30 days), touching billing at each step as a user would."""
    while days > 0:
        step = min(days, 25)
        client.sandbox.advance_clock(step * 86400)
        client.statements.list(limit=1)
        days -= step


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@pytest.mark.parametrize("username", ["harper", "morgan", "pat", "casey"])
def test_a_year_of_statements_adds_up_and_the_pdf_agrees(
    client: SpectrumClient, username: str
) -> None:
    login(client, username)
    advance(client, 366)  # twelve more months on top of the seeded year
    summaries = list(client.statements.iter(page_size=10))
    assert len(summaries) >= 24
    dates = [s.statement_date for s in summaries]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
    previous_due = None
    for summary in reversed(summaries):
        statement = client.statements.get(summary.id)
        assert sum(i.amount_cents for i in statement.line_items) == statement.total_cents
        assert (
            statement.previous_balance_cents
            - statement.payments_received_cents
            + statement.total_cents
        ) == statement.amount_due_cents
        if previous_due is not None:
            assert statement.previous_balance_cents == previous_due
        previous_due = statement.amount_due_cents
        assert statement.due_date == statement.statement_date + dt.timedelta(days=21)
        text = pdf_text(client.statements.pdf(summary.id))
        assert f"Total new charges {money(statement.total_cents)}" in text
        assert money(statement.amount_due_cents) in text


FEE_CODES = {
    "one_time": "activation_fee",
    "surcharge": "broadcast_tv_surcharge",
    "tax": "sales_tax",
    "late_fee": "late_fee",
}


@pytest.mark.parametrize("username", ["harper", "morgan", "pat", "casey"])
def test_every_seeded_line_item_says_what_it_charges_in_fields(
    client: SpectrumClient, username: str
) -> None:
    login(client, username)
    plans = {s.plan_name: s for s in client.account.services().data}
    lines = {line.id: line.name for s in plans.values() for line in s.lines}
    for summary in client.statements.iter(page_size=20):
        statement = client.statements.get(summary.id)
        for item in statement.line_items:
            assert item.code, f"{summary.id}: {item.description} has no code"
            if item.kind in ("service", "promo_discount"):
                assert item.plan_name == item.code and item.plan_name in plans
                assert item.service_kind == plans[item.plan_name].kind
            if item.kind == "promo_discount":
                assert item.regular_price_cents == plans[item.plan_name].monthly_price_cents
            if item.kind == "usage":
                assert item.line_id == item.code and lines[item.line_id] == item.line_name
                assert item.usage_unit == "MB" and item.usage_quantity is not None
                assert item.usage_start is not None and item.usage_end is not None
                assert item.usage_start < item.usage_end
                assert item.usage_end == statement.period_start - dt.timedelta(days=1)
            if item.kind == "equipment":
                assert item.equipment_model == item.code
        fees = {i.kind: i.code for i in statement.line_items if i.kind in FEE_CODES}
        assert all(FEE_CODES[kind] == code for kind, code in fees.items())
        assert statement.messages == [a.message for a in statement.alerts]


def test_the_promo_warnings_carry_the_plan_date_and_prices(client: SpectrumClient) -> None:
    login(client, "harper")
    internet = next(s for s in client.account.services().data if s.kind == "internet")
    assert internet.promo_ends_on is not None and internet.promo_price_cents is not None
    (ending,) = [a for a in client.account.summary().alerts if a.kind == "promo_ending"]
    assert (ending.plan_name, ending.effective_on) == (internet.plan_name, internet.promo_ends_on)
    assert (ending.price_before_cents, ending.price_after_cents) == (
        internet.promo_price_cents,
        internet.monthly_price_cents,
    )
    told = [a for a in client.statements.get().alerts if a.kind == "promo_ending"]
    assert [(a.plan_name, a.effective_on, a.price_after_cents) for a in told] == [
        (internet.plan_name, internet.promo_ends_on, internet.monthly_price_cents)
    ]


def test_promo_ends_with_a_warning_then_the_price_rises(client: SpectrumClient) -> None:
    login(client, "harper")
    current = client.statements.get()
    promo = next(
        i for i in current.line_items if i.kind == "promo_discount" and i.service_kind == "internet"
    )
    assert promo.promo_ends_on is not None and promo.amount_cents == -5000
    days_left = (promo.promo_ends_on - current.statement_date).days
    advance(client, days_left + 32)
    statements = client.statements.list(limit=3).data
    after_end = [s for s in statements if s.statement_date > promo.promo_ends_on]
    before_end = [
        s for s in statements if current.statement_date < s.statement_date <= promo.promo_ends_on
    ]
    for s in before_end:
        assert any(
            "Spectrum Internet Premier promotion ends" in m
            for m in client.statements.get(s.id).messages
        )
    assert after_end
    later = client.statements.get(after_end[-1].id)
    assert not [
        i for i in later.line_items if i.kind == "promo_discount" and i.service_kind == "internet"
    ]


def test_the_promo_notice_comes_a_full_cycle_ahead(client: SpectrumClient, sandbox_app) -> None:  # type: ignore[no-untyped-def]
    """A promotion ending the day after a statement is told on the statement before it."""
    from spectrum_cli.sandbox.domain.calendar import add_months

    login(client, "harper")
    current = client.statements.get()
    cycle_day = current.statement_date.day
    first = add_months(current.statement_date, 1, cycle_day)
    second = add_months(current.statement_date, 2, cycle_day)
    ends = second + dt.timedelta(days=1)
    with sandbox_app.state.db.write() as conn:
        changed = conn.execute(
            "UPDATE services SET promo_ends_on = ? WHERE kind = 'internet' AND promo_ends_on "
            "IS NOT NULL AND account_id = (SELECT account_id FROM users WHERE username = ?)",
            (ends.isoformat(), "harper"),
        ).rowcount
    assert changed == 1
    advance(client, (second - client.sandbox.clock().now.date()).days + 1)
    dated = {s.statement_date: s.id for s in client.statements.list(limit=5).data}

    def warns(day: dt.date) -> bool:
        messages = client.statements.get(dated[day]).messages
        return any(f"promotion ends {ends.isoformat()}" in m for m in messages)

    assert warns(first), "the statement of the last full cycle before the end carries it"
    assert warns(second)


def test_late_fee_the_day_after_an_unpaid_due_date(client: SpectrumClient) -> None:
    login(client, "harper")
    bill = client.statements.get()
    client.sandbox.advance_clock((bill.days_until_due) * 86400)
    summary = client.account.summary()
    assert summary.unbilled_cents == 0 and summary.status == "active"
    client.sandbox.advance_clock(86400)
    summary = client.account.summary()
    assert summary.unbilled_cents == 895 and summary.status == "past_due"
    assert summary.balance_cents == bill.balance_cents + 895
    assert summary.alerts[0].kind == "past_due"
    assert (summary.alerts[0].statement_id, summary.alerts[0].effective_on) == (
        bill.id,
        bill.due_date,
    )
    assert summary.alerts[0].amount_cents == bill.balance_cents
    assert client.statements.get(bill.id).status == "past_due"
    advance(client, 40)
    carried = next(s for s in client.statements.list().data if s.statement_date > bill.due_date)
    lines = client.statements.get(carried.id).line_items
    assert [i.amount_cents for i in lines if i.kind == "late_fee"] == [895]


def test_paid_on_time_means_no_late_fee(client: SpectrumClient) -> None:
    login(client, "harper")
    bill = client.statements.get()
    payment = client.payments.create(bill.balance_cents, statement_id=bill.id)
    assert payment.status == "succeeded" and payment.confirmation_number.startswith("SPX-")
    assert client.statements.get(bill.id).status == "paid"
    client.sandbox.advance_clock((bill.days_until_due + 2) * 86400)
    assert client.account.summary().unbilled_cents == 0


def test_a_statement_is_never_paid_twice(client: SpectrumClient) -> None:
    login(client, "harper")
    bill = client.statements.get()
    client.payments.create(bill.balance_cents, statement_id=bill.id)
    with pytest.raises(ConflictError) as again:
        client.payments.create(bill.balance_cents, statement_id=bill.id)
    assert again.value.code == "statement_already_paid"
    assert len([p for p in client.payments.list().data if p.statement_id == bill.id]) == 1


def test_declined_card_is_402_balance_unchanged_and_the_attempt_kept(
    client: SpectrumClient,
) -> None:
    login(client, "harper")
    before = client.account.summary().balance_cents
    card = client.payment_methods.add_card("4000000000000002", 12, 2030)
    with pytest.raises(PaymentError) as declined:
        client.payments.create(5000, method_id=card.id)
    assert declined.value.status == 402 and declined.value.code == "card_declined"
    assert client.account.summary().balance_cents == before
    failed = client.payments.list(limit=1).data[0]
    assert failed.status == "failed" and failed.failure_code == "card_declined"
    poor = client.payment_methods.add_card("4000000000009995", 12, 2030)
    with pytest.raises(PaymentError) as insufficient:
        client.payments.create(5000, method_id=poor.id)
    assert insufficient.value.code == "insufficient_funds"


def test_bank_payment_settles_after_two_business_days(client: SpectrumClient) -> None:
    login(client, "harper")
    bank = client.payment_methods.add_bank_account("110000000", "000123456789")
    assert bank.label == "Checking •••• 6789"
    bill = client.statements.get()
    payment = client.payments.create(bill.balance_cents, method_id=bank.id, statement_id=bill.id)
    assert payment.status == "processing"
    assert client.statements.get(bill.id).status == "paid"  # credited while processing
    client.sandbox.advance_clock(4 * 86400)  # two business days, whatever the weekday
    assert client.payments.get(payment.id).status == "succeeded"


def test_returned_bank_payment_is_owed_again(client: SpectrumClient) -> None:
    login(client, "harper")
    bank = client.payment_methods.add_bank_account("110000000", "000111111116")
    bill = client.statements.get()
    before = client.account.summary().balance_cents
    payment = client.payments.create(bill.balance_cents, method_id=bank.id, statement_id=bill.id)
    assert client.account.summary().balance_cents == before - bill.balance_cents
    client.sandbox.advance_clock(4 * 86400)
    returned = client.payments.get(payment.id)
    assert returned.status == "returned" and returned.failure_code == "bank_account_returned"
    summary = client.account.summary()
    assert summary.balance_cents == before
    (alert,) = [a for a in summary.alerts if a.kind == "payment_returned"]
    assert (alert.payment_id, alert.statement_id) == (payment.id, bill.id)
    assert alert.amount_cents == bill.balance_cents
    assert client.statements.get(bill.id).status in ("unpaid", "past_due")


def test_scheduled_payment_runs_on_its_date_or_can_be_canceled(client: SpectrumClient) -> None:
    login(client, "harper")
    today = client.sandbox.clock().now.date()
    first = client.payments.create(1000, scheduled_for=today + dt.timedelta(days=3))
    second = client.payments.create(2000, scheduled_for=today + dt.timedelta(days=3))
    assert first.status == second.status == "scheduled"
    assert client.payments.cancel(second.id).status == "canceled"
    client.sandbox.advance_clock(3 * 86400)
    assert client.payments.get(first.id).status == "succeeded"
    assert client.payments.get(second.id).status == "canceled"
    with pytest.raises(ConflictError) as late:
        client.payments.cancel(first.id)
    assert late.value.code == "payment_not_cancelable"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"amount_cents": 999_999}, "amount_too_large"),
        ({"amount_cents": 100, "scheduled_for": dt.date(2000, 1, 1)}, "date_in_past"),
    ],
)
def test_bad_payments_are_refused_with_the_field_at_fault(
    client: SpectrumClient, kwargs: dict, code: str
) -> None:
    login(client, "harper")
    before = client.payments.list().data
    amount = kwargs.pop("amount_cents")
    with pytest.raises(InvalidRequestError) as refused:
        client.payments.create(amount, **kwargs)
    assert refused.value.code == code and refused.value.param
    assert client.payments.list().data == before


@pytest.mark.parametrize("amount", [True, "100", 1.0, "1e2"])
def test_an_amount_that_is_not_a_json_integer_is_refused(
    client: SpectrumClient, amount: object
) -> None:
    """`true` must never become a 1-cent payment, nor a string or a float an amount."""
    login(client, "harper")
    before = client.payments.list().data
    with pytest.raises(InvalidRequestError) as refused:
        client.request("POST", "/v1/payments", json={"amount_cents": amount})
    assert refused.value.param == "amount_cents"
    assert client.payments.list().data == before


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method_id": "pm_nope"}, "no_such_method"),
        ({"statement_id": "st_nope"}, "no_such_statement"),
    ],
)
def test_a_payment_naming_a_missing_method_or_statement_is_not_found(
    client: SpectrumClient, kwargs: dict, code: str
) -> None:
    login(client, "harper")
    before = client.payments.list().data
    with pytest.raises(NotFoundError) as missing:
        client.payments.create(100, **kwargs)
    assert missing.value.code == code and missing.value.param
    assert client.payments.list().data == before


def test_canceling_a_canceled_payment_is_nothing_to_do(client: SpectrumClient) -> None:
    login(client, "harper")
    today = client.sandbox.clock().now.date()
    scheduled = client.payments.create(1500, scheduled_for=today + dt.timedelta(days=3))
    first = client.payments.cancel(scheduled.id)
    again = client.payments.cancel(scheduled.id)
    assert first.status == again.status == "canceled"
    assert again == first


def test_payment_methods_keep_no_full_numbers(client: SpectrumClient) -> None:
    login(client, "harper")
    card = client.payment_methods.add_card("5555555555554444", 3, 2031, make_default=True)
    assert card.card is not None and card.card.brand == "mastercard" and card.card.last4 == "4444"
    assert card.is_default
    listed = client.payment_methods.list()
    raw = listed.model_dump_json()
    assert "5555555555554444" not in raw and "555555555555" not in raw
    assert [m.id for m in listed.data if m.is_default] == [card.id]
    old = next(m for m in listed.data if m.id != card.id)
    client.payment_methods.set_default(old.id)
    client.payment_methods.remove(card.id)
    with pytest.raises(NotFoundError):
        client.payment_methods.remove(card.id)


def test_the_autopay_method_cannot_be_removed(client: SpectrumClient) -> None:
    login(client, "casey")
    autopay_method = client.account.summary().autopay.method_id
    assert autopay_method is not None
    with pytest.raises(ConflictError) as in_use:
        client.payment_methods.remove(autopay_method)
    assert in_use.value.code == "method_in_use"


def test_a_method_whose_scheduled_payment_has_run_can_be_removed(client: SpectrumClient) -> None:
    """Removing a method first applies what the clock has passed: the payment scheduled on it
    ran on its date, so it no longer holds the method."""
    login(client, "harper")
    card = client.payment_methods.add_card("5555555555554444", 3, 2031)
    today = client.sandbox.clock().now.date()
    scheduled = client.payments.create(
        1000, method_id=card.id, scheduled_for=today + dt.timedelta(days=2)
    )
    with pytest.raises(ConflictError) as in_use:
        client.payment_methods.remove(card.id)
    assert in_use.value.code == "method_in_use"
    client.sandbox.advance_clock(2 * 86400)
    client.payment_methods.remove(card.id)
    assert client.payments.get(scheduled.id).status == "succeeded"


def test_standard_user_can_pay_but_not_change_methods(client: SpectrumClient) -> None:
    login(client, "sam", "Sandbox-Sam1")
    bill = client.statements.get()
    assert client.payments.create(bill.balance_cents, statement_id=bill.id).status == "succeeded"
    with pytest.raises(PermissionDeniedError) as denied:
        client.payment_methods.add_card("4242424242424242", 12, 2030)
    assert denied.value.code == "role_forbidden"


@pytest.mark.parametrize(
    ("number", "exp", "message"),
    [
        ("4242424242424241", (12, 2030), "check digit"),
        ("4242424242424242", (1, 2001), "expired"),
    ],
)
def test_bad_cards_are_refused(
    client: SpectrumClient, number: str, exp: tuple[int, int], message: str
) -> None:
    from pydantic import ValidationError

    login(client, "harper")
    with pytest.raises((InvalidRequestError, ValidationError)) as refused:
        client.payment_methods.add_card(number, *exp)
    assert message in str(refused.value)


@pytest.mark.parametrize("names_statement", [True, False])
def test_a_returned_payment_made_good_by_card_stops_the_alert(
    client: SpectrumClient, names_statement: bool
) -> None:
    login(client, "harper")
    bank = client.payment_methods.add_bank_account("110000000", "000111111116")
    bill = client.statements.get()
    target = bill.id if names_statement else None
    client.payments.create(bill.balance_cents, method_id=bank.id, statement_id=target)
    client.sandbox.advance_clock(4 * 86400)
    assert "payment_returned" in [a.kind for a in client.account.summary().alerts]
    owed = client.statements.get(bill.id).balance_cents
    client.payments.create(owed, statement_id=target)  # the default card
    assert client.statements.get(bill.id).status == "paid"
    assert "payment_returned" not in [a.kind for a in client.account.summary().alerts]
