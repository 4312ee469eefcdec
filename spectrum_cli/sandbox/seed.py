"""Demo personas and their accounts, seeded relative to the sandbox clock."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.domain import payments, statements
from spectrum_cli.sandbox.domain.calendar import DUE_AFTER, add_months
from spectrum_cli.sandbox.faq_corpus import ARTICLES
from spectrum_cli.sandbox.security import hash_password
from spectrum_cli.sandbox.store import statements as statements_store


@dataclass(frozen=True)
class PersonaSeed:
    username: str
    password: str
    role: str
    summary: str
    account: str
    mfa_channel: str | None = None


@dataclass(frozen=True)
class AccountSeed:
    key: str
    number: str
    security_code: str
    holder_name: str
    address: dict[str, str | None]
    latest_statement_days_ago: int  # sets the cycle day, so every persona looks the same any day
    pays_latest: bool
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    services: tuple[dict[str, object], ...]
    equipment: tuple[tuple[str, str, str, int], ...]
    autopay_card: tuple[str, str, int, int, str] | None = None
    cards: tuple[tuple[str, str, int, int, str], ...] = field(default_factory=tuple)


HISTORY_MONTHS = 12  # statements before the latest one

MODEM = ("modem", "Spectrum Wave 2 Modem", "internet", 0)
ROUTER = ("router", "Advanced WiFi Router", "internet", 700)
RECEIVER = ("tv_receiver", "Spectrum 4K Receiver", "tv", 999)

ACCOUNTS = (
    AccountSeed(
        key="A",
        number="8255910012346755",
        security_code="4821",
        holder_name="Harper Quinn",
        address={
            "line1": "1420 Maple Ave",
            "line2": "Apt 3B",
            "city": "Columbus",
            "state": "OH",
            "zip": "43215",
        },
        latest_statement_days_ago=11,
        pays_latest=False,
        emails=("harper@example.com", "sam@example.com"),
        phones=("555-201-0142",),
        services=(
            {
                "kind": "internet",
                "plan_name": "Spectrum Internet Premier",
                "price": 9_999,
                "promo": 4_999,
                "promo_days": 20,
            },
            {
                "kind": "tv",
                "plan_name": "Spectrum TV Select",
                "price": 11_499,
                "promo": 7_999,
                "promo_days": 200,
            },
            {
                "kind": "mobile",
                "plan_name": "Spectrum Mobile By the Gig",
                "price": 0,
                "lines": [
                    {"id": "line_harper", "name": "Harper", "number_masked": "•••-•••-0142"},
                    {"id": "line_sam", "name": "Sam", "number_masked": "•••-•••-0178"},
                ],
            },
        ),
        equipment=(MODEM, ROUTER, RECEIVER, RECEIVER),
        cards=(("visa", "4242", 12, 4, "ok"),),
    ),
    AccountSeed(
        key="B",
        number="8255910055501934",
        security_code="7302",
        holder_name="Morgan Lee",
        address={
            "line1": "88 Harbor St",
            "line2": None,
            "city": "Tampa",
            "state": "FL",
            "zip": "33602-1204",
        },
        latest_statement_days_ago=20,
        pays_latest=True,
        emails=("morgan@example.net",),
        phones=("(555) 201-0199",),
        services=({"kind": "internet", "plan_name": "Spectrum Internet", "price": 7_999},),
        equipment=(MODEM, ROUTER),
        cards=(("mastercard", "4444", 6, 3, "ok"),),
    ),
    AccountSeed(
        key="C",
        number="8255910077723410",
        security_code="1957",
        holder_name="Pat Rivera",
        address={
            "line1": "310 Elm Rd",
            "line2": None,
            "city": "Charlotte",
            "state": "NC",
            "zip": "28202",
        },
        latest_statement_days_ago=27,
        pays_latest=False,
        emails=("pat@example.org",),
        phones=("555-201-0163",),
        services=(
            {"kind": "internet", "plan_name": "Spectrum Internet", "price": 7_999},
            {"kind": "voice", "plan_name": "Spectrum Voice", "price": 2_999},
        ),
        equipment=(MODEM, ("voice_modem", "Spectrum Voice Modem", "voice", 0)),
        cards=(("mastercard", "4444", 8, 2, "ok"),),
    ),
    AccountSeed(
        key="D",
        number="8255910099904417",
        security_code="6640",
        holder_name="Casey Morgan",
        address={
            "line1": "9 Birch Ct",
            "line2": None,
            "city": "Austin",
            "state": "TX",
            "zip": "78701",
        },
        latest_statement_days_ago=9,
        pays_latest=False,
        emails=("casey@example.com",),
        phones=("555-201-0188",),
        services=({"kind": "internet", "plan_name": "Spectrum Internet", "price": 7_999},),
        equipment=(MODEM, ROUTER),
        autopay_card=("visa", "0341", 9, 3, "fail_on_charge"),
    ),
)

PERSONAS = (
    PersonaSeed(
        "harper",
        "Sandbox-Harper1",
        "head_of_household",
        "Internet, TV and mobile; internet promo ends within 30 days; a balance due.",
        "A",
    ),
    PersonaSeed(
        "sam",
        "Sandbox-Sam1",
        "standard",
        "Standard user on Harper's account: can read and pay, not change autopay.",
        "A",
    ),
    PersonaSeed(
        "morgan",
        "Sandbox-Morgan1",
        "head_of_household",
        "Second factor by SMS: sign-in asks for a code from the outbox.",
        "B",
        mfa_channel="sms",
    ),
    PersonaSeed(
        "pat", "Sandbox-Pat1", "head_of_household", "Past-due account with a late fee.", "C"
    ),
    PersonaSeed(
        "casey",
        "Sandbox-Casey1",
        "head_of_household",
        "Autopay on a card that is declined when charged.",
        "D",
    ),
)


def seed(conn: sqlite3.Connection, *, now: dt.datetime) -> None:
    """Fill an empty store. Runs inside the caller's transaction."""
    today = now.date()
    stamp = clock.iso(now)
    ids: dict[str, str] = {}
    for a in ACCOUNTS:
        account_id = ids[a.key] = _seed_account(conn, a, today=today, stamp=stamp)
        _seed_services(conn, a, account_id=account_id, today=today)
        _seed_cards(conn, a, account_id=account_id, today=today, stamp=stamp)
    for a in ACCOUNTS:
        _bill_history(conn, account_id=ids[a.key], account=a, today=today)
    conn.executemany("INSERT INTO faq (id, category, title, body) VALUES (?, ?, ?, ?)", ARTICLES)
    _seed_personas(conn, ids, stamp=stamp)


def _seed_account(conn: sqlite3.Connection, a: AccountSeed, *, today: dt.date, stamp: str) -> str:
    """The account and its contacts, billed from a year before its latest statement."""
    account_id = f"acct_{a.number[-4:]}"
    latest = today - dt.timedelta(days=a.latest_statement_days_ago)
    while latest.day > 28:  # cycle days run 1-28 so every month has one
        latest -= dt.timedelta(days=1)
    first = add_months(latest, -HISTORY_MONTHS, latest.day)
    address = json.dumps(a.address)
    conn.execute(
        """INSERT INTO accounts (id, number, security_code_hash, holder_name, status,
           cycle_day, service_address, billing_address, billing_start, created_at)
           VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)""",
        (
            account_id,
            a.number,
            hash_password(a.security_code),
            a.holder_name,
            latest.day,
            address,
            address,
            first.isoformat(),
            stamp,
        ),
    )
    for kind, values in (("email", a.emails), ("phone", a.phones)):
        for i, value in enumerate(values):
            conn.execute(
                "INSERT INTO contacts (account_id, kind, value, is_primary) VALUES (?, ?, ?, ?)",
                (account_id, kind, value, int(i == 0)),
            )
    return account_id


def _seed_services(
    conn: sqlite3.Connection, a: AccountSeed, *, account_id: str, today: dt.date
) -> None:
    """Services (promotions end relative to today) and equipment."""
    for i, s in enumerate(a.services):
        promo_days = s.get("promo_days")
        conn.execute(
            """INSERT INTO services (id, account_id, kind, plan_name, monthly_price_cents,
               promo_price_cents, promo_ends_on, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                f"svc_{a.number[-4:]}_{i}",
                account_id,
                s["kind"],
                s["plan_name"],
                s["price"],
                s.get("promo"),
                (today + dt.timedelta(days=int(promo_days))).isoformat()  # type: ignore[call-overload]
                if promo_days
                else None,
                json.dumps(s.get("lines", [])),
            ),
        )
    for i, (kind, model, service_kind, fee) in enumerate(a.equipment):
        conn.execute(
            """INSERT INTO equipment (id, account_id, kind, model, service_kind,
               monthly_fee_cents) VALUES (?, ?, ?, ?, ?, ?)""",
            (f"eq_{a.number[-4:]}_{i}", account_id, kind, model, service_kind, fee),
        )


def _seed_cards(
    conn: sqlite3.Connection, a: AccountSeed, *, account_id: str, today: dt.date, stamp: str
) -> None:
    """The cards on file, the first one the default (the autopay card last)."""
    cards = a.cards + ((a.autopay_card,) if a.autopay_card else ())
    for i, (brand, last4, month, years, behavior) in enumerate(cards):
        conn.execute(
            """INSERT INTO payment_methods (id, account_id, type, brand, last4, exp_month,
               exp_year, behavior, is_default, created_at)
               VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?)""",
            (
                f"pm_{a.number[-4:]}_{i}",
                account_id,
                brand,
                last4,
                month,
                today.year + years,
                behavior,
                int(i == 0),
                stamp,
            ),
        )


def _seed_personas(conn: sqlite3.Connection, ids: dict[str, str], *, stamp: str) -> None:
    """The users who sign in, and the persona list the sandbox shows."""
    for position, p in enumerate(PERSONAS):
        user_id = f"usr_{p.username}"
        hashed = hash_password(p.password)
        conn.execute(
            """INSERT INTO users (id, account_id, username, password_hash, role, mfa_channel,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (user_id, ids[p.account], p.username, hashed, p.role, p.mfa_channel, stamp),
        )
        conn.execute(
            "INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)",
            (user_id, hashed, stamp),
        )
        conn.execute(
            "INSERT INTO personas (username, password, summary, position) VALUES (?, ?, ?, ?)",
            (p.username, p.password, p.summary, position),
        )


def _bill_history(
    conn: sqlite3.Connection, *, account_id: str, account: AccountSeed, today: dt.date
) -> None:
    """Issue a year of statements through the engine, paying each in full a week after it
    arrives (autopay accounts on the due date), except the latest unless the persona pays it."""
    method_id = conn.execute(
        "SELECT id FROM payment_methods WHERE account_id = ? ORDER BY is_default DESC, id LIMIT 1",
        (account_id,),
    ).fetchone()[0]
    day = statements.next_statement_date(conn, account_id)
    while day is not None and day <= today:
        noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
        statements.catch_up(conn, account_id=account_id, today=day, now=noon)
        statement = statements_store.latest_statement(conn, account_id=account_id)
        assert statement is not None
        following = statements.next_statement_date(conn, account_id)
        is_latest = following is None or following > today
        if statement.amount_due_cents > 0 and (account.pays_latest or not is_latest):
            offset = DUE_AFTER if account.autopay_card else dt.timedelta(days=8)
            payments.record_settled_payment(
                conn,
                account_id=account_id,
                statement_id=statement.id,
                amount_cents=statement.amount_due_cents,
                method_id=method_id,
                day=min(day + offset, today),
                kind="autopay" if account.autopay_card else "one_time",
            )
        day = following
    if account.autopay_card:  # on from the latest statement; the history above stands in
        latest = statements_store.latest_statement(conn, account_id=account_id)
        assert latest is not None
        conn.execute(
            "INSERT INTO autopay (account_id, enabled, method_id, status, covers_from) "
            "VALUES (?, 1, ?, 'active', ?)",
            (account_id, method_id, latest.statement_date.isoformat()),
        )
    now = dt.datetime.combine(today, dt.time(12), dt.UTC)
    statements.catch_up(conn, account_id=account_id, today=today, now=now)


def is_seeded(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None


# Tables emptied by a reset, children before parents. The clock and faults survive a reset
# only if the caller keeps them; reset clears them too, for a clean slate.
RESET_TABLES = (
    "chat_messages",
    "chats",
    "ticket_messages",
    "tickets",
    "faq",
    "outages",
    "payments",
    "charges",
    "statements",
    "idempotency_keys",
    "outbox",
    "challenges",
    "reauthentications",
    "tokens",
    "login_failures",
    "throttle_events",
    "personas",
    "password_history",
    "autopay",
    "payment_methods",
    "equipment",
    "services",
    "contacts",
    "users",
    "accounts",
    "faults",
)
