"""Statements and payments as CSV, JSON or a plain-text accounting journal (hledger/ledger)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from spectrum_cli.api.billing import Payment, Statement

if TYPE_CHECKING:
    from spectrum_cli.client import SpectrumClient


def payments_between(
    client: SpectrumClient, start: dt.date | None, end: dt.date | None
) -> list[Payment]:
    """Every payment scheduled within the dates, oldest first (all pages)."""
    found, after = [], None
    while True:
        page = client.payments.list(limit=100, starting_after=after)
        found += page.data
        if not page.has_more or not page.data:
            break
        after = page.data[-1].id
    return sorted(
        (
            p
            for p in found
            if (start is None or p.scheduled_for >= start)
            and (end is None or p.scheduled_for <= end)
        ),
        key=lambda p: (p.scheduled_for, p.created_at),
    )


def journaled(payments: list[Payment]) -> list[Payment]:
    """The payments a journal books: money that moved (a returned one also books its return)."""
    return [p for p in payments if p.status in ("succeeded", "processing", "returned")]


def returns(payments: list[Payment]) -> list[tuple[Payment, dt.date]]:
    """The returns a journal books: each returned payment, with the day it came back."""
    return [
        (p, p.settled_at.date())
        for p in payments
        if p.status == "returned" and p.settled_at is not None
    ]


def _amount(cents: int) -> str:
    """Journal amounts: no digit grouping, so every ledger dialect reads them alike."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100}.{abs(cents) % 100:02d}"


def to_csv(statements: list[Statement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "statement_id",
            "statement_date",
            "due_date",
            "kind",
            "description",
            "amount_cents",
            "amount",
        ]
    )
    for statement in statements:
        for item in statement.line_items:
            writer.writerow(
                [
                    statement.id,
                    statement.statement_date,
                    statement.due_date,
                    item.kind,
                    item.description,
                    item.amount_cents,
                    _amount(item.amount_cents).replace("$", ""),
                ]
            )
    return buffer.getvalue()


def to_json(statements: list[Statement], payments: list[Payment]) -> str:
    return (
        json.dumps(
            {
                "statements": [s.model_dump(mode="json") for s in statements],
                "payments": [p.model_dump(mode="json") for p in payments],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def to_journal(
    statements: list[Statement],
    payments: list[Payment],
    *,
    expenses: str,
    liability: str,
    bank: str,
) -> str:
    """One transaction per statement (a posting per line-item kind, the total owed on the
    liability), one per payment, and a reversing one for each returned payment."""
    entries: list[tuple[dt.date, str]] = []
    for statement in statements:
        by_kind: dict[str, int] = defaultdict(int)
        for item in statement.line_items:
            by_kind[item.kind] += item.amount_cents
        postings = [(f"{expenses}:{kind}", cents) for kind, cents in by_kind.items() if cents]
        if not postings:
            continue
        lines = [
            f"{statement.statement_date} Spectrum statement {statement.id}  ; due "
            f"{statement.due_date}"
        ]
        lines += [f"    {account:<44}{_amount(cents):>14}" for account, cents in postings]
        lines.append(f"    {liability:<44}{_amount(-statement.total_cents):>14}")
        entries.append((statement.statement_date, "\n".join(lines)))
    for payment in journaled(payments):
        paid = [
            f"{payment.scheduled_for} Spectrum payment {payment.confirmation_number}  ; "
            f"{payment.kind.replace('_', '-')}, {payment.method_label}",
            f"    {liability:<44}{_amount(payment.amount_cents):>14}",
            f"    {bank:<44}{_amount(-payment.amount_cents):>14}",
        ]
        entries.append((payment.scheduled_for, "\n".join(paid)))
    for payment, day in returns(payments):
        back = [
            f"{day} Spectrum payment returned {payment.confirmation_number}",
            f"    {bank:<44}{_amount(payment.amount_cents):>14}",
            f"    {liability:<44}{_amount(-payment.amount_cents):>14}",
        ]
        entries.append((day, "\n".join(back)))
    entries.sort(key=lambda e: e[0])
    return "".join(text + "\n\n" for _, text in entries)
