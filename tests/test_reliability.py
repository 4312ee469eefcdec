"""Reliability: injected faults, concurrency, crashes (kill -9), and a dead server's keys."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import tomllib
from pathlib import Path

import httpx

from scripts.fault_campaign import run_campaign
from spectrum_cli.client import SpectrumClient
from tests.helpers import (
    HANG_GUARD,
    ServedSandbox,
    copy_store,
    isolated_env,
    run_killed_at,
    run_together,
    sandbox_headers,
    serve_sandbox,
    spectrum,
    start_spectrum,
    wait_for,
)


def scoped_token(url: str, *scopes: str) -> str:
    with SpectrumClient(url) as client:
        client.auth.login("harper", "Sandbox-Harper1")
        return client.auth.create_token("test", list(scopes), 30).token


def test_fault_campaign_never_pays_twice_and_never_loses_a_payment(
    fresh_served: ServedSandbox,
) -> None:
    token = scoped_token(fresh_served.url, "billing:read", "payments:write")
    counts = run_campaign(
        fresh_served.url, token, attempts=16, seed=11, sandbox_key=fresh_served.admin_key
    )
    assert counts["duplicates"] == 0 and counts["lost"] == 0
    assert counts["succeeded"] >= 8


def test_twenty_simultaneous_balance_payments_pay_once(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    token = scoped_token(fresh_served.url, "billing:read", "payments:write")
    env = isolated_env(tmp_path, SPECTRUM_API_URL=fresh_served.url, SPECTRUM_TOKEN=token)

    def payments() -> list[dict]:
        listed = spectrum(["-o", "json", "payments", "list", "--limit", "100"], env)
        return json.loads(listed.stdout)["data"]

    before = payments()
    results = run_together(["bill", "pay", "--balance", "--yes"], env, 20)
    assert [code for code, _ in results] == [0] * 20, results
    assert sum("Paid $" in err for _, err in results) == 1
    # The others share one profile: each finds the balance paid, or the first run's open
    # intent and its answer ("Already done earlier").
    nothing = "The account balance is already paid; nothing to do."
    assert sum((nothing in err) != ("Already done earlier" in err) for _, err in results) == 19
    assert len(payments()) == len(before) + 1
    statement = json.loads(spectrum(["bill", "show", "-o", "json"], env).stdout)
    assert statement["status"] == "paid"


def test_simultaneous_profile_edits_lose_no_field(harper_env: dict[str, str]) -> None:
    # A signed-in session: contact and address changes are not for API tokens.
    env = harper_env

    def notify(*events: str) -> list[str]:
        return [
            arg
            for event in events
            for channel in ("email", "sms")
            for arg in ("--notify", f"{event}:{channel}={'off' if channel == 'email' else 'on'}")
        ]

    # Eight processes, each owning different fields, some of them in one object (the
    # notifications, the address) or one list (the phones).
    edits = [
        notify("bill_ready", "payment_received"),
        notify("autopay_reminder", "outage"),
        ["--paper"],
        ["--city", "Akron", "--state", "oh", "--zip", "44308"],
        ["--street", "1 Main St", "--unit", "Unit 9"],
        ["--add-email", "third@example.com"],
        ["--add-phone", "555-201-0101"],
        ["--add-phone", "555-201-0102"],
    ]
    codes: list[int] = []

    def until_done(args: list[str]) -> None:
        for _ in range(60):  # re-run on "changed since it was read", as the CLI says to
            result = spectrum(  # a hang guard only: eight at once are slow on a busy core
                ["profile", "edit", *args, "--password-stdin"],
                env,
                input="Sandbox-Harper1\n",
                timeout=HANG_GUARD,
            )
            codes.append(result.returncode)
            if result.returncode != 6:
                return

    threads = [threading.Thread(target=until_done, args=(a,)) for a in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(codes) <= {0, 6} and codes.count(0) == len(edits)
    profile = json.loads(spectrum(["-o", "json", "profile", "show"], env).stdout)
    assert all(p == {"email": False, "sms": True} for p in profile["notifications"].values())
    assert profile["paperless"] is False
    assert profile["billing_address"]["city"] == "Akron"
    assert profile["billing_address"]["line1"] == "1 Main St"
    assert profile["billing_address"]["line2"] == "Unit 9"
    assert profile["billing_address"]["zip"] == "44308"
    assert "third@example.com" in [e["address"] for e in profile["emails"]]
    assert {"555-201-0101", "555-201-0102"} <= {p["number"] for p in profile["phones"]}


def test_kill_9_during_download_all_leaves_only_whole_pdfs(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    token = scoped_token(fresh_served.url, "billing:read")
    env = isolated_env(tmp_path, SPECTRUM_API_URL=fresh_served.url, SPECTRUM_TOKEN=token)
    target = tmp_path / "pdfs"
    process = start_spectrum(
        ["bill", "download", "--all", "--dir", str(target)],
        env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(
        lambda: target.exists() and any(target.glob("*.pdf")),
        "the first PDF",
        unless=lambda: process.poll() is not None,
    )
    process.send_signal(signal.SIGKILL)
    process.wait()
    files = list(target.iterdir())
    assert files and all(f.suffix == ".pdf" and not f.name.startswith(".") for f in files)
    for pdf in files:
        assert len(PdfReader(pdf).pages) >= 1
    again = spectrum(["bill", "download", "--all", "--dir", str(target)], env)
    assert again.returncode == 0 and len(list(target.iterdir())) == 13


def _left_in(folder: Path, *names: str) -> set[str]:
    """What a killed writer of ``folder/name`` (of each of ``names``) left, its abandoned
    temporary files named as one: the next write removes those."""
    if not folder.exists():  # killed before making the folder
        return set()
    temp = re.compile(rf"\.({'|'.join(re.escape(name) for name in names)})\..+\.tmp")
    return {"<temp>" if temp.fullmatch(p.name) else p.name for p in folder.iterdir()}


def test_kill_9_at_every_step_of_config_set_never_corrupts_the_config(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    config = Path(env["SPECTRUM_CONFIG_DIR"]) / "config.toml"
    held = None  # the username the file holds
    for step in itertools.count():
        run = run_killed_at(step, tmp_path, ["config", "set", "username", f"user{step}"], env)
        if run.returncode == 0:
            assert "finished after" in run.stderr and step > 5, run.stderr
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        if config.exists():  # whole, and the old version or the new one
            now = tomllib.loads(config.read_text())["profiles"]["default"]["username"]
            assert now in (held, f"user{step}"), (step, now, held)
            held = now
        assert _left_in(config.parent, "config.toml") <= {"config.toml", "<temp>"}
    assert config.read_text() and held is not None  # some kill came after the rename
    assert spectrum(["config", "set", "username", "final"], env).returncode == 0
    assert _left_in(config.parent, "config.toml") == {"config.toml"}
    assert spectrum(["config", "get", "username"], env).stdout == "final\n"


def test_kill_9_at_every_step_of_login_leaves_a_usable_credential_store(
    fresh_served: ServedSandbox, tmp_path: Path
) -> None:
    env = isolated_env(tmp_path, SPECTRUM_API_URL=fresh_served.url)
    store = Path(env["SPECTRUM_CONFIG_DIR"]) / "credentials.json"
    config = store.parent / "config.toml"
    login = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
    checked: set[tuple[frozenset[str], bool]] = set()
    for step in itertools.count():
        run = run_killed_at(step, tmp_path, login, env, input="Sandbox-Harper1\n")
        if run.returncode == 0:
            assert "finished after" in run.stderr and step > 3, run.stderr
            break
        assert run.returncode == -signal.SIGKILL, run.stderr
        if store.exists():
            assert "harper" in json.dumps(json.loads(store.read_text()))
        if config.exists():  # a signed-in profile is added to the config, whole
            assert tomllib.loads(config.read_text())["profiles"]["default"]["api_url"]
        left = _left_in(store.parent, "credentials.json", "config.toml")
        assert left <= {"credentials.json", "config.toml", "<temp>"}
        if (frozenset(left), store.parent.exists()) not in checked:  # each kind of leftover once
            checked.add((frozenset(left), store.parent.exists()))
            status = spectrum(["auth", "status"], env)
            assert status.returncode in (0, 3) and "Traceback" not in status.stderr
    assert spectrum(["auth", "status"], env).returncode == 0
    assert _left_in(store.parent, "credentials.json", "config.toml") == {
        "credentials.json",
        "config.toml",
    }


def test_kill_9_of_the_sandbox_loses_no_confirmed_payment(
    template_store: Path, tmp_path: Path
) -> None:
    store = copy_store(template_store, tmp_path / "sandbox.db")
    sandbox = serve_sandbox(store)
    token = scoped_token(sandbox.url, "billing:read", "payments:write")
    confirmed: list[str] = []
    stop = threading.Event()

    def pay_forever(url: str) -> None:
        with SpectrumClient(url, token=token, max_retries=0, timeout=60) as client:
            while not stop.is_set():
                try:
                    confirmed.append(client.payments.create(1).confirmation_number)
                except Exception:
                    return

    worker = threading.Thread(target=pay_forever, args=(sandbox.url,))
    worker.start()
    wait_for(lambda: len(confirmed) >= 15, "15 payments", unless=lambda: not worker.is_alive())
    assert len(confirmed) >= 15, "the payments stopped before the kill"
    os.kill(sandbox.process.pid, signal.SIGKILL)
    sandbox.process.wait()
    stop.set()
    worker.join()
    restarted = serve_sandbox(store)
    try:
        with SpectrumClient(restarted.url, token=token) as client:
            saved = {p.confirmation_number for p in client.payments.list(limit=100).data}
        assert set(confirmed) <= saved
    finally:
        restarted.stop()


def test_a_key_left_running_by_a_dead_server_is_retried_at_once_and_pays_once(
    template_store: Path, tmp_path: Path
) -> None:
    store = copy_store(template_store, tmp_path / "sandbox.db")
    sandbox = serve_sandbox(store)
    token = scoped_token(sandbox.url, "billing:read", "payments:write")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "crash-key-1"}
    httpx.put(
        f"{sandbox.url}/v1/sandbox/faults",
        headers=sandbox_headers(sandbox.url),
        json={
            "faults": [
                {"method": "POST", "path": "/v1/payments", "kind": "delay", "delay_ms": 30_000}
            ]
        },
    )

    def doomed() -> None:
        try:
            httpx.post(
                f"{sandbox.url}/v1/payments", json={"amount_cents": 7}, headers=headers, timeout=60
            )
        except httpx.HTTPError:
            pass

    thread = threading.Thread(target=doomed)
    thread.start()
    wait_for(  # the delay rule is used up once the request holds the key
        lambda: (
            not httpx.get(
                f"{sandbox.url}/v1/sandbox/faults", headers=sandbox_headers(sandbox.url)
            ).json()["data"]
        ),
        "the delayed request to hold its key",
    )
    os.kill(sandbox.process.pid, signal.SIGKILL)
    sandbox.process.wait()
    thread.join()
    restarted = serve_sandbox(store)
    try:
        url = restarted.url
        # The server that ran the key is gone: the retry runs now, not a minute later.
        first = httpx.post(f"{url}/v1/payments", json={"amount_cents": 7}, headers=headers)
        assert first.status_code == 201, first.text
        # Even if the idempotency record is lost too, the payment remembers its key.
        conn = sqlite3.connect(store)
        conn.execute("DELETE FROM idempotency_keys")
        conn.commit()
        conn.close()
        second = httpx.post(f"{url}/v1/payments", json={"amount_cents": 7}, headers=headers)
        assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
        other = httpx.post(f"{url}/v1/payments", json={"amount_cents": 8}, headers=headers)
        assert other.status_code == 409
        payments = httpx.get(f"{url}/v1/payments", headers={"Authorization": f"Bearer {token}"})
        assert [p["amount_cents"] for p in payments.json()["data"]].count(7) == 1
    finally:
        restarted.stop()


def test_random_command_lines_never_print_a_traceback(tmp_path: Path) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from typer.testing import CliRunner

    from spectrum_cli.cli.main import app

    words = [
        "bill",
        "pay",
        "show",
        "list",
        "--amount",
        "-1",
        "1e9",
        "--balance",
        "--on",
        "x",
        "--max-amount",
        "abc",
        "auth",
        "token",
        "create",
        "--scope",
        "nope",
        "profile",
        "edit",
        "--zip",
        "1",
        "usage",
        "--days",
        "0",
        "--from",
        "2026-13-01",
        "-o",
        "yaml",
        "config",
        "set",
        "output",
        "csv",
        "sandbox",
        "clock",
        "advance",
        "-5d",
        "--yes",
        "support",
        "faq",
        "",
        "\x00",
        "🔶",
        "--",
        "-v",
        "--api-url",
        "ftp://x",
    ]
    runner = CliRunner()
    env = {
        "SPECTRUM_CONFIG_DIR": str(tmp_path / "c"),
        "XDG_DATA_HOME": str(tmp_path / "d"),
        "SPECTRUM_API_URL": "http://127.0.0.1:9",
    }

    @settings(max_examples=80, deadline=None, database=None, derandomize=True)
    @given(st.lists(st.sampled_from(words), max_size=7))
    def fuzz(argv: list[str]) -> None:
        result = runner.invoke(app, argv, env=env)
        # An exception escaping the error table would surface here instead of a status.
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            argv,
            repr(result.exception),
        )
        assert result.exit_code in (0, 2, 3, 4, 5, 6, 7, 8, 9), (argv, result.output)
        assert "Traceback" not in result.output, (argv, result.output)

    fuzz()


def test_a_short_concurrent_load_has_no_errors(fresh_served: ServedSandbox) -> None:
    import asyncio

    from scripts.load import run

    token = scoped_token(fresh_served.url, "account:read", "billing:read", "payments:write")
    stats = asyncio.run(run(fresh_served.url, token, seconds=3, connections=8))
    samples = [ok for route in stats.values() for _, ok in route]
    assert len(samples) > 20 and all(samples)


def test_concurrent_commands_share_one_session_refresh(
    harper_env: dict[str, str], fresh_served: ServedSandbox
) -> None:
    """The access token has expired and twelve commands start at once: one refreshes, the
    others use the session it stored. Without coordination the second refresh would look
    like a stolen refresh token and sign everyone out."""
    httpx.post(
        f"{fresh_served.url}/v1/sandbox/clock",
        headers=sandbox_headers(fresh_served.url),
        json={"advance_seconds": 16 * 60},
    ).raise_for_status()
    results = run_together(["auth", "status"], harper_env, 12)
    assert [code for code, _ in results] == [0] * 12, results
    assert spectrum(["auth", "status"], harper_env).returncode == 0


def test_a_write_removes_a_dead_writers_temp_file_but_not_a_live_ones(tmp_path: Path) -> None:
    import fcntl

    from spectrum_cli.fsutil import write_atomic

    target = tmp_path / "config.toml"
    dead, live = tmp_path / ".config.toml.dead.tmp", tmp_path / ".config.toml.live.tmp"
    dead.write_text("half")
    live.write_text("being written")
    with open(live) as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a writer still running holds its file
        write_atomic(target, b"x = 1\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, target.name]
    write_atomic(target, b"x = 2\n")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert target.read_text() == "x = 2\n"
