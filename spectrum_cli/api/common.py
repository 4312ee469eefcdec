"""Shared building blocks: base models, the error envelope and list envelopes."""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


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
ServiceKind = Literal["internet", "tv", "voice", "mobile"]
Channel = Literal["sms", "email"]


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


class Address(Resource):
    line1: str = Field(min_length=1, max_length=100)
    line2: str | None = Field(default=None, max_length=100)
    city: str = Field(min_length=1, max_length=60)
    state: str = Field(pattern=r"^[A-Z]{2}$", description="US state or territory code.")
    zip: str = Field(pattern=r"^\d{5}(-\d{4})?$", description="ZIP or ZIP+4.")


class Message(Resource):
    """A plain acknowledgement."""

    message: str


Timestamp = dt.datetime
