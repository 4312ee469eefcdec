"""What the CLI answers in ordinary situations: exit statuses, notices, wording, tokens."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests import test_cli_inprocess as inprocess

# fixtures shared with that module
cli, memory_keyring, no_keyring = inprocess.cli, inprocess.memory_keyring, inprocess.no_keyring

HARPER = "Sandbox-Harper1\n"


def _login(cli, username: str = "harper", password: str = HARPER):  # type: ignore[no-untyped-def]
    result = cli("login", "--username", username, "--password-stdin", input=password)
    assert result.exit_code == 0, result.stderr
    return result


def test_a_missing_method_is_not_found_and_repeating_a_done_change_is_nothing_to_do(cli) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    missing = cli("bill", "pay", "--amount", "10", "--method", "pm_nope", "--yes")
    assert missing.exit_code == 5 and "No payment method pm_nope" in missing.stderr

    now = json.loads(cli("-o", "json", "sandbox", "clock", "show").stdout)["now"]
    later = (dt.date.fromisoformat(now[:10]) + dt.timedelta(days=3)).isoformat()
    paid = cli("bill", "pay", "--amount", "10", "--on", later, "--yes", "-o", "json")
    payment_id = json.loads(paid.stdout)["id"]
    first = cli("payments", "cancel", payment_id, "--yes")
    again = cli("-o", "json", "payments", "cancel", payment_id, "--yes")
    assert first.exit_code == 0, first.stderr
    assert again.exit_code == 0, again.stderr
    nothing = json.loads(again.stdout)
    assert nothing["result"] == "nothing_to_do" and nothing["payment"]["status"] == "canceled"
    assert nothing["reason"] == f"Payment {payment_id} is already canceled; nothing to do."
    people = cli("payments", "cancel", payment_id, "--yes")
    assert people.exit_code == 0 and people.stdout == ""
    assert f"Payment {payment_id} is already canceled; nothing to do." in people.stderr

    ticket = json.loads(
        cli(
            "-o",
            "json",
            "support",
            "ticket",
            "create",
            "--subject",
            "Hi",
            "--category",
            "billing",
            input="A question.\n",
        ).stdout
    )
    closed = cli("support", "ticket", "close", ticket["id"], "--yes")
    assert closed.exit_code == 0, closed.stderr
    assert f"Ticket {ticket['id']} is closed." in closed.stderr
    again = cli("-o", "json", "support", "ticket", "close", ticket["id"])  # no --yes: no question
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["result"] == "nothing_to_do"
    assert json.loads(again.stdout)["ticket"]["status"] == "closed"
    off = cli("-o", "json", "autopay", "disable")  # off already: nothing to ask
    assert off.exit_code == 0, off.stderr
    assert json.loads(off.stdout)["reason"] == "Autopay is already off; nothing to do."
    assert json.loads(off.stdout)["autopay"]["enabled"] is False


def _token(cli, *scopes: str, days: int = 90) -> str:  # type: ignore[no-untyped-def]
    args = [a for s in scopes for a in ("--scope", s)]
    created = cli(
        "-o",
        "json",
        "auth",
        "token",
        "create",
        "--name",
        "cron",
        *args,
        "--expires-in-days",
        str(days),
    )
    assert created.exit_code == 0, created.stderr
    return json.loads(created.stdout)["token"]


def test_an_env_token_warns_in_its_last_14_days_and_its_expiry_names_the_fix(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    token = _token(cli, "account:read", days=20)
    expires = json.loads(cli("-o", "json", "auth", "token", "list").stdout)["data"][0]
    expiry_date = expires["expires_at"][:10]
    monkeypatch.setenv("SPECTRUM_TOKEN", token)
    early = cli("account", "show")
    assert early.exit_code == 0 and "SPECTRUM_TOKEN" not in early.stderr

    assert cli("sandbox", "clock", "advance", "7d").exit_code == 0  # 13 days left
    for args in (["account", "show"], ["-q", "account", "show", "-o", "json"]):
        warned = cli(*args)
        assert warned.exit_code == 0, warned.stderr
        assert (
            f"Warning: The API token in SPECTRUM_TOKEN expires on {expiry_date} (in 13 days)"
            in warned.stderr
        )
        assert "spectrum auth token create" in warned.stderr
    doctor = json.loads(cli("doctor", "-o", "json").stdout)["data"]
    credentials = next(c for c in doctor if c["name"] == "credentials")
    assert f"expires on {expiry_date} (13 days left)" in credentials["detail"]

    assert cli("sandbox", "clock", "advance", "14d").exit_code == 0
    expired = cli("account", "show")
    assert expired.exit_code == 3
    assert f"Error: The API token expired on {expiry_date}." in expired.stderr
    assert "spectrum auth token create" in expired.stderr
    assert "spectrum login" not in expired.stderr


def test_a_revoked_env_token_says_so_and_names_the_fix(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    token = _token(cli, "account:read")
    token_id = json.loads(cli("-o", "json", "auth", "token", "list").stdout)["data"][0]["id"]
    assert cli("auth", "token", "revoke", token_id, "--yes").exit_code == 0
    monkeypatch.setenv("SPECTRUM_TOKEN", token)
    revoked = cli("account", "show")
    assert revoked.exit_code == 3
    assert "The API token was revoked." in revoked.stderr
    assert "spectrum auth token create" in revoked.stderr and "spectrum login" not in revoked.stderr


def test_a_403_says_whether_the_scope_or_the_role_is_missing(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _login(cli, "sam", "Sandbox-Sam1\n")
    method = json.loads(cli("-o", "json", "payment-methods", "list").stdout)["data"][0]["id"]
    role = cli("autopay", "enable", "--method", method, "--yes")
    assert role.exit_code == 4
    assert "head of household" in role.stderr and "scope" not in role.stderr
    monkeypatch.setenv("SPECTRUM_TOKEN", _token(cli, "account:read"))
    scope = cli("autopay", "enable", "--method", method, "--yes")  # may not even read it
    assert scope.exit_code == 4
    assert "lacks the autopay:write scope" in scope.stderr
    assert "--scope" in scope.stderr and "standard user" not in scope.stderr


def test_token_revoke_asks_on_a_terminal_and_needs_yes_elsewhere(cli) -> None:  # type: ignore[no-untyped-def]
    import os

    import pexpect

    from tests.helpers import REPO, SPECTRUM

    _login(cli)
    _token(cli, "account:read")
    token_id = json.loads(cli("-o", "json", "auth", "token", "list").stdout)["data"][0]["id"]
    refused = cli("auth", "token", "revoke", token_id)
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr
    assert [t["id"] for t in json.loads(cli("-o", "json", "auth", "token", "list").stdout)["data"]]

    # The same profile in a real terminal (the file store, which a child process can read).
    cli("logout")
    cli("login", "--username", "harper", "--password-stdin", "--store", "file", input=HARPER)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for answer, said in (("n", "Canceled; nothing was changed."), ("y", "is revoked.")):
        child = pexpect.spawn(
            SPECTRUM[0],
            [*SPECTRUM[1:], "auth", "token", "revoke", token_id],
            env=env,
            cwd=str(REPO),
            encoding="utf-8",
            timeout=60,
        )
        child.expect(rf"Revoke API token {token_id}\?")
        child.sendline(answer)
        child.expect(said)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    assert json.loads(cli("-o", "json", "auth", "token", "list").stdout)["data"] == []
    again = cli("auth", "token", "revoke", token_id, "--yes")  # nothing to do
    assert again.exit_code == 0 and f"API token {token_id} is revoked." in again.stderr


def test_doctor_passes_a_working_unlisted_profile_and_runs_local_checks_when_offline(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    monkeypatch.setenv("SPECTRUM_TOKEN", _token(cli, "account:read"))
    result = cli("-p", "work", "doctor", "-o", "json")
    assert result.exit_code == 0, result.stdout
    checks = {c["name"]: c for c in json.loads(result.stdout)["data"]}
    assert checks["config"]["ok"] and "'work' (not in the file" in checks["config"]["detail"]
    assert (
        checks["credentials"]["ok"] and "harper via environment" in checks["credentials"]["detail"]
    )
    passing = [c for c in checks.values() if c["ok"]]
    assert passing and all(c["status"] == 0 and c["fix"] == "" for c in passing)

    offline = cli("--api-url", "http://127.0.0.1:9", "doctor", "-o", "json")
    assert offline.exit_code == 8
    checks = {c["name"]: c for c in json.loads(offline.stdout)["data"]}
    assert not checks["api"]["ok"] and checks["api"]["status"] == 8
    assert {"clock", "keyring", "credentials"} <= set(checks)
    assert "not compared" in checks["clock"]["detail"]
    assert "found via environment (not verified" in checks["credentials"]["detail"]


def test_login_notices_come_after_success_and_a_set_token_is_pointed_out(
    cli, no_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    failed = cli("login", "--username", "harper", "--password-stdin", input="Wrong-Pass-99\n")
    assert failed.exit_code == 3
    assert "No OS keyring here" not in failed.stderr
    assert not (cli.config_dir / "credentials.json").exists()

    done = _login(cli)
    notice = done.stderr.index("No OS keyring here")
    assert notice < done.stderr.index("Signed in as harper")
    assert "SPECTRUM_TOKEN" not in done.stderr

    monkeypatch.setenv("SPECTRUM_TOKEN", _token(cli, "account:read"))
    sam = cli("login", "--username", "sam", "--password-stdin", input="Sandbox-Sam1\n")
    assert sam.exit_code == 0, sam.stderr
    assert "Signed in as sam" in sam.stderr
    assert "Warning: SPECTRUM_TOKEN is set" in sam.stderr and "not sam" in sam.stderr


def test_profile_edit_accepts_the_etag_without_its_quotes(cli) -> None:  # type: ignore[no-untyped-def]
    _login(cli)
    etag = json.loads(cli("-o", "json", "profile", "show").stdout)["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    bare = etag.strip('"')
    edited = cli("profile", "edit", "--if-match", bare, "--paper")
    assert edited.exit_code == 0, edited.stderr
    stale = cli("profile", "edit", "--if-match", bare, "--paperless")
    assert stale.exit_code == 6 and "changed since it was read" in stale.stderr
    fresh = json.loads(cli("-o", "json", "profile", "show").stdout)["etag"]
    assert cli("profile", "edit", "--if-match", fresh, "--paperless").exit_code == 0


def test_messages_read_as_english(client, cli) -> None:  # type: ignore[no-untyped-def]
    from spectrum_cli.client import ConflictError

    client.auth.login("harper", "Sandbox-Harper1")
    summary = client.account.summary()
    client.sandbox.raise_outage(summary.service_address.zip, ["internet", "tv"])
    alerts = [a.message for a in client.account.summary().alerts if a.kind == "outage"]
    assert alerts and alerts[0].startswith("Internet and TV outage at your address")
    answer = client.support.say(client.support.start_chat().id, "is my internet down?")
    assert "there is an Internet and TV outage at your address" in answer.data[-1].body

    paid = client.payments.create(1000)
    assert paid.status == "succeeded"
    with pytest.raises(ConflictError) as done:
        client.payments.cancel(paid.id)
    assert f"Payment {paid.id} has already been made;" in done.value.message

    two = cli("recover", "username", "--email", "a@example.com", "--phone", "6145550100")
    assert two.exit_code == 2
    assert "Give only one of --email, --phone or --account" in two.stderr
    none = cli("recover", "username")
    assert none.exit_code == 2 and "Give one of --email" in none.stderr
    reset = cli("recover", "password", "--username", "harper")
    assert reset.exit_code == 2
    assert "The reset code and the new password are needed" in reset.stderr
