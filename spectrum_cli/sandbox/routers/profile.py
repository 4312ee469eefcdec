"""Profile: contacts, billing address, paperless, notifications (ETag / If-Match), password."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Header, Response

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.profile import (
    ContactEmail,
    ContactPhone,
    NotificationPrefs,
    PasswordChange,
    Profile,
    ProfilePatch,
)
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, ProfileWriter, SessionPrincipal
from spectrum_cli.sandbox.errors import APIError, invalid
from spectrum_cli.sandbox.passwords import check_new_password, set_password
from spectrum_cli.sandbox.security import verify_password

router = APIRouter(tags=["profile"])


def load(conn: sqlite3.Connection, account_id: str) -> Profile:
    account = conn.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    contacts = conn.execute(
        "SELECT * FROM contacts WHERE account_id = ? ORDER BY rowid", (account_id,)
    ).fetchall()
    return Profile(
        emails=[
            ContactEmail(address=c["value"], primary=bool(c["is_primary"]))
            for c in contacts
            if c["kind"] == "email"
        ],
        phones=[
            ContactPhone(number=c["value"], primary=bool(c["is_primary"]))
            for c in contacts
            if c["kind"] == "phone"
        ],
        billing_address=json.loads(account["billing_address"]),
        paperless=bool(account["paperless"]),
        notifications=NotificationPrefs.model_validate(json.loads(account["notifications"])),
        etag=f'"{account["profile_version"]}"',
    )


@router.get(routes.PROFILE, response_model=Profile)
def get_profile(principal: AccountReader, db: DbDep, response: Response) -> Profile:
    with db.read() as conn:
        profile = load(conn, principal.account_id)
    response.headers["ETag"] = profile.etag
    return profile


@router.patch(routes.PROFILE, response_model=Profile)
def patch_profile(
    body: ProfilePatch,
    principal: ProfileWriter,
    db: DbDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=64, description="The ETag the change is based on."),
    ] = None,
) -> Profile:
    """Change some fields. Refused with 412 when the profile changed since `If-Match` was read,
    so two edits from the same starting point can never silently undo each other."""
    if if_match is None:
        raise APIError(
            428,
            "invalid_request",
            "precondition_required",
            "Send If-Match with the ETag from GET /v1/profile.",
            param="If-Match",
        )
    with db.write() as conn:
        current = load(conn, principal.account_id)
        if if_match.strip() not in (current.etag, "*"):
            raise APIError(
                412,
                "conflict",
                "profile_changed",
                "The profile changed since it was read; read it again and retry.",
                param="If-Match",
            )
        if body.emails is not None:
            _replace_contacts(
                conn, principal.account_id, "email", [(e.address, e.primary) for e in body.emails]
            )
        if body.phones is not None:
            _replace_contacts(
                conn, principal.account_id, "phone", [(p.number, p.primary) for p in body.phones]
            )
        if body.billing_address is not None:
            conn.execute(
                "UPDATE accounts SET billing_address = ? WHERE id = ?",
                (body.billing_address.model_dump_json(), principal.account_id),
            )
        if body.paperless is not None:
            conn.execute(
                "UPDATE accounts SET paperless = ? WHERE id = ?",
                (int(body.paperless), principal.account_id),
            )
        if body.notifications is not None:
            conn.execute(
                "UPDATE accounts SET notifications = ? WHERE id = ?",
                (body.notifications.model_dump_json(), principal.account_id),
            )
        conn.execute(
            "UPDATE accounts SET profile_version = profile_version + 1 WHERE id = ?",
            (principal.account_id,),
        )
        profile = load(conn, principal.account_id)
    response.headers["ETag"] = profile.etag
    return profile


def _replace_contacts(
    conn: sqlite3.Connection, account_id: str, kind: str, values: list[tuple[str, bool]]
) -> None:
    conn.execute("DELETE FROM contacts WHERE account_id = ? AND kind = ?", (account_id, kind))
    conn.executemany(
        "INSERT INTO contacts (account_id, kind, value, is_primary) VALUES (?, ?, ?, ?)",
        [(account_id, kind, value, int(primary)) for value, primary in values],
    )


@router.post(routes.PROFILE_PASSWORD, response_model=PasswordChanged)
def change_password(
    body: PasswordChange, principal: SessionPrincipal, db: DbDep, now: NowDep
) -> PasswordChanged:
    """Change the password (a signed-in session, not an API token). Every other session of
    the user ends, and every API token; this session stays."""
    with db.read() as conn:
        stored = conn.execute(
            "SELECT password_hash FROM users WHERE id = ?", (principal.user_id,)
        ).fetchone()["password_hash"]
    if not verify_password(body.current_password, stored):
        raise invalid(
            "incorrect_password", "The current password is incorrect.", param="current_password"
        )
    with db.write() as conn:
        check_new_password(conn, user_id=principal.user_id, password=body.new_password)
        sessions, tokens = set_password(
            conn,
            user_id=principal.user_id,
            password=body.new_password,
            now=now,
            keep_family=principal.family_id,
        )
    return PasswordChanged(
        message="Password changed. Other sessions and API tokens were signed out.",
        revoked_sessions=sessions,
        revoked_tokens=tokens,
    )
