"""Deterministic, plausible daily usage per line: more on weekends, seeded by the line's id."""

from __future__ import annotations

import datetime as dt
import hashlib


def _unit(*parts: str) -> float:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def mobile_data_mb(line_id: str, day: dt.date) -> int:
    base = 260 if day.weekday() >= 5 else 140
    return int(base * (0.4 + 1.2 * _unit("mobile", line_id, day.isoformat())))


def mobile_period_mb(line_id: str, start: dt.date, end: dt.date) -> int:
    """Megabytes used from ``start`` to ``end``, both included."""
    days = (end - start).days + 1
    return sum(mobile_data_mb(line_id, start + dt.timedelta(days=i)) for i in range(max(days, 0)))


def by_the_gig_cents(megabytes: int) -> int:
    """Mobile by-the-gig (sandbox rule): $20 for the first GB, then $5 for each further GB
    begun."""
    if megabytes <= 0:
        return 0
    gigabytes = -(-megabytes // 1024)
    return 2000 + 500 * (gigabytes - 1)


def internet_data_mb(account_id: str, day: dt.date) -> int:
    """Home internet is uncapped; the number is for the customer's curiosity."""
    base = 16_000 if day.weekday() >= 5 else 9_000
    return int(base * (0.5 + _unit("internet", account_id, day.isoformat())))


def voice_minutes(account_id: str, day: dt.date) -> int:
    base = 25 if day.weekday() >= 5 else 12
    return int(base * 2 * _unit("voice", account_id, day.isoformat()))
