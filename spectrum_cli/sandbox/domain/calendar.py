"""Dates of the billing cycle: months on a cycle day, business days, the due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import takewhile

# A statement is due 21 days after it is issued.
DUE_AFTER = dt.timedelta(days=21)


def add_months(day: dt.date, months: int, cycle_day: int) -> dt.date:
    """The ``cycle_day`` of the month ``months`` after ``day``'s (cycle days run 1-28)."""
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, cycle_day)


def _business_days_after(day: dt.date) -> Iterator[dt.date]:
    """Every business day after ``day``, in order. A business day is a weekday; the sandbox
    has no bank holidays."""
    while True:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            yield day


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th business day after ``day`` (``day`` itself for 0)."""
    days = _business_days_after(day)
    for _ in range(count):
        day = next(days)
    return day


def business_days_until(today: dt.date, day: dt.date) -> int:
    """Business days after ``today`` up to and including ``day`` (0 when it has passed)."""
    return sum(1 for _ in takewhile(lambda d: d <= day, _business_days_after(today)))
