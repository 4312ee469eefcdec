"""Username and password recovery. Every answer is the same whether the identity exists."""

from __future__ import annotations

import datetime as dt
import sqlite3

from fastapi import APIRouter

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.recovery import (
    PasswordRecoveryRequest,
    PasswordResetConfirm,
    RecoveryAccepted,
    UsernameRecoveryRequest,
)
from spectrum_cli.sandbox import clock, outbox
from spectrum_cli.sandbox.deps import DbDep, NowDep
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.passwords import check_new_password, set_password
from spectrum_cli.sandbox.security import (
    DUMMY_HASH,
    hash_token,
    new_code,
    new_id,
    password_problems,
    verify_password,
)

router = APIRouter(tags=["recovery"])

RESET_TTL = dt.timedelta(minutes=15)
RESET_ATTEMPTS = 5
USERNAME_SENT = RecoveryAccepted(
    message="If that matches an account, its usernames are on their way to the contact on file."
)
CODE_SENT = RecoveryAccepted(
    message="If that username exists, a reset code is on its way to the contact on file."
)


def _phone_digits(phone: str) -> str:
    """A North American number as its 10 digits (a leading country code 1 dropped); any
    other digits as they are, so a longer number never matches on its tail."""
    digits = "".join(c for c in phone if c in "0123456789")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _matching_contacts(
    conn: sqlite3.Connection, body: UsernameRecoveryRequest
) -> list[tuple[str, str, str]]:
    """(account id, channel, the contact on file to write to) for each match."""
    if body.email:
        rows = conn.execute(
            "SELECT account_id, value FROM contacts WHERE kind = 'email' AND value = ?",
            (body.email.strip(),),
        ).fetchall()
        return [(r["account_id"], "email", r["value"]) for r in rows]
    if body.phone:
        wanted = _phone_digits(body.phone)
        phones = conn.execute("SELECT account_id, value FROM contacts WHERE kind = 'phone'")
        return [
            (r["account_id"], "sms", r["value"])
            for r in phones
            if len(wanted) == 10 and _phone_digits(r["value"]) == wanted
        ]
    row = conn.execute(
        "SELECT id, security_code_hash FROM accounts WHERE number = ?", (body.account_number,)
    ).fetchone()
    code_ok = verify_password(
        body.security_code or "", row["security_code_hash"] if row else DUMMY_HASH
    )
    if not (row and code_ok):
        return []
    email = outbox.primary_contact(conn, account_id=row["id"], kind="email")
    return [(row["id"], "email", email)] if email else []


@router.post(routes.RECOVER_USERNAME, response_model=RecoveryAccepted, status_code=202)
def recover_username(body: UsernameRecoveryRequest, db: DbDep, now: NowDep) -> RecoveryAccepted:
    with db.write() as conn:
        # Messages go only to contacts on file, never to what was typed.
        for account_id, channel, to in _matching_contacts(conn, body):
            names = [
                r["username"]
                for r in conn.execute(
                    "SELECT username FROM users WHERE account_id = ? ORDER BY username",
                    (account_id,),
                )
            ]
            outbox.send(
                conn,
                channel=channel,
                to=to,
                subject="Your Spectrum username",
                body="The usernames on your Spectrum account: " + ", ".join(names),
                now=now,
            )
    return USERNAME_SENT


@router.post(routes.RECOVER_PASSWORD, response_model=RecoveryAccepted, status_code=202)
def recover_password(body: PasswordRecoveryRequest, db: DbDep, now: NowDep) -> RecoveryAccepted:
    code = new_code()
    code_hash = hash_token(code)  # computed for unknown usernames too: same work either way
    with db.write() as conn:
        user = conn.execute("SELECT * FROM users WHERE username = ?", (body.username,)).fetchone()
        if user is None:
            return CODE_SENT
        channel = user["mfa_channel"] or "email"
        to = (
            outbox.primary_contact(
                conn, account_id=user["account_id"], kind="phone" if channel == "sms" else "email"
            )
            or ""
        )
        conn.execute(
            """INSERT INTO challenges (id, purpose, user_id, code_hash, channel, expires_at)
               VALUES (?, 'password_reset', ?, ?, ?, ?)""",
            (new_id("rst"), user["id"], code_hash, channel, clock.iso(now + RESET_TTL)),
        )
        outbox.send(
            conn,
            channel=channel,
            to=to,
            subject="Reset your Spectrum password",
            body=f"Your Spectrum password reset code is {code}. It expires in 15 minutes.",
            code=code,
            now=now,
        )
    return CODE_SENT


@router.post(routes.RECOVER_PASSWORD_CONFIRM, response_model=PasswordChanged)
def confirm_password_reset(body: PasswordResetConfirm, db: DbDep, now: NowDep) -> PasswordChanged:
    bad_code = invalid("invalid_code", "The reset code is incorrect or has expired.", param="code")
    problems = password_problems(body.new_password)
    if problems:
        raise invalid(
            "weak_password",
            "The new password must " + ", ".join(problems) + ".",
            param="new_password",
        )
    with db.write() as conn:
        user = conn.execute("SELECT * FROM users WHERE username = ?", (body.username,)).fetchone()
        challenge = (
            user
            and conn.execute(
                """SELECT * FROM challenges WHERE user_id = ? AND purpose = 'password_reset'
               AND used_at IS NULL AND expires_at > ? AND attempts < ?
               ORDER BY expires_at DESC LIMIT 1""",
                (user["id"], clock.iso(now), RESET_ATTEMPTS),
            ).fetchone()
        )
        if not challenge:
            raise bad_code
        matched = hash_token(body.code) == challenge["code_hash"]
        if matched:
            check_new_password(conn, user_id=user["id"], password=body.new_password)
            sessions, tokens = set_password(
                conn, user_id=user["id"], password=body.new_password, now=now
            )
            conn.execute(
                "UPDATE challenges SET used_at = ? WHERE id = ?", (clock.iso(now), challenge["id"])
            )
            conn.execute("DELETE FROM login_failures WHERE username = ?", (user["username"],))
        else:
            conn.execute(
                "UPDATE challenges SET attempts = attempts + 1 WHERE id = ?", (challenge["id"],)
            )
    if not matched:
        raise bad_code
    return PasswordChanged(
        message="Password changed. Sign in with the new password.",
        revoked_sessions=sessions,
        revoked_tokens=tokens,
    )
