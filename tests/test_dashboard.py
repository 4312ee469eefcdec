"""`account show`, `usage` and `profile` against a served sandbox (real subprocesses)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import httpx
import pytest

from spectrum_cli.sandbox import usage as sandbox_usage
from tests.helpers import REPO, ServedSandbox, isolated_env, sandbox_headers, spectrum

GOLDEN = REPO / "tests" / "golden"


@pytest.fixture
def env(tmp_path: Path, fresh_served: ServedSandbox) -> dict[str, str]:
    env = isolated_env(tmp_path / "main", SPECTRUM_API_URL=fresh_served.url, COLUMNS="80")
    result = spectrum(
        ["login", "--username", "harper", "--password-stdin", "--store", "file"],
        env,
        input="Sandbox-Harper1\n",
        in_process=True,  # set-up: the login commands have tests of their own
    )
    assert result.returncode == 0, result.stderr
    return env


def as_json(env: dict[str, str], *args: str) -> dict:
    result = spectrum(["-o", "json", *args], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_account_show_is_the_whole_dashboard_in_one_request(env: dict[str, str]) -> None:
    summary = as_json(env, "account", "show")
    assert summary["account_number_masked"] == "•••• •••• •••• 6755"
    assert {s["kind"] for s in summary["services"]} == {"internet", "tv", "mobile"}
    assert len(summary["equipment"]) == 4 and summary["autopay"]["status"] == "off"
    assert summary["balance_cents"] > 0 and summary["due_date"]
    assert [a["kind"] for a in summary["alerts"]] == ["promo_ending"]
    table = spectrum(["-v", "account", "show"], env)
    assert "Advanced WiFi Router" in table.stdout and "promotion ends" in table.stderr
    requests = [line for line in table.stderr.splitlines() if "spectrum_cli.client: → " in line]
    assert len(requests) == 1 and "GET /v1/account " in requests[0]


def test_account_summary_is_one_request_through_the_client(client) -> None:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    transport = client._http._transport
    original = transport.handle_request

    def counting(request):  # type: ignore[no-untyped-def]
        sent.append(f"{request.method} {request.url.path}")
        return original(request)

    client.auth.login("harper", "Sandbox-Harper1")
    sent.clear()
    transport.handle_request = counting
    client.account.summary()
    assert sent == ["GET /v1/account"]


def test_usage_chart_matches_the_checked_in_rendering(env: dict[str, str]) -> None:
    result = spectrum(
        [
            "usage",
            "--service",
            "internet",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-21",
            "--by",
            "week",
            "--chart",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    expected = (GOLDEN / "usage_internet_harper_weekly.txt").read_text(encoding="utf-8")
    assert result.stdout == expected


def test_usage_json_is_the_sandboxs_series(env: dict[str, str]) -> None:
    report = as_json(
        env, "usage", "--service", "internet", "--from", "2026-10-01", "--to", "2026-10-10"
    )
    start = dt.date(2026, 10, 1)
    assert [d["data_mb"] for d in report["days"]] == [
        sandbox_usage.internet_data_mb("acct_6755", start + dt.timedelta(days=i)) for i in range(10)
    ]
    mobile = as_json(env, "usage", "--service", "mobile", "--days", "7")
    assert len(mobile["days"]) == 14 and {d["line_id"] for d in mobile["days"]} == {
        "line_harper",
        "line_sam",
    }
    assert mobile["estimated_charge_cents"] >= 4000
    csv_lines = spectrum(
        ["usage", "--service", "mobile", "--days", "3", "-o", "csv"], env
    ).stdout.splitlines()
    assert csv_lines[0] == "date,service,line_id,data_mb,voice_minutes"
    assert len(csv_lines) == 1 + 6 and csv_lines[1].split(",")[1:3] == ["mobile", "line_harper"]


def test_usage_chart_totals_are_the_sums_of_the_table(env: dict[str, str]) -> None:
    import re
    from collections import defaultdict

    result = spectrum(
        [
            *("usage", "--service", "mobile", "--by", "week", "--chart"),
            *("--from", "2026-06-01", "--to", "2026-11-20"),
        ],
        env,
    )
    assert result.returncode == 0, result.stderr
    chart, table = result.stdout.split("\n\n")
    charted = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^(week of \S+) .* ([\d.]+) GB$", chart, re.MULTILINE)
    }
    tenths: dict[str, int] = defaultdict(int)
    for m in re.finditer(r"^(week of \S+) +line_\w+ +(\d+)\.(\d)$", table, re.MULTILINE):
        tenths[m.group(1)] += int(m.group(2)) * 10 + int(m.group(3))
    assert len(charted) == 25 and set(tenths) == set(charted)
    assert {p: f"{t // 10}.{t % 10}" for p, t in tenths.items()} == charted


def test_usage_days_with_from_is_a_conflict(env: dict[str, str]) -> None:
    both = spectrum(["usage", "--days", "5", "--from", "2026-10-01"], env)
    assert both.returncode == 2 and "--days" in both.stderr and "--from" in both.stderr
    assert both.stdout == ""
    ending = as_json(env, "usage", "--days", "5", "--to", "2026-10-10")
    assert (ending["start"], ending["end"]) == ("2026-10-06", "2026-10-10")


def test_usage_of_a_service_the_account_lacks_is_exit_2(env: dict[str, str]) -> None:
    result = spectrum(["usage", "--service", "voice"], env)
    assert result.returncode == 2 and "no voice service" in result.stderr


def test_profile_edit_round_trip(env: dict[str, str]) -> None:
    result = spectrum(
        [
            "profile",
            "edit",
            "--add-email",
            "work@example.com",
            "--primary-email",
            "work@example.com",
            "--add-phone",
            "(555) 201-0177",
            "--street",
            "9 New Rd",
            "--unit",
            "",
            "--city",
            "Dayton",
            "--state",
            "oh",
            "--zip",
            "45402-1234",
            "--paper",
            "--notify",
            "outage:sms=on",
            "--password-stdin",
        ],
        env,
        input="Sandbox-Harper1\n",
    )
    assert result.returncode == 0, result.stderr
    profile = as_json(env, "profile", "show")
    assert [e for e in profile["emails"] if e["primary"]] == [
        {"address": "work@example.com", "primary": True}
    ]
    assert {"number": "555-201-0177", "primary": False} in profile["phones"]
    assert profile["billing_address"] == {
        "line1": "9 New Rd",
        "line2": None,
        "city": "Dayton",
        "state": "OH",
        "zip": "45402-1234",
    }
    assert profile["paperless"] is False
    assert profile["notifications"]["outage"] == {"email": True, "sms": True}


def test_a_new_street_without_a_unit_clears_the_unit(env: dict[str, str]) -> None:
    def edit(*args: str) -> dict:
        result = spectrum(
            ["profile", "edit", *args, "--password-stdin"], env, input="Sandbox-Harper1\n"
        )
        assert result.returncode == 0, result.stderr
        return as_json(env, "profile", "show")["billing_address"]

    assert edit("--city", "Columbus")["line2"] == "Apt 3B"  # the street stays, so does the unit
    moved = edit("--street", "9 New Rd", "--city", "Dayton", "--state", "OH", "--zip", "45402")
    assert moved == {
        "line1": "9 New Rd",
        "line2": None,
        "city": "Dayton",
        "state": "OH",
        "zip": "45402",
    }
    assert edit("--street", "1 Elm St", "--unit", "Unit 5")["line2"] == "Unit 5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--add-email", "not-an-email"], "is not an email address"),
        (["--add-phone", "555-0100"], "10-digit US phone number"),
        (["--state", "XX"], "XX is not a US state"),
        (["--zip", "4321"], "is not a ZIP code"),
        (["--add-email", "a@example.com", "--add-email", "b@example.com"], "at most 3 emails"),
        (["--remove-email", "nobody@example.com"], "is not one of the profile's emails"),
        (["--notify", "bill_ready:fax=on"], "channels email, sms"),
        ([], "Nothing to change"),
    ],
)
def test_profile_validation_is_exit_2_and_changes_nothing(
    env: dict[str, str], args: list[str], message: str
) -> None:
    before = as_json(env, "profile", "show")
    result = spectrum(["profile", "edit", *args], env)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert as_json(env, "profile", "show") == before


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1A", "8 to 20 characters"),
        ("alllowercase1", "upper-case"),
        ("No-Digits-Here", "digit"),
        ("Has/Slash1", "slash or a quote"),
        ("Sandbox-Harper1", "differ from the last 5"),
    ],
)
def test_weak_or_reused_password_is_exit_2(env: dict[str, str], new: str, message: str) -> None:
    result = spectrum(
        ["profile", "password", "--password-stdin"], env, input=f"Sandbox-Harper1\n{new}\n"
    )
    assert result.returncode == 2 and message in result.stderr
    assert spectrum(["auth", "status"], env).returncode == 0


def test_password_change_signs_out_other_sessions(
    env: dict[str, str], tmp_path: Path, fresh_served: ServedSandbox
) -> None:
    other = isolated_env(tmp_path / "other", SPECTRUM_API_URL=fresh_served.url)
    spectrum(
        ["login", "--username", "harper", "--password-stdin", "--store", "file"],
        other,
        input="Sandbox-Harper1\n",
    )
    wrong = spectrum(
        ["profile", "password", "--password-stdin"], env, input="Not-It-99\nFresh-Pass42\n"
    )
    assert wrong.returncode == 3 and "current password is incorrect" in wrong.stderr
    changed = spectrum(
        ["profile", "password", "--password-stdin"], env, input="Sandbox-Harper1\nFresh-Pass42\n"
    )
    assert changed.returncode == 0, changed.stderr
    assert "Signed out 1 session and revoked 0 API tokens." in changed.stdout
    assert spectrum(["auth", "status"], env).returncode == 0
    assert spectrum(["auth", "status"], other).returncode == 3


def test_two_edits_of_different_fields_at_once_both_hold(env: dict[str, str]) -> None:
    """One edit reads the profile and waits for its password; another edit changes a different
    field meanwhile; the first then meets 412, reads the profile again and applies its own
    change to it: both changes hold."""
    from tests.helpers import start_spectrum

    before = as_json(env, "profile", "show")
    first = start_spectrum(
        ["-v", "profile", "edit", "--city", "Akron", "--password-stdin"],
        env,
        stdin=subprocess.PIPE,
    )
    assert first.stderr is not None and first.stdin is not None
    read = ""
    while "← GET /v1/profile 200" not in read:  # it has read the profile: its etag is set
        line = first.stderr.readline()
        assert line, f"the edit ended early: {read}"
        read += line
    paper = "--paper" if before["paperless"] else "--paperless"
    second = spectrum(["profile", "edit", paper], env)
    assert second.returncode == 0, second.stderr
    _out, err = first.communicate("Sandbox-Harper1\n", timeout=120)
    assert first.returncode == 0, read + err
    assert "← PATCH /v1/profile 412" in err and "applying the change to it again" in err
    after = as_json(env, "profile", "show")
    assert after["billing_address"]["city"] == "Akron"
    assert after["paperless"] is not before["paperless"]


def test_two_edits_from_one_etag_one_wins_none_is_lost(
    env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    etag = as_json(env, "profile", "show")["etag"]
    first = spectrum(
        ["profile", "edit", "--if-match", etag, "--city", "Akron", "--password-stdin"],
        env,
        input="Sandbox-Harper1\n",
    )
    second = spectrum(["profile", "edit", "--if-match", etag, "--paper"], env)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 6
    assert "changed since it was read" in second.stderr
    profile = as_json(env, "profile", "show")
    assert profile["billing_address"]["city"] == "Akron" and profile["paperless"] is True
    missing = httpx.patch(
        f"{fresh_served.url}/v1/profile",
        json={"paperless": False},
        headers={"Authorization": "Bearer x"},
    )
    assert missing.status_code == 401


def test_an_outage_at_the_address_shows_in_outages_and_the_dashboard(
    env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    assert "No outages" in spectrum(["outages"], env).stderr
    raised = spectrum(
        [
            "--api-url",
            fresh_served.url,
            "sandbox",
            "outage",
            "--zip",
            "43215",
            "--service",
            "internet",
            "--restore-in",
            "2h",
        ],
        env,
    )
    assert raised.returncode == 0, raised.stderr
    elsewhere = spectrum(["sandbox", "outage", "--zip", "90210", "--service", "tv"], env)
    assert elsewhere.returncode == 0
    listed = as_json(env, "outages")["data"]
    assert [o["services"] for o in listed] == [["internet"]]
    assert "outage" in [a["kind"] for a in as_json(env, "account", "show")["alerts"]]
    httpx.post(
        f"{fresh_served.url}/v1/sandbox/clock",
        headers=sandbox_headers(fresh_served.url),
        json={"advance_seconds": 2 * 3600},
    ).raise_for_status()
    assert as_json(env, "outages")["data"] == []
