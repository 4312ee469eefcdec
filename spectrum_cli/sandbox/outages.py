"""Outages by ZIP code. An outage is over once its estimated restore time has passed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

from spectrum_cli.api.account import Outage, OutageStatus
from spectrum_cli.sandbox.store import support as store
from spectrum_cli.sandbox.store.support import OutageRow

SERVICE_NAMES = {"internet": "Internet", "tv": "TV", "mobile": "Mobile", "voice": "Voice"}


def services_phrase(services: Sequence[str]) -> str:
    """["internet", "tv"] -> "Internet and TV"."""
    names = [SERVICE_NAMES.get(s, s.capitalize()) for s in services]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def outage_phrase(services: Sequence[str]) -> str:
    """ "an Internet and TV outage", "a TV outage"."""
    phrase = services_phrase(services)
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase} outage"


def status_at(outage: OutageRow, now: dt.datetime) -> OutageStatus:
    """How far along the repair is, by the share of the estimated time that has passed."""
    progress = (now - outage.started_at) / (outage.estimated_restore_at - outage.started_at)
    return "investigating" if progress < 0.25 else "identified" if progress < 0.6 else "restoring"


def outage_model(outage: OutageRow, now: dt.datetime) -> Outage:
    return Outage(
        id=outage.id,
        services=outage.services,
        status=status_at(outage, now),
        message=outage.message,
        started_at=outage.started_at,
        estimated_restore_at=outage.estimated_restore_at,
    )


def active_for(conn: sqlite3.Connection, *, account_id: str, now: dt.datetime) -> list[Outage]:
    """Outages at the account's service address that are not restored yet."""
    found = store.outages_at_service_address(conn, account_id=account_id, now=now)
    return [outage_model(o, now) for o in found]
