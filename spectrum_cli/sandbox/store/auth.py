"""Sessions and API tokens, one-time code challenges, guessing limits and step-up records."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from spectrum_cli.sandbox import clock


def _moment(text: str | None) -> dt.datetime | None:
    return clock.parse(text) if text else None


# --- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    token_hash: str
    id: str
    kind: str  # "access" | "refresh" | "api"
    user_id: str
    family_id: str | None
    name: str | None
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


def _token(row: sqlite3.Row) -> Token:
    return Token(
        token_hash=row["token_hash"],
        id=row["id"],
        kind=row["kind"],
        user_id=row["user_id"],
        family_id=row["family_id"],
        name=row["name"],
        scopes=tuple(row["scopes"].split()),
        created_at=clock.parse(row["created_at"]),
        expires_at=clock.parse(row["expires_at"]),
        used_at=_moment(row["used_at"]),
        revoked_at=_moment(row["revoked_at"]),
        last_used_at=_moment(row["last_used_at"]),
    )


def insert_token(
    conn: sqlite3.Connection,
    *,
    token_hash: str,
    token_id: str,
    kind: str,
    user_id: str,
    scopes: tuple[str, ...],
    created_at: dt.datetime,
    expires_at: dt.datetime,
    family_id: str | None = None,
    name: str | None = None,
) -> None:
    conn.execute(
        """INSERT INTO tokens (token_hash, id, kind, user_id, family_id, name, scopes,
                               created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            token_hash,
            token_id,
            kind,
            user_id,
            family_id,
            name,
            " ".join(scopes),
            clock.iso(created_at),
            clock.iso(expires_at),
        ),
    )


def token_by_hash(
    conn: sqlite3.Connection, *, token_hash: str, kinds: tuple[str, ...]
) -> Token | None:
    marks = ", ".join("?" for _ in kinds)
    row = conn.execute(
        f"SELECT * FROM tokens WHERE token_hash = ? AND kind IN ({marks})", (token_hash, *kinds)
    ).fetchone()
    return _token(row) if row else None


def token_by_id(conn: sqlite3.Connection, *, token_id: str) -> Token:
    return _token(conn.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone())


def live_api_tokens(conn: sqlite3.Connection, *, user_id: str) -> list[Token]:
    rows = conn.execute(
        """SELECT * FROM tokens WHERE user_id = ? AND kind = 'api' AND revoked_at IS NULL
           ORDER BY created_at, id""",
        (user_id,),
    ).fetchall()
    return [_token(r) for r in rows]


def touch_token(conn: sqlite3.Connection, *, token_id: str, now: dt.datetime) -> None:
    conn.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (clock.iso(now), token_id))


def use_refresh_token(conn: sqlite3.Connection, *, token: Token, now: dt.datetime) -> None:
    """Spend a refresh token, and end its family's access tokens: the rotation replaces them."""
    at = clock.iso(now)
    conn.execute("UPDATE tokens SET used_at = ? WHERE token_hash = ?", (at, token.token_hash))
    conn.execute(
        """UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND kind = 'access'
           AND revoked_at IS NULL""",
        (at, token.family_id),
    )


def revoke_family(conn: sqlite3.Connection, *, family_id: str, now: dt.datetime) -> None:
    conn.execute(
        "UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        (clock.iso(now), family_id),
    )


def revoke_api_token(
    conn: sqlite3.Connection, *, token_id: str, user_id: str, now: dt.datetime
) -> bool:
    """False when the user has no such API token; a revoked one stays as it was."""
    return bool(
        conn.execute(
            """UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?
               AND user_id = ? AND kind = 'api'""",
            (clock.iso(now), token_id, user_id),
        ).rowcount
    )


def revoke_user_tokens(
    conn: sqlite3.Connection, *, user_id: str, now: dt.datetime, keep_family: str | None
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


# --- one-time code challenges --------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    id: str
    purpose: str  # "mfa" | "password_reset"
    user_id: str
    code_hash: str
    channel: str
    expires_at: dt.datetime
    attempts: int
    used_at: dt.datetime | None


def _challenge(row: sqlite3.Row) -> Challenge:
    return Challenge(
        id=row["id"],
        purpose=row["purpose"],
        user_id=row["user_id"],
        code_hash=row["code_hash"],
        channel=row["channel"],
        expires_at=clock.parse(row["expires_at"]),
        attempts=row["attempts"],
        used_at=_moment(row["used_at"]),
    )


def retire_challenges(
    conn: sqlite3.Connection, *, user_id: str, purpose: str, now: dt.datetime
) -> None:
    conn.execute(
        "UPDATE challenges SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
        (clock.iso(now), user_id, purpose),
    )


def insert_challenge(conn: sqlite3.Connection, *, challenge: Challenge) -> None:
    conn.execute(
        """INSERT INTO challenges (id, purpose, user_id, code_hash, channel, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (
            challenge.id,
            challenge.purpose,
            challenge.user_id,
            challenge.code_hash,
            challenge.channel,
            clock.iso(challenge.expires_at),
        ),
    )


def challenge_by_id(
    conn: sqlite3.Connection, *, challenge_id: str, purpose: str
) -> Challenge | None:
    row = conn.execute(
        "SELECT * FROM challenges WHERE id = ? AND purpose = ?", (challenge_id, purpose)
    ).fetchone()
    return _challenge(row) if row else None


def live_challenge(
    conn: sqlite3.Connection, *, user_id: str, purpose: str, max_attempts: int, now: dt.datetime
) -> Challenge | None:
    """The user's newest unused, unexpired challenge with attempts left."""
    row = conn.execute(
        """SELECT * FROM challenges WHERE user_id = ? AND purpose = ? AND used_at IS NULL
           AND expires_at > ? AND attempts < ? ORDER BY expires_at DESC LIMIT 1""",
        (user_id, purpose, clock.iso(now), max_attempts),
    ).fetchone()
    return _challenge(row) if row else None


def count_wrong_code(conn: sqlite3.Connection, *, challenge_id: str) -> None:
    conn.execute("UPDATE challenges SET attempts = attempts + 1 WHERE id = ?", (challenge_id,))


def use_challenge(conn: sqlite3.Connection, *, challenge_id: str, now: dt.datetime) -> None:
    conn.execute("UPDATE challenges SET used_at = ? WHERE id = ?", (clock.iso(now), challenge_id))


# --- sign-in lockouts ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignInCount:
    attempts: int
    pending: int
    locked_until: dt.datetime | None


def _sign_in_count(row: sqlite3.Row) -> SignInCount:
    return SignInCount(
        attempts=row["attempts"], pending=row["pending"], locked_until=_moment(row["locked_until"])
    )


def sign_in_count(
    conn: sqlite3.Connection, *, subject: str, now: dt.datetime
) -> SignInCount | None:
    """The subject's failures and checks in progress; windows and locks that ended are
    forgotten first."""
    conn.execute(
        "DELETE FROM login_failures WHERE COALESCE(locked_until, window_ends) <= ?",
        (clock.iso(now),),
    )
    row = conn.execute(
        "SELECT attempts, pending, locked_until FROM login_failures WHERE username_key = ?",
        (subject,),
    ).fetchone()
    return _sign_in_count(row) if row else None


def start_sign_in(conn: sqlite3.Connection, *, subject: str, window_ends: dt.datetime) -> None:
    conn.execute(
        """INSERT INTO login_failures (username_key, attempts, pending, window_ends)
           VALUES (?, 0, 1, ?)
           ON CONFLICT (username_key) DO UPDATE SET pending = pending + 1""",
        (subject, clock.iso(window_ends)),
    )


def fail_sign_in(conn: sqlite3.Connection, *, subject: str) -> int | None:
    """Turn a check in progress into a failure; returns the failures so far."""
    row = conn.execute(
        """UPDATE login_failures SET pending = MAX(pending - 1, 0), attempts = attempts + 1
           WHERE username_key = ? RETURNING attempts""",
        (subject,),
    ).fetchone()
    return int(row[0]) if row is not None else None


def lock_sign_in(conn: sqlite3.Connection, *, subject: str, until: dt.datetime) -> None:
    conn.execute(
        "UPDATE login_failures SET locked_until = ? WHERE username_key = ?",
        (clock.iso(until), subject),
    )


def pass_sign_in(conn: sqlite3.Connection, *, subject: str) -> None:
    """A check in progress passed: failures are forgotten unless they locked the subject."""
    conn.execute(
        """UPDATE login_failures SET pending = MAX(pending - 1, 0), attempts = 0
           WHERE username_key = ? AND locked_until IS NULL""",
        (subject,),
    )
    conn.execute(
        "DELETE FROM login_failures WHERE username_key = ? AND attempts = 0 AND pending = 0",
        (subject,),
    )


def clear_sign_in(conn: sqlite3.Connection, *, subject: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE username_key = ?", (subject,))


# --- sliding-window events -----------------------------------------------------------------


def recent_events(
    conn: sqlite3.Connection, *, bucket: str, subject: str, since: dt.datetime, limit: int
) -> list[dt.datetime]:
    """Up to ``limit`` of the subject's events after ``since``, newest first; the bucket's
    older events are dropped."""
    after = clock.iso(since)
    conn.execute("DELETE FROM throttle_events WHERE bucket = ? AND at <= ?", (bucket, after))
    rows = conn.execute(
        """SELECT at FROM throttle_events WHERE bucket = ? AND subject = ? AND at > ?
           ORDER BY at DESC LIMIT ?""",
        (bucket, subject, after, limit),
    ).fetchall()
    return [clock.parse(r["at"]) for r in rows]


def record_event(conn: sqlite3.Connection, *, bucket: str, subject: str, at: dt.datetime) -> None:
    conn.execute(
        "INSERT INTO throttle_events (bucket, subject, at) VALUES (?, ?, ?)",
        (bucket, subject, clock.iso(at)),
    )


# --- step-up -------------------------------------------------------------------------------


def record_reauthentication(conn: sqlite3.Connection, *, family_id: str, at: dt.datetime) -> None:
    conn.execute(
        """INSERT INTO reauthentications (family_id, confirmed_at) VALUES (?, ?)
           ON CONFLICT (family_id) DO UPDATE SET confirmed_at = excluded.confirmed_at""",
        (family_id, clock.iso(at)),
    )


def reauthenticated_at(conn: sqlite3.Connection, *, family_id: str | None) -> dt.datetime | None:
    row = conn.execute(
        "SELECT confirmed_at FROM reauthentications WHERE family_id = ?", (family_id,)
    ).fetchone()
    return clock.parse(row["confirmed_at"]) if row else None
