"""Guessing: the sign-in lockout under concurrency, one-time codes and code requests, where
recovery messages go, what a password change signs out, and what a copy of the store gives
away."""

from __future__ import annotations

import threading

import httpx
import pytest

from spectrum_cli.client import AuthenticationError, SpectrumClient

HARPER = ("harper", "Sandbox-Harper1")


def _post(client: SpectrumClient, path: str, body: dict[str, str]) -> httpx.Response:
    return client._http.post(path, json=body)


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


def _reset_code(client: SpectrumClient, to: str) -> str:
    code = client.sandbox.outbox(to=to).data[0].code
    assert code is not None
    return code


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
