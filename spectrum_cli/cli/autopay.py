"""`spectrum autopay show|enable|disable`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.intents import say_done, send_once
from spectrum_cli.cli.options import YesOption
from spectrum_cli.cli.output import money
from spectrum_cli.cli.payments import unless_forbidden

app = new_app("Autopay: pays the full statement balance on each due date.")

FIELDS: list[tuple[str, Any]] = [
    ("status", lambda a: a.status.replace("_", " ")),
    ("method", lambda a: a.method_label),
    ("next charge", lambda a: a.next_charge_date),
    (
        "expected amount",
        lambda a: (
            money(a.next_charge_amount_cents)
            if a.next_charge_amount_cents is not None
            else ("full balance" if a.enabled else "")
        ),
    ),
    ("starts with statement of", lambda a: a.effective_from_statement_date),
    ("last statement it pays", lambda a: a.ends_after_statement_date),
]


def _show(state: State, autopay: Any) -> None:
    state.out.show(autopay, FIELDS)
    for warning in autopay.warnings:
        state.out.warn(warning)
    if autopay.uncovered_statement_id:
        state.out.message("To pay it now: spectrum bill pay --balance")


def _nothing(state: State, autopay: Any, reason: str) -> None:
    """Autopay is already as asked: say so, and settle an unfinished change to it (done now)."""
    from spectrum_cli.api import routes
    from spectrum_cli.cli.intents import settle

    on = autopay.enabled and autopay.method_id
    settle(
        state,
        ("PUT", routes.AUTOPAY, {"method_id": on}) if on else ("DELETE", routes.AUTOPAY, None),
    )
    state.out.nothing(f"{reason}; nothing to do.", autopay=autopay)
    for warning in autopay.warnings:
        state.out.warn(warning)


@app.command()
def show(ctx: typer.Context) -> None:
    """Whether autopay is on, with which method, the next charge, and any warning."""
    state = get_state(ctx)
    _show(state, state.client().autopay.get())


@app.command()
def enable(
    ctx: typer.Context,
    method: Annotated[str, typer.Option(help="Payment method id from `payment-methods list`.")],
    yes: YesOption = False,
) -> None:
    """Turn autopay on (or switch its method).

    Within 3 business days of a due date it starts with the next statement, and the current
    one still needs a one-time payment: the command says so.
    """
    state = get_state(ctx)
    client = state.client()
    current = unless_forbidden(client.autopay.get)
    if current and current.status in ("active", "pending") and current.method_id == method:
        _nothing(state, current, f"Autopay is already on with {current.method_label}")
        return
    if not yes:
        state.confirm(f"Pay each statement's full balance automatically with {method}?")

    def report(autopay: Any, replayed: bool) -> None:
        _show(state, autopay)
        done = f"Autopay is on from the statement of {autopay.effective_from_statement_date}."
        say_done(state, done, replayed=replayed)

    from spectrum_cli.api import routes

    send_once(
        state,
        client,
        operation="autopay on",
        what="autopay change",
        request=("PUT", routes.AUTOPAY, {"method_id": method}),
        summary={"method": method},
        send=lambda key: client.autopay.enable(method, idempotency_key=key),
        show=report,
    )


@app.command()
def disable(ctx: typer.Context, yes: YesOption = False) -> None:
    """Turn autopay off. Within 3 business days of a due date that charge still happens."""
    state = get_state(ctx)
    client = state.client()
    current = unless_forbidden(client.autopay.get)
    if current is not None and not current.enabled:
        _nothing(state, current, "Autopay is already off")
        return
    if not yes:
        state.confirm("Turn autopay off?")

    def report(autopay: Any, replayed: bool) -> None:
        _show(state, autopay)
        done = (
            f"Autopay is off after the statement of {autopay.ends_after_statement_date}, "
            f"which it still pays on {autopay.next_charge_date}."
            if autopay.ends_after_statement_date
            else "Autopay is off."
        )
        say_done(state, done, replayed=replayed)

    from spectrum_cli.api import routes

    send_once(
        state,
        client,
        operation="autopay off",
        what="autopay change",
        request=("DELETE", routes.AUTOPAY, None),
        summary={},
        send=lambda key: client.autopay.disable(idempotency_key=key),
        show=report,
    )
