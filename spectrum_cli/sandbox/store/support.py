"""Support: FAQ articles, tickets and their threads, live chats, and outages."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from spectrum_cli.api.common import ServiceKind
from spectrum_cli.api.support import FaqArticle, FaqHit, Ticket, TicketMessage
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store import accounts

# --- FAQ -----------------------------------------------------------------------------------

# Title matches count five times a body match.
_RANK = "bm25(faq, 0.0, 0.0, 5.0, 1.0)"


def _faq_hit(row: sqlite3.Row) -> FaqHit:
    # bm25 is negative, lower is better; a hit's rank is higher for a better match.
    return FaqHit(
        id=row["id"],
        title=row["title"],
        category=row["category"],
        snippet=row["snippet"],
        rank=round(-row["rank"], 4) + 0.0,  # + 0.0: an unranked list answers 0.0, not -0.0
    )


def search_faq(conn: sqlite3.Connection, *, query: str, limit: int) -> list[FaqHit]:
    """Articles matching an FTS5 query, best first; matched words are in [brackets]."""
    rows = conn.execute(
        f"""SELECT id, category, title, snippet(faq, 3, '[', ']', '…', 12) AS snippet,
                   {_RANK} AS rank FROM faq WHERE faq MATCH ? ORDER BY rank LIMIT ?""",
        (query, limit),
    ).fetchall()
    return [_faq_hit(r) for r in rows]


def list_faq(conn: sqlite3.Connection, *, limit: int) -> list[FaqHit]:
    """Every article by category and title, its opening as the snippet."""
    rows = conn.execute(
        "SELECT id, category, title, substr(body, 1, 80) || '…' AS snippet, 0.0 AS rank "
        "FROM faq ORDER BY category, title LIMIT ?",
        (limit,),
    ).fetchall()
    return [_faq_hit(r) for r in rows]


def faq_article(conn: sqlite3.Connection, *, article_id: str) -> FaqArticle | None:
    row = conn.execute(
        "SELECT id, category, title, body FROM faq WHERE id = ?", (article_id,)
    ).fetchone()
    if row is None:
        return None
    return FaqArticle(id=row["id"], category=row["category"], title=row["title"], body=row["body"])


# --- tickets -------------------------------------------------------------------------------


def _ticket(row: sqlite3.Row, messages: list[sqlite3.Row]) -> Ticket:
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


def _thread(conn: sqlite3.Connection, ticket_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY seq", (ticket_id,)
    ).fetchall()


def ticket(conn: sqlite3.Connection, *, account_id: str, ticket_id: str) -> Ticket | None:
    """The account's ticket with its thread, or None when the account has no such ticket."""
    row = conn.execute(
        "SELECT * FROM tickets WHERE id = ? AND account_id = ?", (ticket_id, account_id)
    ).fetchone()
    return _ticket(row, _thread(conn, ticket_id)) if row else None


def tickets(
    conn: sqlite3.Connection, *, account_id: str, status: str | None, threads: bool
) -> list[Ticket]:
    """The account's tickets, newest first, in one status or all; without ``threads`` their
    messages are left out (a summary)."""
    rows = conn.execute(
        "SELECT * FROM tickets WHERE account_id = ? AND (? IS NULL OR status = ?) "
        "ORDER BY seq DESC",
        (account_id, status, status),
    ).fetchall()
    return [_ticket(r, _thread(conn, r["id"]) if threads else []) for r in rows]


def insert_ticket(
    conn: sqlite3.Connection,
    *,
    ticket_id: str,
    account_id: str,
    subject: str,
    category: str,
    now: dt.datetime,
) -> None:
    conn.execute(
        "INSERT INTO tickets (id, account_id, subject, category, status, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?)",
        (ticket_id, account_id, subject, category, clock.iso(now), clock.iso(now)),
    )


def add_ticket_message(
    conn: sqlite3.Connection,
    *,
    ticket_id: str,
    author: str,
    body: str,
    status: str,
    now: dt.datetime,
) -> None:
    """Append to the thread and set the ticket's status."""
    conn.execute(
        "INSERT INTO ticket_messages (id, ticket_id, author, body, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (new_id("msg"), ticket_id, author, body, clock.iso(now)),
    )
    conn.execute(
        "UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?",
        (status, clock.iso(now), ticket_id),
    )


def close_ticket(conn: sqlite3.Connection, *, ticket_id: str, now: dt.datetime) -> None:
    """Close it; a closed ticket stays as it is (nothing to do is not a change)."""
    conn.execute(
        "UPDATE tickets SET status = 'closed', updated_at = ? WHERE id = ? AND status != 'closed'",
        (clock.iso(now), ticket_id),
    )


# --- chats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chat:
    id: str
    account_id: str
    status: str
    ticket_id: str | None
    created_at: dt.datetime


def _chat(row: sqlite3.Row) -> Chat:
    return Chat(
        id=row["id"],
        account_id=row["account_id"],
        status=row["status"],
        ticket_id=row["ticket_id"],
        created_at=clock.parse(row["created_at"]),
    )


@dataclass(frozen=True)
class ChatLine:
    seq: int
    id: str
    author: str
    body: str
    created_at: dt.datetime


def _chat_line(row: sqlite3.Row) -> ChatLine:
    return ChatLine(
        seq=row["seq"],
        id=row["id"],
        author=row["author"],
        body=row["body"],
        created_at=clock.parse(row["created_at"]),
    )


def chat(conn: sqlite3.Connection, *, account_id: str, chat_id: str) -> Chat | None:
    row = conn.execute(
        "SELECT * FROM chats WHERE id = ? AND account_id = ?", (chat_id, account_id)
    ).fetchone()
    return _chat(row) if row else None


def insert_chat(
    conn: sqlite3.Connection, *, chat_id: str, account_id: str, now: dt.datetime
) -> None:
    conn.execute(
        "INSERT INTO chats (id, account_id, status, created_at) VALUES (?, ?, 'open', ?)",
        (chat_id, account_id, clock.iso(now)),
    )


def attach_ticket(conn: sqlite3.Connection, *, chat_id: str, ticket_id: str) -> None:
    conn.execute("UPDATE chats SET ticket_id = ? WHERE id = ?", (ticket_id, chat_id))


def add_chat_line(
    conn: sqlite3.Connection, *, chat_id: str, author: str, body: str, now: dt.datetime
) -> int:
    """Append to the chat; returns the new line's place in the order of all lines."""
    row = conn.execute(
        "INSERT INTO chat_messages (id, chat_id, author, body, created_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING seq",
        (new_id("cm"), chat_id, author, body, clock.iso(now)),
    ).fetchone()
    return int(row["seq"])


def chat_lines(conn: sqlite3.Connection, *, chat_id: str, after_seq: int = 0) -> list[ChatLine]:
    rows = conn.execute(
        "SELECT * FROM chat_messages WHERE chat_id = ? AND seq > ? ORDER BY seq",
        (chat_id, after_seq),
    ).fetchall()
    return [_chat_line(r) for r in rows]


def chat_line_seq(conn: sqlite3.Connection, *, chat_id: str, line_id: str) -> int | None:
    row = conn.execute(
        "SELECT seq FROM chat_messages WHERE id = ? AND chat_id = ?", (line_id, chat_id)
    ).fetchone()
    return int(row["seq"]) if row else None


# --- outages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutageRow:
    id: str
    zip: str
    services: list[ServiceKind]
    message: str
    started_at: dt.datetime
    estimated_restore_at: dt.datetime


def _outage(row: sqlite3.Row) -> OutageRow:
    return OutageRow(
        id=row["id"],
        zip=row["zip"],
        services=json.loads(row["services"]),
        message=row["message"],
        started_at=clock.parse(row["started_at"]),
        estimated_restore_at=clock.parse(row["estimated_restore_at"]),
    )


def outages_at_service_address(
    conn: sqlite3.Connection, *, account_id: str, now: dt.datetime
) -> list[OutageRow]:
    """Outages not yet restored at the ZIP code (its first five digits) the account is
    served at, oldest first."""
    account = accounts.get_account(conn, account_id=account_id)
    zip5 = account.service_address["zip"][:5]
    rows = conn.execute(
        "SELECT * FROM outages WHERE zip = ? AND estimated_restore_at > ? ORDER BY started_at",
        (zip5, clock.iso(now)),
    ).fetchall()
    return [_outage(r) for r in rows]


def insert_outage(conn: sqlite3.Connection, *, outage: OutageRow) -> None:
    conn.execute(
        "INSERT INTO outages (id, zip, services, message, started_at, estimated_restore_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            outage.id,
            outage.zip,
            json.dumps(outage.services),
            outage.message,
            clock.iso(outage.started_at),
            clock.iso(outage.estimated_restore_at),
        ),
    )


def end_outages(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM outages")
