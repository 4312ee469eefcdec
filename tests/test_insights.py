"""Bill insights: explained differences add up, predictions come true, journals balance."""

from __future__ import annotations

import itertools
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from spectrum_cli.client import SpectrumClient
from spectrum_cli.client.insights import explain, price_rises
from tests.helpers import ServedSandbox, require_tool, spectrum
from tests.test_billing import advance, login


@pytest.mark.parametrize("username", ["harper", "morgan", "pat", "casey"])
def test_explained_changes_add_up_for_every_pair_of_a_year(
    client: SpectrumClient, username: str
) -> None:
    login(client, username)
    advance(client, 366)
    summaries = list(reversed(list(client.statements.iter(page_size=100))))
    statements = [client.statements.get(s.id) for s in summaries]
    payments = client.payments.list(limit=100).data
    promo_months = 0
    for previous, current in itertools.pairwise(statements):
        result = explain(current, previous, payments)
        assert result.unexplained_cents == 0
        assert sum(c.change_cents for c in result.changes) == (
            current.total_cents - previous.total_cents
        )
        for ended in (
            c for c in result.changes if c.kind == "promo_discount" and c.after_cents == 0
        ):
            promo_months += 1
            promo = next(
                i
                for i in previous.line_items
                if i.kind == "promo_discount" and i.description.startswith(ended.description)
            )
            assert ended.description in ended.reason
            assert f"ended {promo.promo_ends_on}" in ended.reason
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


def test_price_rise_warning_within_60_days(client: SpectrumClient) -> None:
    login(client, "harper")
    statement = client.statements.get()
    today = client.sandbox.clock().now.date()
    [warning] = price_rises(statement, today)
    assert "Spectrum Internet Premier promotion ends" in warning
    assert "$99.99 a month instead of $49.99 (+$50.00)" in warning
    assert [a.kind for a in client.account.summary().alerts] == ["promo_ending"]


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
    warned = spectrum(["bill", "show"], env)
    assert "promotion ends" in warned.stderr and "(+$50.00)" in warned.stderr


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
            ["payment-methods", "add", *kind, "--number-stdin", "-o", "json"], env, input=number
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
        spectrum(["payments", "list", "--limit", "100", "-o", "json"], env).stdout
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
