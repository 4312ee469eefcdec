"""Support: FAQ, tickets and live chat."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Query

from spectrum_cli.api import routes
from spectrum_cli.api.support import (
    ChatMessage,
    ChatMessageCreate,
    ChatMessageList,
    ChatSession,
    FaqArticle,
    FaqSearchResults,
    Ticket,
    TicketCreate,
    TicketList,
    TicketReply,
    TicketStatus,
)
from spectrum_cli.sandbox import support
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SupportWriter
from spectrum_cli.sandbox.errors import APIError, not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.store import support as store

router = new_router(tags=["support"])
LONG_POLL_STEP = 0.1


@router.get(routes.FAQ, response_model=FaqSearchResults)
def search_faq(
    db: DbDep,
    q: Annotated[str | None, Query(max_length=200, description="What to look for.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> FaqSearchResults:
    """Best matches first (FTS5, bm25); without `q`, every article."""
    with db.read() as conn:
        hits = support.search(conn, q, limit) if q else store.list_faq(conn, limit=limit)
    return FaqSearchResults(data=hits)


@router.get(routes.FAQ_ARTICLE, response_model=FaqArticle)
def get_article(article_id: str, db: DbDep) -> FaqArticle:
    with db.read() as conn:
        article = store.faq_article(conn, article_id=article_id)
    if article is None:
        raise not_found("article", param="article_id")
    return article


def _answered(db: DbDep, account_id: str, now: NowDep) -> None:
    with db.write() as conn:
        support.answer_tickets(conn, account_id=account_id, now=now)


@router.get(routes.TICKETS, response_model=TicketList)
def list_tickets(
    principal: AccountReader,
    db: DbDep,
    now: NowDep,
    status: Annotated[TicketStatus | None, Query()] = None,
) -> TicketList:
    """The account's tickets, newest first; the list is a summary, `show` has the thread."""
    _answered(db, principal.account_id, now)
    with db.read() as conn:
        found = store.tickets(conn, account_id=principal.account_id, status=status, threads=False)
    return TicketList(data=found)


@router.post(routes.TICKETS, response_model=Ticket, status_code=201)
def create_ticket(body: TicketCreate, principal: SupportWriter, db: DbDep, now: NowDep) -> Ticket:
    with db.write() as conn:
        return support.open_ticket(
            conn,
            account_id=principal.account_id,
            subject=body.subject,
            category=body.category,
            body=body.body,
            now=now,
        )


@router.get(routes.TICKET, response_model=Ticket)
def get_ticket(ticket_id: str, principal: AccountReader, db: DbDep, now: NowDep) -> Ticket:
    _answered(db, principal.account_id, now)
    with db.read() as conn:
        return support.account_ticket(conn, account_id=principal.account_id, ticket_id=ticket_id)


@router.post(routes.TICKET_MESSAGES, response_model=Ticket)
def reply_ticket(
    ticket_id: str, body: TicketReply, principal: SupportWriter, db: DbDep, now: NowDep
) -> Ticket:
    account_id = principal.account_id
    with db.write() as conn:
        ticket = support.account_ticket(conn, account_id=account_id, ticket_id=ticket_id)
        if ticket.status == "closed":
            raise APIError(
                409,
                "conflict",
                "ticket_closed",
                f"Ticket {ticket_id} is closed; open a new one.",
                param="ticket_id",
            )
        support.add_ticket_message(
            conn, ticket_id=ticket_id, author="customer", body=body.body, now=now
        )
        return support.account_ticket(conn, account_id=account_id, ticket_id=ticket_id)


@router.post(routes.TICKET_CLOSE, response_model=Ticket)
def close_ticket(ticket_id: str, principal: SupportWriter, db: DbDep, now: NowDep) -> Ticket:
    """Close the ticket; closing a closed one is nothing to do, answered the same."""
    with db.write() as conn:
        support.account_ticket(conn, account_id=principal.account_id, ticket_id=ticket_id)
        store.close_ticket(conn, ticket_id=ticket_id, now=now)
        return support.account_ticket(conn, account_id=principal.account_id, ticket_id=ticket_id)


@router.post(routes.CHATS, response_model=ChatSession, status_code=201)
def start_chat(principal: SupportWriter, db: DbDep, now: NowDep) -> ChatSession:
    with db.write() as conn:
        chat_id = support.start_chat(conn, account_id=principal.account_id, now=now)
    return ChatSession(id=chat_id, status="open", created_at=now)


@router.post(routes.CHAT_MESSAGES, response_model=ChatMessageList, status_code=201)
def send_chat_message(
    chat_id: str, body: ChatMessageCreate, principal: SupportWriter, db: DbDep, now: NowDep
) -> ChatMessageList:
    """Send a message; the answer is in the list returned (and in GET .../messages). The
    message `/ticket` opens a ticket with the transcript attached."""
    with db.write() as conn:
        chat = support.account_chat(conn, account_id=principal.account_id, chat_id=chat_id)
        if chat.status != "open":
            raise APIError(409, "conflict", "chat_closed", "This chat has ended.", param="chat_id")
        return ChatMessageList(data=support.converse(conn, chat=chat, text=body.body, now=now))


@router.get(routes.CHAT_MESSAGES, response_model=ChatMessageList)
async def chat_messages(
    chat_id: str,
    principal: AccountReader,
    db: DbDep,
    after: Annotated[
        str | None, Query(max_length=64, description="Only messages after this id.")
    ] = None,
    wait: Annotated[
        float, Query(ge=0, le=30, description="Long-poll: seconds to wait for a new message.")
    ] = 0,
) -> ChatMessageList:
    """Messages of a chat; with `wait`, holds the request until one arrives (no busy polling
    on the client)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait

    def fetch() -> list[ChatMessage]:
        with db.read() as conn:
            return support.chat_messages_after(
                conn, account_id=principal.account_id, chat_id=chat_id, after=after
            )

    while True:
        found = await asyncio.to_thread(fetch)
        if found or loop.time() >= deadline:
            return ChatMessageList(data=found)
        await asyncio.sleep(LONG_POLL_STEP)
