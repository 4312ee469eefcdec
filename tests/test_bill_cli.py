"""`spectrum bill|payments|payment-methods` as real subprocesses against a served sandbox."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers import ServedSandbox, sandbox_headers, spectrum


@pytest.fixture
def env(harper_env: dict[str, str]) -> dict[str, str]:
    return harper_env


def payments(env: dict[str, str]) -> list[dict]:
    result = spectrum(["-o", "json", "payments", "list", "--limit", "100"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["data"]


def latest(env: dict[str, str]) -> dict:
    return json.loads(spectrum(["bill", "show", "latest", "-o", "json"], env).stdout)


def advance(url: str, days: int) -> None:
    httpx.post(
        f"{url}/v1/sandbox/clock",
        headers=sandbox_headers(url),
        json={"advance_seconds": days * 86400},
    ).raise_for_status()


def cron(home: Path, url: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "env",
            "-i",
            "PATH=/usr/bin:/bin",
            f"HOME={home}",
            f"SPECTRUM_TOKEN={token}",
            f"SPECTRUM_API_URL={url}",
            sys.executable,
            "-m",
            "spectrum_cli",
            *args,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cron_pays_each_statement_once_and_respects_the_cap(
    env: dict[str, str], fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    token = json.loads(
        spectrum(
            [
                "-o",
                "json",
                "auth",
                "token",
                "create",
                "--name",
                "cron",
                "--scope",
                "billing:read",
                "--scope",
                "payments:write",
            ],
            env,
        ).stdout
    )["token"]
    url = fresh_served.url
    env = {**env, "SPECTRUM_TOKEN": token}  # observe with the token: it outlives a session
    job = ["bill", "pay", "--balance", "--if-due-within", "5d", "--max-amount", "400", "--yes"]
    home = tmp_path / "cron-home"
    home.mkdir()

    early = cron(home, url, token, *job)  # due in 10 days: not yet
    assert early.returncode == 0, early.stderr
    assert "Nothing due within 5 day(s)" in early.stderr and payments(env)[0]["kind"] != "x"
    count = len(payments(env))

    bill = latest(env)
    advance(url, bill["days_until_due"] - 4)
    paid = cron(home, url, token, *job)
    assert paid.returncode == 0, paid.stderr
    confirmation = next(
        line.split()[-1] for line in paid.stdout.splitlines() if line.startswith("confirmation")
    )
    made = payments(env)
    assert len(made) == count + 1 and made[0]["confirmation_number"] == confirmation
    assert made[0]["amount_cents"] == bill["balance_cents"]  # the whole balance: this bill

    again = cron(home, url, token, *job)
    assert again.returncode == 0 and "already paid" in again.stderr
    advance(url, 3)
    assert cron(home, url, token, *job).returncode == 0
    assert len(payments(env)) == count + 1

    advance(url, 27)  # a month on: a new statement, due within five days
    next_bill = latest(env)
    assert next_bill["id"] != bill["id"] and next_bill["balance_cents"] > 0
    assert cron(home, url, token, *job).returncode == 0
    assert len(payments(env)) == count + 2 and latest(env)["status"] == "paid"

    advance(url, 30)
    capped = cron(
        home,
        url,
        token,
        "bill",
        "pay",
        "--balance",
        "--if-due-within",
        "5d",
        "--max-amount",
        "100",
        "--yes",
    )
    assert capped.returncode == 9
    assert "more than --max-amount $100.00" in capped.stderr
    assert len(payments(env)) == count + 2


@pytest.fixture
def pat(tmp_path: Path, fresh_served: ServedSandbox) -> dict[str, str]:
    """Signed in as pat: a past-due statement of $112.23 and an $8.95 late fee posted since."""
    from tests.helpers import isolated_env

    env = isolated_env(tmp_path / "pat", SPECTRUM_API_URL=fresh_served.url)
    login = ["login", "--username", "pat", "--password-stdin", "--store", "file"]
    assert spectrum(login, env, input="Sandbox-Pat1\n", in_process=True).returncode == 0
    bill = latest(env)
    assert (bill["status"], bill["balance_cents"]) == ("past_due", 112_23)
    assert account_balance(env) == 121_18
    return env


def account_balance(env: dict[str, str]) -> int:
    shown = spectrum(["account", "show", "-o", "json"], env)
    assert shown.returncode == 0, shown.stderr
    return int(json.loads(shown.stdout)["balance_cents"])


def test_balance_pays_everything_owed_late_fee_included_once(pat: dict[str, str]) -> None:
    count = len(payments(pat))
    paid = spectrum(["bill", "pay", "--balance", "--yes"], pat)
    assert paid.returncode == 0, paid.stderr
    assert "Paid $121.18, the account balance, with " in paid.stderr
    assert account_balance(pat) == 0 and latest(pat)["status"] == "paid"
    made = payments(pat)
    assert len(made) == count + 1 and made[0]["amount_cents"] == 121_18

    again = spectrum(["bill", "pay", "--balance", "--yes"], pat)
    assert again.returncode == 0, again.stderr
    assert "already paid; nothing to do" in again.stderr
    assert len(payments(pat)) == count + 1


def test_statement_pays_what_is_unpaid_on_it_and_balance_the_rest(pat: dict[str, str]) -> None:
    bill = latest(pat)
    paid = spectrum(["bill", "pay", "--statement", "--yes"], pat)
    assert paid.returncode == 0, paid.stderr
    assert f"Paid $112.23, what was unpaid on statement {bill['id']}, with " in paid.stderr
    assert payments(pat)[0]["statement_id"] == bill["id"]
    assert account_balance(pat) == 8_95

    named = spectrum(["bill", "pay", "--statement", bill["id"], "--yes"], pat)
    assert named.returncode == 0 and "already paid" in named.stderr
    rest = spectrum(["bill", "pay", "--balance", "--yes"], pat)
    assert rest.returncode == 0, rest.stderr
    assert "Paid $8.95, the account balance, with " in rest.stderr
    assert account_balance(pat) == 0


def test_a_balance_payment_is_refused_once_the_balance_changed(
    pat: dict[str, str], fresh_served: ServedSandbox
) -> None:
    """The amount a balance payment carries is the balance its sender read: a payment made
    in between makes it stale, and the server refuses it rather than pay on top."""
    from spectrum_cli.client import SpectrumClient

    with SpectrumClient(fresh_served.url) as client:
        client.auth.login("pat", "Sandbox-Pat1")
        read = client.payments.balance()
        assert (read.balance_cents, read.unbilled_cents, read.payable_cents) == (
            121_18,
            8_95,
            121_18,
        )
        client.payments.create(20_00)
        assert client.session is not None
        headers = {"Authorization": f"Bearer {client.session.access_token}"}

        def pay_balance(body: dict, key: str) -> httpx.Response:
            return httpx.post(
                f"{fresh_served.url}/v1/payments",
                json={"applies_to": "balance", **body},
                headers={**headers, "Idempotency-Key": key},
            )

        stale = pay_balance({"amount_cents": read.payable_cents}, "stale")
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "balance_changed"
        assert "$101.18 now, not $121.18" in stale.json()["error"]["message"]
        both = pay_balance({"amount_cents": 101_18, "statement_id": "latest"}, "both")
        assert both.status_code == 400
    assert account_balance(pat) == 101_18


def test_declined_card_is_exit_7_and_the_balance_is_unchanged(env: dict[str, str]) -> None:
    added = spectrum(
        ["-o", "json", "payment-methods", "add", "card", "--exp", "12/30", "--number-stdin"],
        env,
        input="4000 0000 0000 0002\n",
    )
    assert added.returncode == 0, added.stderr
    method = json.loads(added.stdout)["id"]
    before = latest(env)["balance_cents"]
    result = spectrum(["bill", "pay", "--amount", "25.00", "--method", method, "--yes"], env)
    assert result.returncode == 7
    assert "declined" in result.stderr and "[request req_" in result.stderr
    assert latest(env)["balance_cents"] == before
    assert payments(env)[0]["status"] == "failed"


def test_returned_bank_payment_shows_in_bill_list(
    env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    added = spectrum(
        [
            "-o",
            "json",
            "payment-methods",
            "add",
            "bank",
            "--routing",
            "110000000",
            "--number-stdin",
        ],
        env,
        input="000111111116\n",
    )
    method = json.loads(added.stdout)["id"]
    paid = spectrum(["bill", "pay", "--balance", "--method", method, "--yes"], env)
    assert paid.returncode == 0 and "settle in 2 business days" in paid.stderr
    assert latest(env)["status"] == "paid"
    advance(fresh_served.url, 4)
    listed = spectrum(["-o", "csv", "bill", "list", "--limit", "1"], env).stdout
    (row,) = csv.DictReader(io.StringIO(listed))
    assert row["status"] in ("unpaid", "past_due") and int(row["balance_cents"]) > 0
    assert payments(env)[0]["status"] == "returned"


def test_requests_per_command(env: dict[str, str]) -> None:
    def requests_made(*args: str) -> int:
        result = spectrum(["-v", *args], env)
        assert result.returncode == 0, result.stderr
        return sum(1 for line in result.stderr.splitlines() if "spectrum_cli.client: → " in line)

    assert requests_made("bill", "show") == 1
    assert requests_made("bill", "pay", "--balance", "--yes") == 2


def test_dry_run_sends_nothing_and_shows_no_secret(env: dict[str, str]) -> None:
    count = len(payments(env))
    result = spectrum(["bill", "pay", "--balance", "--dry-run", "-o", "json"], env)
    assert result.returncode == 0
    request = json.loads(result.stdout)
    assert request["method"] == "POST" and request["url"].endswith("/v1/payments")
    assert "Authorization" not in result.stdout and "Bearer" not in result.stdout
    assert json.loads(request["body"])["amount_cents"] > 0
    assert len(payments(env)) == count


def test_download_is_atomic_and_skips_identical_files(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "pdfs"
    one = spectrum(["bill", "download", "--dir", str(target)], env)
    assert one.returncode == 0, one.stderr
    files = list(target.iterdir())
    assert len(files) == 1 and files[0].read_bytes().startswith(b"%PDF")
    again = spectrum(["bill", "download", "--dir", str(target)], env)
    assert "0 saved, 1 already up to date" in again.stderr
    every = spectrum(["bill", "download", "--all", "--dir", str(target)], env)
    assert every.returncode == 0, every.stderr
    names = sorted(p.name for p in target.iterdir())
    assert len(names) == 13 and all(
        n.startswith("spectrum-statement-") and n.endswith(".pdf") for n in names
    )


def test_payments_and_methods_commands(env: dict[str, str]) -> None:
    scheduled = spectrum(
        ["bill", "pay", "--amount", "$1,000.00", "--on", "2099-01-01", "--yes"], env
    )
    assert scheduled.returncode == 2 and "at most a year ahead" in scheduled.stderr
    shown = spectrum(["-o", "json", "payment-methods", "list"], env)
    methods = json.loads(shown.stdout)["data"]
    assert methods[0]["label"] == "Visa •••• 4242"
    added = json.loads(
        spectrum(
            [
                "-o",
                "json",
                "payment-methods",
                "add",
                "card",
                "--exp",
                "01/31",
                "--default",
                "--number-stdin",
            ],
            env,
            input="5555-5555-5555-4444\n",
        ).stdout
    )
    assert added["is_default"] and added["label"] == "Mastercard •••• 4444"
    assert spectrum(["payment-methods", "default", methods[0]["id"]], env).returncode == 0
    assert spectrum(["payment-methods", "remove", added["id"]], env).returncode == 2  # no --yes
    assert spectrum(["payment-methods", "remove", added["id"], "--yes"], env).returncode == 0
    assert spectrum(["payment-methods", "remove", added["id"], "--yes"], env).returncode == 5


def test_bill_list_json_has_one_shape_with_or_without_all(env: dict[str, str]) -> None:
    page = json.loads(spectrum(["bill", "list", "--limit", "100", "-o", "json"], env).stdout)
    every = json.loads(spectrum(["bill", "list", "--all", "-o", "json"], env).stdout)
    assert set(every) == set(page) == {"data", "has_more"}
    assert every == {"data": page["data"], "has_more": False}


def test_payments_list_shows_ids_and_a_confirmation_number_finds_its_payment(
    env: dict[str, str],
) -> None:
    import datetime as dt

    now = json.loads(spectrum(["-o", "json", "sandbox", "clock", "show"], env).stdout)["now"]
    on = (dt.datetime.fromisoformat(now).date() + dt.timedelta(days=3)).isoformat()
    scheduled = spectrum(["bill", "pay", "--amount", "10.00", "--on", on, "--yes"], env)
    assert scheduled.returncode == 0, scheduled.stderr
    first = payments(env)[0]
    table = spectrum(["payments", "list"], env).stdout.splitlines()
    assert "id" in table[0].split() and first["id"] in table[2]
    rows = spectrum(["-o", "csv", "payments", "list"], env).stdout.splitlines()
    assert "id" in rows[0].split(",") and first["id"] in rows[1].split(",")
    for ref in (first["id"], first["confirmation_number"]):
        shown = spectrum(["-o", "json", "payments", "show", ref], env)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["id"] == first["id"]
    other = "SPX-" + ("ABCDEFGH" if first["confirmation_number"] != "SPX-ABCDEFGH" else "HGFEDCBA")
    assert spectrum(["payments", "show", other], env).returncode == 5
    assert spectrum(["payments", "show", "SPX-0000"], env).returncode == 2
    canceled = spectrum(["payments", "cancel", first["confirmation_number"], "--yes"], env)
    assert canceled.returncode == 0, canceled.stderr
    assert payments(env)[0]["status"] == "canceled"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["bill", "pay", "--amount", "-5", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "0", "--yes"], None, "more than $0.00"),
        (["bill", "pay", "--amount", "0.00", "--yes"], None, "more than $0.00"),
        (["bill", "pay", "--amount", "12.345", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "NaN", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "twelve", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "1,23.00", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "1e3", "--yes"], None, "is not an amount"),
        (["bill", "pay", "--amount", "99999.00", "--yes"], None, "more than the $10,000.00"),
        (
            ["bill", "pay", "--amount", "10", "--balance", "--yes"],
            None,
            "Give only one of --amount X, --balance or --statement [ID].",
        ),
        (["bill", "pay", "--yes"], None, "Give --amount X, --balance or --statement [ID]."),
        (["bill", "pay", "st_6755_202611", "--yes"], None, "goes with --statement"),
        (["bill", "pay", "--amount", "10", "--max-amount", "x", "--yes"], None, "--max-amount"),
        (["bill", "pay", "--amount", "10", "--on", "tomorrow", "--yes"], None, "is not a date"),
        (["bill", "pay", "--amount", "10", "--on", "2020-01-01", "--yes"], None, "in the past"),
        (["bill", "pay", "--balance", "--if-due-within", "soon", "--yes"], None, "not a duration"),
        (["bill", "pay", "--amount", "10"], None, "pass --yes"),
        (
            ["payment-methods", "add", "card", "--exp", "12/30", "--number-stdin"],
            "4242 4242 4242 4241\n",
            "check digit",
        ),
        (
            ["payment-methods", "add", "card", "--exp", "12/30", "--number-stdin"],
            "4242-abcd\n",
            "only digits",
        ),
        (
            ["payment-methods", "add", "card", "--exp", "12/30", "--number-stdin"],
            "4242\n",
            "12 to 19 digits",
        ),
        (
            ["payment-methods", "add", "card", "--exp", "13/30", "--number-stdin"],
            "4242424242424242\n",
            "not an expiry",
        ),
        (
            ["payment-methods", "add", "card", "--exp", "01/20", "--number-stdin"],
            "4242424242424242\n",
            "expired",
        ),
        (["payment-methods", "add", "card", "--exp", "12/30"], None, "pass --number-stdin"),
        (
            ["payment-methods", "add", "bank", "--routing", "110000001", "--number-stdin"],
            "000123456789\n",
            "ABA checksum",
        ),
        (
            ["payment-methods", "add", "bank", "--routing", "11000", "--number-stdin"],
            "000123456789\n",
            "has 9 digits",
        ),
    ],
)
def test_bad_input_is_exit_2_one_line_and_changes_nothing(
    env: dict[str, str],
    fresh_served: ServedSandbox,
    args: list[str],
    stdin: str | None,
    message: str,
) -> None:
    before = money_rows(fresh_served.db_path)
    result = spectrum(args, env, input=stdin)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert money_rows(fresh_served.db_path) == before


def money_rows(db: Path) -> list[list[tuple]]:
    """Every payment and payment method in the store, read from its file."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return [
            conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in ("payments", "payment_methods")
        ]


def test_bill_show_warns_by_alert_kind_never_by_words(tmp_path: Path) -> None:
    import datetime as dt

    from spectrum_cli.api.account import Alert
    from spectrum_cli.api.billing import Statement
    from spectrum_cli.cli.bill import _statement_notes
    from spectrum_cli.cli.context import State

    def shown(alerts: list[Alert], messages: list[str]) -> tuple[str, str]:
        day = dt.date(2026, 11, 5)
        bill = Statement(
            id="st_6755_202611",
            statement_date=day,
            due_date=day,
            period_start=day,
            period_end=day,
            previous_balance_cents=0,
            payments_received_cents=0,
            total_cents=0,
            amount_due_cents=0,
            balance_cents=0,
            status="past_due",
            days_until_due=0,
            line_items=[],
            messages=messages,
            alerts=alerts,
        )
        state = State(
            env={"SPECTRUM_CONFIG_DIR": str(tmp_path)}, stdout=io.StringIO(), stderr=io.StringIO()
        )
        notes = _statement_notes(state, bill)
        assert state.stdout.getvalue() == ""  # type: ignore[attr-defined]
        return "".join(f"\n{note}\n" for note in notes), state.stderr.getvalue()  # type: ignore[attr-defined]

    alerts = [
        Alert(kind="past_due", message="Pay $12.00 soon."),
        Alert(kind="late_fee_added", message="$8.95 was added."),
        Alert(kind="payment_returned", message="Your account is past due, says nobody."),
        Alert(
            kind="promo_ending",
            message="Words about a promotion.",
            plan_name="Spectrum TV Select",
            effective_on=dt.date(2026, 12, 1),
            price_before_cents=4999,
            price_after_cents=7999,
        ),
    ]
    out, err = shown(alerts, [a.message for a in alerts])
    assert "Warning: Pay $12.00 soon." in err and "Warning: $8.95 was added." in err
    assert "Warning: The Spectrum TV Select promotion ends 2026-12-01" in err
    assert "past due, says nobody" in out and "past due" not in err
    assert "Words about a promotion." not in out + err  # said once, from its fields
    out, err = shown([], ["Your account is past due."])  # words alone: shown, never read
    assert (out, err) == ("\nYour account is past due.\n", "")
