"""`spectrum payments ...` and `spectrum payment-methods ...`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.bill import PAYMENT_FIELDS
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.options import OutputOption, YesOption
from spectrum_cli.cli.output import money
from spectrum_cli.cli.parsing import digits_only, parse_expiry

app = new_app("Payment history: list, show, cancel a scheduled payment.")
methods_app = new_app("Cards and bank accounts: list, add, remove, choose the default.")
add_app = new_app("Add a card or a bank account. Numbers come from a hidden prompt or stdin.")
methods_app.add_typer(add_app, name="add")


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many, newest first.")] = 20,
    output: OutputOption = None,
) -> None:
    """List payments, newest first."""
    state = get_state(ctx, output)
    page = state.client().payments.list(limit=limit)
    columns = [c for c in PAYMENT_FIELDS if c[0] not in ("statement", "failure")]
    state.out.data(page, columns, rows=page.data)


@app.command()
def show(
    ctx: typer.Context,
    payment_id: Annotated[
        str, typer.Argument(help="A payment id (pay_...) or confirmation number (SPX-...).")
    ],
    output: OutputOption = None,
) -> None:
    """Show one payment, with why it failed if it did."""
    state = get_state(ctx, output)
    state.out.record(state.client().payments.get(payment_id), PAYMENT_FIELDS)


@app.command()
def cancel(
    ctx: typer.Context,
    payment_id: Annotated[
        str, typer.Argument(help="A scheduled payment's id or confirmation number.")
    ],
    yes: YesOption = False,
    output: OutputOption = None,
) -> None:
    """Cancel a scheduled payment before it is processed."""
    state = get_state(ctx, output)
    if not yes:
        state.confirm(f"Cancel payment {payment_id}?")
    payment = state.client().payments.cancel(payment_id)
    state.out.record(payment, PAYMENT_FIELDS)
    state.out.message(
        f"Canceled {money(payment.amount_cents)} scheduled for {payment.scheduled_for}."
    )


METHOD_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda m: m.id),
    ("method", lambda m: m.label),
    ("expires", lambda m: f"{m.card.exp_month:02d}/{m.card.exp_year}" if m.card else ""),
    ("default", lambda m: m.is_default),
]


@methods_app.command("list")
def methods_list(ctx: typer.Context, output: OutputOption = None) -> None:
    """List saved payment methods (masked)."""
    state = get_state(ctx, output)
    methods = state.client().payment_methods.list()
    state.out.data(methods, METHOD_COLUMNS, rows=methods.data)


def _secret_number(state: State, what: str, from_stdin: bool) -> str:
    raw = (
        state.read_line(what)
        if from_stdin
        else state.ask(what[0].upper() + what[1:], "--number-stdin", secret=True)
    )
    return digits_only(raw, what=what)


NumberStdin = Annotated[
    bool,
    typer.Option("--number-stdin", help="Read the number from the first line of standard input."),
]
MakeDefault = Annotated[bool, typer.Option("--default", help="Make it the default method.")]


@add_app.command("card")
def add_card(
    ctx: typer.Context,
    exp: Annotated[str, typer.Option(help="Expiry as MM/YY, e.g. 08/29.")],
    number_stdin: NumberStdin = False,
    make_default: MakeDefault = False,
    output: OutputOption = None,
) -> None:
    """Add a card. The number is checked (Luhn) and only its last 4 digits are kept."""
    state = get_state(ctx, output)
    month, year = parse_expiry(exp)
    number = _secret_number(state, "card number", number_stdin)
    if not 12 <= len(number) <= 19:
        raise CliError("A card number has 12 to 19 digits.")
    method = state.client().payment_methods.add_card(number, month, year, make_default=make_default)
    state.out.record(method, METHOD_COLUMNS)
    state.out.message(f"Added {method.label}.")


class AccountType(str, Enum):
    checking = "checking"
    savings = "savings"


@add_app.command("bank")
def add_bank(
    ctx: typer.Context,
    routing: Annotated[str, typer.Option(help="The 9-digit ABA routing number.")],
    account_type: Annotated[AccountType, typer.Option("--type")] = AccountType.checking,
    number_stdin: NumberStdin = False,
    make_default: MakeDefault = False,
    output: OutputOption = None,
) -> None:
    """Add a bank account (ACH). The account number is asked for, or read from stdin."""
    state = get_state(ctx, output)
    routing_number = digits_only(routing, what="routing number")
    if len(routing_number) != 9:
        raise CliError("An ABA routing number has 9 digits.")
    number = _secret_number(state, "account number", number_stdin)
    method = state.client().payment_methods.add_bank_account(
        routing_number, number, account_type=account_type.value, make_default=make_default
    )
    state.out.record(method, METHOD_COLUMNS)
    state.out.message(f"Added {method.label}.")


@methods_app.command("remove")
def methods_remove(
    ctx: typer.Context,
    method_id: Annotated[str, typer.Argument(help="A method id (pm_...).")],
    yes: YesOption = False,
) -> None:
    """Remove a payment method (not the one autopay uses)."""
    state = get_state(ctx)
    if not yes:
        state.confirm(f"Remove payment method {method_id}?")
    state.client().payment_methods.remove(method_id)
    state.out.message(f"Removed {method_id}.")


@methods_app.command("default")
def methods_default(
    ctx: typer.Context,
    method_id: Annotated[str, typer.Argument(help="A method id (pm_...).")],
    output: OutputOption = None,
) -> None:
    """Make a method the default for payments."""
    state = get_state(ctx, output)
    method = state.client().payment_methods.set_default(method_id)
    state.out.record(method, METHOD_COLUMNS)
