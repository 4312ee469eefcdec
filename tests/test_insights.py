"""Bill insights: explained differences add up, predictions come true, journals balance."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from spectrum_cli.api.account import Alert
from spectrum_cli.api.billing import LineItem, Statement
from spectrum_cli.api.money import usd
from spectrum_cli.client import SpectrumClient
from spectrum_cli.client.insights import explain, price_rises
from tests.helpers import ServedSandbox, require_tool, spectrum
from tests.test_billing import advance, login


def needs_server_fields(statements: list[Statement]) -> None:
    """What follows reads the line items' data fields, so the server must fill them."""
    assert any(i.code for s in statements for i in s.line_items), "no line item has a code"


@pytest.mark.parametrize("username", ["harper", "morgan", "pat", "casey"])
def test_explained_changes_add_up_for_every_pair_of_a_year(
    client: SpectrumClient, username: str
) -> None:
    login(client, username)
    advance(client, 366)
    summaries = list(reversed(list(client.statements.iter(page_size=100))))
    statements = [client.statements.get(s.id) for s in summaries]
    payments = client.payments.list(limit=100).data
    explained = []
    for previous, current in itertools.pairwise(statements):
        result = explain(current, previous, payments)
        assert result.unexplained_cents == 0
        assert sum(c.change_cents for c in result.changes) == (
            current.total_cents - previous.total_cents
        )
        explained.append((previous, result))
    needs_server_fields(statements)
    promo_months = 0
    for previous, result in explained:
        for ended in (
            c for c in result.changes if c.kind == "promo_discount" and c.after_cents == 0
        ):
            promo_months += 1
            [promo] = [
                i
                for i in previous.line_items
                if i.kind == "promo_discount" and i.code == ended.code
            ]
            assert ended.description == promo.plan_name and promo.plan_name in ended.reason
            assert promo.regular_price_cents is not None
            assert f"ended {promo.promo_ends_on}" in ended.reason
            assert f"to {usd(promo.regular_price_cents)} a month" in ended.reason
    if username == "harper":
        assert promo_months == 2  # internet (days away) and TV (months away) both end


def test_upcoming_statement_comes_true(client: SpectrumClient) -> None:
    login(client, "harper")
    advance(client, client.statements.get().days_until_due + 1)  # unpaid: a late fee is due
    predicted = client.statements.upcoming()
    latest = client.statements.get()
    days = (predicted.statement_date - client.sandbox.clock().now.date()).days
    advance(client, days)
    actual = client.statements.get()
    assert actual.statement_date == predicted.statement_date
    assert actual.total_cents == predicted.total_cents
    assert [(i.kind, i.amount_cents) for i in actual.line_items] == [
        (i.kind, i.amount_cents) for i in predicted.line_items
    ]
    result = explain(predicted, latest)
    assert result.unexplained_cents == 0 and any(c.kind == "late_fee" for c in result.changes)


def test_upcoming_statement_predicts_no_late_fee_before_the_due_date(
    client: SpectrumClient,
) -> None:
    login(client, "harper")
    latest = client.statements.get()
    assert latest.status == "unpaid" and latest.days_until_due > 0
    predicted = client.statements.upcoming()
    assert "late_fee" not in [i.kind for i in predicted.line_items]
    client.payments.create(latest.balance_cents, statement_id=latest.id)  # paid in time
    advance(client, (predicted.statement_date - latest.statement_date).days)
    actual = client.statements.get()
    assert [(i.kind, i.amount_cents) for i in actual.line_items] == [
        (i.kind, i.amount_cents) for i in predicted.line_items
    ]


def test_price_rise_warning_comes_from_the_servers_alerts(client: SpectrumClient) -> None:
    login(client, "harper")
    statement = client.statements.get()
    summary = client.account.summary()
    assert statement.alerts, "the statement tells of no promotion ending"
    [warning] = price_rises(statement.alerts)
    assert "The Spectrum Internet Premier promotion ends" in warning
    assert "$99.99 a month instead of $49.99 (+$50.00)" in warning
    assert price_rises(summary.alerts) == [warning]
    assert [a.kind for a in summary.alerts] == ["promo_ending"]


@pytest.fixture
def env(harper_env: dict[str, str]) -> dict[str, str]:
    return harper_env


def test_bill_explain_and_upcoming_from_the_cli(env: dict[str, str]) -> None:
    shown = spectrum(["bill", "explain"], env)
    assert shown.returncode == 0, shown.stderr
    assert "Mobile data" in shown.stdout
    upcoming = spectrum(["bill", "explain", "--upcoming", "-o", "json"], env)
    data = json.loads(upcoming.stdout)
    assert data["unexplained_cents"] == 0
    assert sum(c["change_cents"] for c in data["changes"]) == data["total_change_cents"]


def test_bill_show_warns_of_the_price_rise_the_statement_tells(env: dict[str, str]) -> None:
    assert json.loads(spectrum(["bill", "show", "-o", "json"], env).stdout)["alerts"]
    warned = spectrum(["bill", "show"], env)
    assert "promotion ends" in warned.stderr and "(+$50.00)" in warned.stderr
    assert "promotion ends" not in warned.stdout  # told once, as a warning


def test_bill_explain_upcoming_assumes_the_bill_is_paid_and_takes_no_id(
    env: dict[str, str],
) -> None:
    upcoming = spectrum(["bill", "explain", "--upcoming"], env)
    assert upcoming.returncode == 0, upcoming.stderr
    assert "late fee" not in upcoming.stdout.split("This assumes")[0]
    assert "This assumes the $" in upcoming.stdout and "is paid by then" in upcoming.stdout
    latest = json.loads(spectrum(["bill", "show", "-o", "json"], env).stdout)["id"]
    both = spectrum(["bill", "explain", latest, "--upcoming"], env)
    assert both.returncode == 2 and both.stdout == ""
    assert "not both" in both.stderr and latest in both.stderr


def test_export_counts_what_it_exported(env: dict[str, str], fresh_served: ServedSandbox) -> None:
    import re

    from tests.test_bill_cli import advance as advance_served

    def add_method(kind: list[str], number: str) -> str:
        added = spectrum(
            ["-o", "json", "payment-methods", "add", *kind, "--number-stdin"], env, input=number
        )
        assert added.returncode == 0, added.stderr
        return str(json.loads(added.stdout)["id"])

    declined = add_method(["card", "--exp", "12/30"], "4000000000000002\n")
    returned = add_method(["bank", "--routing", "110000000"], "000111111116\n")
    assert (
        spectrum(["bill", "pay", "--amount", "5", "--method", declined, "--yes"], env).returncode
        == 7
    )
    assert (
        spectrum(["bill", "pay", "--amount", "6", "--method", returned, "--yes"], env).returncode
        == 0
    )
    advance_served(fresh_served.url, 4)  # the bank returns it
    payments = json.loads(
        spectrum(["-o", "json", "payments", "list", "--limit", "100"], env).stdout
    )
    statuses = [p["status"] for p in payments["data"]]
    assert "failed" in statuses and "returned" in statuses

    ledger = spectrum(["bill", "export", "--format", "ledger"], env)
    assert ledger.returncode == 0, ledger.stderr
    paid = len(re.findall(r"^\S+ Spectrum payment SPX-", ledger.stdout, re.MULTILINE))
    back = len(re.findall(r"^\S+ Spectrum payment returned ", ledger.stdout, re.MULTILINE))
    bills = len(re.findall(r"^\S+ Spectrum statement ", ledger.stdout, re.MULTILINE))
    assert (paid, back) == (len(statuses) - 1, 1)
    assert f"Exported {bills} statements, {paid} payments and 1 return." in ledger.stderr
    exported = spectrum(["bill", "export", "--format", "json"], env)
    whole = json.loads(exported.stdout)
    assert len(whole["payments"]) == len(statuses)
    assert (
        f"Exported {len(whole['statements'])} statements and {len(statuses)} payments."
        in exported.stderr
    )
    lines = spectrum(["bill", "export"], env)
    assert f"Exported the line items of {bills} statements." in lines.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "ledger"])
def test_export_from_after_to_is_exit_2(env: dict[str, str], fmt: str) -> None:
    result = spectrum(
        ["bill", "export", "--format", fmt, "--from", "2027-01-01", "--to", "2026-01-01"], env
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "--from must be on or before --to" in result.stderr


def test_journal_export_passes_hledger_check_and_balances(
    env: dict[str, str], tmp_path: Path
) -> None:
    hledger = require_tool("hledger")
    paid = spectrum(["bill", "pay", "--amount", "20.00", "--yes"], env)
    assert paid.returncode == 0, paid.stderr
    journal = tmp_path / "spectrum.journal"
    result = spectrum(
        [
            "bill",
            "export",
            "--format",
            "ledger",
            "--liability-account",
            "liabilities:cable",
            "--payment-account",
            "assets:checking",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    journal.write_text(result.stdout)
    check = subprocess.run(
        [hledger, "-f", str(journal), "check"], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    statements = json.loads(spectrum(["bill", "export", "--format", "json"], env).stdout)
    owed = sum(s["total_cents"] for s in statements["statements"])
    paid_cents = sum(
        p["amount_cents"]
        for p in statements["payments"]
        if p["status"] in ("succeeded", "processing")
    )

    def balance(account: str) -> int:
        out = subprocess.run(
            [
                hledger,
                "-f",
                str(journal),
                "balance",
                account,
                "-N",
                "--depth",
                str(account.count(":") + 1),
                "-O",
                "csv",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        amount = out.stdout.strip().splitlines()[-1].split(",")[-1].strip('"')
        return int(Decimal(amount.replace("$", "")) * 100)

    assert balance("liabilities:cable") == paid_cents - owed
    assert balance("assets:checking") == -paid_cents
    assert balance("expenses:spectrum") == owed
    lines = spectrum(["bill", "export", "--from", "2026-01-01"], env).stdout.splitlines()
    assert lines[0] == "statement_id,statement_date,due_date,kind,description,amount_cents,amount"


# Hand-built statements: what `explain` and `price_rises` conclude comes from kinds and data
# fields; descriptions and messages are worded for people and may say anything.


def statement(id_: str, day: dt.date, items: list[LineItem], **fields: Any) -> Statement:
    total = sum(i.amount_cents for i in items)
    return Statement(
        id=id_,
        statement_date=day,
        due_date=day + dt.timedelta(days=21),
        period_start=day,
        period_end=day + dt.timedelta(days=30),
        previous_balance_cents=0,
        payments_received_cents=0,
        total_cents=total,
        amount_due_cents=total,
        balance_cents=total,
        status="unpaid",
        days_until_due=21,
        line_items=items,
        messages=[],
        **fields,
    )


def item(kind: str, cents: int, words: str, **fields: Any) -> LineItem:
    return LineItem(kind=kind, amount_cents=cents, description=words, **fields)  # type: ignore[arg-type]


PLAN = {"code": "internet_premier", "plan_name": "Spectrum Internet Premier"}
ROUTER = {"code": "wifi6_router", "equipment_model": "Advanced WiFi Router"}
ALEX = {"code": "line_alex", "line_id": "line_alex", "line_name": "Alex", "usage_unit": "MB"}


def two_months(words: str) -> tuple[Statement, Statement]:
    """October and November, every description worded from ``words`` and the month, so no
    two months (and no two lines) say the same thing."""
    october = statement(
        "st_oct",
        dt.date(2026, 10, 5),
        [
            item("service", 9999, f"{words} oct 1", service_kind="internet", **PLAN),
            item(
                "promo_discount",
                -5000,
                f"{words} oct 2",
                promo_ends_on=dt.date(2026, 10, 20),
                regular_price_cents=9999,
                **PLAN,
            ),
            item("equipment", 500, f"{words} oct 3", **ROUTER),
            item("usage", 2000, f"{words} oct 4", usage_quantity=922, **ALEX),
            item("one_time", 1999, f"{words} oct 5", code="activation_fee"),
            item("surcharge", 2100, f"{words} oct 6", code="broadcast_tv_surcharge"),
            item("tax", 300, f"{words} oct 7", code="sales_tax"),
        ],
    )
    november = statement(
        "st_nov",
        dt.date(2026, 11, 5),
        [
            item("service", 9999, f"{words} nov 1", service_kind="internet", **PLAN),
            item("equipment", 500, f"{words} nov 3", **ROUTER),
            item("usage", 2500, f"{words} nov 4", usage_quantity=1229, **ALEX),
            item("late_fee", 895, f"{words} nov 5", code="late_fee"),
            item("tax", 350, f"{words} nov 7", code="sales_tax"),
            item("fee", 200, f"{words} nov 8", code="paper_bill_fee"),
            item("credit", -500, "Goodwill credit"),
        ],
    )
    return october, november


def test_explain_reads_kinds_and_fields_not_descriptions() -> None:
    october, november = two_months("Mobile data promotion (ends 1999-01-01):")
    result = explain(november, october)
    assert result.unexplained_cents == 0
    said = {(c.kind, c.code): (c.description, c.reason) for c in result.changes}
    assert said == {
        ("promo_discount", "internet_premier"): (
            "Spectrum Internet Premier",
            "The Spectrum Internet Premier promotion ended 2026-10-20: the price went from "
            "$49.99 to $99.99 a month.",
        ),
        ("usage", "line_alex"): (
            "Mobile data, Alex",
            "Mobile data, Alex: 1.2 GB this period, after 0.9 GB last period.",
        ),
        ("one_time", "activation_fee"): (
            "Activation fee",
            "Last bill's one-time Activation fee is gone.",
        ),
        ("surcharge", "broadcast_tv_surcharge"): (
            "Broadcast TV surcharge",
            "Surcharge removed: Broadcast TV surcharge (was $21.00).",
        ),
        ("late_fee", "late_fee"): (
            "Late fee",
            "A late fee: the previous bill was not paid by its due date.",
        ),
        ("tax", "sales_tax"): (
            "Sales tax",
            "Taxes changed with the taxable charges: $3.00 → $3.50.",
        ),
        ("fee", "paper_bill_fee"): ("Fee", "New fee ($2.00)."),  # a code not in the table
        ("credit", None): ("Credit", "New credit (-$5.00)."),  # no fields: its kind
    }
    descriptions = {i.description for s in (october, november) for i in s.line_items}
    assert not descriptions & {c.description for c in result.changes}


def test_explain_is_the_same_whatever_the_descriptions_say() -> None:
    from spectrum_cli.sandbox.reword import reword

    october, november = two_months("Your charge for")
    reworded = [
        s.model_copy(
            update={
                "line_items": [
                    i.model_copy(update={"description": reword(i.description)})
                    for i in s.line_items
                ]
            }
        )
        for s in (october, november)
    ]
    assert reworded[1].line_items[0].description != november.line_items[0].description
    assert explain(*reworded[::-1]) == explain(november, october)


def test_a_line_without_a_code_is_matched_by_its_description_only() -> None:
    before = statement("st_a", dt.date(2026, 1, 5), [item("adjustment", -300, "Courtesy")])
    after = statement("st_b", dt.date(2026, 2, 5), [item("adjustment", -500, "Courtesy")])
    [change] = explain(after, before).changes
    assert (change.description, change.change_cents) == ("Adjustment", -200)
    assert change.reason == "Adjustment went from -$3.00 to -$5.00."


def test_price_rises_are_the_servers_promo_ending_alerts_said_from_their_fields() -> None:
    rise = Alert(
        kind="promo_ending",
        message="Words that change.",
        plan_name="Spectrum TV Select",
        effective_on=dt.date(2026, 12, 1),
        price_before_cents=4999,
        price_after_cents=7999,
    )
    not_a_rise = Alert(kind="past_due", message="The promotion ends 2026-12-01: +$30.00.")
    assert price_rises([not_a_rise, rise]) == [
        "The Spectrum TV Select promotion ends 2026-12-01: from then it costs $79.99 a month "
        "instead of $49.99 (+$30.00)."
    ]
    assert price_rises([rise.model_copy(update={"message": "Other words."})]) == price_rises([rise])
    wordy = Alert(kind="promo_ending", message="A server without the data fields says this.")
    assert price_rises([wordy]) == [wordy.message]
