"""Support: FAQ search with FTS5 and bm25, tickets an agent answers over clock time, and a
rule-based chat agent that answers from the account and the FAQ."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from spectrum_cli.api.money import usd
from spectrum_cli.api.support import ChatMessage, FaqHit, Ticket
from spectrum_cli.sandbox import outages
from spectrum_cli.sandbox.domain import balances, statements
from spectrum_cli.sandbox.errors import not_found
from spectrum_cli.sandbox.security import new_id
from spectrum_cli.sandbox.store import support as store
from spectrum_cli.sandbox.store.support import Chat, ChatLine

AGENT_DELAY = dt.timedelta(hours=2)
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "there",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
# The chat quotes an article only when its rank is at least this much per term searched;
# below it, the words matched only in passing.
CONFIDENT_RANK_PER_TERM = 1.0
NO_ANSWER = (
    "I don't know the answer to that, and I would rather not guess. A person can help: "
    "support tickets are answered by an agent, usually within two hours."
)


# How customers say it, and how the help centre says it.
SYNONYMS = {
    "log": ("sign",),
    "login": ("sign",),
    "logon": ("sign",),
    "signin": ("sign",),
    "cost": ("price",),
    "costs": ("price",),
    "near": ("area",),
    "owe": ("balance",),
    "automatic": ("autopay",),
    "wifi": ("router",),
    "bill": ("statement",),
}


def query_terms(text: str) -> list[str]:
    """The words searched for (stop words dropped) and their synonyms, each once."""
    lowered = text.lower()
    words = [w for w in re.findall(r"\w+", lowered) if len(w) > 1]
    kept = [w for w in words if w not in STOP_WORDS] or words
    if re.search(r"\bcan'?t\b|\bcannot\b", lowered):
        kept.append("can")  # "can't ..." is how trouble articles are titled
    return list(dict.fromkeys(t for w in kept for t in (w, *SYNONYMS.get(w, ()))))


def fts_query(text: str) -> str | None:
    """Any of the words (as prefixes, after stemming) and their synonyms; bm25 ranks the
    articles that match more of them, and in their title, first."""
    terms = query_terms(text)
    return " OR ".join(f'"{t}"*' for t in terms) if terms else None


def search(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[FaqHit]:
    query = fts_query(text)
    return store.search_faq(conn, query=query, limit=limit) if query else []


def add_ticket_message(
    conn: sqlite3.Connection, *, ticket_id: str, author: str, body: str, now: dt.datetime
) -> None:
    """A customer's message leaves the ticket open for an agent; an agent's leaves it
    pending, waiting on the customer."""
    status = "pending" if author == "agent" else "open"
    store.add_ticket_message(
        conn, ticket_id=ticket_id, author=author, body=body, status=status, now=now
    )


def account_ticket(conn: sqlite3.Connection, *, account_id: str, ticket_id: str) -> Ticket:
    """The account's ticket with its thread; 404 when the account has no such ticket."""
    found = store.ticket(conn, account_id=account_id, ticket_id=ticket_id)
    if found is None:
        raise not_found("ticket", param="ticket_id")
    return found


def open_ticket(
    conn: sqlite3.Connection,
    *,
    account_id: str,
    subject: str,
    category: str,
    body: str,
    now: dt.datetime,
) -> Ticket:
    ticket_id = new_id("tkt")
    store.insert_ticket(
        conn,
        ticket_id=ticket_id,
        account_id=account_id,
        subject=subject,
        category=category,
        now=now,
    )
    add_ticket_message(conn, ticket_id=ticket_id, author="customer", body=body, now=now)
    return account_ticket(conn, account_id=account_id, ticket_id=ticket_id)


def answer_tickets(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> None:
    """An agent answers each open ticket two hours (sandbox time) after the customer wrote."""
    for ticket in store.tickets(conn, account_id=account_id, status="open", threads=True):
        last = ticket.messages[-1] if ticket.messages else None
        if last is None or last.author != "customer":
            continue
        due = last.created_at + AGENT_DELAY
        if due > now:
            continue
        hits = search(conn, f"{ticket.subject} {last.body[:500]}", limit=1)
        advice = f' This article may help meanwhile: "{hits[0].title}".' if hits else ""
        add_ticket_message(
            conn,
            ticket_id=ticket.id,
            author="agent",
            now=due,
            body=f'Thanks for contacting Spectrum about "{ticket.subject}". We are '
            f"looking into it and will update this ticket.{advice}",
        )


def agent_reply(conn: sqlite3.Connection, *, account_id: str, text: str, now: dt.datetime) -> str:
    """The rule-based chat agent: balance, due date and outages from the account; anything
    else from the FAQ when an article matches well; otherwise NO_ANSWER, which offers a
    ticket."""
    lowered = text.lower()
    if any(w in lowered for w in ("balance", "owe", "how much", "amount due")):
        views = statements.statements(conn, account_id, now.date())
        owed = balances.owed_cents(conn, account_id)
        latest = views[-1] if views else None
        if owed <= 0:
            return "Your balance is $0.00: nothing is due. Thanks for staying current!"
        due = f", due {latest.due_date.isoformat()}" if latest and latest.balance_cents else ""
        return f"Your current balance is {usd(owed)}{due}."
    if "due" in lowered or ("when" in lowered and "bill" in lowered):
        views = statements.statements(conn, account_id, now.date())
        if views and views[-1].balance_cents > 0:
            return (
                f"Your bill of {usd(views[-1].balance_cents)} is due "
                f"{views[-1].due_date.isoformat()}."
            )
        return "Your latest bill is paid; the next one is due 21 days after it is issued."
    if any(w in lowered for w in ("outage", "down", "not working", "no internet", "offline")):
        active = outages.active_for(conn, account_id=account_id, now=now)
        if active:
            first = active[0]
            return (
                f"Yes, there is {outages.outage_phrase(first.services)} at your address: "
                f"{first.message} Estimated restore: "
                f"{first.estimated_restore_at:%Y-%m-%d %H:%M} UTC."
            )
        hits = search(conn, "internet down restart modem", limit=1)
        return (
            f'There is no outage at your address. Try restarting your modem; see "{hits[0].title}".'
            if hits
            else "There is no outage at your address."
        )
    hits = search(conn, text, limit=1)
    if hits and hits[0].rank >= CONFIDENT_RANK_PER_TERM * len(query_terms(text)):
        hit = hits[0]
        return (
            f'This may help: "{hit.title}" ({hit.id}): '
            f"{hit.snippet.replace('[', '').replace(']', '')}"
        )
    return NO_ANSWER


# --- live chat -----------------------------------------------------------------------------

GREETING = (
    "Hi! I'm the Spectrum virtual assistant. Ask about your balance, your due date, "
    "outages, or anything in the help centre. Type /ticket to reach a person."
)
ESCALATE = "/ticket"


def chat_message(line: ChatLine) -> ChatMessage:
    """A chat line as the API shows it: the agent's NO_ANSWER offers a ticket."""
    return ChatMessage(
        id=line.id,
        author=line.author,  # type: ignore[arg-type]
        body=line.body,
        created_at=line.created_at,
        offers_ticket=line.author == "agent" and line.body == NO_ANSWER,
    )


def account_chat(conn: sqlite3.Connection, *, account_id: str, chat_id: str) -> Chat:
    """The account's chat; 404 when the account has no such chat."""
    found = store.chat(conn, account_id=account_id, chat_id=chat_id)
    if found is None:
        raise not_found("chat", param="chat_id")
    return found


def start_chat(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> str:
    """Open a chat, greeted by the agent; returns its id."""
    chat_id = new_id("chat")
    store.insert_chat(conn, chat_id=chat_id, account_id=account_id, now=now)
    store.add_chat_line(conn, chat_id=chat_id, author="agent", body=GREETING, now=now)
    return chat_id


def converse(
    conn: sqlite3.Connection, *, chat: Chat, text: str, now: dt.datetime
) -> list[ChatMessage]:
    """The customer says ``text`` and the agent answers; returns both lines. ESCALATE opens a
    ticket with the transcript attached."""
    said = store.add_chat_line(conn, chat_id=chat.id, author="customer", body=text, now=now)
    if text.strip() == ESCALATE:
        reply = _escalate(conn, chat=chat, now=now)
    else:
        reply = agent_reply(conn, account_id=chat.account_id, text=text, now=now)
    store.add_chat_line(conn, chat_id=chat.id, author="agent", body=reply, now=now)
    return [
        chat_message(line) for line in store.chat_lines(conn, chat_id=chat.id, after_seq=said - 1)
    ]


def _escalate(conn: sqlite3.Connection, *, chat: Chat, now: dt.datetime) -> str:
    if chat.ticket_id:
        return f"This chat is already attached to ticket {chat.ticket_id}."
    lines = [
        f"{line.author}: {line.body}"
        for line in store.chat_lines(conn, chat_id=chat.id)
        if line.body.strip() != ESCALATE
    ]
    ticket = open_ticket(
        conn,
        account_id=chat.account_id,
        subject="Follow-up from live chat",
        category="other",
        body="Chat transcript:\n" + "\n".join(lines),
        now=now,
    )
    store.attach_ticket(conn, chat_id=chat.id, ticket_id=ticket.id)
    return (
        f"I opened ticket {ticket.id} with this conversation attached. An agent will reply "
        "there; see it with: spectrum support ticket show " + ticket.id
    )


def chat_messages_after(
    conn: sqlite3.Connection, *, account_id: str, chat_id: str, after: str | None
) -> list[ChatMessage]:
    """The chat's messages, all or those after the message ``after`` (404 if unknown)."""
    account_chat(conn, account_id=account_id, chat_id=chat_id)
    start = 0
    if after is not None:
        seq = store.chat_line_seq(conn, chat_id=chat_id, line_id=after)
        if seq is None:
            raise not_found("message", param="after")
        start = seq
    return [chat_message(line) for line in store.chat_lines(conn, chat_id=chat_id, after_seq=start)]
