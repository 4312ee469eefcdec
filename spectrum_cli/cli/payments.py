"""`spectrum payments ...` and `spectrum payment-methods ...`."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.bill import PAYMENT_FIELDS
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.intents import say_done, send_once
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
    state.out.record(state.client().payments.get(payment_ref(payment_id)), PAYMENT_FIELDS)


def payment_ref(value: str) -> str:
    """A payment id or confirmation number as the API spells it: confirmation numbers are
    upper case (`spx-7k2m…` is read as `SPX-7K2M…`), so one copied from a lower-cased
    e-mail or typed by hand still works."""
    return value.upper() if re.fullmatch(r"spx-[a-z0-9]{8}", value, re.IGNORECASE) else value


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
    from spectrum_cli.client.resources._paths import check_id

    state = get_state(ctx, output)
    payment_id = payment_ref(payment_id)
    check_id("payment_id", payment_id)  # a bad id is refused before the question
    client = state.client()
    payment = client.payments.get(payment_id)
    if payment.status == "canceled":  # nothing to ask and nothing to do: exit 0
        _settle_cancel(state, payment_id)
        state.out.record(payment, PAYMENT_FIELDS)
        state.out.message(f"Payment {payment_id} is already canceled; nothing to do.")
        return
    if not yes and payment.status == "scheduled":  # the server refuses the others itself
        state.confirm(
            f"Cancel payment {payment_id} ({money(payment.amount_cents)} scheduled for "
            f"{payment.scheduled_for})?"
        )

    def report(payment: Any, replayed: bool) -> None:
        state.out.record(payment, PAYMENT_FIELDS)
        # Canceling a canceled payment is nothing to do, not an error: the same answer both times.
        done = (
            f"Payment {payment_id} is canceled: {money(payment.amount_cents)} scheduled for "
            f"{payment.scheduled_for} will not be charged."
        )
        say_done(state, done, replayed=replayed)

    send_once(
        state,
        client,
        operation="cancel",
        what="cancellation",
        request=_cancel_request(payment_id),
        summary={"payment": payment_id},
        send=lambda key: client.payments.cancel(payment_id, idempotency_key=key),
        show=report,
    )


def _cancel_request(payment_id: str) -> tuple[str, str, None]:
    from spectrum_cli.api import routes

    return ("POST", routes.PAYMENT_CANCEL.format(payment_id=payment_id), None)


def _settle_cancel(state: State, payment_id: str) -> None:
    """An unfinished cancellation of a payment now canceled is settled: forget it."""
    from spectrum_cli.cli.intents import settle

    settle(state, _cancel_request(payment_id))


PENDING_COLUMNS: list[tuple[str, Any]] = [
    ("operation", lambda i: i["operation"]),
    ("started", lambda i: i["started_at"]),
    ("idempotency key", lambda i: i["idempotency_key"]),
    ("what", lambda i: ", ".join(f"{k} {v}" for k, v in i["summary"].items())),
]


@app.command()
def pending(ctx: typer.Context, output: OutputOption = None) -> None:
    """List money-moving requests of this profile whose outcome is unknown (interrupted,
    killed or timed out), kept 48 hours.

    Running the same command again finishes each at most once: it reuses the listed key.
    """
    from spectrum_cli.cli.intents import journal_for

    state = get_state(ctx, output)
    intents = [i.public() for i in journal_for(state).pending()]
    state.out.data({"data": intents, "has_more": False}, PENDING_COLUMNS, rows=intents)


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
    client = state.client()
    _add_method_once(
        state,
        client,
        {"type": "card", "number": number, "exp_month": month, "exp_year": year},
        make_default,
        lambda key: client.payment_methods.add_card(
            number, month, year, make_default=make_default, idempotency_key=key
        ),
    )


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
    client = state.client()
    _add_method_once(
        state,
        client,
        {
            "type": account_type.value,
            "routing_number": routing_number,
            "account_number": number,
        },
        make_default,
        lambda key: client.payment_methods.add_bank_account(
            routing_number,
            number,
            account_type=account_type.value,
            make_default=make_default,
            idempotency_key=key,
        ),
    )


def _add_method_once(
    state: State,
    client: Any,
    details: dict[str, Any],
    make_default: bool,
    send: Callable[[str], Any],
) -> None:
    """Add a method through the intent journal: ``details`` hold the numbers, which the
    journal cuts to their last 4 digits before fingerprinting and never stores."""
    number = details.get("number") or details.get("account_number") or ""

    def report(method: Any, replayed: bool) -> None:
        state.out.record(method, METHOD_COLUMNS)
        say_done(state, f"Added {method.label}.", replayed=replayed)

    from spectrum_cli.api import routes

    send_once(
        state,
        client,
        operation="add method",
        what="new payment method",
        request=("POST", routes.PAYMENT_METHODS, {**details, "make_default": make_default}),
        summary={"method": f"{details['type']} ending {number[-4:]}"},
        send=send,
        show=report,
    )


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
