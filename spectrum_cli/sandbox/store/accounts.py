"""Accounts and what is on them (services, equipment, users): the reads billing and the
dashboard need."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from spectrum_cli.api.account import AccountUser, MobileLine
from spectrum_cli.api.common import ServiceKind


@dataclass(frozen=True)
class AccountRow:
    id: str
    number: str
    holder_name: str
    cycle_day: int
    service_address: dict[str, Any]
    billing_address: dict[str, Any]
    billing_start: dt.date | None
    paperless: bool
    profile_version: int  # the profile's ETag: one more with every change
    security_code_hash: str


@dataclass(frozen=True)
class ServiceRow:
    id: str
    kind: ServiceKind
    plan_name: str
    monthly_price_cents: int
    promo_price_cents: int | None
    promo_ends_on: dt.date | None
    lines: tuple[MobileLine, ...]


@dataclass(frozen=True)
class EquipmentCharge:
    """A device with a monthly fee, as billed."""

    model: str
    service_kind: ServiceKind
    monthly_fee_cents: int


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _account(row: sqlite3.Row) -> AccountRow:
    return AccountRow(
        id=row["id"],
        number=row["number"],
        holder_name=row["holder_name"],
        cycle_day=row["cycle_day"],
        service_address=json.loads(row["service_address"]),
        billing_address=json.loads(row["billing_address"]),
        billing_start=_date(row["billing_start"]),
        paperless=bool(row["paperless"]),
        profile_version=row["profile_version"],
        security_code_hash=row["security_code_hash"],
    )


def _service(row: sqlite3.Row) -> ServiceRow:
    return ServiceRow(
        id=row["id"],
        kind=row["kind"],
        plan_name=row["plan_name"],
        monthly_price_cents=row["monthly_price_cents"],
        promo_price_cents=row["promo_price_cents"],
        promo_ends_on=_date(row["promo_ends_on"]),
        lines=tuple(MobileLine.model_validate(line) for line in json.loads(row["lines"])),
    )


def get_account(conn: sqlite3.Connection, *, account_id: str) -> AccountRow:
    row = conn.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
    if row is None:
        raise LookupError(f"no account {account_id}")
    return _account(row)


def account_by_number(conn: sqlite3.Connection, *, number: str) -> AccountRow | None:
    row = conn.execute("SELECT * FROM accounts WHERE number = ?", (number,)).fetchone()
    return _account(row) if row else None


def services(conn: sqlite3.Connection, *, account_id: str) -> list[ServiceRow]:
    """The account's services in the order they were added."""
    rows = conn.execute(
        "SELECT * FROM services WHERE account_id = ? ORDER BY rowid", (account_id,)
    ).fetchall()
    return [_service(r) for r in rows]


def service(conn: sqlite3.Connection, *, account_id: str, kind: str) -> ServiceRow | None:
    row = conn.execute(
        "SELECT * FROM services WHERE account_id = ? AND kind = ?", (account_id, kind)
    ).fetchone()
    return _service(row) if row is not None else None


def billable_equipment(conn: sqlite3.Connection, *, account_id: str) -> list[EquipmentCharge]:
    """Devices with a monthly fee, in the order they were added."""
    rows = conn.execute(
        "SELECT model, service_kind, monthly_fee_cents FROM equipment WHERE account_id = ? "
        "AND monthly_fee_cents > 0 ORDER BY rowid",
        (account_id,),
    ).fetchall()
    return [EquipmentCharge(r["model"], r["service_kind"], r["monthly_fee_cents"]) for r in rows]


def account_users(conn: sqlite3.Connection, *, account_id: str) -> list[AccountUser]:
    rows = conn.execute(
        "SELECT username, role FROM users WHERE account_id = ? ORDER BY created_at, username",
        (account_id,),
    ).fetchall()
    return [AccountUser(username=r["username"], role=r["role"]) for r in rows]
