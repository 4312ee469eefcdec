"""Control routes of the sandbox: personas, clock, outbox, faults and reset."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from spectrum_cli.api.auth import Role
from spectrum_cli.api.common import (
    Channel,
    ListResponse,
    Request,
    RequestInt,
    Resource,
    ServiceKind,
)


class Persona(Resource):
    username: str
    password: str | None = Field(
        default=None,
        description="Demo credentials, given only to callers holding the sandbox admin key.",
    )
    role: Role
    summary: str
    second_factor: Channel | None = None
    account_number_masked: str


class PersonaList(ListResponse[Persona]):
    pass


class ClockState(Resource):
    now: dt.datetime
    offset_seconds: int


class ClockUpdate(Request):
    """Move sandbox time forward: by a number of seconds, or to a moment."""

    advance_seconds: RequestInt | None = Field(default=None, ge=0, le=10 * 366 * 86400)
    set_to: dt.datetime | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ClockUpdate:
        if (self.advance_seconds is None) == (self.set_to is None):
            raise ValueError("give exactly one of advance_seconds or set_to")
        return self


class OutboxMessage(Resource):
    id: str
    channel: Channel
    to: str
    subject: str
    body: str
    code: str | None = Field(default=None, description="The one-time code in the body, if any.")
    created_at: dt.datetime


class OutboxList(ListResponse[OutboxMessage]):
    pass


FaultKind = Literal["delay", "error", "rate_limit", "drop_before", "drop_after"]


class FaultRule(Resource):
    """Misbehave on matching requests. `path` is a glob (`/v1/payments*`)."""

    method: str = Field(default="*", pattern=r"^(\*|GET|POST|PUT|PATCH|DELETE)$")
    path: str = Field(min_length=1, max_length=200)
    kind: FaultKind
    status: int = Field(default=503, ge=500, le=599, description="For `error`.")
    delay_ms: int = Field(default=0, ge=0, le=60_000, description="For `delay`.")
    retry_after: int = Field(default=1, ge=0, le=3600, description="Seconds, for `rate_limit`.")
    times: int | None = Field(
        default=1, ge=1, description="How many requests; null means until cleared."
    )


class FaultSet(Request):
    faults: list[FaultRule] = Field(max_length=50)


class FaultList(ListResponse[FaultRule]):
    pass


class OutageCreate(Request):
    """Raise an outage for every account whose service address has this ZIP code."""

    zip: str = Field(pattern=r"^[0-9]{5}$")
    services: list[ServiceKind] = Field(min_length=1)
    message: str = Field(
        default="We are working to restore service in your area.", min_length=1, max_length=300
    )
    restore_in_minutes: RequestInt = Field(default=180, ge=1, le=7 * 24 * 60)
