"""Limits on guessing: sign-in attempts, wrong one-time codes and code requests.

Every counter is keyed by a keyed hash of what was typed (a username, a client address),
never by the text itself and never by a user id, so an unknown username is counted, locked
and throttled exactly like a known one, and a copy of the store shows nothing that was typed.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3

from fastapi import Request

from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.principals import unauthenticated
from spectrum_cli.sandbox.store import auth as store

SIGN_IN_ATTEMPTS = 5  # passwords checked per username before it locks
LOCKOUT = dt.timedelta(minutes=15)

CODE_ATTEMPTS = 5  # wrong codes per challenge
WINDOW = dt.timedelta(hours=1)
USER_CODE_FAILURES = 10  # wrong codes per username per WINDOW, across challenges
CLIENT_CODE_FAILURES = 30  # wrong codes per client address per WINDOW
USER_CODE_REQUESTS = 5  # codes sent per username per WINDOW (each one messages the user)
CLIENT_CODE_REQUESTS = 20  # codes asked for per client address per WINDOW

# Event buckets of the sliding windows.
CODE_FAILURE_USER = "code_failure_user"
CODE_FAILURE_CLIENT = "code_failure_client"
CODE_REQUEST_USER = "code_request_user"
CODE_REQUEST_CLIENT = "code_request_client"


def username_key(keys: ServerKeys, username: str) -> str:
    # casefold: the users table matches usernames without regard to case
    return keys.digest("username", username.casefold())


def client_key(keys: ServerKeys, request: Request) -> str:
    """The requesting address, keyed like a username."""
    return keys.digest("client", request.client.host if request.client else "")


def rate_limited(retry_after: int, message: str) -> APIError:
    return APIError(
        429, "rate_limit", "rate_limit", message, headers={"Retry-After": str(retry_after)}
    )


# --- sign-in -------------------------------------------------------------------------------


def reserve_sign_in(conn: sqlite3.Connection, *, subject: str, now: dt.datetime) -> None:
    """Reserve one password check before it runs, or raise: 401 account_locked when the
    failures reached the limit, 429 with Retry-After while the other slots are being checked.

    Failures and checks still running count together against SIGN_IN_ATTEMPTS, in the write
    transaction that reads the user, so concurrent guesses can never check more passwords
    than the limit; right passwords only hold a slot while they run, so five concurrent
    correct sign-ins (five cron jobs) never lock anyone.
    """
    count = store.sign_in_count(conn, subject=subject, now=now)
    if count and (count.locked_until or count.attempts >= SIGN_IN_ATTEMPTS):
        raise unauthenticated(
            "account_locked",
            "Too many failed sign-ins: try again in 15 minutes, or reset the password.",
        )
    if count and count.attempts + count.pending >= SIGN_IN_ATTEMPTS:
        raise rate_limited(1, "Other sign-ins for this username are being checked; try again.")
    store.start_sign_in(conn, subject=subject, window_ends=now + LOCKOUT)


def sign_in_failed(conn: sqlite3.Connection, *, subject: str, now: dt.datetime) -> None:
    """The reserved check failed: it counts as a failure, and the limit'th one locks."""
    attempts = store.fail_sign_in(conn, subject=subject)
    if attempts is not None and attempts >= SIGN_IN_ATTEMPTS:
        store.lock_sign_in(conn, subject=subject, until=now + LOCKOUT)


def sign_in_succeeded(conn: sqlite3.Connection, *, subject: str) -> None:
    """The reserved check passed: earlier failures are forgotten, unless they already locked
    the username (a lock stands its 15 minutes)."""
    store.pass_sign_in(conn, subject=subject)


def unlock(conn: sqlite3.Connection, *, subject: str) -> None:
    """A completed password reset ends the lock: its owner proved control of the contact."""
    store.clear_sign_in(conn, subject=subject)


# --- sliding windows -----------------------------------------------------------------------


def _retry_after(
    conn: sqlite3.Connection, *, bucket: str, subject: str, limit: int, now: dt.datetime
) -> int | None:
    """Seconds until another event fits in the window, or None when one fits now."""
    events = store.recent_events(
        conn, bucket=bucket, subject=subject, since=now - WINDOW, limit=limit
    )
    if len(events) < limit:
        return None
    frees_at = events[-1] + WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _longest_wait(
    conn: sqlite3.Connection, checks: tuple[tuple[str, str, int], ...], now: dt.datetime
) -> int | None:
    """The longest Retry-After among (bucket, subject, limit) checks; None when all fit."""
    waits = [
        wait
        for bucket, subject, limit in checks
        if (wait := _retry_after(conn, bucket=bucket, subject=subject, limit=limit, now=now))
        is not None
    ]
    return max(waits) if waits else None


def take_code_request(
    conn: sqlite3.Connection, *, user: str, client: str, now: dt.datetime
) -> int | None:
    """Count a request for a new code (sign-in or reset) if the username and the client are
    under their limits; otherwise the Retry-After seconds, and nothing is counted."""
    checks = (
        (CODE_REQUEST_USER, user, USER_CODE_REQUESTS),
        (CODE_REQUEST_CLIENT, client, CLIENT_CODE_REQUESTS),
    )
    wait = _longest_wait(conn, checks, now)
    if wait is None:
        for bucket, subject, _ in checks:
            store.record_event(conn, bucket=bucket, subject=subject, at=now)
    return wait


def code_guess_wait(
    conn: sqlite3.Connection, *, user: str, client: str, now: dt.datetime
) -> int | None:
    """Retry-After seconds when the username or client has used up its wrong codes."""
    checks = (
        (CODE_FAILURE_USER, user, USER_CODE_FAILURES),
        (CODE_FAILURE_CLIENT, client, CLIENT_CODE_FAILURES),
    )
    return _longest_wait(conn, checks, now)


def record_wrong_code(
    conn: sqlite3.Connection, *, user: str, client: str, now: dt.datetime
) -> None:
    store.record_event(conn, bucket=CODE_FAILURE_USER, subject=user, at=now)
    store.record_event(conn, bucket=CODE_FAILURE_CLIENT, subject=client, at=now)
