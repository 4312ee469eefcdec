"""Sign-in, second factor, token refresh and scoped API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import Field

from spectrum_cli.api.common import Channel, ListResponse, Request, RequestInt, Resource

Scope = Literal[
    "account:read",
    "billing:read",
    "payments:write",
    "autopay:write",
    "profile:write",
    "support:write",
]
ALL_SCOPES: tuple[Scope, ...] = get_args(Scope)
Role = Literal["head_of_household", "administrator", "standard"]
TokenKind = Literal["session", "api_token"]


class LoginRequest(Request):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128, repr=False)


class ReauthRequest(Request):
    """Confirm the password of a signed-in session before a sensitive change."""

    password: str = Field(min_length=1, max_length=128, repr=False)


class Reauthenticated(Resource):
    valid_until: dt.datetime = Field(
        description="Until then, this session may change the account's contacts and address."
    )


class Session(Resource):
    """An access token (short-lived) and the refresh token that renews it (rotates on use)."""

    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime = Field(description="When the access token stops working.")
    refresh_expires_at: dt.datetime
    username: str
    role: Role


class MfaChallenge(Resource):
    challenge_id: str
    channel: Channel
    destination_masked: str = Field(description="Where the code was sent, e.g. `•••-•••-0142`.")
    expires_at: dt.datetime


class LoginResponse(Resource):
    """Either a session, or a second-factor challenge to answer at `POST /v1/auth/mfa`."""

    mfa_required: bool
    session: Session | None = None
    challenge: MfaChallenge | None = None


class MfaRequest(Request):
    challenge_id: str = Field(min_length=1, max_length=64)
    code: str = Field(pattern=r"^[0-9]{6}$", repr=False)


class RefreshRequest(Request):
    refresh_token: str = Field(min_length=1, max_length=256, repr=False)


class WhoAmI(Resource):
    """The principal behind the presented bearer token."""

    username: str
    role: Role
    account_number_masked: str
    token_kind: TokenKind
    token_id: str | None = Field(default=None, description="Set for API tokens.")
    scopes: list[Scope]
    expires_at: dt.datetime | None


class ApiTokenCreate(Request):
    name: str = Field(min_length=1, max_length=64)
    scopes: list[Scope] = Field(min_length=1)
    expires_in_days: RequestInt = Field(default=90, ge=1, le=366)


class ApiToken(Resource):
    id: str
    name: str
    scopes: list[Scope]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = None


class CreatedApiToken(ApiToken):
    token: str = Field(repr=False, description="The secret. Shown once, never again.")


class ApiTokenList(ListResponse[ApiToken]):
    pass
