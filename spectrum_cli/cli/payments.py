"""`spectrum payments ...` and `spectrum payment-methods ...`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.bill import PAYMENT_FIELDS
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.intents import say_done, send_once
from spectrum_cli.cli.options import YesOption
from spectrum_cli.cli.output import money
from spectrum_cli.cli.parsing import digits_only, parse_date, parse_expiry

T = TypeVar("T")

app = new_app("Payment history: list, show, cancel a scheduled payment.")
methods_app = new_app("Cards and bank accounts: list, add, remove, choose the default.")
add_app = new_app("Add a card or a bank account. Numbers come from a hidden prompt or stdin.")
methods_app.add_typer(add_app, name="add")


class PaymentStatus(str, Enum):
    scheduled = "scheduled"
    processing = "processing"
    succeeded = "succeeded"
    failed = "failed"
    returned = "returned"
    canceled = "canceled"


StatusOption = Annotated[
    PaymentStatus | None, typer.Option("--status", help="Only payments in this state.")
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", metavar="DATE", help="Only payments dated this day or later."),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", metavar="DATE", help="Only payments dated this day or earlier."),
]
LIST_COLUMNS = [c for c in PAYMENT_FIELDS if c[0] not in ("statement", "failure")]


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option(min=1, max=100, help="How many, newest first (with --all: per request).")
    ] = 20,
    status: StatusOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Every payment that matches.")] = False,
) -> None:
    """List payments, newest first. A payment's date is the day it is (or was) charged."""
    state = get_state(ctx)
    only = _payment_filter(status, from_, to)
    payments = state.client().payments
    if all_:
        state.out.show(list(payments.iter(page_size=limit, **only)), LIST_COLUMNS)
    else:
        state.out.show(payments.list(limit=limit, **only), LIST_COLUMNS)


def _payment_filter(
    status: PaymentStatus | None, from_: str | None, to: str | None
) -> dict[str, Any]:
    """The filters of `payments list`, as the client takes them; a backwards range is exit 2."""
    first = parse_date(from_, option="--from") if from_ is not None else None
    last = parse_date(to, option="--to") if to is not None else None
    if first is not None and last is not None and first > last:
        raise CliError(f"--from {first} is after --to {last}.")
    return {"status": status.value if status else None, "from_date": first, "to_date": last}


@app.command()
def show(
    ctx: typer.Context,
    payment_id: Annotated[
        str, typer.Argument(help="A payment id (pay_...) or confirmation number (SPX-...).")
    ],
) -> None:
    """Show one payment, with why it failed if it did."""
    state = get_state(ctx)
    state.out.show(state.client().payments.get(payment_ref(payment_id)), PAYMENT_FIELDS)


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
) -> None:
    """Cancel a scheduled payment before it is processed."""
    from spectrum_cli.client.resources._paths import check_id

    state = get_state(ctx)
    payment_id = payment_ref(payment_id)
    check_id("payment_id", payment_id)  # a bad id is refused before the question
    client = state.client()
    payment = client.payments.get(payment_id)
    if payment.status == "canceled":  # nothing to ask and nothing to do: exit 0
        _settle_cancel(state, payment_id)
        reason = f"Payment {payment_id} is already canceled; nothing to do."
        state.out.nothing(reason, payment=payment)
        return
    if not yes and payment.status == "scheduled":  # the server refuses the others itself
        state.confirm(
            f"Cancel payment {payment_id} ({money(payment.amount_cents)} scheduled for "
            f"{payment.scheduled_for})?"
        )

    def report(payment: Any, replayed: bool) -> None:
        state.out.show(payment, PAYMENT_FIELDS)
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


def unless_forbidden(read: Callable[[], T]) -> T | None:
    """What ``read`` returns, or None when the credential may not read it (an API token scoped
    to the change alone): the command then cannot know the change is already made, so it
    sends it and the server answers."""
    from spectrum_cli.client import PermissionDeniedError

    try:
        return read()
    except PermissionDeniedError:
        return None


def _settle_cancel(state: State, payment_id: str) -> None:
    """An unfinished cancellation of a payment now canceled is settled: forget it."""
    from spectrum_cli.cli.intents import settle

    settle(state, _cancel_request(payment_id))


PENDING_COLUMNS: list[tuple[str, Any]] = [
    ("operation", lambda i: i["operation"]),
    ("started", lambda i: dt.datetime.fromisoformat(i["started_at"])),
    ("idempotency key", lambda i: i["idempotency_key"]),
    ("what", lambda i: ", ".join(f"{k} {v}" for k, v in i["summary"].items())),
]


@app.command()
def pending(ctx: typer.Context) -> None:
    """List money-moving requests of this profile whose outcome is unknown (interrupted,
    killed or timed out), kept 48 hours.

    Running the same command again finishes each at most once: it reuses the listed key.
    """
    from spectrum_cli.cli.intents import journal_for

    state = get_state(ctx)
    state.out.show([i.public() for i in journal_for(state).pending()], PENDING_COLUMNS)


METHOD_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda m: m.id),
    ("method", lambda m: m.label),
    ("expires", lambda m: f"{m.card.exp_month:02d}/{m.card.exp_year}" if m.card else ""),
    ("default", lambda m: m.is_default),
]


@methods_app.command("list")
def methods_list(ctx: typer.Context) -> None:
    """List saved payment methods (masked)."""
    state = get_state(ctx)
    state.out.show(state.client().payment_methods.list(), METHOD_COLUMNS)


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
) -> None:
    """Add a card. The number is checked (Luhn) and only its last 4 digits are kept."""
    state = get_state(ctx)
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
) -> None:
    """Add a bank account (ACH). The account number is asked for, or read from stdin."""
    state = get_state(ctx)
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
        state.out.show(method, METHOD_COLUMNS)
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
    state.out.show({"id": method_id, "deleted": True}, render=lambda r: f"Removed {r['id']}.")


@methods_app.command("default")
def methods_default(
    ctx: typer.Context,
    method_id: Annotated[str, typer.Argument(help="A method id (pm_...).")],
) -> None:
    """Make a method the default for payments."""
    from spectrum_cli.client.resources._paths import check_id

    check_id("method_id", method_id)  # a bad id is refused before any request
    state = get_state(ctx)
    client = state.client()
    methods = unless_forbidden(client.payment_methods.list)
    current = next((m for m in methods.data if m.id == method_id), None) if methods else None
    if current is not None and current.is_default:
        reason = f"{current.label} ({method_id}) is already the default; nothing to do."
        state.out.nothing(reason, method=current)
        return
    state.out.show(client.payment_methods.set_default(method_id), METHOD_COLUMNS)
