"""Profile: contacts, billing address, paperless, notifications (ETag / If-Match), password."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from spectrum_cli.api import routes
from spectrum_cli.api.common import PasswordChanged
from spectrum_cli.api.profile import PasswordChange, Profile, ProfilePatch
from spectrum_cli.sandbox import access
from spectrum_cli.sandbox.deps import (
    AccountReader,
    DbDep,
    KeysDep,
    NowDep,
    ProfileWriter,
    SessionPrincipal,
)
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.passwords import (
    check_new_password,
    confirm_current_password,
    set_password,
)
from spectrum_cli.sandbox.principals import Principal
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import outbox
from spectrum_cli.sandbox.store import users as store

router = new_router(tags=["profile"])


@router.get(routes.PROFILE, response_model=Profile)
def get_profile(principal: AccountReader, db: DbDep, response: Response) -> Profile:
    with db.read() as conn:
        profile = store.profile(conn, account_id=principal.account_id, user_id=principal.user_id)
    response.headers["ETag"] = profile.etag
    return profile


async def _fields_sent(request: Request) -> set[str]:
    try:
        sent = json.loads(await request.body() or b"{}")
    except ValueError:
        return set()  # the body fails validation on its own
    return set(sent) if isinstance(sent, dict) else set()


def _may_change(
    principal: ProfileWriter,
    fields: Annotated[set[str], Depends(_fields_sent)],
    db: DbDep,
    now: NowDep,
) -> Principal:
    """Who may change these fields (access.py): a dependency, so that an idempotent replay
    of the change is held to it as well."""
    with db.read() as conn:
        access.check_profile_change(conn, principal=principal, fields=fields, now=now)
    return principal


ProfileChanger = Annotated[Principal, Depends(_may_change)]


@router.patch(routes.PROFILE, response_model=Profile)
def patch_profile(
    body: ProfilePatch,
    principal: ProfileChanger,
    db: DbDep,
    now: NowDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=64, description="The ETag the change is based on."),
    ] = None,
) -> Profile:
    """Change some fields. Refused with 412 when the profile changed since `If-Match` was read,
    so two edits from the same starting point can never silently undo each other.

    Emails, phones and the billing address need the head of household or an administrator,
    a signed-in session and a password confirmed within 5 minutes (`POST /v1/auth/reauth`);
    the previous contacts are told. Paperless needs the head of household or an
    administrator. Notification preferences are the caller's own."""
    if if_match is None:
        raise APIError(
            428,
            "invalid_request",
            "precondition_required",
            "Send If-Match with the ETag from GET /v1/profile.",
            param="If-Match",
        )
    fields = set(body.model_fields_set)
    with db.write() as conn:
        current = store.profile(conn, account_id=principal.account_id, user_id=principal.user_id)
        if if_match.strip() not in (current.etag, "*"):
            raise APIError(
                412,
                "conflict",
                "profile_changed",
                "The profile changed since it was read; read it again and retry.",
                param="If-Match",
            )
        _apply(conn, principal, body)
        store.bump_profile_version(conn, account_id=principal.account_id)
        if fields & access.CONTACT_FIELDS:
            _tell_previous_contacts(conn, current, changed_by=principal.username, now=now)
        profile = store.profile(conn, account_id=principal.account_id, user_id=principal.user_id)
    response.headers["ETag"] = profile.etag
    return profile


def _apply(conn: sqlite3.Connection, principal: Principal, body: ProfilePatch) -> None:
    account_id = principal.account_id
    if body.emails is not None:
        emails = [(e.address, e.primary) for e in body.emails]
        store.replace_contacts(conn, account_id=account_id, kind="email", values=emails)
    if body.phones is not None:
        phones = [(p.number, p.primary) for p in body.phones]
        store.replace_contacts(conn, account_id=account_id, kind="phone", values=phones)
    if body.billing_address is not None:
        address = body.billing_address.model_dump_json()
        store.set_billing_address(conn, account_id=account_id, address_json=address)
    if body.paperless is not None:
        store.set_paperless(conn, account_id=account_id, paperless=body.paperless)
    if body.notifications is not None:
        prefs = body.notifications.model_dump_json()
        store.set_notifications(conn, user_id=principal.user_id, prefs_json=prefs)


def _tell_previous_contacts(
    conn: sqlite3.Connection, before: Profile, *, changed_by: str, now: dt.datetime
) -> None:
    """Every contact on file before the change hears of it: if it was not the owner, the old
    addresses are where the owner still is."""
    text = (
        f"The contact details or billing address of your Spectrum account were changed by "
        f"{changed_by}. If that was not you, call us: someone may be taking over the account."
    )
    subject = "Your Spectrum contact details changed"
    for email in before.emails:
        outbox.send(conn, channel="email", to=email.address, subject=subject, body=text, now=now)
    for phone in before.phones:
        outbox.send(conn, channel="sms", to=phone.number, subject=subject, body=text, now=now)


@router.post(routes.PROFILE_PASSWORD, response_model=PasswordChanged)
def change_password(
    body: PasswordChange, principal: SessionPrincipal, db: DbDep, keys: KeysDep, now: NowDep
) -> PasswordChanged:
    """Change the password (a signed-in session, not an API token). Every other session of
    the user ends, and every API token; this session stays."""
    confirm_current_password(
        db,
        keys,
        principal=principal,
        password=body.current_password,
        param="current_password",
        now=now,
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
