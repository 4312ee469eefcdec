"""Who a bearer token belongs to, and the sessions and API tokens that make one."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.auth import ALL_SCOPES, Session
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.security import hash_token, new_id, new_secret

ACCESS_TTL = dt.timedelta(minutes=15)
REFRESH_TTL = dt.timedelta(days=30)


@dataclass(frozen=True)
class Principal:
    user_id: str
    account_id: str
    username: str
    role: str
    token_kind: str  # "session" | "api_token"
    token_id: str
    family_id: str | None
    scopes: tuple[str, ...]
    expires_at: dt.datetime


def unauthenticated(code: str, message: str) -> APIError:
    return APIError(
        401,
        "authentication",
        code,
        message,
        headers={"WWW-Authenticate": 'Bearer realm="spectrum"'},
    )


def principal_for_token(conn: sqlite3.Connection, token: str, now: dt.datetime) -> Principal:
    """Resolve a bearer token, or raise the 401 that says why it cannot be used."""
    row = conn.execute(
        """SELECT t.*, u.account_id, u.username, u.role FROM tokens t
           JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = ? AND t.kind IN ('access', 'api')""",
        (hash_token(token),),
    ).fetchone()
    if row is None:
        raise unauthenticated("invalid_token", "The token is not valid; sign in again.")
    # Expiry is reported before revocation: an access token superseded by a refresh has
    # also expired, and "expired" sends a client to refresh (or to the session another
    # process stored), which then fails on its own if the session was ended.
    expires_at = clock.parse(row["expires_at"])
    if row["kind"] == "api":  # not refreshable: the answer names the token, not a session
        if expires_at <= now:
            raise unauthenticated(
                "api_token_expired", f"The API token expired on {expires_at:%Y-%m-%d}."
            )
        if row["revoked_at"]:
            raise unauthenticated("api_token_revoked", "The API token was revoked.")
    if expires_at <= now:
        raise unauthenticated("token_expired", "The access token has expired.")
    if row["revoked_at"]:
        raise unauthenticated("invalid_token", "The token is not valid; sign in again.")
    return Principal(
        user_id=row["user_id"],
        account_id=row["account_id"],
        username=row["username"],
        role=row["role"],
        token_kind="session" if row["kind"] == "access" else "api_token",
        token_id=row["id"],
        family_id=row["family_id"],
        scopes=tuple(row["scopes"].split()),
        expires_at=expires_at,
    )


def _insert_token(
    conn: sqlite3.Connection,
    *,
    kind: str,
    user_id: str,
    now: dt.datetime,
    ttl: dt.timedelta,
    scopes: tuple[str, ...] = ALL_SCOPES,
    family_id: str | None = None,
    name: str | None = None,
) -> tuple[str, str, dt.datetime]:
    prefix = {"access": "sat", "refresh": "srt", "api": "spk"}[kind]
    secret = new_secret(prefix)
    token_id = new_id("tok")
    expires_at = now + ttl
    conn.execute(
        """INSERT INTO tokens (token_hash, id, kind, user_id, family_id, name, scopes,
                               created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            hash_token(secret),
            token_id,
            kind,
            user_id,
            family_id,
            name,
            " ".join(scopes),
            clock.iso(now),
            clock.iso(expires_at),
        ),
    )
    return secret, token_id, expires_at


def issue_session(
    conn: sqlite3.Connection, *, user: sqlite3.Row, now: dt.datetime, family_id: str | None = None
) -> Session:
    """A fresh access + refresh pair; a new family unless rotating an existing one."""
    family_id = family_id or new_id("fam")
    access, _, access_exp = _insert_token(
        conn, kind="access", user_id=user["id"], now=now, ttl=ACCESS_TTL, family_id=family_id
    )
    refresh, _, refresh_exp = _insert_token(
        conn, kind="refresh", user_id=user["id"], now=now, ttl=REFRESH_TTL, family_id=family_id
    )
    return Session(
        access_token=access,
        refresh_token=refresh,
        expires_at=access_exp,
        refresh_expires_at=refresh_exp,
        username=user["username"],
        role=user["role"],
    )


def issue_api_token(
    conn: sqlite3.Connection,
    *,
    user_id: str,
    name: str,
    scopes: tuple[str, ...],
    now: dt.datetime,
    ttl: dt.timedelta,
) -> tuple[str, str, dt.datetime]:
    return _insert_token(
        conn, kind="api", user_id=user_id, now=now, ttl=ttl, scopes=scopes, name=name
    )


def revoke_family(conn: sqlite3.Connection, *, family_id: str, now: dt.datetime) -> None:
    conn.execute(
        "UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        (clock.iso(now), family_id),
    )


def revoke_credentials(
    conn: sqlite3.Connection, *, user_id: str, now: dt.datetime, keep_family: str | None = None
) -> tuple[int, int]:
    """End the user's sessions (all but ``keep_family``) and API tokens; returns how many
    live sessions and API tokens that ended."""
    at = clock.iso(now)
    sessions = conn.execute(
        """SELECT COUNT(DISTINCT family_id) FROM tokens WHERE user_id = ? AND kind = 'refresh'
           AND revoked_at IS NULL AND used_at IS NULL AND expires_at > ? AND family_id IS NOT ?""",
        (user_id, at, keep_family),
    ).fetchone()[0]
    api_tokens = conn.execute(
        """SELECT COUNT(*) FROM tokens WHERE user_id = ? AND kind = 'api'
           AND revoked_at IS NULL AND expires_at > ?""",
        (user_id, at),
    ).fetchone()[0]
    conn.execute(
        """UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL
           AND (kind = 'api' OR family_id IS NOT ?)""",
        (at, user_id, keep_family),
    )
    return int(sessions), int(api_tokens)
