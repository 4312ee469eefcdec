"""Username and password recovery. Every answer is the same whether the identity exists."""

from __future__ import annotations

from fastapi import Request

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.recovery import (
    PasswordRecoveryRequest,
    PasswordResetConfirm,
    RecoveryAccepted,
    UsernameRecoveryRequest,
)
from spectrum_cli.sandbox import codes, recovery, throttle
from spectrum_cli.sandbox.deps import DbDep, KeysDep, NowDep
from spectrum_cli.sandbox.errors import invalid
from spectrum_cli.sandbox.passwords import check_new_password, check_strength, set_password
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import auth as auth_store
from spectrum_cli.sandbox.store import outbox
from spectrum_cli.sandbox.store import users as users_store

router = new_router(tags=["recovery"])

USERNAME_SENT = RecoveryAccepted(
    message="If that matches an account, its usernames are on their way to the contact on file."
)
CODE_SENT = RecoveryAccepted(
    message="If that username exists, a reset code is on its way to the contact on file."
)
CODE_REQUESTS_REFUSED = "Too many reset codes were asked for; try again later."
WRONG_CODES_REFUSED = "Too many wrong reset codes; try again later."


@router.post(routes.RECOVER_USERNAME, response_model=RecoveryAccepted, status_code=202)
def recover_username(body: UsernameRecoveryRequest, db: DbDep, now: NowDep) -> RecoveryAccepted:
    with db.write() as conn:
        # Messages go only to contacts on file, never to what was typed.
        for account_id, channel, to in recovery.matching_contacts(conn, body):
            names = users_store.usernames(conn, account_id=account_id)
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
        user = users_store.user_by_username(conn, username=body.username)
        if wait is None and user is not None:
            channel = user.mfa_channel or "email"
            codes.send(conn, keys, purpose="password_reset", user=user, channel=channel, now=now)
    if wait is not None:
        raise throttle.rate_limited(wait, CODE_REQUESTS_REFUSED)
    return CODE_SENT


@router.post(routes.RECOVER_PASSWORD_CONFIRM, response_model=PasswordChanged)
def confirm_password_reset(
    body: PasswordResetConfirm, request: Request, db: DbDep, keys: KeysDep, now: NowDep
) -> PasswordChanged:
    bad_code = invalid("invalid_code", "The reset code is incorrect or has expired.", param="code")
    check_strength(body.new_password)  # before a code is spent on it
    user_key = throttle.username_key(keys, body.username)
    client = throttle.client_key(keys, request)
    with db.write() as conn:
        wait = throttle.code_guess_wait(conn, user=user_key, client=client, now=now)
        if wait is not None:
            raise throttle.rate_limited(wait, WRONG_CODES_REFUSED)
        user = users_store.user_by_username(conn, username=body.username)
        challenge = (
            auth_store.live_challenge(
                conn,
                user_id=user.id,
                purpose="password_reset",
                max_attempts=throttle.CODE_ATTEMPTS,
                now=now,
            )
            if user
            else None
        )
        matched = challenge is not None and codes.matches(keys, challenge, body.code)
        if user and challenge and matched:
            check_new_password(conn, user_id=user.id, password=body.new_password)
            sessions, tokens = set_password(
                conn, user_id=user.id, password=body.new_password, now=now
            )
            auth_store.use_challenge(conn, challenge_id=challenge.id, now=now)
            throttle.unlock(conn, subject=user_key)
        else:
            # Counted for unknown usernames too, so the limit tells nothing about who exists.
            throttle.record_wrong_code(conn, user=user_key, client=client, now=now)
            if challenge:
                auth_store.count_wrong_code(conn, challenge_id=challenge.id)
    if not matched:
        raise bad_code
    return PasswordChanged(
        message="Password changed. Sign in with the new password.",
        revoked_sessions=sessions,
        revoked_tokens=tokens,
    )
