"""Who may change the account's contacts: the takeover through a standard user or a narrow
token, step-up, and the notice to the previous contacts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from spectrum_cli.client import SpectrumClient
from spectrum_cli.client._exceptions import PermissionDeniedError
from tests.helpers import ServedSandbox, isolated_env, spectrum

SAM_EMAILS = {"emails": [{"address": "sam@attacker.example", "primary": True}]}


def _signed_in(client: SpectrumClient, username: str, password: str) -> SpectrumClient:
    client.auth.login(username, password)
    return client


def _harper_contacts(client: SpectrumClient) -> list[str]:
    harper = SpectrumClient(client.base_url, transport=client._http._transport)
    harper.auth.login("harper", "Sandbox-Harper1")
    return [e.address for e in harper.profile.get().emails]


def test_a_standard_user_cannot_take_over_the_account(client: SpectrumClient) -> None:
    """sam replaced the emails with his own, then had Harper's reset code sent to him."""
    before = _harper_contacts(client)
    sam = _signed_in(client, "sam", "Sandbox-Sam1")
    sam.auth.reauthenticate("Sandbox-Sam1")  # even with a fresh password confirmation
    with pytest.raises(PermissionDeniedError) as refused:
        sam.profile.update("*", **SAM_EMAILS)
    assert refused.value.code == "role_forbidden"
    for field in ({"phones": []}, {"billing_address": sam.profile.get().billing_address}):
        with pytest.raises(PermissionDeniedError):
            sam.profile.update("*", **field)
    with pytest.raises(PermissionDeniedError):
        sam.profile.update("*", paperless=False)
    assert _harper_contacts(client) == before
    client.recovery.request_password_reset("harper")
    sent_to = {m.to for m in client.sandbox.outbox(limit=5).data}
    assert "sam@attacker.example" not in sent_to


def test_a_profile_write_token_cannot_change_contacts(client: SpectrumClient) -> None:
    owner = _signed_in(client, "harper", "Sandbox-Harper1")
    owner.auth.reauthenticate("Sandbox-Harper1")  # the owner's session is stepped up, not the token
    token = owner.auth.create_token("narrow", ["profile:write", "account:read"], 1).token
    bot = SpectrumClient(client.base_url, token=token, transport=client._http._transport)
    with pytest.raises(PermissionDeniedError) as refused:
        bot.profile.update("*", **SAM_EMAILS)
    assert refused.value.code == "session_required"
    assert "sam@attacker.example" not in _harper_contacts(client)


def test_contacts_need_a_password_confirmed_in_the_last_five_minutes(
    client: SpectrumClient,
) -> None:
    harper = _signed_in(client, "harper", "Sandbox-Harper1")
    change = {"emails": [{"address": "harper@example.com", "primary": True}]}
    with pytest.raises(PermissionDeniedError) as refused:
        harper.profile.update("*", **change)
    assert refused.value.code == "reauthentication_required"
    with pytest.raises(Exception) as wrong:
        harper.auth.reauthenticate("Not-Her-Password1")
    assert getattr(wrong.value, "code", None) == "incorrect_password"
    harper.auth.reauthenticate("Sandbox-Harper1")
    harper.profile.update("*", **change)
    harper.sandbox.advance_clock(5 * 60 + 1)
    with pytest.raises(PermissionDeniedError):
        harper.profile.update("*", **change)


def test_the_previous_contacts_hear_of_a_change(client: SpectrumClient) -> None:
    harper = _signed_in(client, "harper", "Sandbox-Harper1")
    before = harper.profile.get()
    harper.auth.reauthenticate("Sandbox-Harper1")
    harper.profile.update("*", emails=[{"address": "new@example.com", "primary": True}])
    notices = [m for m in harper.sandbox.outbox(limit=20).data if "changed" in m.subject]
    told = {m.to for m in notices}
    assert {e.address for e in before.emails} | {p.number for p in before.phones} <= told
    assert "new@example.com" not in told
    assert all("harper" in m.body for m in notices)


def test_a_standard_user_edits_only_their_own_notifications(client: SpectrumClient) -> None:
    sam = _signed_in(client, "sam", "Sandbox-Sam1")
    prefs = sam.profile.get().notifications.model_dump()
    prefs["outage"]["sms"] = not prefs["outage"]["sms"]
    mine = sam.profile.update("*", notifications=prefs)
    assert mine.notifications.outage.sms == prefs["outage"]["sms"]
    harper = SpectrumClient(client.base_url, transport=client._http._transport)
    harper.auth.login("harper", "Sandbox-Harper1")
    assert harper.profile.get().notifications.outage.sms != prefs["outage"]["sms"]


def test_step_up_guesses_count_against_the_sign_in_limit(client: SpectrumClient) -> None:
    """A stolen session must not become a way to guess the password."""
    harper = _signed_in(client, "harper", "Sandbox-Harper1")
    codes = []
    for _ in range(7):
        try:
            harper.auth.reauthenticate("Wrong-Guess-12")
        except Exception as exc:
            codes.append(getattr(exc, "code", None))
    assert codes.count("incorrect_password") == 5 and codes[5:] == ["account_locked"] * 2


def test_cli_asks_for_the_password_before_a_contact_change(
    tmp_path: Path, fresh_served: ServedSandbox, harper_env: dict[str, str]
) -> None:
    change = ["profile", "edit", "--add-email", "work@example.com"]
    no_terminal = spectrum(change, harper_env)
    assert no_terminal.returncode == 2 and "--password-stdin" in no_terminal.stderr
    wrong = spectrum([*change, "--password-stdin"], harper_env, input="Wrong-Pass-99\n")
    assert wrong.returncode == 3 and "password is incorrect" in wrong.stderr
    done = spectrum([*change, "--password-stdin"], harper_env, input="Sandbox-Harper1\n")
    assert done.returncode == 0, done.stderr
    token_env = isolated_env(tmp_path / "bot", SPECTRUM_API_URL=fresh_served.url)
    with SpectrumClient(fresh_served.url) as owner:
        owner.auth.login("harper", "Sandbox-Harper1")
        token_env["SPECTRUM_TOKEN"] = owner.auth.create_token(
            "bot", ["profile:write", "account:read"], 1
        ).token
    bot = spectrum(
        ["profile", "edit", "--remove-email", "work@example.com", "--password-stdin"],
        token_env,
        input="Sandbox-Harper1\n",
    )
    assert bot.returncode == 4, bot.stderr
    assert "API token" in bot.stderr
    outbox = httpx.get(
        f"{fresh_served.url}/v1/sandbox/outbox", headers={"Sandbox-Key": fresh_served.admin_key}
    ).json()["data"]
    assert any(m["to"] == "harper@example.com" and "changed" in m["subject"] for m in outbox)


def test_a_replayed_contact_change_is_held_to_the_same_rules(
    fresh_served: ServedSandbox,
) -> None:
    """The replay of a confirmed change must not answer 200 to a session that never
    confirmed its password, nor to an API token."""
    url = fresh_served.url
    body = {"phones": [{"number": "555-201-0142", "primary": True}]}
    with SpectrumClient(url) as first, SpectrumClient(url) as second:
        first.auth.login("harper", "Sandbox-Harper1")
        first.auth.reauthenticate("Sandbox-Harper1")
        token = first.auth.create_token("w", ["profile:write", "account:read"], 1).token
        second.auth.login("harper", "Sandbox-Harper1")
        bearers = [s.access_token for s in (first.session, second.session) if s]
    headers = {"If-Match": "*", "Idempotency-Key": "same-change"}
    done = httpx.patch(
        f"{url}/v1/profile", json=body, headers={**headers, "Authorization": f"Bearer {bearers[0]}"}
    )
    assert done.status_code == 200, done.text
    for bearer, code in [(bearers[1], "reauthentication_required"), (token, "session_required")]:
        replay = httpx.patch(
            f"{url}/v1/profile", json=body, headers={**headers, "Authorization": f"Bearer {bearer}"}
        )
        assert replay.status_code == 403, replay.text
        assert replay.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "address", ["a@ex\u0000ample.com", "\u001b[31mred@x.com", "x" * 250 + "@example.com"]
)
def test_an_email_with_control_characters_or_too_long_is_refused(
    client: SpectrumClient, address: str
) -> None:
    harper = _signed_in(client, "harper", "Sandbox-Harper1")
    harper.auth.reauthenticate("Sandbox-Harper1")
    response = harper._http.patch(
        "/v1/profile",
        json={"emails": [{"address": address, "primary": True}]},
        headers={
            "If-Match": "*",
            "Authorization": f"Bearer {harper.session.access_token if harper.session else ''}",
        },
    )
    assert response.status_code == 400, response.text
