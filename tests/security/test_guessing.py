"""Guessing: the sign-in lockout under concurrency, one-time codes and code requests, where
recovery messages go, what a password change signs out, and what a copy of the store gives
away."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from spectrum_cli.client import AuthenticationError, SpectrumClient
from tests.helpers import ServedSandbox

HARPER = ("harper", "Sandbox-Harper1")
WRONG = "Wrong-Pass1"


def _burst(url: str, path: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    """POST every body at once: one thread and one open connection each, released together."""
    barrier = threading.Barrier(len(bodies))
    answers: list[Any] = [None] * len(bodies)

    def post(i: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            http.get("/v1/auth/whoami")  # open the connection before the race (a 401)
            barrier.wait()
            answers[i] = http.post(path, json=bodies[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a is not None for a in answers)
    return answers


def _outcomes(answers: list[httpx.Response]) -> list[str]:
    return [
        "session" if a.status_code == 200 else f"{a.status_code} {a.json()['error']['code']}"
        for a in answers
    ]


def _post(client: SpectrumClient, path: str, body: dict[str, str]) -> httpx.Response:
    return client._http.post(path, json=body)


def _without_request_id(response: httpx.Response) -> dict[str, Any]:
    error = dict(response.json()["error"])
    error.pop("request_id")
    return error


def _store_bytes(store_path: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in store_path.parent.glob(f"{store_path.name}*") if p.is_file()
    )


# --- sign-in lockout ----------------------------------------------------------------------


@pytest.mark.parametrize("username", ["harper", "no-such-user"])
def test_concurrent_wrong_guesses_check_at_most_five_passwords(
    fresh_served: ServedSandbox, username: str
) -> None:
    answers = _burst(
        fresh_served.url, "/v1/auth/login", [{"username": username, "password": WRONG}] * 30
    )
    outcomes = _outcomes(answers)
    # Each invalid_credentials answer is a password that was checked; the rest were refused
    # before the hash. An unknown username is counted exactly like a known one.
    assert outcomes.count("401 invalid_credentials") == 5, outcomes
    # Refused before the hash: locked, or (while the five ran) asked to retry.
    assert set(outcomes) - {"401 invalid_credentials"} <= {"401 account_locked", "429 rate_limit"}
    locked = [a for a in answers if a.json()["error"]["code"] == "account_locked"]
    assert len({a.text.replace(a.headers["X-Request-Id"], "") for a in locked}) <= 1


def test_a_right_password_racing_a_lock_gets_no_session(fresh_served: ServedSandbox) -> None:
    login = f"{fresh_served.url}/v1/auth/login"
    for _ in range(4):
        assert httpx.post(login, json={"username": "harper", "password": WRONG}).status_code == 401
    bodies = [{"username": "harper", "password": WRONG}] * 29 + [
        {"username": "harper", "password": HARPER[1]}
    ]
    outcomes = _outcomes(_burst(fresh_served.url, "/v1/auth/login", bodies))
    # Only the fifth attempt was checked; whichever guess took it, every other was refused,
    # the right password included.
    checked = [o for o in outcomes if o not in ("401 account_locked", "429 rate_limit")]
    assert len(checked) == 1, outcomes
    after = httpx.post(login, json={"username": "harper", "password": HARPER[1]})
    if "session" in outcomes:  # the right one took the last try: it signed in, no lock
        assert after.status_code == 200
    else:  # a wrong one took it: the lock stands its 15 minutes, even for the right password
        assert after.status_code == 401 and after.json()["error"]["code"] == "account_locked"


def test_concurrent_right_passwords_never_lock(fresh_served: ServedSandbox) -> None:
    """Five cron jobs signing in at once are not an attack."""
    bodies = [{"username": "harper", "password": HARPER[1]}] * 12
    outcomes = _outcomes(_burst(fresh_served.url, "/v1/auth/login", bodies))
    # At most five run at once; the rest are asked to retry (the client does), never locked.
    assert set(outcomes) <= {"session", "429 rate_limit"}, outcomes
    assert outcomes.count("session") >= 5, outcomes
    after = httpx.post(
        f"{fresh_served.url}/v1/auth/login", json={"username": "harper", "password": HARPER[1]}
    )
    assert after.status_code == 200, after.text


def test_password_hashes_run_a_few_at_a_time() -> None:
    from spectrum_cli.sandbox import security

    stored = security.hash_password("Sandbox-Harper1")
    gate = security.SCRYPT_GATE
    gate.peak = 0
    barrier = threading.Barrier(12)
    results: list[bool] = []

    def verify() -> None:
        barrier.wait()
        results.append(security.verify_password("Sandbox-Harper1", stored))

    threads = [threading.Thread(target=verify) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 12
    assert 1 <= gate.peak <= security.SCRYPT_SLOTS <= 4
    assert gate.running == 0


def test_the_lockout_table_keeps_no_typed_username(
    client: SpectrumClient, store_path: Path
) -> None:
    with pytest.raises(AuthenticationError):
        client.auth.login("Hunter2-Secret", WRONG)
    with pytest.raises(AuthenticationError):
        client.auth.login("harper", WRONG)
    assert b"Hunter2-Secret" not in _store_bytes(store_path)
    # Rows leave once their window has passed.
    client.sandbox.advance_clock(15 * 60 + 1)
    with pytest.raises(AuthenticationError):
        client.auth.login("sam", WRONG)
    conn = sqlite3.connect(store_path)
    rows = conn.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0]
    conn.close()
    assert rows == 1


# --- one-time codes -------------------------------------------------------------------------


def _reset_code(client: SpectrumClient, to: str) -> str:
    code = client.sandbox.outbox(to=to).data[0].code
    assert code is not None
    return code


def _other(code: str, k: int = 1) -> str:
    return f"{(int(code) + k) % 1_000_000:06d}"


def test_a_new_reset_code_kills_the_older_one(client: SpectrumClient) -> None:
    client.recovery.request_password_reset("pat")
    first = _reset_code(client, "pat@example.org")
    client.recovery.request_password_reset("pat")
    second = _reset_code(client, "pat@example.org")
    for k in range(1, 6):  # use up the new code's tries
        assert _confirm(client, "pat", _other(second, k)).status_code == 400
    old = _confirm(client, "pat", first)
    assert old.status_code == 400 and old.json()["error"]["code"] == "invalid_code"


def test_a_new_sign_in_code_kills_the_older_one(client: SpectrumClient) -> None:
    first = client.auth.login("morgan", "Sandbox-Morgan1").challenge
    first_code = _reset_code(client, "(555) 201-0199")
    second = client.auth.login("morgan", "Sandbox-Morgan1").challenge
    assert first is not None and second is not None
    with pytest.raises(AuthenticationError) as old:
        client.auth.verify_code(first.challenge_id, first_code)
    assert old.value.code == "challenge_expired"
    second_code = _reset_code(client, "(555) 201-0199")
    assert client.auth.verify_code(second.challenge_id, second_code).username == "morgan"


def test_the_sixth_code_request_in_an_hour_is_refused_alike_for_unknown_users(
    client: SpectrumClient,
) -> None:
    refused = {}
    for username in ("harper", "no-such-user"):
        for _ in range(5):
            assert _post(client, "/v1/recovery/password", {"username": username}).status_code == 202
        refused[username] = _post(client, "/v1/recovery/password", {"username": username})
    known, unknown = refused["harper"], refused["no-such-user"]
    assert known.status_code == unknown.status_code == 429
    assert _without_request_id(known) == _without_request_id(unknown)
    assert known.json()["error"]["type"] == "rate_limit"
    for answer in (known, unknown):
        assert 0 < int(answer.headers["Retry-After"]) <= 3600
    # The victim got five messages, not six.
    assert len(client.sandbox.outbox(to="harper@example.com").data) == 5
    # An hour later the window has moved on.
    client.sandbox.advance_clock(3600)
    assert _post(client, "/v1/recovery/password", {"username": "harper"}).status_code == 202


def test_code_requests_are_limited_per_client(client: SpectrumClient) -> None:
    from spectrum_cli.sandbox.throttle import CLIENT_CODE_REQUESTS

    for i in range(CLIENT_CODE_REQUESTS):
        answer = _post(client, "/v1/recovery/password", {"username": f"someone-{i}"})
        assert answer.status_code == 202
    refused = _post(client, "/v1/recovery/password", {"username": "harper"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.sandbox.outbox(to="harper@example.com").data == []


def test_wrong_reset_codes_are_limited_per_challenge_and_per_user(
    client: SpectrumClient,
) -> None:
    client.recovery.request_password_reset("pat")
    code = _reset_code(client, "pat@example.org")
    for k in range(1, 6):
        assert _confirm(client, "pat", _other(code, k)).status_code == 400
    # Five wrong codes end the challenge, even for its right code (a sixth wrong try).
    assert _confirm(client, "pat", code).status_code == 400
    client.recovery.request_password_reset("pat")
    code = _reset_code(client, "pat@example.org")
    for k in range(1, 5):
        assert _confirm(client, "pat", _other(code, k)).status_code == 400
    # Ten wrong tries in the hour: the live second challenge is refused, right code or not.
    known = _confirm(client, "pat", code)
    assert known.status_code == 429 and "Retry-After" in known.headers
    assert known.json()["error"]["type"] == "rate_limit"
    # An unknown username runs into the same wall after the same number of wrong codes.
    for k in range(10):
        assert _confirm(client, "no-such-user", f"{k:06d}").status_code == 400
    unknown = _confirm(client, "no-such-user", "999999")
    assert unknown.status_code == 429
    assert _without_request_id(known) == _without_request_id(unknown)


def _confirm(client: SpectrumClient, username: str, code: str) -> httpx.Response:
    """One confirm request, without the client's retries."""
    return _post(
        client,
        "/v1/recovery/password/confirm",
        {"username": username, "code": code, "new_password": "Brand-New7"},
    )


def test_wrong_sign_in_codes_are_limited_per_user_across_challenges(
    client: SpectrumClient,
) -> None:
    for _ in range(2):
        challenge = client.auth.login("morgan", "Sandbox-Morgan1").challenge
        assert challenge is not None
        code = _reset_code(client, "(555) 201-0199")
        for k in range(1, 6):
            with pytest.raises(AuthenticationError) as wrong:
                client.auth.verify_code(challenge.challenge_id, _other(code, k))
            assert wrong.value.code == "invalid_code"
        with pytest.raises(AuthenticationError) as dead:
            client.auth.verify_code(challenge.challenge_id, code)
        assert dead.value.code == "challenge_expired"
    challenge = client.auth.login("morgan", "Sandbox-Morgan1").challenge
    assert challenge is not None
    code = _reset_code(client, "(555) 201-0199")
    response = _post(client, "/v1/auth/mfa", {"challenge_id": challenge.challenge_id, "code": code})
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert response.json()["error"]["type"] == "rate_limit"


def test_codes_at_rest_cannot_be_reversed_without_the_key_file(
    client: SpectrumClient, store_path: Path, tmp_path: Path
) -> None:
    client.recovery.request_password_reset("harper")
    code = _reset_code(client, "harper@example.com")
    copy = tmp_path / "stolen" / "sandbox.db"
    copy.parent.mkdir()
    for part in store_path.parent.glob(f"{store_path.name}*"):
        if part.is_file() and not part.name.endswith(".keys"):
            shutil.copyfile(part, copy.parent / part.name.replace(store_path.name, copy.name))
    conn = sqlite3.connect(copy)
    challenge_id, stored = conn.execute(
        "SELECT id, code_hash FROM challenges WHERE purpose = 'password_reset'"
    ).fetchone()
    conn.close()
    found = [
        guess
        for guess in (f"{n:06d}" for n in range(1_000_000))
        if stored
        in (
            hashlib.sha256(guess.encode()).hexdigest(),
            hashlib.sha256(f"{challenge_id}:{guess}".encode()).hexdigest(),
        )
    ]
    assert found == [], "the stored hash gives the code back"
    assert stored != hashlib.sha256(code.encode()).hexdigest()


# --- recovery contacts ------------------------------------------------------------------------


def test_username_recovery_writes_only_to_contacts_on_file(client: SpectrumClient) -> None:
    # Harper's number is 555-201-0142; a longer number that ends the same way is not hers.
    _post(client, "/v1/recovery/username", {"phone": "+44 7700 555-201-0142"})
    assert client.sandbox.outbox().data == []
    _post(client, "/v1/recovery/username", {"phone": "+1 (555) 201.0142"})
    _post(client, "/v1/recovery/username", {"email": "HARPER@example.com"})
    sent = client.sandbox.outbox().data
    assert sorted((m.channel, m.to) for m in sent) == [
        ("email", "harper@example.com"),
        ("sms", "555-201-0142"),
    ]


# --- what a new password signs out ----------------------------------------------------------


def test_a_password_reset_revokes_sessions_and_api_tokens(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    token = client.auth.create_token("cron", ["account:read"]).token
    bot = SpectrumClient(client.base_url, token=token, transport=client._http._transport)
    assert bot.auth.whoami().username == "harper"
    client.recovery.request_password_reset("harper")
    result = client.recovery.confirm_password_reset(
        "harper", _reset_code(client, "harper@example.com"), "Brand-New7"
    )
    assert (result.revoked_sessions, result.revoked_tokens) == (1, 1)
    with pytest.raises(AuthenticationError):
        bot.auth.whoami()


def test_a_password_change_revokes_other_sessions_and_api_tokens(
    client: SpectrumClient,
) -> None:
    client.auth.login(*HARPER)
    transport = client._http._transport
    token = client.auth.create_token("cron", ["account:read"]).token
    bot = SpectrumClient(client.base_url, token=token, transport=transport)
    elsewhere = SpectrumClient(client.base_url, transport=transport)
    elsewhere.auth.login(*HARPER)
    result = client.profile.change_password(HARPER[1], "Brand-New7")
    assert (result.revoked_sessions, result.revoked_tokens) == (1, 1)
    assert client.auth.whoami().username == "harper"  # this session stays
    for other in (bot, elsewhere):
        with pytest.raises(AuthenticationError):
            other.auth.whoami()
