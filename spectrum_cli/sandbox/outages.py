"""Outages by ZIP code. An outage is over once its estimated restore time has passed."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from spectrum_cli.api.account import Outage, OutageStatus
from spectrum_cli.sandbox import clock

SERVICE_NAMES = {"internet": "Internet", "tv": "TV", "mobile": "Mobile", "voice": "Voice"}


def services_phrase(services: list[str]) -> str:
    """["internet", "tv"] -> "Internet and TV"."""
    names = [SERVICE_NAMES.get(s, s.capitalize()) for s in services]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def outage_phrase(services: list[str]) -> str:
    """ "an Internet and TV outage", "a TV outage"."""
    phrase = services_phrase(services)
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase} outage"


def active_for(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> list[Outage]:
    account = conn.execute(
        "SELECT service_address FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    zip5 = json.loads(account["service_address"])["zip"][:5]
    rows = conn.execute(
        "SELECT * FROM outages WHERE zip = ? AND estimated_restore_at > ? ORDER BY started_at",
        (zip5, clock.iso(now)),
    ).fetchall()
    outages = []
    for row in rows:
        restore = clock.parse(row["estimated_restore_at"])
        started = clock.parse(row["started_at"])
        progress = (now - started) / (restore - started)
        status: OutageStatus = (
            "investigating" if progress < 0.25 else "identified" if progress < 0.6 else "restoring"
        )
        outages.append(
            Outage(
                id=row["id"],
                services=json.loads(row["services"]),
                status=status,
                message=row["message"],
                started_at=started,
                estimated_restore_at=restore,
            )
        )
    return outages
