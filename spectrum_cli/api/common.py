"""Shared building blocks: base models, the error envelope and list envelopes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator


class Resource(BaseModel):
    """A body the server sends. Unknown fields are ignored so old clients keep working."""

    model_config = ConfigDict(extra="ignore")


class Request(BaseModel):
    """A body the client sends. Unknown fields are refused so typos surface at once."""

    model_config = ConfigDict(extra="forbid")


ErrorType = Literal[
    "invalid_request",
    "authentication",
    "permission",
    "not_found",
    "conflict",
    "payment",
    "rate_limit",
    "api",
]

Currency = Literal["usd"]
Cents = int
# An integer in a request as JSON writes one: `true`, `"100"` and `1.0` are refused, so a
# typo in a script can never become a 1-cent payment.
RequestInt = Annotated[int, Strict()]
ServiceKind = Literal["internet", "tv", "voice", "mobile"]
Channel = Literal["sms", "email"]

# A date a request may carry: room for any sandbox time, and far enough from the ends of the
# calendar that arithmetic of a few years either side never overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
RequestDate = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


class ErrorDetail(Resource):
    type: ErrorType
    code: str = Field(description="Stable machine-readable code, e.g. `idempotency_key_reused`.")
    message: str = Field(description="One sentence a person can act on.")
    param: str | None = Field(default=None, description="The request field at fault, if any.")
    request_id: str | None = None


class ErrorResponse(Resource):
    error: ErrorDetail


T = TypeVar("T")


class ListResponse(Resource, Generic[T]):
    data: list[T]
    has_more: bool = False


US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)


class Address(Resource):
    line1: str = Field(min_length=1, max_length=100)
    line2: str | None = Field(default=None, max_length=100)
    city: str = Field(min_length=1, max_length=60)
    state: str = Field(pattern=r"^[A-Z]{2}$", description="US state or territory code.")
    zip: str = Field(pattern=r"^[0-9]{5}(-[0-9]{4})?$", description="ZIP or ZIP+4.")

    @field_validator("zip", mode="before")
    @classmethod
    def _zip_shape(cls, value: object) -> object:
        if isinstance(value, str) and not re.match(r"^[0-9]{5}(-[0-9]{4})?$", value):
            raise ValueError(f"{value!r} is not a ZIP code (12345 or 12345-6789)")
        return value

    @field_validator("state", mode="before")
    @classmethod
    def _state_shape(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("state")
    @classmethod
    def _known_state(cls, state: str) -> str:
        if state not in US_STATES:
            raise ValueError(f"{state} is not a US state or territory code")
        return state


class Message(Resource):
    """A plain acknowledgement."""

    message: str


class PasswordChanged(Message):
    """A password reset or change, and what it signed out: the user's other sessions and
    every API token, since whoever knew the old password may have made them."""

    revoked_sessions: int = Field(
        default=0, description="Signed-in sessions ended (a change keeps the one that made it)."
    )
    revoked_tokens: int = Field(default=0, description="API tokens revoked.")
