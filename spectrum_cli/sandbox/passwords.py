"""Setting a password: the rules a new one must meet, its history, and what it signs out."""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.sandbox import throttle
from spectrum_cli.sandbox.db import Database
from spectrum_cli.sandbox.errors import APIError, invalid
from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.principals import Principal
from spectrum_cli.sandbox.security import (
    PASSWORD_HISTORY,
    hash_password,
    password_problems,
    verify_password,
)
from spectrum_cli.sandbox.store import auth as auth_store
from spectrum_cli.sandbox.store import users as users_store


def confirm_current_password(
    db: Database,
    keys: ServerKeys,
    *,
    principal: Principal,
    password: str,
    param: str,
    now: dt.datetime,
) -> None:
    """Check the signed-in user's password, counted against the same 5 tries per 15 minutes
    as signing in: a stolen session must not become a way to guess the password."""
    subject = throttle.username_key(keys, principal.username)
    with db.write() as conn:
        throttle.reserve_sign_in(conn, subject=subject, now=now)
        stored = users_store.user_by_id(conn, user_id=principal.user_id).password_hash
    if not verify_password(password, stored):
        with db.write() as conn:
            throttle.sign_in_failed(conn, subject=subject, now=now)
        # An authentication failure (401), as a wrong password at sign-in is: never a
        # "token_expired", so clients do not mistake it for a session to refresh.
        raise APIError(
            401,
            "authentication",
            "incorrect_password",
            "The current password is incorrect.",
            param=param,
        )
    with db.write() as conn:
        throttle.sign_in_succeeded(conn, subject=subject)


def check_strength(password: str) -> None:
    """Refuse a new password that breaks a rule."""
    problems = password_problems(password)
    if problems:
        raise invalid(
            "weak_password",
            "The new password must " + ", ".join(problems) + ".",
            param="new_password",
        )


def check_new_password(conn: sqlite3.Connection, *, user_id: str, password: str) -> None:
    """Refuse a password that breaks a rule or repeats one of the last five."""
    check_strength(password)
    recent = users_store.recent_password_hashes(conn, user_id=user_id, limit=PASSWORD_HISTORY)
    if any(verify_password(password, stored) for stored in recent):
        raise invalid(
            "password_reused",
            f"The new password must differ from the last {PASSWORD_HISTORY}.",
            param="new_password",
        )


def set_password(
    conn: sqlite3.Connection,
    *,
    user_id: str,
    password: str,
    now: dt.datetime,
    keep_family: str | None = None,
) -> tuple[int, int]:
    """Store the new password and revoke the user's sessions (except ``keep_family``) and API
    tokens: whoever knew the old password may have made them. Returns what was revoked."""
    hashed = hash_password(password)
    users_store.set_password_hash(conn, user_id=user_id, password_hash=hashed, now=now)
    return auth_store.revoke_user_tokens(conn, user_id=user_id, now=now, keep_family=keep_family)
