"""Idempotency-Key semantics, proven against a served sandbox: a replay returns the first
answer, the same key with another body is 409 idempotency_key_reused, and a key whose first
request is still running is 409 idempotency_key_in_use."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from spectrum_cli.api.sandbox import FaultRule
from spectrum_cli.client import ConflictError, SpectrumClient
from tests.helpers import (
    ServedSandbox,
    copy_store,
    isolated_env,
    sandbox_headers,
    serve_sandbox,
    spectrum,
)

HOLD_MS = 60_000  # longer than any test waits: the held request ends when its server is killed


def _session(url: str) -> dict[str, str]:
    r = httpx.post(f"{url}/v1/auth/login", json={"username": "pat", "password": "Sandbox-Pat1"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['session']['access_token']}"}


def _recover(url: str, headers: dict[str, str], body: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/v1/recovery/password", json=body, headers=headers)


def _outbox_count(url: str) -> int:
    return len(
        httpx.get(
            f"{url}/v1/sandbox/outbox", headers=sandbox_headers(url), params={"limit": 100}
        ).json()["data"]
    )


def test_replay_returns_the_first_answer_and_acts_once(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = _recover(url, key, {"username": "pat"})
    second = _recover(url, key, {"username": "pat"})
    assert first.status_code == second.status_code == 202
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert _outbox_count(url) == 1, "the reset code was sent once"


def test_same_key_with_another_body_is_409(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert _recover(url, key, {"username": "pat"}).status_code == 202
    clash = _recover(url, key, {"username": "harper"})
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "idempotency_key_reused"
    assert _outbox_count(url) == 1


def test_keys_are_scoped_to_the_caller(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    key = str(uuid.uuid4())
    pat = {**_session(url), "Idempotency-Key": key}
    logout = httpx.post(f"{url}/v1/auth/logout", headers=pat)
    assert logout.status_code == 204
    # Another caller with the same key gets its own fresh execution, not pat's replay.
    anonymous = _recover(url, {"Idempotency-Key": key}, {"username": "pat"})
    assert anonymous.status_code == 202 and "Idempotent-Replayed" not in anonymous.headers


def test_a_key_still_running_is_409_in_use_then_replays(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    faults = SpectrumClient(url, sandbox_key=fresh_served.admin_key)
    faults.sandbox.set_faults(
        [FaultRule(method="POST", path="/v1/recovery/password", kind="delay", delay_ms=1500)]
    )
    key = {"Idempotency-Key": str(uuid.uuid4())}
    results: dict[str, httpx.Response] = {}

    def slow() -> None:
        results["first"] = _recover(url, key, {"username": "pat"})

    thread = threading.Thread(target=slow)
    thread.start()
    # The delay rule is used up once the first request holds the key and sits in the handler.
    for _ in range(200):
        if not faults.sandbox.faults().data:
            break
    second = _recover(url, key, {"username": "pat"})
    thread.join()
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "idempotency_key_in_use"
    assert second.headers["Retry-After"] == "1"
    third = _recover(url, key, {"username": "pat"})
    assert third.status_code == 202 and third.content == results["first"].content
    assert _outbox_count(url) == 1


def test_concurrent_requests_with_one_key_have_one_effect(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    key = str(uuid.uuid4())
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def fire() -> None:
        with SpectrumClient(url, max_retries=5, sleep=lambda s: None) as c:
            barrier.wait()
            response = c.request(
                "POST",
                "/v1/recovery/password",
                json={"username": "pat"},
                idempotency_key=key,
                authenticated=False,
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [202] * 8
    assert _outbox_count(url) == 1


def test_money_moving_post_without_a_key_is_refused(fresh_served: ServedSandbox) -> None:
    url = fresh_served.url
    response = httpx.post(f"{url}/v1/payments", json={"amount_cents": 100}, headers=_session(url))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_fingerprints_are_keyed_so_a_body_cannot_be_guessed_from_them(
    fresh_served: ServedSandbox,
) -> None:
    import hashlib
    import sqlite3

    url = fresh_served.url
    body = b'{"username": "pat"}'
    response = httpx.post(
        f"{url}/v1/recovery/password",
        content=body,
        headers={"Idempotency-Key": "fp-1", "Content-Type": "application/json"},
    )
    assert response.status_code == 202
    plain = hashlib.sha256(b"\0".join([b"POST", b"/v1/recovery/password", b"", body])).hexdigest()
    conn = sqlite3.connect(fresh_served.db_path)
    stored = conn.execute("SELECT fingerprint FROM idempotency_keys WHERE key = 'fp-1'").fetchone()
    conn.close()
    assert stored is not None and stored[0] != plain and len(stored[0]) == 64


@contextmanager
def own_sandbox(template_store: Path, tmp_path: Path) -> Iterator[ServedSandbox]:
    """A served sandbox of the test's own, killed (-9) at the end with whatever it still runs."""
    sandbox = serve_sandbox(copy_store(template_store, tmp_path / "sandbox.db"))
    try:
        yield sandbox
    finally:
        if sandbox.process.poll() is None:
            os.kill(sandbox.process.pid, signal.SIGKILL)
        sandbox.process.wait()


def hold_a_key(sandbox: ServedSandbox, path: str, send: Callable[[], object]) -> None:
    """Run ``send`` (a POST to ``path``) in the background and return once its request holds
    its Idempotency-Key: the delay rule is used up inside the idempotency layer."""
    faults = SpectrumClient(sandbox.url, sandbox_key=sandbox.admin_key)
    faults.sandbox.set_faults([FaultRule(method="POST", path=path, kind="delay", delay_ms=HOLD_MS)])

    def quietly() -> None:
        try:
            send()
        except Exception:
            pass  # the server is killed under it

    threading.Thread(target=quietly, daemon=True).start()
    deadline = time.monotonic() + 60
    while faults.sandbox.faults().data:
        assert time.monotonic() < deadline, "the held request never reached its handler"
        time.sleep(0.01)


def _token(url: str) -> str:
    with SpectrumClient(url) as client:
        client.auth.login("harper", "Sandbox-Harper1")
        return client.auth.create_token("test", ["billing:read", "payments:write"], 30).token


def test_the_cli_reports_a_key_still_running_as_in_progress_exit_8(
    template_store: Path, tmp_path: Path
) -> None:
    with own_sandbox(template_store, tmp_path) as sandbox:
        token = _token(sandbox.url)
        key = str(uuid.uuid4())
        payer = SpectrumClient(sandbox.url, token=token, max_retries=0, timeout=HOLD_MS)
        hold_a_key(sandbox, "/v1/payments", lambda: payer.payments.create(7, idempotency_key=key))
        env = isolated_env(tmp_path / "home", SPECTRUM_API_URL=sandbox.url, SPECTRUM_TOKEN=token)
        result = spectrum(
            ["bill", "pay", "--amount", "0.07", "--idempotency-key", key, "--yes"], env
        )
        assert result.returncode == 8, result.stderr
        error, hint = result.stderr.splitlines()[-2:]
        assert (
            error
            == "Error: The payment is still in progress on the server: its outcome is unknown."
        )
        assert "Running the same command again is safe" in hint


def test_advancing_the_sandbox_clock_never_abandons_a_running_key(
    template_store: Path, tmp_path: Path
) -> None:
    with own_sandbox(template_store, tmp_path) as sandbox:
        url = sandbox.url
        headers = {**_session(url), "Idempotency-Key": str(uuid.uuid4())}
        ticket = {"subject": "No signal", "category": "technical", "body": "Since Tuesday."}

        def post(timeout: float = 5) -> httpx.Response:
            return httpx.post(
                f"{url}/v1/support/tickets", json=ticket, headers=headers, timeout=timeout
            )

        hold_a_key(sandbox, "/v1/support/tickets", lambda: post(timeout=HOLD_MS))
        httpx.post(
            f"{url}/v1/sandbox/clock", headers=sandbox_headers(url), json={"advance_seconds": 61}
        ).raise_for_status()
        again = post()
        assert again.status_code == 409, again.text
        assert again.json()["error"]["code"] == "idempotency_key_in_use"
        listed = httpx.get(f"{url}/v1/support/tickets", headers=_session(url)).json()["data"]
        assert "No signal" not in [t["subject"] for t in listed]


def test_a_key_whose_outcome_could_not_be_recorded_is_not_stuck(
    client: SpectrumClient, store_path: Path
) -> None:
    """A full disk at the end of a request: the key is released, not left running."""
    store = sqlite3.connect(store_path)
    for event in ("UPDATE", "DELETE"):
        store.execute(
            f"CREATE TRIGGER disk_full_{event.lower()} BEFORE {event} ON idempotency_keys "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    store.commit()
    client.auth.login("harper", "Sandbox-Harper1")
    key = str(uuid.uuid4())
    first = client.payments.create(7, idempotency_key=key)
    for event in ("update", "delete"):  # space is freed
        store.execute(f"DROP TRIGGER disk_full_{event}")
    store.commit()
    store.close()
    again = client.payments.create(7, idempotency_key=key)
    assert again.id == first.id  # the payment remembers its key: paid once


def test_a_command_whose_first_attempt_still_runs_exits_8_in_progress(
    template_store: Path, tmp_path: Path
) -> None:
    """The first attempt times out in a slow handler; the client's retries (same key) find it
    still running, and the CLI says so: transient, exit 8."""
    with own_sandbox(template_store, tmp_path) as sandbox:
        env = isolated_env(tmp_path / "home", SPECTRUM_API_URL=sandbox.url)
        login = ["login", "--username", "pat", "--password-stdin", "--store", "file"]
        assert spectrum(login, env, input="Sandbox-Pat1\n").returncode == 0
        faults = SpectrumClient(sandbox.url, sandbox_key=sandbox.admin_key)
        faults.sandbox.set_faults(
            [FaultRule(method="POST", path="/v1/support/tickets", kind="delay", delay_ms=HOLD_MS)]
        )
        result = spectrum(
            ["support", "ticket", "create", "--subject", "No signal", "--category", "technical"],
            {**env, "SPECTRUM_TIMEOUT": "3"},
            input="Since Tuesday.\n",
        )
        assert result.returncode == 8, result.stderr
        error, hint = result.stderr.splitlines()[-2:]
        assert error.startswith("Error: An earlier request") and "still in progress" in error
        assert hint == "Hint: Run the same command again shortly; it will not act twice."


def _lose_the_idempotency_records(store_path: Path) -> None:
    """As if the server died after the payment but before its answer was recorded."""
    store = sqlite3.connect(store_path)
    store.execute("DELETE FROM idempotency_keys")
    store.commit()
    store.close()


def _refused_as_reused(send: Callable[[], object]) -> None:
    try:
        send()
    except ConflictError as refused:
        assert refused.code == "idempotency_key_reused", refused.code
    else:
        raise AssertionError("another request under a paid key was not refused")


def test_a_lost_record_and_another_method_is_409_and_the_same_request_replays(
    client: SpectrumClient, store_path: Path
) -> None:
    client.auth.login("harper", "Sandbox-Harper1")
    other = client.payment_methods.add_card("5555555555554444", 3, 2031)
    day = client.sandbox.clock().now.date() + dt.timedelta(days=3)
    key = str(uuid.uuid4())
    first = client.payments.create(7, scheduled_for=day, idempotency_key=key)
    _lose_the_idempotency_records(store_path)
    _refused_as_reused(
        lambda: client.payments.create(
            7, method_id=other.id, scheduled_for=day, idempotency_key=key
        )
    )
    again = client.payments.create(7, scheduled_for=day, idempotency_key=key)
    assert again.id == first.id and again.method_id == first.method_id != other.id


def test_a_lost_record_and_another_date_is_409_and_the_same_request_replays(
    client: SpectrumClient, store_path: Path
) -> None:
    client.auth.login("harper", "Sandbox-Harper1")
    day = client.sandbox.clock().now.date() + dt.timedelta(days=3)
    key = str(uuid.uuid4())
    first = client.payments.create(7, scheduled_for=day, idempotency_key=key)
    _lose_the_idempotency_records(store_path)
    later = day + dt.timedelta(days=1)
    _refused_as_reused(lambda: client.payments.create(7, scheduled_for=later, idempotency_key=key))
    _refused_as_reused(lambda: client.payments.create(7, idempotency_key=key))  # now, not then
    again = client.payments.create(7, scheduled_for=day, idempotency_key=key)
    assert again.id == first.id and again.scheduled_for == day
    assert [p.id for p in client.payments.list().data].count(first.id) == 1


def test_a_lost_record_of_a_payment_without_a_fingerprint_keeps_comparing_amounts(
    client: SpectrumClient, store_path: Path
) -> None:
    """A payment made before payments remembered their request: amount and statement decide."""
    client.auth.login("harper", "Sandbox-Harper1")
    day = client.sandbox.clock().now.date() + dt.timedelta(days=3)
    key = str(uuid.uuid4())
    first = client.payments.create(7, scheduled_for=day, idempotency_key=key)
    _lose_the_idempotency_records(store_path)
    store = sqlite3.connect(store_path)
    store.execute("UPDATE payments SET request_fingerprint = NULL WHERE id = ?", (first.id,))
    store.commit()
    store.close()
    assert client.payments.create(7, scheduled_for=day, idempotency_key=key).id == first.id
    _lose_the_idempotency_records(store_path)
    _refused_as_reused(lambda: client.payments.create(8, scheduled_for=day, idempotency_key=key))
