"""Who a bearer token belongs to, and the sessions and API tokens that make one."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.auth import ALL_SCOPES, Session
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.security import hash_token, new_id, new_secret
from spectrum_cli.sandbox.store import auth as auth_store
from spectrum_cli.sandbox.store import users as users_store

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


def _refused(token: auth_store.Token | None, now: dt.datetime) -> APIError | None:
    """Why a bearer token cannot be used, or None when it can."""
    if token is None:
        return unauthenticated("invalid_token", "The token is not valid; sign in again.")
    # Expiry is reported before revocation: an access token superseded by a refresh has
    # also expired, and "expired" sends a client to refresh (or to the session another
    # process stored), which then fails on its own if the session was ended.
    if token.kind == "api":  # not refreshable: the answer names the token, not a session
        if token.expires_at <= now:
            return unauthenticated(
                "api_token_expired", f"The API token expired on {token.expires_at:%Y-%m-%d}."
            )
        if token.revoked_at:
            return unauthenticated("api_token_revoked", "The API token was revoked.")
    if token.expires_at <= now:
        return unauthenticated("token_expired", "The access token has expired.")
    if token.revoked_at:
        return unauthenticated("invalid_token", "The token is not valid; sign in again.")
    return None


def principal_for_token(conn: sqlite3.Connection, token: str, now: dt.datetime) -> Principal:
    """Resolve a bearer token, or raise the 401 that says why it cannot be used."""
    row = auth_store.token_by_hash(conn, token_hash=hash_token(token), kinds=("access", "api"))
    refused = _refused(row, now)
    if refused is not None:
        raise refused
    assert row is not None
    user = users_store.user_by_id(conn, user_id=row.user_id)
    return Principal(
        user_id=user.id,
        account_id=user.account_id,
        username=user.username,
        role=user.role,
        token_kind="session" if row.kind == "access" else "api_token",
        token_id=row.id,
        family_id=row.family_id,
        scopes=row.scopes,
        expires_at=row.expires_at,
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
    auth_store.insert_token(
        conn,
        token_hash=hash_token(secret),
        token_id=token_id,
        kind=kind,
        user_id=user_id,
        scopes=scopes,
        created_at=now,
        expires_at=expires_at,
        family_id=family_id,
        name=name,
    )
    return secret, token_id, expires_at


def issue_session(
    conn: sqlite3.Connection,
    *,
    user: users_store.User,
    now: dt.datetime,
    family_id: str | None = None,
) -> Session:
    """A fresh access + refresh pair; a new family unless rotating an existing one."""
    family_id = family_id or new_id("fam")
    access, _, access_exp = _insert_token(
        conn, kind="access", user_id=user.id, now=now, ttl=ACCESS_TTL, family_id=family_id
    )
    refresh, _, refresh_exp = _insert_token(
        conn, kind="refresh", user_id=user.id, now=now, ttl=REFRESH_TTL, family_id=family_id
    )
    return Session(
        access_token=access,
        refresh_token=refresh,
        expires_at=access_exp,
        refresh_expires_at=refresh_exp,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
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
