"""Support: FAQ, tickets and live chat."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Annotated

from fastapi import Query

from spectrum_cli.api import routes
from spectrum_cli.api.support import (
    ChatMessage,
    ChatMessageCreate,
    ChatMessageList,
    ChatSession,
    FaqArticle,
    FaqHit,
    FaqSearchResults,
    Ticket,
    TicketCreate,
    TicketList,
    TicketMessage,
    TicketReply,
    TicketStatus,
)
from spectrum_cli.sandbox import clock, support
from spectrum_cli.sandbox.deps import AccountReader, DbDep, NowDep, SupportWriter
from spectrum_cli.sandbox.errors import APIError, not_found
from spectrum_cli.sandbox.routing import new_router
from spectrum_cli.sandbox.security import new_id

router = new_router(tags=["support"])
LONG_POLL_STEP = 0.1
GREETING = (
    "Hi! I'm the Spectrum virtual assistant. Ask about your balance, your due date, "
    "outages, or anything in the help centre. Type /ticket to reach a person."
)


@router.get(routes.FAQ, response_model=FaqSearchResults)
def search_faq(
    db: DbDep,
    q: Annotated[str | None, Query(max_length=200, description="What to look for.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> FaqSearchResults:
    """Best matches first (FTS5, bm25); without `q`, every article."""
    with db.read() as conn:
        if q:
            rows = support.search(conn, q, limit)
            return FaqSearchResults(
                data=[
                    FaqHit(
                        id=r["id"],
                        title=r["title"],
                        category=r["category"],
                        snippet=r["snippet"],
                        rank=round(-r["rank"], 4),
                    )
                    for r in rows
                ]
            )
        rows = conn.execute(
            "SELECT id, category, title, substr(body, 1, 80) AS snippet FROM "
            "faq ORDER BY category, title LIMIT ?",
            (limit,),
        ).fetchall()
    return FaqSearchResults(
        data=[
            FaqHit(
                id=r["id"],
                title=r["title"],
                category=r["category"],
                snippet=r["snippet"] + "…",
                rank=0.0,
            )
            for r in rows
        ]
    )


@router.get(routes.FAQ_ARTICLE, response_model=FaqArticle)
def get_article(article_id: str, db: DbDep) -> FaqArticle:
    with db.read() as conn:
        row = conn.execute(
            "SELECT id, category, title, body FROM faq WHERE id = ?", (article_id,)
        ).fetchone()
    if row is None:
        raise not_found("article", param="article_id")
    return FaqArticle(id=row["id"], category=row["category"], title=row["title"], body=row["body"])


def _ticket(conn: sqlite3.Connection, account_id: str, ticket_id: str) -> Ticket:
    row = conn.execute(
        "SELECT * FROM tickets WHERE id = ? AND account_id = ?", (ticket_id, account_id)
    ).fetchone()
    if row is None:
        raise not_found("ticket", param="ticket_id")
    messages = conn.execute(
        "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
    ).fetchall()
    return Ticket(
        id=row["id"],
        subject=row["subject"],
        category=row["category"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        messages=[
            TicketMessage(
                id=m["id"], author=m["author"], body=m["body"], created_at=m["created_at"]
            )
            for m in messages
        ],
    )


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
    _answered(db, principal.account_id, now)
    with db.read() as conn:
        ids = [
            r["id"]
            for r in conn.execute(
                "SELECT id FROM tickets WHERE account_id = ? AND (? IS NULL OR status = ?) "
                "ORDER BY seq DESC",
                (principal.account_id, status, status),
            )
        ]
        tickets = [_ticket(conn, principal.account_id, i) for i in ids]
    for ticket in tickets:
        ticket.messages = []  # the list is a summary; `show` has the thread
    return TicketList(data=tickets)


@router.post(routes.TICKETS, response_model=Ticket, status_code=201)
def create_ticket(body: TicketCreate, principal: SupportWriter, db: DbDep, now: NowDep) -> Ticket:
    ticket_id = new_id("tkt")
    with db.write() as conn:
        return _open_ticket(
            conn, principal.account_id, ticket_id, body.subject, body.category, body.body, now
        )


def _open_ticket(
    conn: sqlite3.Connection,
    account_id: str,
    ticket_id: str,
    subject: str,
    category: str,
    body: str,
    now: NowDep,
) -> Ticket:
    conn.execute(
        "INSERT INTO tickets (id, account_id, subject, category, status, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?)",
        (ticket_id, account_id, subject, category, clock.iso(now), clock.iso(now)),
    )
    support.add_ticket_message(conn, ticket_id=ticket_id, author="customer", body=body, now=now)
    return _ticket(conn, account_id, ticket_id)


@router.get(routes.TICKET, response_model=Ticket)
def get_ticket(ticket_id: str, principal: AccountReader, db: DbDep, now: NowDep) -> Ticket:
    _answered(db, principal.account_id, now)
    with db.read() as conn:
        return _ticket(conn, principal.account_id, ticket_id)


@router.post(routes.TICKET_MESSAGES, response_model=Ticket)
def reply_ticket(
    ticket_id: str, body: TicketReply, principal: SupportWriter, db: DbDep, now: NowDep
) -> Ticket:
    with db.write() as conn:
        ticket = _ticket(conn, principal.account_id, ticket_id)
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
        return _ticket(conn, principal.account_id, ticket_id)


@router.post(routes.TICKET_CLOSE, response_model=Ticket)
def close_ticket(ticket_id: str, principal: SupportWriter, db: DbDep, now: NowDep) -> Ticket:
    with db.write() as conn:
        _ticket(conn, principal.account_id, ticket_id)
        conn.execute(  # a closed ticket stays as it is: nothing to do is not a change
            "UPDATE tickets SET status = 'closed', updated_at = ? "
            "WHERE id = ? AND status != 'closed'",
            (clock.iso(now), ticket_id),
        )
        return _ticket(conn, principal.account_id, ticket_id)


def _chat(conn: sqlite3.Connection, account_id: str, chat_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT * FROM chats WHERE id = ? AND account_id = ?", (chat_id, account_id)
    ).fetchone()
    if row is None:
        raise not_found("chat", param="chat_id")
    return row  # type: ignore[no-any-return]


def _say(conn: sqlite3.Connection, chat_id: str, author: str, body: str, now: NowDep) -> None:
    conn.execute(
        "INSERT INTO chat_messages (id, chat_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
        (new_id("cm"), chat_id, author, body, clock.iso(now)),
    )


@router.post(routes.CHATS, response_model=ChatSession, status_code=201)
def start_chat(principal: SupportWriter, db: DbDep, now: NowDep) -> ChatSession:
    chat_id = new_id("chat")
    with db.write() as conn:
        conn.execute(
            "INSERT INTO chats (id, account_id, status, created_at) VALUES (?, ?, 'open', ?)",
            (chat_id, principal.account_id, clock.iso(now)),
        )
        _say(conn, chat_id, "agent", GREETING, now)
    return ChatSession(id=chat_id, status="open", created_at=now)


@router.post(routes.CHAT_MESSAGES, response_model=ChatMessageList, status_code=201)
def send_chat_message(
    chat_id: str, body: ChatMessageCreate, principal: SupportWriter, db: DbDep, now: NowDep
) -> ChatMessageList:
    """Send a message; the answer is in the list returned (and in GET .../messages). The
    message `/ticket` opens a ticket with the transcript attached."""
    with db.write() as conn:
        chat = _chat(conn, principal.account_id, chat_id)
        if chat["status"] != "open":
            raise APIError(409, "conflict", "chat_closed", "This chat has ended.", param="chat_id")
        start = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM chat_messages").fetchone()[0]
        _say(conn, chat_id, "customer", body.body, now)
        if body.body.strip() == "/ticket":
            reply = _escalate(conn, principal.account_id, chat_id, now)
        else:
            reply = support.agent_reply(
                conn, account_id=principal.account_id, text=body.body, now=now
            )
        _say(conn, chat_id, "agent", reply, now)
        rows = conn.execute(
            "SELECT * FROM chat_messages WHERE chat_id = ? AND seq > ? ORDER BY seq",
            (chat_id, start),
        ).fetchall()
    return ChatMessageList(data=[_message(r) for r in rows])


def _escalate(conn: sqlite3.Connection, account_id: str, chat_id: str, now: NowDep) -> str:
    chat = _chat(conn, account_id, chat_id)
    if chat["ticket_id"]:
        return f"This chat is already attached to ticket {chat['ticket_id']}."
    lines = [
        f"{m['author']}: {m['body']}"
        for m in conn.execute(
            "SELECT author, body FROM chat_messages WHERE chat_id = ? ORDER BY seq", (chat_id,)
        )
        if m["body"].strip() != "/ticket"
    ]
    ticket_id = new_id("tkt")
    _open_ticket(
        conn,
        account_id,
        ticket_id,
        "Follow-up from live chat",
        "other",
        "Chat transcript:\n" + "\n".join(lines),
        now,
    )
    conn.execute("UPDATE chats SET ticket_id = ? WHERE id = ?", (ticket_id, chat_id))
    return (
        f"I opened ticket {ticket_id} with this conversation attached. An agent will reply "
        "there; see it with: spectrum support ticket show " + ticket_id
    )


def _message(row: sqlite3.Row) -> ChatMessage:
    return ChatMessage(
        id=row["id"],
        author=row["author"],
        body=row["body"],
        created_at=row["created_at"],
        offers_ticket=row["author"] == "agent" and row["body"] == support.NO_ANSWER,
    )


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

    def fetch() -> list[sqlite3.Row]:
        with db.read() as conn:
            _chat(conn, principal.account_id, chat_id)
            start = 0
            if after is not None:
                row = conn.execute(
                    "SELECT seq FROM chat_messages WHERE id = ? AND chat_id = ?", (after, chat_id)
                ).fetchone()
                if row is None:
                    raise not_found("message", param="after")
                start = row["seq"]
            return conn.execute(
                "SELECT * FROM chat_messages WHERE chat_id = ? AND seq > ? ORDER BY seq",
                (chat_id, start),
            ).fetchall()

    while True:
        rows = await asyncio.to_thread(fetch)
        if rows or loop.time() >= deadline:
            return ChatMessageList(data=[_message(r) for r in rows])
        await asyncio.sleep(LONG_POLL_STEP)
