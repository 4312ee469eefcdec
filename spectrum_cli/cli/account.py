"""`spectrum account show`: the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.output import Column, fields, money, one_line_address, table

if TYPE_CHECKING:
    from spectrum_cli.api.account import AccountSummary

app = new_app("The account dashboard: balance, due date, services, equipment, alerts.")


_DASHBOARD: list[Column] = [
    ("Account", lambda s: s.account_number_masked),
    ("Holder", lambda s: s.holder_name),
    ("Status", lambda s: s.status.replace("_", " ")),
    ("Service address", lambda s: one_line_address(s.service_address)),
    ("Balance", lambda s: money(s.balance_cents)),
    ("Due date", lambda s: s.due_date or "nothing due"),
    ("Autopay", lambda s: f"on, {s.autopay.method_label}" if s.autopay.enabled else "off"),
]
_SERVICES: list[Column] = [
    ("service", lambda s: s.kind),
    ("plan", lambda s: s.plan_name),
    ("price/mo", lambda s: money(s.current_price_cents)),
    ("after promo", lambda s: money(s.monthly_price_cents) if s.promo_ends_on else ""),
    ("promo ends", lambda s: s.promo_ends_on),
]
_EQUIPMENT: list[Column] = [
    ("id", lambda e: e.id),
    ("equipment", lambda e: e.model),
    ("for", lambda e: e.service_kind),
    ("fee/mo", lambda e: money(e.monthly_fee_cents)),
    ("status", lambda e: e.status),
]


@app.command()
def show(ctx: typer.Context) -> None:
    """Show the account summary in one request.

    -o json gives all of it; -o csv and -o text give it as one row (nested objects as dotted
    columns, services, equipment and alerts as JSON)."""
    state = get_state(ctx)
    summary = state.client().account.summary()
    state.out.show(summary, render=lambda s: _dashboard(state, s))


def _dashboard(state: State, summary: AccountSummary) -> str:
    """The summary, then its services and equipment as tables; alerts are warnings."""
    for alert in summary.alerts:
        state.out.warn(alert.message)
    parts = [fields(summary, _DASHBOARD)]
    for rows, columns in ((summary.services, _SERVICES), (summary.equipment, _EQUIPMENT)):
        if rows:
            parts.append(table(rows, columns))
    return "\n\n".join(parts)
