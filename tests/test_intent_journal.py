"""The intent journal: a money-moving command run again after Ctrl-C, `kill -9` or a timeout
never acts twice, a daily cron line pays each statement once, and replays say so."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from spectrum_cli.cli.output import money
from spectrum_cli.client import SpectrumClient
from spectrum_cli.journal import TTL_SECONDS, Journal, JournalError
from tests.helpers import (
    HANG_GUARD,
    ServedSandbox,
    isolated_env,
    sandbox_headers,
    spectrum,
    start_spectrum,
    wait_for,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def run(args: list[str], env: dict[str, str], input: str | None = None) -> tuple[int, str, str]:
    """`spectrum ARGS` in-process, with the exit status and stderr that `main` would give."""
    result = spectrum(args, env, input=input, in_process=True)
    return result.returncode, result.stdout, result.stderr


def token_for(url: str) -> str:
    with SpectrumClient(url) as client:
        client.auth.login("harper", "Sandbox-Harper1")
        scopes = ["account:read", "billing:read", "payments:write"]
        return client.auth.create_token("journal", scopes, 365).token


@pytest.fixture
def env(fresh_served: ServedSandbox, tmp_path: Path) -> dict[str, str]:
    return isolated_env(
        tmp_path / "home",
        SPECTRUM_API_URL=fresh_served.url,
        SPECTRUM_TOKEN=token_for(fresh_served.url),
    )


@pytest.fixture
def api(env: dict[str, str]) -> Iterator[SpectrumClient]:
    with SpectrumClient(env["SPECTRUM_API_URL"], token=env["SPECTRUM_TOKEN"]) as client:
        yield client


def journal_path(env: dict[str, str], profile: str = "default") -> Path:
    return Path(env["XDG_DATA_HOME"]) / "spectrum-cli" / "intents" / f"{profile}.json"


def paid(api: SpectrumClient, cents: int) -> list[str]:
    """Confirmation numbers of the one-time payments of ``cents`` that went through."""
    return [
        p.confirmation_number
        for p in api.payments.list(limit=100).data
        if p.amount_cents == cents and p.kind == "one_time" and p.status != "failed"
    ]


def cards_ending(api: SpectrumClient, last4: str) -> list[str]:
    return [m.id for m in api.payment_methods.list().data if m.label.endswith(last4)]


def set_delay(url: str, path: str, delay_ms: int) -> None:
    rule = {"method": "POST", "path": path, "kind": "delay", "delay_ms": delay_ms, "times": 1}
    httpx.put(
        f"{url}/v1/sandbox/faults", headers=sandbox_headers(url), json={"faults": [rule]}
    ).raise_for_status()


def faults_left(url: str) -> int:
    answer = httpx.get(f"{url}/v1/sandbox/faults", headers=sandbox_headers(url))
    return len(answer.raise_for_status().json()["data"])


def in_flight(url: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """`spectrum ARGS` started with a 1 s delay on POST /v1/payments, returned once its
    request has reached the server (and holds its key)."""
    set_delay(url, "/v1/payments", 1000)
    process = start_spectrum(args, env)
    wait_for(lambda: not faults_left(url), "the payment to reach the server")
    return process


def sandbox_today(url: str) -> dt.date:
    clock = httpx.get(f"{url}/v1/sandbox/clock", headers=sandbox_headers(url)).json()
    return dt.datetime.fromisoformat(clock["now"]).date()


def clear_faults(url: str) -> None:
    httpx.delete(f"{url}/v1/sandbox/faults", headers=sandbox_headers(url)).raise_for_status()


# The journal itself


def test_an_open_intent_gives_its_key_to_the_same_request_until_cleared_or_expired(
    tmp_path: Path,
) -> None:
    clock = Clock()
    journal = Journal(tmp_path / "intents" / "default.json", clock=clock)
    first = journal.begin("payment", "fp-a", {"amount": "$5.00"})
    assert not first.reused
    clock.now += TTL_SECONDS - 60
    again = journal.begin("payment", "fp-a", {"amount": "$5.00"})
    assert again.reused and again.idempotency_key == first.idempotency_key
    other = journal.begin("payment", "fp-b", {"amount": "$6.00"})
    assert other.idempotency_key != first.idempotency_key
    assert journal.begin("payment", "fp-a", {}, key="mine").idempotency_key == "mine"
    assert journal.begin("payment", "fp-a", {}).idempotency_key == "mine"

    journal.finish(other)
    assert [i.fingerprint for i in journal.pending()] == ["fp-a"]
    clock.now += 120  # 48 hours after the first entry; "mine" replaced it, so is younger
    assert journal.begin("payment", "fp-a", {}).idempotency_key == "mine"
    clock.now += TTL_SECONDS
    assert journal.pending() == []
    assert journal.begin("payment", "fp-a", {}).idempotency_key != "mine"


def test_the_journal_is_private_and_holds_no_card_number(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    number = "4000056655665556"
    set_delay(fresh_served.url, "/v1/payment-methods", 3000)
    timed_out = {**env, "SPECTRUM_TIMEOUT": "0.3"}
    code, _, err = run(
        ["payment-methods", "add", "card", "--exp", "08/30", "--number-stdin"],
        timed_out,
        input=number + "\n",
    )
    assert code == 8 and "outcome is unknown" in err, err
    path = journal_path(env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert number not in path.read_text() and number[:12] not in path.read_text()
    code, out, _ = run(["-o", "json", "payments", "pending"], env)
    listed = json.loads(out)
    assert code == 0 and listed["has_more"] is False
    assert [(i["operation"], i["summary"]) for i in listed["data"]] == [
        ("add method", {"method": "card ending 5556"})
    ]
    while not cards_ending(api, "5556"):
        time.sleep(0.02)  # polling: the delayed request finishes on the server
    code, _, err = run(
        ["payment-methods", "add", "card", "--exp", "08/30", "--number-stdin"],
        env,
        input=number + "\n",
    )
    assert code == 0 and "Already done earlier: added" in err, err
    assert len(cards_ending(api, "5556")) == 1
    assert json.loads(run(["-o", "json", "payments", "pending"], env)[1])["data"] == []


def test_concurrent_writers_lose_no_intent_and_share_one_key(tmp_path: Path) -> None:
    journal_file = tmp_path / "intents" / "default.json"
    keys: list[str] = []
    start = threading.Barrier(8)

    def write(worker: int) -> None:
        journal = Journal(journal_file)  # each has its own file handles, as processes do
        start.wait()
        for n in range(5):
            journal.begin("payment", f"fp-{worker}-{n}", {})
            keys.append(journal.begin("payment", "fp-shared", {}).idempotency_key)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pending = Journal(journal_file).pending()
    assert len(pending) == 8 * 5 + 1
    assert len(set(keys)) == 1


def test_a_corrupt_journal_stops_money_moving_commands_with_a_clear_line(
    env: dict[str, str], api: SpectrumClient
) -> None:
    path = journal_path(env)
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "intents": [{"operation"')
    before = len(api.payments.list(limit=100).data)
    for args in (["bill", "pay", "--amount", "1.11", "--yes"], ["payments", "pending"]):
        code, _, err = run(args, env)
        assert code == 2, err
        assert f"The intent journal {path} cannot be used" in err
        assert "Traceback" not in err and "bug" not in err
    assert len(api.payments.list(limit=100).data) == before
    with pytest.raises(JournalError):
        Journal(path).pending()


ENTRY = (
    '{"version": 1, "intents": [{"operation": "p", "fingerprint": "f", "idempotency_key": "k", '
    '"started_at": 1, "summary": {}}]}'
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[]", "it is not an intent journal"),
        ('{"version": 2, "intents": []}', "it has version 2; this version reads 1"),
        ('{"version": 1, "intents": [1]}', "an entry is not an object"),
        ('{"version": 1, "intents": [{"operation": "payment"}]}', "an entry has no valid fin"),
        (
            '{"version": 1, "intents": [{"operation": "p", "fingerprint": "f", '
            '"idempotency_key": "k", "started_at": 1, "summary": []}]}',
            "an entry's summary or body is not",
        ),
        ("\udcff", "it is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "it is not valid JSON"),
        *[
            (
                ENTRY.replace('"idempotency_key": "k"', f'"idempotency_key": {json.dumps(key)}'),
                "an entry's idempotency key is not 1 to 255 visible ASCII characters",
            )
            for key in ("", " ", "ключ", "a\r\nb", "k" * 256)
        ],
        *[
            (
                ENTRY.replace('"started_at": 1', f'"started_at": {when}'),
                "an entry has a start time out of range",
            )
            for when in ("1" + "0" * 400, "1e999", "NaN", "-Infinity", "-5")
        ],
    ],
)
def test_a_journal_it_cannot_read_is_named_with_a_plain_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "intents" / "default.json"
    path.parent.mkdir()
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(JournalError) as raised:
        Journal(path).pending()
    assert f"cannot be used ({reason}" in str(raised.value)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: os.mkfifo(p), "it is not a regular file"),
        (lambda p: p.mkdir(), "it is not a regular file"),
        (lambda p: p.with_name(".default.json.lock").mkdir(), "Is a directory"),
        (lambda p: (p.parent.rmdir(), p.parent.touch()), "Not a directory"),
    ],
)
def test_a_journal_path_that_is_not_a_file_is_named_not_hung_on(
    tmp_path: Path, damage: Callable[[Path], object], reason: str
) -> None:
    path = tmp_path / "intents" / "default.json"
    path.parent.mkdir()
    damage(path)
    with pytest.raises(JournalError) as raised:
        Journal(path).pending()
    assert f"cannot be used ({reason})" in str(raised.value)


def test_lock_files_are_private_even_when_an_older_one_was_not(tmp_path: Path) -> None:
    from spectrum_cli.fsutil import exclusive_lock

    old = tmp_path / "config" / ".refresh-default.lock"
    old.parent.mkdir()
    old.touch(mode=0o644)
    old.chmod(0o644)
    for lock in (old, tmp_path / "new" / "x.lock"):
        with exclusive_lock(lock):
            assert stat.S_IMODE(lock.stat().st_mode) == 0o600


# The commands


@pytest.mark.parametrize("key", ["", "  "])
def test_an_empty_idempotency_key_is_exit_2_and_pays_nothing(
    env: dict[str, str], api: SpectrumClient, key: str
) -> None:
    code, _, err = run(["bill", "pay", "--amount", "1.01", "--yes", "--idempotency-key", key], env)
    assert code == 2 and "--idempotency-key cannot be empty" in err
    assert paid(api, 101) == []


def test_a_replay_is_reported_as_done_earlier_with_the_same_output(
    env: dict[str, str], api: SpectrumClient
) -> None:
    args = ["bill", "pay", "--amount", "1.02", "--yes", "--idempotency-key", "k-1", "-o", "json"]
    code, first, err = run(args, env)
    assert code == 0 and "Paid $1.02 with " in err
    code, second, err = run(args, env)
    confirmation = json.loads(first)["confirmation_number"]
    assert code == 0 and f"Already done earlier: confirmation {confirmation}" in err
    assert "Paid $" not in err and json.loads(second) == json.loads(first)
    assert paid(api, 102) == [confirmation]


def test_a_refused_payment_clears_its_intent(env: dict[str, str]) -> None:
    code, _, _ = run(["bill", "pay", "--amount", "1.03", "--method", "pm_nope", "--yes"], env)
    assert code in (2, 5)
    assert json.loads(run(["-o", "json", "payments", "pending"], env)[1])["data"] == []


def test_a_timed_out_payment_is_pending_and_the_rerun_pays_once(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    set_delay(fresh_served.url, "/v1/payments", 3000)
    args = ["bill", "pay", "--amount", "1.57", "--yes"]
    code, _, err = run(args, {**env, "SPECTRUM_TIMEOUT": "0.3"})
    assert code == 8, err
    assert "Running the same command again is safe" in err
    listed = json.loads(run(["-o", "json", "payments", "pending"], env)[1])["data"]
    assert [(i["operation"], i["summary"]) for i in listed] == [
        ("payment", {"amount": "$1.57", "method": "default"})
    ]
    while not paid(api, 157):
        time.sleep(0.02)  # polling: the delayed request finishes on the server
    code, _, err = run(args, env)
    assert code == 0 and "Already done earlier: confirmation SPX-" in err, err
    assert len(paid(api, 157)) == 1
    assert json.loads(run(["-o", "json", "payments", "pending"], env)[1])["data"] == []


def test_a_daily_cron_line_pays_each_statement_once_over_90_days(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    url = fresh_served.url
    job = ["bill", "pay", "--amount", "50", "--if-due-within", "5d", "--yes"]
    before = len(paid(api, 5000))
    paid_for: list[str] = []
    replayed_for: list[str] = []
    guarded: set[str] = set()
    for _ in range(90):
        httpx.post(
            f"{url}/v1/sandbox/clock", headers=sandbox_headers(url), json={"advance_seconds": 86400}
        ).raise_for_status()
        statement = api.statements.get("latest")
        code, _, err = run(job, env)
        assert code == 0, err
        if "Nothing due" in err or "already paid" in err:
            continue
        guarded.add(statement.id)
        if "Already done earlier: confirmation SPX-" in err:
            replayed_for.append(statement.id)
        else:
            assert "Paid $50.00 with " in err, err
            paid_for.append(statement.id)
    assert len(paid_for) == len(set(paid_for)) == len(guarded) >= 3
    assert set(replayed_for) == guarded and len(replayed_for) > len(guarded)
    assert len(paid(api, 5000)) - before == len(guarded)


# Interrupts


def interrupt_and_rerun(
    env: dict[str, str],
    url: str,
    api: SpectrumClient,
    how: signal.Signals,
    runs: int,
    seed: int,
) -> dict[str, int]:
    """Start `bill pay`, stop it with ``how`` at a random point, run the same command again:
    each run pays its own amount exactly once. Unguarded runs are stopped before their answer
    can arrive (a finished unguarded payment is a payment asked for twice); guarded runs
    (`--if-due-within`) at any point."""
    rng = random.Random(seed)
    seen = {"before the request": 0, "in flight": 0, "finished": 0, "replayed": 0}
    for n in range(runs):
        cents = 200 + seed * 100 + n
        guarded = n % 2 == 1
        args = ["bill", "pay", "--amount", f"{cents / 100:.2f}", "--yes"]
        args += ["--if-due-within", "60d"] if guarded else []
        set_delay(url, "/v1/payments", 200)
        process = start_spectrum(args, env)
        if rng.random() < 0.3:
            pause = rng.uniform(0.0, 0.6)  # a random point in start-up
        else:
            while faults_left(url) and process.poll() is None:
                time.sleep(0.02)  # polling: the request reached the server, holding its key
            pause = rng.uniform(0.0, 0.4 if guarded else 0.15)  # a random point after that
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=pause)
        process.send_signal(how)
        _, first_err = process.communicate()
        clear_faults(url)
        open_intents = Journal(journal_path(env)).pending()
        earlier = paid(api, cents)
        if earlier and not open_intents and not guarded:
            seen["finished"] += 1  # it ended before the signal: not a rerun case
            assert len(earlier) == 1
            continue
        if how is signal.SIGINT and process.returncode == 130 and open_intents:
            assert "outcome is unknown" in first_err, first_err
            assert "Running the same command again is safe" in first_err
        seen["in flight" if open_intents else "before the request"] += 1
        code, _, err = run(args, env)
        assert code == 0, err
        assert ("Paid $" in err) != ("Already done earlier: confirmation SPX-" in err), err
        if earlier:
            assert "Already done earlier" in err, err
        seen["replayed"] += "Already done earlier" in err
        assert len(paid(api, cents)) == 1, (n, first_err, err)
        assert Journal(journal_path(env)).pending() == []
    return seen


def test_ctrl_c_of_bill_pay_at_random_points_never_pays_twice(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    seen = interrupt_and_rerun(env, fresh_served.url, api, signal.SIGINT, runs=26, seed=1)
    assert seen["in flight"] >= 3 and seen["replayed"] >= 3, seen


def test_kill_9_of_bill_pay_at_random_points_never_pays_twice(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    seen = interrupt_and_rerun(env, fresh_served.url, api, signal.SIGKILL, runs=26, seed=2)
    assert seen["in flight"] >= 3 and seen["replayed"] >= 3, seen


def test_an_empty_statement_id_is_exit_2_and_pays_nothing(
    env: dict[str, str], api: SpectrumClient
) -> None:
    code, _, err = run(["bill", "pay", "--statement", "", "--yes"], env)
    assert code == 2 and "A statement id is needed, not an empty string" in err, err
    assert "Paid" not in err


def test_an_interrupted_balance_payment_that_went_through_is_named_by_the_rerun(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    """The rerun cannot learn it from the balance (nothing is owed any more): it sends the
    earlier request again, and the server's replay names the payment."""
    owed = api.payments.balance().payable_cents
    assert owed > 0
    before = paid(api, owed)  # the seeded history may hold a payment of the same amount
    args = ["bill", "pay", "--balance", "--yes"]
    process = in_flight(fresh_served.url, args, env)
    process.send_signal(signal.SIGINT)
    _, first_err = process.communicate()
    assert process.returncode == 130 and "outcome is unknown" in first_err, first_err

    def made() -> list[str]:
        return [c for c in paid(api, owed) if c not in before]

    confirmation = wait_for(made, "the payment to finish on the server")
    code, _, err = run(args, env)
    assert code == 0, err
    assert f"Already done earlier: confirmation {confirmation[0]}, {money(owed)}, the acc" in err
    assert "nothing to do" not in err and made() == confirmation
    assert Journal(journal_path(env)).pending() == []
    code, _, err = run(args, env)  # and now the balance is what answers
    assert code == 0 and "The account balance is already paid; nothing to do." in err, err


def test_a_run_started_while_another_sends_the_same_payment_says_so(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    args = ["bill", "pay", "--amount", "1.31", "--yes"]
    first = in_flight(fresh_served.url, args, env)
    code, _, err = run(args, env)
    assert "Another run is sending this payment right now: waiting for it" in err, err
    assert "did not finish" not in err
    assert first.wait() == 0 and code == 0, err
    assert "Already done earlier: confirmation SPX-" in err, err  # its answer, not exit 8
    assert len(paid(api, 131)) == 1


def test_canceling_a_canceled_payment_asks_nothing_and_takes_lower_case(
    env: dict[str, str], api: SpectrumClient
) -> None:
    today = sandbox_today(env["SPECTRUM_API_URL"])
    payment = api.payments.create(104, scheduled_for=today + dt.timedelta(days=5))
    lower = payment.confirmation_number.lower()
    code, _, err = run(["payments", "cancel", lower, "--yes"], env)
    assert code == 0 and f"Payment {payment.confirmation_number} is canceled" in err, err
    code, _, err = run(["payments", "cancel", lower], env)  # no --yes, no terminal: no question
    assert code == 0, err
    assert f"Payment {payment.confirmation_number} is already canceled; nothing to do." in err


def test_sigterm_during_a_payment_says_so_and_the_rerun_names_it(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    args = ["bill", "pay", "--amount", "1.43", "--yes"]
    process = in_flight(fresh_served.url, args, env)
    process.terminate()  # what `timeout` and supervisors send
    _, err = process.communicate()
    assert process.returncode == 143, err
    assert "Terminated while the payment was being sent: its outcome is unknown." in err
    assert "Running the same command again is safe" in err
    wait_for(lambda: paid(api, 143), "the payment to finish on the server")
    code, _, err = run(args, env)
    assert code == 0 and "Already done earlier: confirmation SPX-" in err, err
    assert len(paid(api, 143)) == 1


def test_a_guarded_line_pays_once_whichever_way_the_default_card_is_named_or_changed(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    default = next(m.id for m in api.payment_methods.list().data if m.is_default)
    job = ["bill", "pay", "--amount", "1.44", "--if-due-within", "60d", "--yes"]
    code, _, err = run(job, env)
    assert code == 0 and "Paid $1.44 with " in err, err
    code, _, err = run([*job, "--method", default], env)
    assert code == 0 and "Already done earlier: confirmation SPX-" in err, err
    api.payment_methods.add_card("5555555555554444", 8, 2031, make_default=True)  # a new card
    code, _, err = run(job, env)
    assert code == 0 and "Already done earlier: confirmation SPX-" in err, err
    assert len(paid(api, 144)) == 1


def test_a_guarded_amount_is_not_paid_when_scheduled_payments_cover_the_bill(
    env: dict[str, str], api: SpectrumClient
) -> None:
    on = (sandbox_today(env["SPECTRUM_API_URL"]) + dt.timedelta(days=3)).isoformat()
    code, _, err = run(["bill", "pay", "--statement", "--on", on, "--yes"], env)
    assert code == 0 and "Scheduled $" in err, err
    code, _, err = run(["bill", "pay", "--amount", "1.45", "--if-due-within", "60d", "--yes"], env)
    assert code == 0, err
    assert "already covered by" in err and "of scheduled payments; nothing to do." in err, err
    assert paid(api, 145) == []


def test_a_payment_scheduled_after_the_due_date_does_not_stop_a_guarded_amount(
    env: dict[str, str], api: SpectrumClient
) -> None:
    bill = api.statements.get("latest")
    late = (bill.due_date + dt.timedelta(days=3)).isoformat()
    code, _, err = run(["bill", "pay", "--statement", "--on", late, "--yes"], env)
    assert code == 0 and "Scheduled $" in err, err
    code, _, err = run(["bill", "pay", "--amount", "1.47", "--if-due-within", "60d", "--yes"], env)
    assert code == 0 and "Paid $1.47 with " in err, err
    assert f"is dated after statement {bill.id} is due ({bill.due_date}): a late fee" in err
    assert len(paid(api, 147)) == 1


def test_a_kept_request_that_does_not_match_is_never_sent(
    env: dict[str, str], fresh_served: ServedSandbox, api: SpectrumClient
) -> None:
    """Someone who can write the journal plants a smaller amount under the same entry: the
    rerun sees the request no longer matches its fingerprint, and pays nothing it was not
    asked to."""
    args = ["bill", "pay", "--balance", "--yes"]
    process = in_flight(fresh_served.url, args, env)
    process.kill()
    process.communicate()
    path = journal_path(env)
    data = json.loads(path.read_text())
    data["intents"][0]["body"]["amount_cents"] = 1000
    path.write_text(json.dumps(data))
    code, _, err = run(args, env)
    assert code == 0, err
    assert paid(api, 1000) == [] and "$10.00" not in err


def test_ctrl_d_at_a_question_is_no_and_at_a_card_prompt_a_clear_error(
    env: dict[str, str], api: SpectrumClient
) -> None:
    import os

    def answer_eof(args: list[str], prompt: str) -> tuple[int | None, str]:
        controller, terminal = os.openpty()
        try:
            # The terminal is its controlling one, as in a shell: getpass reads /dev/tty.
            process = start_spectrum(args, env, stdin=terminal, preexec_fn=_own_terminal)
            assert process.stderr is not None
            asked = ""
            while prompt not in asked:  # the question is out: input is read from here on
                chunk = os.read(process.stderr.fileno(), 4096).decode()
                assert chunk, f"ended without asking: {asked}"
                asked += chunk
            os.write(controller, b"\x04")  # Ctrl-D on an empty line: end of input
            _, err = process.communicate(timeout=HANG_GUARD)
        finally:
            os.close(terminal)
            os.close(controller)
        return process.returncode, asked + err

    code, err = answer_eof(["bill", "pay", "--amount", "1.46"], "[y/N]")
    assert code == 0 and "Canceled; nothing was changed." in err, err
    assert "Aborted" not in err and paid(api, 146) == []
    code, err = answer_eof(["payment-methods", "add", "card", "--exp", "08/30"], "Card number:")
    assert code == 2 and "Error: No card number was given (end of input)." in err, err
    assert "bug" not in err


def _own_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is its stdin."""
    import fcntl
    import os
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
