"""Sign-in, second factor, refresh rotation, logout and scoped tokens (in-process sandbox)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from spectrum_cli.client import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    SpectrumClient,
)

HARPER = ("harper", "Sandbox-Harper1")


def test_login_returns_a_session_and_reads_the_dashboard(client: SpectrumClient) -> None:
    result = client.auth.login(*HARPER)
    assert not result.mfa_required and result.session is not None
    assert result.session.access_token.startswith("sat_")
    summary = client.account.summary()
    assert summary.account_number_masked == "•••• •••• •••• 6755"
    assert summary.holder_name == "Harper Quinn"
    latest = client.statements.get()
    assert summary.balance_cents == latest.balance_cents > 0
    assert summary.due_date == latest.due_date
    assert {s.kind for s in summary.services} == {"internet", "tv", "mobile"}
    assert [a.kind for a in summary.alerts] == ["promo_ending"]
    assert {u.username for u in summary.users} == {"harper", "sam"}


def test_wrong_password_is_401_with_the_same_message_as_an_unknown_user(
    client: SpectrumClient,
) -> None:
    with pytest.raises(AuthenticationError) as known:
        client.auth.login("harper", "Wrong-Pass1")
    with pytest.raises(AuthenticationError) as unknown:
        client.auth.login("nobody-here", "Wrong-Pass1")
    assert known.value.code == unknown.value.code == "invalid_credentials"
    assert known.value.message == unknown.value.message
    assert known.value.request_id and known.value.request_id.startswith("req_")


def test_second_factor_code_from_the_outbox(client: SpectrumClient) -> None:
    result = client.auth.login("morgan", "Sandbox-Morgan1")
    assert result.mfa_required and result.session is None and result.challenge is not None
    assert result.challenge.channel == "sms"
    assert result.challenge.destination_masked == "•••-•••-0199"
    message = client.sandbox.outbox(to="(555) 201-0199").data[0]
    assert message.code and message.code in message.body

    with pytest.raises(AuthenticationError) as wrong:
        client.auth.verify_code(
            result.challenge.challenge_id, "000000" if message.code != "000000" else "111111"
        )
    assert wrong.value.code == "invalid_code"

    session = client.auth.verify_code(result.challenge.challenge_id, message.code)
    assert session.username == "morgan"
    assert client.auth.whoami().account_number_masked.endswith("1934")
    with pytest.raises(AuthenticationError) as used:
        client.auth.verify_code(result.challenge.challenge_id, message.code)
    assert used.value.code == "challenge_expired"


def test_expired_access_token_is_refreshed_once_and_the_new_session_reported(
    client: SpectrumClient,
) -> None:
    seen = []
    client.on_session = seen.append
    first = client.auth.login(*HARPER).session
    assert first is not None
    client.sandbox.advance_clock(16 * 60)  # past the 15-minute access token
    assert client.account.summary().holder_name == "Harper Quinn"
    assert len(seen) == 2 and seen[1] is not None
    assert seen[1].refresh_token != first.refresh_token
    assert client.session is seen[1]


def test_reused_refresh_token_revokes_the_whole_family(client: SpectrumClient) -> None:
    first = client.auth.login(*HARPER).session
    assert first is not None
    second = client.auth.refresh()
    # An attacker replays the first refresh token:
    thief = SpectrumClient(client.base_url, session=first, transport=client._http._transport)
    with pytest.raises(AuthenticationError) as reused:
        thief.auth.refresh()
    assert reused.value.code == "refresh_token_reused"
    # ... and the legitimate session is gone too.
    assert client.session is second
    with pytest.raises(AuthenticationError) as revoked:
        client.auth.whoami()
    assert revoked.value.code == "invalid_token"
    with pytest.raises(AuthenticationError):
        client.auth.refresh()


def test_session_expires_after_30_days(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    client.sandbox.advance_clock(31 * 86400)
    with pytest.raises(AuthenticationError) as expired:
        client.account.summary()
    assert expired.value.code == "refresh_token_expired"


def test_logout_revokes_the_session(client: SpectrumClient) -> None:
    session = client.auth.login(*HARPER).session
    client.auth.logout()
    assert client.session is None
    again = SpectrumClient(client.base_url, session=session, transport=client._http._transport)
    with pytest.raises(AuthenticationError):
        again.auth.whoami()


def test_scoped_token_can_do_only_what_its_scopes_allow(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    created = client.auth.create_token("cron", ["billing:read"], expires_in_days=7)
    assert created.token.startswith("spk_") and created.scopes == ["billing:read"]
    assert [t.id for t in client.auth.list_tokens().data] == [created.id]

    bot = SpectrumClient(client.base_url, token=created.token, transport=client._http._transport)
    who = bot.auth.whoami()
    assert who.token_kind == "api_token" and who.token_id == created.id
    with pytest.raises(PermissionDeniedError) as denied:
        bot.account.summary()
    assert denied.value.code == "missing_scope" and denied.value.status == 403
    with pytest.raises(PermissionDeniedError) as no_mint:
        bot.auth.create_token("more", ["account:read"])
    assert no_mint.value.code == "session_required"

    client.auth.revoke_token(created.id)
    assert client.auth.list_tokens().data == []
    with pytest.raises(AuthenticationError):
        bot.auth.whoami()


def test_api_token_expires(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    created = client.auth.create_token("short", ["account:read"], expires_in_days=1)
    bot = SpectrumClient(client.base_url, token=created.token, transport=client._http._transport)
    assert bot.account.summary().holder_name == "Harper Quinn"
    client.sandbox.advance_clock(86400 + 60)
    with pytest.raises(AuthenticationError) as expired:
        bot.account.summary()
    assert expired.value.code == "api_token_expired"


def test_one_persona_cannot_touch_another_accounts_token(client: SpectrumClient) -> None:
    client.auth.login(*HARPER)
    harpers = client.auth.create_token("mine", ["account:read"])
    other = SpectrumClient(client.base_url, transport=client._http._transport)
    other.auth.login("pat", "Sandbox-Pat1")
    with pytest.raises(NotFoundError):
        other.auth.revoke_token(harpers.id)
    assert other.account.summary().holder_name == "Pat Rivera"
    assert [t.id for t in client.auth.list_tokens().data] == [harpers.id]


def test_five_failures_lock_the_username_for_15_minutes(client: SpectrumClient) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError) as failed:
            client.auth.login("harper", "Wrong-Pass1")
        assert failed.value.code == "invalid_credentials"
    with pytest.raises(AuthenticationError) as locked:
        client.auth.login(*HARPER)  # even the right password
    assert locked.value.code == "account_locked"
    # Unknown usernames lock the same way, so a lockout tells nothing.
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            client.auth.login("ghost", "Wrong-Pass1")
    with pytest.raises(AuthenticationError) as ghost:
        client.auth.login("ghost", "Wrong-Pass1")
    assert ghost.value.code == "account_locked"
    client.sandbox.advance_clock(15 * 60 + 1)
    assert client.auth.login(*HARPER).session is not None


def test_secrets_are_stored_hashed(client: SpectrumClient, store_path: Path) -> None:
    session = client.auth.login(*HARPER).session
    assert session is not None
    api = client.auth.create_token("ci", ["account:read"])
    # Persona passwords are published on purpose; a password the user sets is not.
    client.recovery.request_password_reset("harper")
    code = client.sandbox.outbox(to="harper@example.com").data[0].code
    assert code is not None
    client.recovery.confirm_password_reset("harper", code, "Private-Pass7")
    raw = b"".join(
        p.read_bytes() for p in store_path.parent.glob(f"{store_path.name}*") if p.is_file()
    )
    # (The reset code itself sits in the outbox, the sandbox's stand-in for the user's inbox.)
    for secret in (session.access_token, session.refresh_token, api.token, "Private-Pass7"):
        assert secret.encode() not in raw
    conn = sqlite3.connect(store_path)
    hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
    conn.close()
    assert hashes and all(h.startswith("scrypt$") for h in hashes)
