"""Autopay, driven by the sandbox clock, through real `spectrum` subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import ServedSandbox, isolated_env, sandbox_headers, spectrum


def signed_in(tmp_path: Path, url: str, username: str, password: str) -> dict[str, str]:
    env = isolated_env(tmp_path / username, SPECTRUM_API_URL=url)
    result = spectrum(
        ["login", "--username", username, "--password-stdin", "--store", "file"],
        env,
        input=password + "\n",
        in_process=True,  # set-up: the login commands have tests of their own
    )
    assert result.returncode == 0, result.stderr
    return env


@pytest.fixture
def harper(tmp_path: Path, fresh_served: ServedSandbox) -> dict[str, str]:
    return signed_in(tmp_path, fresh_served.url, "harper", "Sandbox-Harper1")


def run(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = spectrum(list(args), env)
    assert result.returncode == code, result.stderr
    return result.stdout + result.stderr


def data(env: dict[str, str], *args: str) -> dict:
    result = spectrum(["-o", "json", *args], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def advance(url: str, days: int) -> None:
    httpx.post(
        f"{url}/v1/sandbox/clock",
        headers=sandbox_headers(url),
        json={"advance_seconds": days * 86400},
    ).raise_for_status()


def card_id(env: dict[str, str]) -> str:
    return data(env, "payment-methods", "list")["data"][0]["id"]


def payments_for(env: dict[str, str], statement_id: str) -> list[dict]:
    return [
        p
        for p in data(env, "payments", "list", "--limit", "100")["data"]
        if p["statement_id"] == statement_id
    ]


def test_enabled_autopay_pays_the_statement_on_its_due_date(
    harper: dict[str, str], fresh_served: ServedSandbox
) -> None:
    bill = data(harper, "bill", "show")
    shown = run(harper, "autopay", "enable", "--method", card_id(harper), "--yes")
    assert f"Autopay is on from the statement of {bill['statement_date']}" in shown
    state = data(harper, "autopay", "show")
    assert state["status"] == "active" and state["next_charge_date"] == bill["due_date"]
    assert state["next_charge_amount_cents"] == bill["balance_cents"]

    advance(fresh_served.url, bill["days_until_due"] - 1)
    assert payments_for(harper, bill["id"]) == []  # not before the due date
    advance(fresh_served.url, 1)
    [payment] = payments_for(harper, bill["id"])
    assert payment["kind"] == "autopay" and payment["status"] == "succeeded"
    assert payment["amount_cents"] == bill["balance_cents"]
    assert data(harper, "bill", "show", bill["id"])["status"] == "paid"
    paid_again = run(harper, "bill", "pay", "--balance", "--yes")
    assert "already paid" in paid_again
    assert len(payments_for(harper, bill["id"])) == 1


def test_enrolling_inside_the_window_starts_with_the_next_statement(
    harper: dict[str, str], fresh_served: ServedSandbox
) -> None:
    bill = data(harper, "bill", "show")
    advance(fresh_served.url, bill["days_until_due"] - 1)
    said = run(harper, "autopay", "enable", "--method", card_id(harper), "--yes")
    assert f"Statement {bill['id']}" in said and "is not paid by autopay" in said
    assert "spectrum bill pay --balance" in said
    state = data(harper, "autopay", "show")
    assert state["uncovered_statement_id"] == bill["id"]
    assert state["effective_from_statement_date"] > bill["statement_date"]
    advance(fresh_served.url, 2)
    assert payments_for(harper, bill["id"]) == []
    assert data(harper, "bill", "show", bill["id"])["status"] == "past_due"


def test_a_failing_card_leaves_the_balance_due_and_raises_an_alert(
    tmp_path: Path, fresh_served: ServedSandbox
) -> None:
    casey = signed_in(tmp_path, fresh_served.url, "casey", "Sandbox-Casey1")
    bill = data(casey, "bill", "show")
    advance(fresh_served.url, bill["days_until_due"] + 1)
    [payment] = payments_for(casey, bill["id"])
    assert payment["kind"] == "autopay" and payment["status"] == "failed"
    assert payment["failure_code"] == "card_declined"
    shown = run(casey, "autopay", "show")
    assert "needs attention" in shown and "failed: The card was declined" in shown
    state = data(casey, "autopay", "show")
    [failed] = state["alerts"]
    assert failed["kind"] == "autopay_failed" and [failed["message"]] == state["warnings"]
    assert (failed["effective_on"], failed["amount_cents"]) == (
        bill["due_date"],
        bill["balance_cents"],
    )
    assert (failed["payment_id"], failed["statement_id"], failed["method_id"]) == (
        payment["id"],
        bill["id"],
        payment["method_id"],
    )
    summary = data(casey, "account", "show")
    [alert] = [a for a in summary["alerts"] if a["kind"] == "autopay_failed"]
    assert alert["effective_on"] == bill["due_date"]  # the dashboard passes the fields on
    assert summary["balance_cents"] >= bill["balance_cents"]
    assert data(casey, "bill", "show", bill["id"])["balance_cents"] == bill["balance_cents"]


def test_a_standard_user_cannot_change_autopay(tmp_path: Path, fresh_served: ServedSandbox) -> None:
    sam = signed_in(tmp_path, fresh_served.url, "sam", "Sandbox-Sam1")
    before = data(sam, "autopay", "show")
    result = spectrum(["autopay", "enable", "--method", card_id(sam), "--yes"], sam)
    assert result.returncode == 4
    assert "standard user cannot change" in result.stderr
    off = spectrum(["autopay", "disable", "--yes"], sam)  # already off: nothing is asked of it
    assert off.returncode == 0 and "Autopay is already off; nothing to do." in off.stderr
    assert data(sam, "autopay", "show") == before


def test_disabling_inside_the_window_still_pays_that_statement(
    harper: dict[str, str], fresh_served: ServedSandbox
) -> None:
    bill = data(harper, "bill", "show")
    run(harper, "autopay", "enable", "--method", card_id(harper), "--yes")
    advance(fresh_served.url, bill["days_until_due"] - 1)
    said = run(harper, "autopay", "disable", "--yes")
    assert f"which it still pays on {bill['due_date']}" in said
    state = data(harper, "autopay", "show")
    assert (
        state["enabled"] is False and state["ends_after_statement_date"] == bill["statement_date"]
    )
    advance(fresh_served.url, 1)
    [payment] = payments_for(harper, bill["id"])
    assert payment["kind"] == "autopay" and payment["status"] == "succeeded"
    advance(fresh_served.url, 25)  # the next statement is not autopaid
    nxt = data(harper, "bill", "show")
    assert nxt["id"] != bill["id"]
    advance(fresh_served.url, nxt["days_until_due"] + 1)
    assert payments_for(harper, nxt["id"]) == []


def test_a_one_time_payment_means_autopay_does_not_charge_again(
    harper: dict[str, str], fresh_served: ServedSandbox
) -> None:
    bill = data(harper, "bill", "show")
    run(harper, "autopay", "enable", "--method", card_id(harper), "--yes")
    run(harper, "bill", "pay", "--statement", "--yes")
    assert data(harper, "autopay", "show")["next_charge_amount_cents"] is None
    advance(fresh_served.url, bill["days_until_due"] + 1)
    [payment] = payments_for(harper, bill["id"])
    assert payment["kind"] == "one_time"
