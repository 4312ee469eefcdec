"""Demo personas and their accounts, seeded relative to the sandbox clock."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.security import hash_password


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
    status: str
    cycle_day: int
    address: dict[str, str | None]
    balance_cents: int
    due_in_days: int | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    services: tuple[dict[str, object], ...]
    equipment: tuple[tuple[str, str, str, int], ...]
    autopay_card: tuple[str, str, int, int, str] | None = None
    cards: tuple[tuple[str, str, int, int, str], ...] = field(default_factory=tuple)


MODEM = ("modem", "Spectrum Wave 2 Modem", "internet", 0)
ROUTER = ("router", "Advanced WiFi Router", "internet", 700)
RECEIVER = ("tv_receiver", "Spectrum 4K Receiver", "tv", 999)

ACCOUNTS = (
    AccountSeed(
        key="A",
        number="8255910012346755",
        security_code="4821",
        holder_name="Harper Quinn",
        status="active",
        cycle_day=5,
        address={
            "line1": "1420 Maple Ave",
            "line2": "Apt 3B",
            "city": "Columbus",
            "state": "OH",
            "zip": "43215",
        },
        balance_cents=21_447,
        due_in_days=10,
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
        status="active",
        cycle_day=12,
        address={
            "line1": "88 Harbor St",
            "line2": None,
            "city": "Tampa",
            "state": "FL",
            "zip": "33602-1204",
        },
        balance_cents=0,
        due_in_days=None,
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
        status="past_due",
        cycle_day=2,
        address={
            "line1": "310 Elm Rd",
            "line2": None,
            "city": "Charlotte",
            "state": "NC",
            "zip": "28202",
        },
        balance_cents=16_893,
        due_in_days=-6,
        emails=("pat@example.org",),
        phones=("555-201-0163",),
        services=(
            {"kind": "internet", "plan_name": "Spectrum Internet", "price": 7_999},
            {"kind": "voice", "plan_name": "Spectrum Voice", "price": 2_999},
        ),
        equipment=(MODEM, ("voice_modem", "Spectrum Voice Modem", "voice", 0)),
    ),
    AccountSeed(
        key="D",
        number="8255910099904417",
        security_code="6640",
        holder_name="Casey Morgan",
        status="active",
        cycle_day=20,
        address={
            "line1": "9 Birch Ct",
            "line2": None,
            "city": "Austin",
            "state": "TX",
            "zip": "78701",
        },
        balance_cents=8_699,
        due_in_days=12,
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
        account_id = ids[a.key] = f"acct_{a.number[-4:]}"
        due = (
            (today + dt.timedelta(days=a.due_in_days)).isoformat()
            if a.due_in_days is not None
            else None
        )
        address = json.dumps(a.address)
        conn.execute(
            """INSERT INTO accounts (id, number, security_code_hash, holder_name, status,
               cycle_day, service_address, billing_address, balance_cents, due_date, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                account_id,
                a.number,
                hash_password(a.security_code),
                a.holder_name,
                a.status,
                a.cycle_day,
                address,
                address,
                a.balance_cents,
                due,
                stamp,
            ),
        )
        for kind, values in (("email", a.emails), ("phone", a.phones)):
            for i, value in enumerate(values):
                conn.execute(
                    "INSERT INTO contacts (account_id, kind, value, is_primary) "
                    "VALUES (?, ?, ?, ?)",
                    (account_id, kind, value, int(i == 0)),
                )
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
        cards = a.cards + ((a.autopay_card,) if a.autopay_card else ())
        for i, (brand, last4, month, years, behavior) in enumerate(cards):
            method_id = f"pm_{a.number[-4:]}_{i}"
            conn.execute(
                """INSERT INTO payment_methods (id, account_id, type, brand, last4, exp_month,
                   exp_year, behavior, is_default, created_at)
                   VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?)""",
                (
                    method_id,
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
            if a.autopay_card and i == len(cards) - 1:
                conn.execute(
                    "INSERT INTO autopay (account_id, enabled, method_id, status) "
                    "VALUES (?, 1, ?, 'active')",
                    (account_id, method_id),
                )
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


def is_seeded(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None


# Tables emptied by a reset, children before parents. The clock and faults survive a reset
# only if the caller keeps them; reset clears them too, for a clean slate.
RESET_TABLES = (
    "idempotency_keys",
    "outbox",
    "challenges",
    "tokens",
    "login_failures",
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
