"""Bill insights: what changed between two statements and why, and price rises ahead.

Pure functions over the contract's models, so scripts can use them with the client:

    current = client.statements.get()
    previous = client.statements.get(client.statements.list(limit=2).data[1].id)
    print(explain(current, previous).changes)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from spectrum_cli.api.billing import LineItem, Payment, Statement
from spectrum_cli.api.money import usd


class LineChange(BaseModel):
    kind: str
    description: str
    before_cents: int
    after_cents: int
    change_cents: int
    reason: str


class Explanation(BaseModel):
    statement_id: str
    previous_statement_id: str | None
    total_before_cents: int
    total_after_cents: int
    total_change_cents: int
    changes: list[LineChange]
    unexplained_cents: int
    notes: list[str]


def _key(item: LineItem) -> tuple[str, str]:
    """Lines that are "the same charge" month to month share a key."""
    if item.kind == "usage":
        return item.kind, item.description.split(":")[0]
    if item.kind == "promo_discount":
        return item.kind, item.description.split(" promotion")[0]
    if item.kind in ("late_fee", "tax"):
        return item.kind, item.kind
    return item.kind, item.description


def _group(items: Iterable[LineItem]) -> dict[tuple[str, str], list[LineItem]]:
    groups: dict[tuple[str, str], list[LineItem]] = defaultdict(list)
    for item in items:
        groups[_key(item)].append(item)
    return groups


def _reason(
    kind: str, name: str, before: list[LineItem], after: list[LineItem], current: Statement
) -> str:
    old, new = sum(i.amount_cents for i in before), sum(i.amount_cents for i in after)
    if kind == "promo_discount":
        if before and not after:
            plan_price = sum(
                i.amount_cents
                for i in current.line_items
                if i.kind == "service" and i.description == name
            )
            ended = before[0].promo_ends_on
            return (
                f"The {name} promotion ended {ended}: the price went from "
                f"{usd(plan_price + old)} to {usd(plan_price)} a month."
            )
        if after and not before:
            return f"A {name} promotion started, until {after[0].promo_ends_on}."
        return f"The {name} discount changed from {usd(old)} to {usd(new)}."
    if kind == "late_fee":
        return (
            "A late fee: the previous bill was not paid by its due date."
            if after
            else "No late fee this time."
        )
    if kind == "one_time":
        return f"One-time charge: {name}." if after else f"Last bill's one-time {name} is gone."
    if kind == "usage":
        if before and after:
            return (
                f"{after[0].description.split('(')[0].strip()} this period, after "
                f"{before[0].description.split(':')[1].split('(')[0].strip()} last period."
            )
        return f"{name}: {'new' if after else 'none this period'}."
    if kind == "proration":
        return f"Proration: {name}."
    if kind == "tax":
        return f"Taxes changed with the taxable charges: {usd(old)} → {usd(new)}."
    label = {
        "service": "Service",
        "equipment": "Equipment",
        "surcharge": "Surcharge",
        "fee": "Fee",
        "adjustment": "Adjustment",
        "credit": "Credit",
    }.get(kind, kind)
    if not before:
        return f"New {label.lower()}: {name} ({usd(new)})."
    if not after:
        return f"{label} removed: {name} (was {usd(old)})."
    if len(before) != len(after):
        return f"{label} {name}: {len(before)} → {len(after)}."
    return f"{label} {name} went from {usd(old)} to {usd(new)}."


def explain(
    current: Statement, previous: Statement | None, payments: Iterable[Payment] = ()
) -> Explanation:
    """Every line that changed, with a reason; the changes add up to the change in total,
    and anything they do not explain is reported in ``unexplained_cents``."""
    before = _group(previous.line_items) if previous else {}
    after = _group(current.line_items)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old_items, new_items = before.get(key, []), after.get(key, [])
        old = sum(i.amount_cents for i in old_items)
        new = sum(i.amount_cents for i in new_items)
        if old == new:
            continue
        sample = (new_items or old_items)[0]
        changes.append(
            LineChange(
                kind=key[0],
                description=key[1]
                if key[0] not in ("tax", "late_fee")
                else sample.description.split(":")[0],
                before_cents=old,
                after_cents=new,
                change_cents=new - old,
                reason=_reason(key[0], key[1], old_items, new_items, current),
            )
        )
    total_before = previous.total_cents if previous else 0
    total_change = current.total_cents - total_before
    notes = []
    if previous is not None:
        for payment in payments:
            if (
                payment.status == "returned"
                and payment.settled_at is not None
                and previous.statement_date < payment.settled_at.date() <= current.statement_date
            ):
                notes.append(
                    f"Payment {payment.confirmation_number} of "
                    f"{usd(payment.amount_cents)} was returned by the bank, so that "
                    "amount is owed again (it shows in the previous balance)."
                )
        if current.previous_balance_cents != previous.amount_due_cents:
            notes.append("The previous balance differs from what the last bill asked for.")
    return Explanation(
        statement_id=current.id,
        previous_statement_id=previous.id if previous else None,
        total_before_cents=total_before,
        total_after_cents=current.total_cents,
        total_change_cents=total_change,
        changes=changes,
        unexplained_cents=total_change - sum(c.change_cents for c in changes),
        notes=notes,
    )


def price_rises(statement: Statement, today: dt.date, *, within_days: int = 60) -> list[str]:
    """Promotions on this statement that end within ``within_days`` of ``today``."""
    warnings = []
    for item in statement.line_items:
        if item.kind != "promo_discount" or item.promo_ends_on is None:
            continue
        if 0 <= (item.promo_ends_on - today).days <= within_days:
            plan = item.description.split(" promotion")[0]
            price = sum(
                i.amount_cents
                for i in statement.line_items
                if i.kind == "service" and i.description == plan
            )
            warnings.append(
                f"The {plan} promotion ends {item.promo_ends_on}: from then it "
                f"costs {usd(price)} a month instead of {usd(price + item.amount_cents)}"
                f" (+{usd(-item.amount_cents)})."
            )
    return warnings
