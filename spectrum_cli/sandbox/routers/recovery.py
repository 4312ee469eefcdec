"""Username and password recovery. Every answer is the same whether the identity exists."""

from __future__ import annotations

import sqlite3

from fastapi import Request

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.recovery import (
    PasswordRecoveryRequest,
    PasswordResetConfirm,
    RecoveryAccepted,
    UsernameRecoveryRequest,
)
from spectrum_cli.sandbox import clock, codes, outbox, throttle
from spectrum_cli.sandbox.deps import DbDep, KeysDep, NowDep
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.passwords import check_new_password, set_password
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import DUMMY_HASH, password_problems, verify_password

router = new_router(tags=["recovery"])

USERNAME_SENT = RecoveryAccepted(
    message="If that matches an account, its usernames are on their way to the contact on file."
)
CODE_SENT = RecoveryAccepted(
    message="If that username exists, a reset code is on its way to the contact on file."
)
CODE_REQUESTS_REFUSED = "Too many reset codes were asked for; try again later."
WRONG_CODES_REFUSED = "Too many wrong reset codes; try again later."


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
def recover_password(
    body: PasswordRecoveryRequest, request: Request, db: DbDep, keys: KeysDep, now: NowDep
) -> RecoveryAccepted:
    # Requests are counted by the username as typed, so an unknown one is throttled (and
    # answered) exactly like a known one.
    user_key = throttle.username_key(keys, body.username)
    with db.write() as conn:
        wait = throttle.take_code_request(
            conn, user=user_key, client=throttle.client_key(keys, request), now=now
        )
        user = conn.execute("SELECT * FROM users WHERE username = ?", (body.username,)).fetchone()
        if wait is None and user is not None:
            channel = user["mfa_channel"] or "email"
            codes.send(conn, keys, purpose="password_reset", user=user, channel=channel, now=now)
    if wait is not None:
        raise throttle.rate_limited(wait, CODE_REQUESTS_REFUSED)
    return CODE_SENT


@router.post(routes.RECOVER_PASSWORD_CONFIRM, response_model=PasswordChanged)
def confirm_password_reset(
    body: PasswordResetConfirm, request: Request, db: DbDep, keys: KeysDep, now: NowDep
) -> PasswordChanged:
    bad_code = invalid("invalid_code", "The reset code is incorrect or has expired.", param="code")
    problems = password_problems(body.new_password)
    if problems:
        raise invalid(
            "weak_password",
            "The new password must " + ", ".join(problems) + ".",
            param="new_password",
        )
    user_key = throttle.username_key(keys, body.username)
    client = throttle.client_key(keys, request)
    with db.write() as conn:
        wait = throttle.code_guess_wait(conn, user=user_key, client=client, now=now)
        if wait is not None:
            raise throttle.rate_limited(wait, WRONG_CODES_REFUSED)
        user = conn.execute("SELECT * FROM users WHERE username = ?", (body.username,)).fetchone()
        challenge = (
            user
            and conn.execute(
                """SELECT * FROM challenges WHERE user_id = ? AND purpose = 'password_reset'
               AND used_at IS NULL AND expires_at > ? AND attempts < ?
               ORDER BY expires_at DESC LIMIT 1""",
                (user["id"], clock.iso(now), throttle.CODE_ATTEMPTS),
            ).fetchone()
        )
        matched = bool(challenge) and codes.matches(keys, challenge, body.code)
        if matched:
            check_new_password(conn, user_id=user["id"], password=body.new_password)
            sessions, tokens = set_password(
                conn, user_id=user["id"], password=body.new_password, now=now
            )
            conn.execute(
                "UPDATE challenges SET used_at = ? WHERE id = ?", (clock.iso(now), challenge["id"])
            )
            throttle.unlock(conn, subject=user_key)
        else:
            # Counted for unknown usernames too, so the limit tells nothing about who exists.
            throttle.record_wrong_code(conn, user=user_key, client=client, now=now)
            if challenge:
                conn.execute(
                    "UPDATE challenges SET attempts = attempts + 1 WHERE id = ?",
                    (challenge["id"],),
                )
    if not matched:
        raise bad_code
    return PasswordChanged(
        message="Password changed. Sign in with the new password.",
        revoked_sessions=sessions,
        revoked_tokens=tokens,
    )
