"""Users, their passwords, the account's contacts and profile, and the sandbox personas."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from spectrum_cli.api.common import Channel
from spectrum_cli.api.profile import ContactEmail, ContactPhone, NotificationPrefs, Profile
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.store import accounts

# --- users ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: str
    account_id: str
    username: str
    password_hash: str
    role: str
    mfa_channel: Channel | None
    notifications: dict[str, Any]


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        account_id=row["account_id"],
        username=row["username"],
        password_hash=row["password_hash"],
        role=row["role"],
        mfa_channel=row["mfa_channel"],
        notifications=json.loads(row["notifications"]),
    )


def user_by_username(conn: sqlite3.Connection, *, username: str) -> User | None:
    """The user of that name, compared without regard to case."""
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    return _user(row) if row else None


def user_by_id(conn: sqlite3.Connection, *, user_id: str) -> User:
    return _user(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())


def usernames(conn: sqlite3.Connection, *, account_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT username FROM users WHERE account_id = ? ORDER BY username", (account_id,)
    )
    return [r["username"] for r in rows]


def set_notifications(conn: sqlite3.Connection, *, user_id: str, prefs_json: str) -> None:
    conn.execute("UPDATE users SET notifications = ? WHERE id = ?", (prefs_json, user_id))


def recent_password_hashes(conn: sqlite3.Connection, *, user_id: str, limit: int) -> list[str]:
    rows = conn.execute(
        """SELECT password_hash FROM password_history WHERE user_id = ?
           ORDER BY created_at DESC, rowid DESC LIMIT ?""",
        (user_id, limit),
    ).fetchall()
    return [r["password_hash"] for r in rows]


def set_password_hash(
    conn: sqlite3.Connection, *, user_id: str, password_hash: str, now: dt.datetime
) -> None:
    """The user's new password hash, kept in the history as well."""
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
    conn.execute(
        "INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)",
        (user_id, password_hash, clock.iso(now)),
    )


# --- contacts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    account_id: str
    kind: str  # "email" | "phone"
    value: str
    primary: bool


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(
        account_id=row["account_id"],
        kind=row["kind"],
        value=row["value"],
        primary=bool(row["is_primary"]),
    )


def contacts(
    conn: sqlite3.Connection,
    *,
    account_id: str | None = None,
    kind: str | None = None,
    value: str | None = None,
) -> list[Contact]:
    """Contacts in the order they were added; each filter given narrows them (a value is
    compared without regard to case)."""
    rows = conn.execute(
        """SELECT * FROM contacts WHERE (:account_id IS NULL OR account_id = :account_id)
           AND (:kind IS NULL OR kind = :kind) AND (:value IS NULL OR value = :value)
           ORDER BY rowid""",
        {"account_id": account_id, "kind": kind, "value": value},
    ).fetchall()
    return [_contact(r) for r in rows]


def primary_contact(conn: sqlite3.Connection, *, account_id: str, kind: str) -> str | None:
    """The account's primary contact of this kind, else its first one."""
    found = contacts(conn, account_id=account_id, kind=kind)
    ranked = sorted(found, key=lambda c: not c.primary)  # stable: first added among equals
    return ranked[0].value if ranked else None


def replace_contacts(
    conn: sqlite3.Connection, *, account_id: str, kind: str, values: list[tuple[str, bool]]
) -> None:
    conn.execute("DELETE FROM contacts WHERE account_id = ? AND kind = ?", (account_id, kind))
    conn.executemany(
        "INSERT INTO contacts (account_id, kind, value, is_primary) VALUES (?, ?, ?, ?)",
        [(account_id, kind, value, int(primary)) for value, primary in values],
    )


# --- the account as its users see it ------------------------------------------------------


def set_billing_address(conn: sqlite3.Connection, *, account_id: str, address_json: str) -> None:
    conn.execute("UPDATE accounts SET billing_address = ? WHERE id = ?", (address_json, account_id))


def set_paperless(conn: sqlite3.Connection, *, account_id: str, paperless: bool) -> None:
    conn.execute("UPDATE accounts SET paperless = ? WHERE id = ?", (int(paperless), account_id))


def bump_profile_version(conn: sqlite3.Connection, *, account_id: str) -> None:
    conn.execute(
        "UPDATE accounts SET profile_version = profile_version + 1 WHERE id = ?", (account_id,)
    )


# --- sandbox personas ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaRow:
    username: str
    password: str
    summary: str
    role: str
    mfa_channel: str | None
    account_number: str


def _persona(row: sqlite3.Row) -> PersonaRow:
    return PersonaRow(
        username=row["username"],
        password=row["password"],
        summary=row["summary"],
        role=row["role"],
        mfa_channel=row["mfa_channel"],
        account_number=row["number"],
    )


def personas(conn: sqlite3.Connection) -> list[PersonaRow]:
    rows = conn.execute(
        """SELECT p.username, p.password, p.summary, u.role, u.mfa_channel, a.number
           FROM personas p JOIN users u ON u.username = p.username
           JOIN accounts a ON a.id = u.account_id ORDER BY p.position"""
    ).fetchall()
    return [_persona(r) for r in rows]


# --- the profile ---------------------------------------------------------------------------


def profile(conn: sqlite3.Connection, *, account_id: str, user_id: str) -> Profile:
    """The account's contacts and address, with the user's own notification preferences;
    its ETag changes with every change to the account's part."""
    account = accounts.get_account(conn, account_id=account_id)
    found = contacts(conn, account_id=account_id)
    return Profile(
        emails=[
            ContactEmail(address=c.value, primary=c.primary) for c in found if c.kind == "email"
        ],
        phones=[
            ContactPhone(number=c.value, primary=c.primary) for c in found if c.kind == "phone"
        ],
        billing_address=account.billing_address,  # type: ignore[arg-type]
        paperless=account.paperless,
        notifications=NotificationPrefs.model_validate(
            user_by_id(conn, user_id=user_id).notifications
        ),
        etag=f'"{account.profile_version}"',
    )
