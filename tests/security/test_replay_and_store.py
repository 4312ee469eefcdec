"""An idempotent replay is checked like a first request, and a copy of the store gives back
no secret: not the card or bank numbers, not a password, not the keys."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from pathlib import Path

import httpx
import pytest

from spectrum_cli.client import SpectrumClient
from tests.helpers import ServedSandbox

TEST_CARDS = ["4242424242424242", "4000000000000002", "4000000000009995", "4000000000000341"]
TEST_BANK_ACCOUNTS = ["000123456789", "000111111116"]
NEW_PASSWORD = "Brand-New-Pass7"


def _token(url: str, *scopes: str) -> str:
    with SpectrumClient(url) as c:
        c.auth.login("harper", "Sandbox-Harper1")
        return c.auth.create_token("t", list(scopes), 1).token


def _bearer(token: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


TICKET = {"subject": "Slow internet", "category": "technical", "body": "Since Monday."}


def test_a_replay_needs_the_scope_the_route_needs(fresh_served: ServedSandbox) -> None:
    url, key = fresh_served.url, str(uuid.uuid4())
    writer = _token(url, "support:write", "account:read")
    reader = _token(url, "account:read")
    first = httpx.post(f"{url}/v1/support/tickets", json=TICKET, headers=_bearer(writer, key))
    assert first.status_code == 201, first.text
    replay = httpx.post(f"{url}/v1/support/tickets", json=TICKET, headers=_bearer(reader, key))
    assert replay.status_code == 403, replay.text
    assert replay.json()["error"]["code"] == "missing_scope"
    assert "Idempotent-Replayed" not in replay.headers
    again = httpx.post(f"{url}/v1/support/tickets", json=TICKET, headers=_bearer(writer, key))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_a_replay_with_a_revoked_token_is_refused(fresh_served: ServedSandbox) -> None:
    url, key = fresh_served.url, str(uuid.uuid4())
    with SpectrumClient(url) as owner:
        owner.auth.login("harper", "Sandbox-Harper1")
        created = owner.auth.create_token("t", ["support:write"], 1)
        first = httpx.post(
            f"{url}/v1/support/tickets", json=TICKET, headers=_bearer(created.token, key)
        )
        assert first.status_code == 201
        owner.auth.revoke_token(created.id)
    replay = httpx.post(
        f"{url}/v1/support/tickets", json=TICKET, headers=_bearer(created.token, key)
    )
    assert replay.status_code == 401, replay.text


def test_a_replay_is_validated_like_the_first_request(fresh_served: ServedSandbox) -> None:
    """A standard user cannot replay the head of household's payment-method change."""
    url, key = fresh_served.url, str(uuid.uuid4())
    with SpectrumClient(url) as harper:
        harper.auth.login("harper", "Sandbox-Harper1")
        method = harper.payment_methods.list().data[0].id
        harper_token = harper.session.access_token if harper.session else ""
    path = f"{url}/v1/payment-methods/{method}/default"
    assert httpx.post(path, headers=_bearer(harper_token, key)).status_code == 200
    with SpectrumClient(url) as sam:
        sam.auth.login("sam", "Sandbox-Sam1")
        sam_token = sam.session.access_token if sam.session else ""
    # Keys are per user, so sam's use of the key runs afresh: and is refused by role.
    refused = httpx.post(path, headers=_bearer(sam_token, key))
    assert refused.status_code == 403


def _copy_of_store(store: Path, dest: Path) -> Path:
    """What a thief gets: the store file (with its WAL folded in), not the key file."""
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return Path(shutil.copyfile(store, dest))


def _every_value(store: Path) -> bytes:
    conn = sqlite3.connect(store)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    values = []
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            values.extend(str(v).encode() if not isinstance(v, bytes) else v for v in row)
    conn.close()
    return b"\n".join(values)


def _candidates_hashed(secret: str) -> list[bytes]:
    plain = secret.encode()
    return [
        plain,
        hashlib.sha256(plain).hexdigest().encode(),
        hashlib.sha1(plain).hexdigest().encode(),
        hashlib.md5(plain).hexdigest().encode(),
    ]


@pytest.fixture
def used_store(client: SpectrumClient, store_path: Path) -> Path:
    """A store after cards, bank accounts and a password change went through it, each with
    an idempotency key (the client sends one on every POST)."""
    client.auth.login("harper", "Sandbox-Harper1")
    for number in TEST_CARDS:
        client.payment_methods.add_card(number, 12, 2035)
    for account in TEST_BANK_ACCOUNTS:
        client.payment_methods.add_bank_account("110000000", account)
    client.profile.change_password("Sandbox-Harper1", NEW_PASSWORD)
    return store_path


def test_a_copy_of_the_store_yields_no_card_bank_number_or_password(
    used_store: Path, tmp_path: Path
) -> None:
    dump = _every_value(_copy_of_store(used_store, tmp_path / "stolen.db"))
    for secret in [*TEST_CARDS, *TEST_BANK_ACCOUNTS, NEW_PASSWORD]:
        for form in _candidates_hashed(secret):
            assert form not in dump, f"the store holds {secret[:4]}… in a recoverable form"


def test_fingerprints_do_not_depend_on_the_secret_even_with_the_key(
    used_store: Path, sandbox_app: object
) -> None:
    """Brute force with the key file as well: every candidate card gives the same fingerprint
    as the stored one, so the table cannot tell which card it was."""
    from spectrum_cli.sandbox.middleware import IdempotencyMiddleware

    keys = sandbox_app.state.keys  # type: ignore[attr-defined]
    layer = IdempotencyMiddleware(app=None, db=None, keys=keys, instance=None)  # type: ignore[arg-type]
    conn = sqlite3.connect(used_store)
    stored = {r[0] for r in conn.execute("SELECT fingerprint FROM idempotency_keys")}
    conn.close()
    scope = {"method": "POST", "path": "/v1/payment-methods", "query_string": b""}

    def card_body(number: str) -> bytes:
        return (
            b'{"type":"card","card":{"number":"%s","exp_month":12,"exp_year":2035},'
            b'"make_default":false}' % number.encode()
        )

    prints = {layer._fingerprint(scope, card_body(n)) for n in [*TEST_CARDS, "5555555555554444"]}
    assert len(prints) == 1  # the number changes nothing
    assert prints & stored  # and it is the fingerprint the store holds
