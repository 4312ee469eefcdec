"""Support: FAQ search with FTS5 and bm25, tickets an agent answers over clock time, and a
rule-based chat agent that answers from the account and the FAQ."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from spectrum_cli.api.money import usd
from spectrum_cli.sandbox import clock, outages
from spectrum_cli.sandbox.domain import balances, statements
from spectrum_cli.sandbox.security import new_id

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
# Title matches count five times a body match.
RANK = "bm25(faq, 0.0, 0.0, 5.0, 1.0)"
# The chat quotes an article only when it scores at least this much (bm25 is negative, lower
# is better) per term searched; below it, the words matched only in passing.
CONFIDENT_RANK_PER_TERM = -1.0
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


def search(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[sqlite3.Row]:
    query = fts_query(text)
    if query is None:
        return []
    return conn.execute(
        f"""SELECT id, category, title, snippet(faq, 3, '[', ']', '…', 12) AS snippet,
                   {RANK} AS rank FROM faq WHERE faq MATCH ? ORDER BY rank LIMIT ?""",
        (query, limit),
    ).fetchall()


def add_ticket_message(
    conn: sqlite3.Connection, *, ticket_id: str, author: str, body: str, now: dt.datetime
) -> None:
    conn.execute(
        "INSERT INTO ticket_messages (id, ticket_id, author, body, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (new_id("msg"), ticket_id, author, body, clock.iso(now)),
    )
    status = "pending" if author == "agent" else "open"
    conn.execute(
        "UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?",
        (status, clock.iso(now), ticket_id),
    )


def answer_tickets(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> None:
    """An agent answers each open ticket two hours (sandbox time) after the customer wrote."""
    for ticket in conn.execute(
        "SELECT * FROM tickets WHERE account_id = ? AND status = 'open'", (account_id,)
    ).fetchall():
        last = conn.execute(
            "SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY seq DESC LIMIT 1",
            (ticket["id"],),
        ).fetchone()
        if last is None or last["author"] != "customer":
            continue
        due = clock.parse(last["created_at"]) + AGENT_DELAY
        if due > now:
            continue
        hits = search(conn, f"{ticket['subject']} {last['body'][:500]}", limit=1)
        advice = f' This article may help meanwhile: "{hits[0]["title"]}".' if hits else ""
        add_ticket_message(
            conn,
            ticket_id=ticket["id"],
            author="agent",
            now=due,
            body=f'Thanks for contacting Spectrum about "{ticket["subject"]}". We are '
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
            "There is no outage at your address. Try restarting your modem; "
            f'see "{hits[0]["title"]}".'
            if hits
            else "There is no outage at your address."
        )
    hits = search(conn, text, limit=1)
    if hits and hits[0]["rank"] <= CONFIDENT_RANK_PER_TERM * len(query_terms(text)):
        hit = hits[0]
        return (
            f'This may help: "{hit["title"]}" ({hit["id"]}): '
            f"{hit['snippet'].replace('[', '').replace(']', '')}"
        )
    return NO_ANSWER
