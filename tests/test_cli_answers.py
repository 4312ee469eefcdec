"""What the CLI answers in ordinary situations: exit statuses, notices, wording, tokens."""

from __future__ import annotations

import datetime as dt
import json

from tests import test_cli_inprocess as inprocess

cli, memory_keyring = inprocess.cli, inprocess.memory_keyring  # fixtures shared with that module

HARPER = "Sandbox-Harper1\n"


def _login(cli, username: str = "harper", password: str = HARPER):  # type: ignore[no-untyped-def]
    result = cli("login", "--username", username, "--password-stdin", input=password)
    assert result.exit_code == 0, result.stderr
    return result


def test_a_missing_method_is_not_found_and_repeating_a_done_change_is_nothing_to_do(cli) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    missing = cli("bill", "pay", "--amount", "10", "--method", "pm_nope", "--yes")
    assert missing.exit_code == 5 and "No payment method pm_nope" in missing.stderr

    now = json.loads(cli("sandbox", "clock", "show", "-o", "json").stdout)["now"]
    later = (dt.date.fromisoformat(now[:10]) + dt.timedelta(days=3)).isoformat()
    paid = cli("bill", "pay", "--amount", "10", "--on", later, "--yes", "-o", "json")
    payment_id = json.loads(paid.stdout)["id"]
    first = cli("payments", "cancel", payment_id, "--yes")
    again = cli("payments", "cancel", payment_id, "--yes", "-o", "json")
    assert first.exit_code == 0, first.stderr
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "canceled"
    assert f"Payment {payment_id} is canceled" in again.stderr

    ticket = json.loads(
        cli(
            "support",
            "ticket",
            "create",
            "--subject",
            "Hi",
            "--category",
            "billing",
            "-o",
            "json",
            input="A question.\n",
        ).stdout
    )
    for _ in range(2):
        closed = cli("support", "ticket", "close", ticket["id"], "--yes")
        assert closed.exit_code == 0, closed.stderr
        assert f"Ticket {ticket['id']} is closed." in closed.stderr
