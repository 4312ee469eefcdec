"""Bill insights: what changed between two statements and why, and price rises ahead.

Pure functions over the contract's models, so scripts can use them with the client:

    current = client.statements.get()
    previous = client.statements.get(client.statements.list(limit=2).data[1].id)
    print(explain(current, previous).changes)

They read what a line item or an alert is from its kind and data fields, never from its
``description`` or ``message``: those are for people and their words may change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from spectrum_cli.api.account import Alert
from spectrum_cli.api.billing import LineItem, Payment, Statement
from spectrum_cli.api.money import usd

KIND_LABELS = {
    "service": "Service",
    "promo_discount": "Promotion",
    "equipment": "Equipment",
    "one_time": "One-time charge",
    "proration": "Proration",
    "surcharge": "Surcharge",
    "tax": "Tax",
    "fee": "Fee",
    "late_fee": "Late fee",
    "adjustment": "Adjustment",
    "credit": "Credit",
    "usage": "Mobile data",
}
# Fee lines are named by their code; a code not listed here is named by its kind.
FEE_KINDS = frozenset({"one_time", "surcharge", "tax", "fee", "late_fee"})
FEE_LABELS = {
    "activation_fee": "Activation fee",
    "broadcast_tv_surcharge": "Broadcast TV surcharge",
    "sales_tax": "Sales tax",
    "late_fee": "Late fee",
}


class LineChange(BaseModel):
    kind: str
    code: str | None = None
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
    """Lines that are "the same charge" month to month share a key: the kind and the code."""
    if item.code:
        return item.kind, item.code
    if item.kind in ("tax", "late_fee"):
        return item.kind, item.kind
    # A line without a code (an adjustment, a credit, an older statement): its words are
    # only a key here, never read for meaning.
    return item.kind, item.description


def _name(item: LineItem) -> str:
    """What people call the charge, from its fields."""
    if item.kind in FEE_KINDS:
        return FEE_LABELS.get(item.code or "", KIND_LABELS[item.kind])
    if item.kind == "usage" and item.line_name:
        return f"{KIND_LABELS['usage']}, {item.line_name}"
    return item.plan_name or item.equipment_model or KIND_LABELS[item.kind]


def _group(items: Iterable[LineItem]) -> dict[tuple[str, str], list[LineItem]]:
    groups: dict[tuple[str, str], list[LineItem]] = defaultdict(list)
    for item in items:
        groups[_key(item)].append(item)
    return groups


@dataclass(frozen=True)
class _Pair:
    """The lines of one key on the statement before and on this one."""

    kind: str
    name: str
    before: list[LineItem]
    after: list[LineItem]

    @property
    def old(self) -> int:
        return sum(i.amount_cents for i in self.before)

    @property
    def new(self) -> int:
        return sum(i.amount_cents for i in self.after)


def _promo_reason(pair: _Pair) -> str:
    if pair.before and not pair.after:
        ended = pair.before[0]
        said = f"The {pair.name} promotion ended" + (
            f" {ended.promo_ends_on}" if ended.promo_ends_on else ""
        )
        regular = ended.regular_price_cents
        if regular is None:
            return f"{said}."
        return f"{said}: the price went from {usd(regular + pair.old)} to {usd(regular)} a month."
    if pair.after and not pair.before:
        return f"A {pair.name} promotion started, until {pair.after[0].promo_ends_on}."
    return f"The {pair.name} discount changed from {usd(pair.old)} to {usd(pair.new)}."


def _used(items: list[LineItem]) -> str | None:
    """How much the lines measured, for people; None when they do not say."""
    if not items or any(i.usage_quantity is None or i.usage_unit != "MB" for i in items):
        return None
    return f"{sum(i.usage_quantity or 0 for i in items) / 1024:.1f} GB"


def _usage_reason(pair: _Pair) -> str:
    now, then = _used(pair.after), _used(pair.before)
    if now and then:
        return f"{pair.name}: {now} this period, after {then} last period."
    return f"{pair.name}: {'new' if pair.after else 'none this period'}."


def _late_fee_reason(pair: _Pair) -> str:
    if pair.after:
        return "A late fee: the previous bill was not paid by its due date."
    return "No late fee this time."


def _one_time_reason(pair: _Pair) -> str:
    if pair.after:
        return f"One-time charge: {pair.name}."
    return f"Last bill's one-time {pair.name} is gone."


def _tax_reason(pair: _Pair) -> str:
    return f"Taxes changed with the taxable charges: {usd(pair.old)} → {usd(pair.new)}."


def _other_reason(pair: _Pair) -> str:
    label = KIND_LABELS.get(pair.kind, pair.kind)
    name = "" if pair.name == label else f" {pair.name}"  # a line named only by its kind
    colon = ":" if name else ""
    if not pair.before:
        return f"New {label.lower()}{colon}{name} ({usd(pair.new)})."
    if not pair.after:
        return f"{label} removed{colon}{name} (was {usd(pair.old)})."
    if len(pair.before) != len(pair.after):
        return f"{label}{name}: {len(pair.before)} → {len(pair.after)}."
    return f"{label}{name} went from {usd(pair.old)} to {usd(pair.new)}."


REASONS: dict[str, Callable[[_Pair], str]] = {
    "promo_discount": _promo_reason,
    "usage": _usage_reason,
    "late_fee": _late_fee_reason,
    "one_time": _one_time_reason,
    "proration": lambda pair: f"Proration: {pair.name}.",
    "tax": _tax_reason,
}


def _changes(current: Statement, previous: Statement | None) -> list[LineChange]:
    before = _group(previous.line_items) if previous else {}
    after = _group(current.line_items)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old_items, new_items = before.get(key, []), after.get(key, [])
        sample = (new_items or old_items)[0]
        pair = _Pair(key[0], _name(sample), old_items, new_items)
        if pair.old == pair.new:
            continue
        changes.append(
            LineChange(
                kind=pair.kind,
                code=sample.code,
                description=pair.name,
                before_cents=pair.old,
                after_cents=pair.new,
                change_cents=pair.new - pair.old,
                reason=REASONS.get(pair.kind, _other_reason)(pair),
            )
        )
    return changes


def _notes(current: Statement, previous: Statement, payments: Iterable[Payment]) -> list[str]:
    notes = [
        f"Payment {payment.confirmation_number} of {usd(payment.amount_cents)} was returned "
        "by the bank, so that amount is owed again (it shows in the previous balance)."
        for payment in payments
        if payment.status == "returned"
        and payment.settled_at is not None
        and previous.statement_date < payment.settled_at.date() <= current.statement_date
    ]
    if current.previous_balance_cents != previous.amount_due_cents:
        notes.append("The previous balance differs from what the last bill asked for.")
    return notes


def explain(
    current: Statement, previous: Statement | None, payments: Iterable[Payment] = ()
) -> Explanation:
    """Every line that changed, with a reason; the changes add up to the change in total,
    and anything they do not explain is reported in ``unexplained_cents``."""
    changes = _changes(current, previous)
    total_before = previous.total_cents if previous else 0
    total_change = current.total_cents - total_before
    return Explanation(
        statement_id=current.id,
        previous_statement_id=previous.id if previous else None,
        total_before_cents=total_before,
        total_after_cents=current.total_cents,
        total_change_cents=total_change,
        changes=changes,
        unexplained_cents=total_change - sum(c.change_cents for c in changes),
        notes=_notes(current, previous, payments) if previous else [],
    )


def price_rises(alerts: Iterable[Alert]) -> list[str]:
    """The price rises the server warns of: its ``promo_ending`` alerts (a statement's or the
    account summary's), said from their data fields. How far ahead to warn is the server's
    rule alone."""
    return [_price_rise(a) for a in alerts if a.kind == "promo_ending"]


def _price_rise(alert: Alert) -> str:
    plan, on = alert.plan_name, alert.effective_on
    before, after = alert.price_before_cents, alert.price_after_cents
    if plan is None or on is None or before is None or after is None:
        return alert.message  # a server without the data fields: its own words, as they are
    return (
        f"The {plan} promotion ends {on}: from then it costs {usd(after)} a month instead of "
        f"{usd(before)} (+{usd(after - before)})."
    )
