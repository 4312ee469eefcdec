"""Dependencies every route states in its signature."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from spectrum_cli.api import routes
from spectrum_cli.sandbox import access, clock
from spectrum_cli.sandbox.db import Database
from spectrum_cli.sandbox.errors import APIError
from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.principals import Principal, principal_for_token, unauthenticated
from spectrum_cli.sandbox.store import auth as auth_store

_bearer = HTTPBearer(auto_error=False, description="An access token or a scoped API token.")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DbDep = Annotated[Database, Depends(get_db)]


def get_keys(request: Request) -> ServerKeys:
    keys: ServerKeys = request.app.state.keys
    return keys


KeysDep = Annotated[ServerKeys, Depends(get_keys)]


def holds_sandbox_key(
    keys: KeysDep,
    given: Annotated[
        str | None,
        Header(
            alias=routes.SANDBOX_KEY_HEADER,
            max_length=128,
            description="The sandbox admin key that `spectrum sandbox serve` prints.",
        ),
    ] = None,
) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), keys.admin.encode())


SandboxKeyGiven = Annotated[bool, Depends(holds_sandbox_key)]


def require_sandbox_key(given: SandboxKeyGiven) -> None:
    if not given:
        raise APIError(
            401,
            "authentication",
            "sandbox_key_required",
            f"Sandbox control needs the {routes.SANDBOX_KEY_HEADER} header with the sandbox "
            "admin key that `spectrum sandbox serve` prints.",
            param=routes.SANDBOX_KEY_HEADER,
        )


def get_now(db: DbDep) -> dt.datetime:
    with db.read() as conn:
        return clock.now(conn)


NowDep = Annotated[dt.datetime, Depends(get_now)]


def get_principal(
    db: DbDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    response: Response,
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("missing_token", "Sign in first: no bearer token was sent.")
    with db.read() as conn:
        principal = principal_for_token(conn, credentials.credentials, now)
    if principal.token_kind == "api_token":
        with db.write() as conn:
            auth_store.touch_token(conn, token_id=principal.token_id, now=now)
        left = int((principal.expires_at - now).total_seconds())
        response.headers[routes.TOKEN_EXPIRES_AT_HEADER] = clock.iso(principal.expires_at)
        response.headers[routes.TOKEN_EXPIRES_IN_HEADER] = str(left)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_scope(scope: str) -> Callable[[Principal], Principal]:
    def check(principal: PrincipalDep) -> Principal:
        if scope not in principal.scopes:
            raise APIError(
                403,
                "permission",
                "missing_scope",
                f"This token lacks the {scope} scope.",
                param=scope,
            )
        return principal

    return check


def require_session(principal: PrincipalDep) -> Principal:
    if principal.token_kind != "session":
        raise APIError(
            403,
            "permission",
            "session_required",
            "This needs a signed-in session, not an API token.",
        )
    return principal


AccountReader = Annotated[Principal, Depends(require_scope("account:read"))]
ProfileWriter = Annotated[Principal, Depends(require_scope("profile:write"))]
SupportWriter = Annotated[Principal, Depends(require_scope("support:write"))]
SessionPrincipal = Annotated[Principal, Depends(require_session)]


def require_manager(scope: str) -> Callable[[Principal], Principal]:
    """Changing payment methods and autopay is for the head of household and admins."""

    scoped = require_scope(scope)

    # A default, not an Annotated hint: hints are strings here and could not see `scoped`.
    def check(principal: Principal = Depends(scoped)) -> Principal:
        access.require_manager(principal, "payment methods or autopay")
        return principal

    return check


def _catch_up(db: Database, account_id: str, now: dt.datetime) -> None:
    """Apply what the clock has passed for this account (a write only when there is some)."""
    from spectrum_cli.sandbox.domain import statements

    with db.read() as conn:
        if statements.next_event(conn, account_id, now.date()) is None:
            return
    with db.write() as conn:
        statements.catch_up(conn, account_id=account_id, today=now.date(), now=now)


def caught_up(check: Callable[..., Principal]) -> Callable[..., Principal]:
    """``check``'s principal, with the account brought up to the clock first: statements
    issued, autopay charged, payments settled. Every route that reads or moves money takes
    one of these, so none can answer from a day the clock has already passed."""

    # A default, not Annotated: annotations are strings here, and ``check`` is not a global.
    def principal_caught_up(
        db: DbDep, now: NowDep, principal: Principal = Depends(check)
    ) -> Principal:
        _catch_up(db, principal.account_id, now)
        return principal

    return principal_caught_up


BillingReader = Annotated[Principal, Depends(caught_up(require_scope("billing:read")))]
PaymentsWriter = Annotated[Principal, Depends(caught_up(require_scope("payments:write")))]
MethodsManager = Annotated[Principal, Depends(caught_up(require_manager("payments:write")))]
AutopayManager = Annotated[Principal, Depends(caught_up(require_manager("autopay:write")))]
SummaryReader = Annotated[Principal, Depends(caught_up(require_scope("account:read")))]
