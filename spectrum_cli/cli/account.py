"""`spectrum account show`: the dashboard."""

from __future__ import annotations

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import get_state
from spectrum_cli.cli.options import OutputOption
from spectrum_cli.cli.output import Column, money, one_line_address

app = new_app("The account dashboard: balance, due date, services, equipment, alerts.")


_BRIEF: list[Column] = [
    ("account", lambda s: s.account_number_masked),
    ("holder", lambda s: s.holder_name),
    ("status", lambda s: s.status),
    ("balance", lambda s: money(s.balance_cents)),
    ("due_date", lambda s: s.due_date),
    ("autopay", lambda s: s.autopay.status),
]
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
    ("equipment", lambda e: e.model),
    ("for", lambda e: e.service_kind),
    ("fee/mo", lambda e: money(e.monthly_fee_cents)),
    ("status", lambda e: e.status),
]


@app.command()
def show(ctx: typer.Context, output: OutputOption = None) -> None:
    """Show the account summary in one request (-o json gives all of it)."""
    state = get_state(ctx, output)
    summary = state.client().account.summary()
    out = state.out
    if out.format == "json":
        out.data(summary, [])  # the whole summary, as the API returns it
        return
    if out.format != "table":
        out.record(summary, _BRIEF)
        return
    out.record(summary, _DASHBOARD)
    out.stdout.write("\n")
    out.data(summary, _SERVICES, rows=summary.services)
    out.stdout.write("\n")
    out.data(summary, _EQUIPMENT, rows=summary.equipment)
    for alert in summary.alerts:
        out.warn(alert.message)
