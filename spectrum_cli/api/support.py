"""FAQ, tickets and live chat."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

from pydantic import Field, field_validator

from spectrum_cli.api.common import ListResponse, Request, Resource

TicketCategory = Literal["billing", "technical", "account", "other"]
TicketStatus = Literal["open", "pending", "resolved", "closed"]
Author = Literal["customer", "agent", "system"]


class FaqArticle(Resource):
    id: str
    title: str
    category: str
    body: str


class FaqHit(Resource):
    id: str
    title: str
    category: str
    snippet: str
    rank: float


class FaqSearchResults(ListResponse[FaqHit]):
    pass


class TicketMessage(Resource):
    id: str
    author: Author
    body: str
    created_at: dt.datetime


class Ticket(Resource):
    id: str
    subject: str
    category: TicketCategory
    status: TicketStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: list[TicketMessage] = Field(default_factory=list)


class TicketList(ListResponse[Ticket]):
    pass


class TicketCreate(Request):
    subject: str = Field(
        min_length=1, max_length=200, description="One line; surrounding whitespace is dropped."
    )
    category: TicketCategory
    body: str = Field(min_length=1, max_length=20_000)

    @field_validator("subject")
    @classmethod
    def _one_line(cls, subject: str) -> str:
        # Control characters (newlines, ESC...) and line separators would forge lines or
        # terminal sequences wherever the subject is listed.
        if any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} for ch in subject):
            raise ValueError("the subject must be one line, without control characters")
        if not subject.strip():
            raise ValueError("the subject must not be blank")
        return subject.strip()


class TicketReply(Request):
    body: str = Field(min_length=1, max_length=20_000)


class ChatSession(Resource):
    id: str
    status: Literal["open", "closed"]
    created_at: dt.datetime
    ticket_id: str | None = None


class ChatMessage(Resource):
    id: str
    author: Author
    body: str
    created_at: dt.datetime
    offers_ticket: bool = Field(
        default=False,
        description="The assistant could not answer and offers a ticket: the chat message "
        "`/ticket` opens one with the conversation attached.",
    )


class ChatMessageList(ListResponse[ChatMessage]):
    pass


class ChatMessageCreate(Request):
    body: str = Field(min_length=1, max_length=4_000)
