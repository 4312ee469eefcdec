"""Who may change what, in one place.

The account's contacts (its emails and phones, which are also where recovery codes go) and
its address decide who can take the account over, so changing them needs the head of
household or an administrator, a signed-in session (never an API token), and a password
confirmed within the last five minutes. A standard user reads and pays, and edits only their
own password and notification preferences.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from spectrum_cli.api.profile import STEP_UP_FIELDS
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.principals import Principal
from spectrum_cli.sandbox.store import auth as auth_store

REAUTH_WINDOW = dt.timedelta(minutes=5)
MANAGERS = frozenset({"head_of_household", "administrator"})
CONTACT_FIELDS = STEP_UP_FIELDS
# Profile fields of the account as a whole; the rest (notifications) are the caller's own.
ACCOUNT_FIELDS = CONTACT_FIELDS | {"paperless"}


def role_forbidden(what: str) -> APIError:
    return APIError(
        403,
        "permission",
        "role_forbidden",
        f"A standard user cannot change {what}; ask the head of household.",
    )


def session_required(what: str) -> APIError:
    return APIError(
        403,
        "permission",
        "session_required",
        f"Changing {what} needs a signed-in session, not an API token.",
    )


def require_manager(principal: Principal, what: str) -> None:
    if principal.role not in MANAGERS:
        raise role_forbidden(what)


def record_reauthentication(
    conn: sqlite3.Connection, *, principal: Principal, now: dt.datetime
) -> dt.datetime:
    """The session just confirmed its password; returns when that confirmation lapses."""
    if principal.token_kind != "session" or principal.family_id is None:
        raise session_required("security settings")
    auth_store.record_reauthentication(conn, family_id=principal.family_id, at=now)
    return now + REAUTH_WINDOW


def _recently_reauthenticated(
    conn: sqlite3.Connection, principal: Principal, now: dt.datetime
) -> bool:
    confirmed_at = auth_store.reauthenticated_at(conn, family_id=principal.family_id)
    return confirmed_at is not None and now - confirmed_at <= REAUTH_WINDOW


def check_profile_change(
    conn: sqlite3.Connection, *, principal: Principal, fields: set[str], now: dt.datetime
) -> None:
    """Refuse a profile change the caller may not make, before anything is written."""
    if fields & ACCOUNT_FIELDS:
        require_manager(principal, "the account's contacts, address or paperless billing")
    if not fields & CONTACT_FIELDS:
        return
    if principal.token_kind != "session":
        raise session_required("the account's contacts or address")
    if not _recently_reauthenticated(conn, principal, now):
        raise APIError(
            403,
            "permission",
            "reauthentication_required",
            "Confirm the password first (POST /v1/auth/reauth): changing the account's "
            "contacts or address needs a password confirmation within the last "
            f"{int(REAUTH_WINDOW.total_seconds() // 60)} minutes.",
        )
