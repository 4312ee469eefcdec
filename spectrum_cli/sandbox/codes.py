"""One-time codes (second factor, password reset): issued one live code at a time per user
and purpose, and stored only as keyed hashes."""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3

from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.security import new_code, new_id
from spectrum_cli.sandbox.store import auth as auth_store
from spectrum_cli.sandbox.store import outbox
from spectrum_cli.sandbox.store.auth import Challenge
from spectrum_cli.sandbox.store.users import User, primary_contact

TTL = {"mfa": dt.timedelta(minutes=10), "password_reset": dt.timedelta(minutes=15)}
_ID_PREFIX = {"mfa": "mfa", "password_reset": "rst"}
_MESSAGES = {
    "mfa": ("Your Spectrum sign-in code", "Your Spectrum sign-in code is {code}."),
    "password_reset": (
        "Reset your Spectrum password",
        "Your Spectrum password reset code is {code}.",
    ),
}


def code_hash(keys: ServerKeys, challenge_id: str, code: str) -> str:
    # Keyed and bound to its challenge: a million codes are no work to try against a plain
    # hash, but a copy of the store has no key.
    return keys.digest("code", f"{challenge_id}:{code}")


def send(
    conn: sqlite3.Connection,
    keys: ServerKeys,
    *,
    purpose: str,
    user: User,
    channel: str,
    now: dt.datetime,
) -> tuple[str, str]:
    """Make a code and send it to the user's contact on file; the user's older live codes
    for ``purpose`` die. Returns the challenge id and where the code went."""
    auth_store.retire_challenges(conn, user_id=user.id, purpose=purpose, now=now)
    challenge_id, code, ttl = new_id(_ID_PREFIX[purpose]), new_code(), TTL[purpose]
    challenge = Challenge(
        id=challenge_id,
        purpose=purpose,
        user_id=user.id,
        code_hash=code_hash(keys, challenge_id, code),
        channel=channel,
        expires_at=now + ttl,
        attempts=0,
        used_at=None,
    )
    auth_store.insert_challenge(conn, challenge=challenge)
    kind = "phone" if channel == "sms" else "email"
    to = primary_contact(conn, account_id=user.account_id, kind=kind) or ""
    subject, text = _MESSAGES[purpose]
    minutes = int(ttl.total_seconds()) // 60
    outbox.send(
        conn,
        channel=channel,
        to=to,
        subject=subject,
        body=text.format(code=code) + f" It expires in {minutes} minutes.",
        code=code,
        now=now,
    )
    return challenge_id, to


def matches(keys: ServerKeys, challenge: Challenge, code: str) -> bool:
    return hmac.compare_digest(code_hash(keys, challenge.id, code), challenge.code_hash)
