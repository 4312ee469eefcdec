"""Username and password recovery: codes through the outbox, no identity enumeration."""

from __future__ import annotations

import httpx
import pytest

from spectrum_cli.client import AuthenticationError, InvalidRequestError, SpectrumClient


def _post(client: SpectrumClient, path: str, body: dict[str, str]) -> httpx.Response:
    return client._http.post(path, json=body)


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ({"email": "harper@example.com"}, {"email": "nobody@example.com"}),
        ({"phone": "555 201 0142"}, {"phone": "555-000-0000"}),
        (
            {"account_number": "8255910012346755", "security_code": "4821"},
            {"account_number": "8255910012346755", "security_code": "0000"},
        ),
    ],
)
def test_username_recovery_answers_the_same_either_way(
    client: SpectrumClient, known: dict[str, str], unknown: dict[str, str]
) -> None:
    hit = _post(client, "/v1/recovery/username", known)
    miss = _post(client, "/v1/recovery/username", unknown)
    assert hit.status_code == miss.status_code == 202
    assert hit.content == miss.content
    sent = client.sandbox.outbox().data
    assert len(sent) == 1, "only the known identity gets a message"
    assert "harper" in sent[0].body and "sam" in sent[0].body


def test_password_recovery_answers_the_same_either_way(client: SpectrumClient) -> None:
    hit = _post(client, "/v1/recovery/password", {"username": "harper"})
    miss = _post(client, "/v1/recovery/password", {"username": "no-such-user"})
    assert hit.status_code == miss.status_code == 202
    assert hit.content == miss.content
    # A bad code for an unknown user reads exactly like a bad code for a known one.
    bad = {"code": "123456", "new_password": "Brand-New7"}
    a = _post(client, "/v1/recovery/password/confirm", {"username": "harper", **bad})
    b = _post(client, "/v1/recovery/password/confirm", {"username": "no-such-user", **bad})
    assert a.status_code == b.status_code == 400
    assert a.json()["error"]["code"] == b.json()["error"]["code"] == "invalid_code"


def test_password_reset_end_to_end(client: SpectrumClient) -> None:
    session = client.auth.login("harper", "Sandbox-Harper1").session
    client.recovery.request_password_reset("harper")
    code = client.sandbox.outbox(to="harper@example.com").data[0].code
    assert code is not None

    with pytest.raises(InvalidRequestError) as weak:
        client.recovery.confirm_password_reset("harper", code, "short")
    assert weak.value.code == "weak_password" and weak.value.param == "new_password"
    assert "8 to 20" in weak.value.message and "digit" in weak.value.message
    with pytest.raises(InvalidRequestError) as reused:
        client.recovery.confirm_password_reset("harper", code, "Sandbox-Harper1")
    assert reused.value.code == "password_reused"

    client.recovery.confirm_password_reset("harper", code, "Brand-New7")
    # Old sessions end, the old password stops working, the new one works, the code is spent.
    stale = SpectrumClient(client.base_url, session=session, transport=client._http._transport)
    with pytest.raises(AuthenticationError):
        stale.auth.whoami()
    with pytest.raises(AuthenticationError):
        client.auth.login("harper", "Sandbox-Harper1")
    assert client.auth.login("harper", "Brand-New7").session is not None
    with pytest.raises(InvalidRequestError) as spent:
        client.recovery.confirm_password_reset("harper", code, "Another-New8")
    assert spent.value.code == "invalid_code"


def test_reset_code_dies_after_five_wrong_guesses(client: SpectrumClient) -> None:
    client.recovery.request_password_reset("pat")
    code = client.sandbox.outbox(to="pat@example.org").data[0].code
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(InvalidRequestError):
            client.recovery.confirm_password_reset("pat", wrong, "Brand-New7")
    with pytest.raises(InvalidRequestError):
        client.recovery.confirm_password_reset("pat", code, "Brand-New7")


def test_recovery_request_needs_exactly_one_identity(client: SpectrumClient) -> None:
    response = _post(client, "/v1/recovery/username", {})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request" and "exactly one" in error["message"]
