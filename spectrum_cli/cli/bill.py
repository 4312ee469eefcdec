"""`spectrum bill ...`: statements, PDFs and paying them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.options import YesOption
from spectrum_cli.cli.output import count, money
from spectrum_cli.cli.parsing import (
    parse_amount,
    parse_date,
    parse_duration,
    parse_idempotency_key,
)
from spectrum_cli.cli.status import ExitStatus

if TYPE_CHECKING:
    from spectrum_cli.api.billing import PaymentCreate, Statement, StatementSummary

app = new_app("Statements: list, show, download as PDF, and pay.")

LATEST = "latest"
GROUPS = (
    ("Services", ("service", "proration")),
    ("Discounts", ("promo_discount", "credit", "adjustment")),
    ("Equipment", ("equipment",)),
    ("Usage", ("usage",)),
    ("One-time charges", ("one_time", "late_fee")),
    ("Taxes, fees and surcharges", ("surcharge", "tax", "fee")),
)
# Statement alerts shown as warnings (on stderr), besides the price rises ahead.
WARNING_ALERTS = frozenset({"past_due", "late_fee_added"})
STATEMENT_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda s: s.id),
    ("date", lambda s: s.statement_date),
    ("due", lambda s: s.due_date),
    ("new charges", lambda s: money(s.total_cents)),
    ("amount due", lambda s: money(s.amount_due_cents)),
    ("unpaid", lambda s: money(s.balance_cents)),
    ("status", lambda s: s.status.replace("_", " ")),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many, newest first.")] = 12,
    all_: Annotated[bool, typer.Option("--all", help="Every statement.")] = False,
) -> None:
    """List statements with what is still unpaid: paid, partially paid, unpaid, past due."""
    state = get_state(ctx)
    client = state.client()
    if all_:
        state.out.show(list(client.statements.iter()), STATEMENT_COLUMNS)
    else:
        state.out.show(client.statements.list(limit=limit), STATEMENT_COLUMNS)


@app.command()
def show(
    ctx: typer.Context,
    statement_id: Annotated[
        str, typer.Argument(help="A statement id from `bill list`, or `latest`.")
    ] = LATEST,
) -> None:
    """Show a statement grouped like the paper bill (one request).

    -o csv and -o text give one row per line item; -o json the whole statement."""
    state = get_state(ctx)
    statement = state.client().statements.get(statement_id)
    state.out.show(statement, rows="line_items", render=lambda s: _bill_text(state, s))


def _bill_text(state: State, statement: Statement) -> str:
    """The statement as the paper bill lays it out; its warnings go to stderr."""
    head = (
        f"Statement {statement.id}  ({statement.statement_date}, service "
        f"{statement.period_start} to {statement.period_end})"
    )
    told = "".join(f"\n\n{note}" for note in _statement_notes(state, statement))
    return f"{head}\n\n{_charges(statement)}\n\n{_totals(statement)}{told}"


def _charges(statement: Statement) -> str:
    """The line items under their groups, indented, then the new charges."""
    rows: list[list[str]] = []
    for title, kinds in GROUPS:
        items = [i for i in statement.line_items if i.kind in kinds]
        if items:
            rows.append([title, ""])
            rows += [[f"  {i.description}", money(i.amount_cents)] for i in items]
    rows.append(["New charges", money(statement.total_cents)])
    return _two_columns(rows)


def _totals(statement: Statement) -> str:
    return _two_columns(
        [
            ["Previous balance", money(statement.previous_balance_cents)],
            ["Payments received", money(-statement.payments_received_cents)],
            ["New charges", money(statement.total_cents)],
            ["Amount due", money(statement.amount_due_cents)],
            ["Still unpaid", money(statement.balance_cents)],
            ["Due", f"{statement.due_date} ({statement.status.replace('_', ' ')})"],
        ]
    )


def _two_columns(rows: list[list[str]]) -> str:
    """Labels and amounts, the amounts right-aligned, leading spaces kept (indented items)."""
    left = max(len(label) for label, _ in rows)
    right = max(len(amount) for _, amount in rows)
    return "\n".join(f"{label:<{left}}  {amount:>{right}}".rstrip() for label, amount in rows)


def _statement_notes(state: State, statement: Statement) -> list[str]:
    """What the statement tells: a price rise ahead and money overdue are warnings (said on
    stderr now), by the alert's kind; the rest is returned to print with the bill, as the
    server worded it."""
    from spectrum_cli.client.insights import price_rises

    if not statement.alerts:  # a server that words its messages only: shown, never read
        return list(statement.messages)
    for warning in price_rises(statement.alerts):
        state.out.warn(warning)
    notes = []
    for alert in statement.alerts:
        if alert.kind in WARNING_ALERTS:
            state.out.warn(alert.message)
        elif alert.kind != "promo_ending":  # said above, from its fields
            notes.append(alert.message)
    return notes


@app.command()
def download(
    ctx: typer.Context,
    statement_id: Annotated[
        str | None,
        typer.Argument(help="A statement id, or `latest` [default: latest].", show_default=False),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every statement.")] = False,
    directory: Annotated[
        Path, typer.Option("--dir", file_okay=False, help="Where to save the PDFs.")
    ] = Path("."),
) -> None:
    """Save statement PDFs as spectrum-statement-DATE.pdf; identical files are left alone."""
    state = get_state(ctx)
    if all_ and statement_id:
        raise CliError("Give a statement id or --all, not both.")
    client = state.client()
    if all_:
        targets = [(s.id, s.statement_date) for s in client.statements.iter()]
    else:
        statement = client.statements.get(LATEST if statement_id is None else statement_id)
        targets = [(statement.id, statement.statement_date)]
    _make_folder(directory)
    written = skipped = 0
    show_progress = state.stderr.isatty() and not state.quiet and len(targets) > 1
    with typer.progressbar(
        targets, label="Downloading", file=state.stderr, hidden=not show_progress
    ) as bar:
        for sid, day in bar:
            content = client.statements.pdf(sid)
            path = directory / f"spectrum-statement-{day}.pdf"
            if not _save(path, content):
                skipped += 1
                continue
            written += 1
            if not show_progress:
                state.out.message(f"Saved {path}")
    _say_saved(state, written, skipped, directory)


def _say_saved(state: State, written: int, skipped: int, directory: Path) -> None:
    """How many PDFs were saved; none (every one already up to date) is nothing to do."""
    said = f"{written} saved, {skipped} already up to date, in {directory}."
    if written:
        state.out.message(said)
    else:
        state.out.nothing(said, directory=str(directory), up_to_date=skipped)


_DIR_HINT = "Pass --dir a folder you can write to."


def _save(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` atomically unless it already holds it; False if it did."""
    from spectrum_cli.fsutil import path_error, write_atomic

    try:
        if path.exists() and path.read_bytes() == content:
            return False
        write_atomic(path, content, mode=0o600)
    except OSError as exc:
        raise path_error("save", path, exc, hint=_DIR_HINT) from None
    return True


def _make_folder(directory: Path) -> None:
    from spectrum_cli.fsutil import path_error

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise path_error("create the folder", directory, exc, hint=_DIR_HINT) from None


PayStatementArg = Annotated[
    str | None,
    typer.Argument(help="With --statement: which statement [default: latest].", show_default=False),
]
PayAmountOption = Annotated[
    str | None, typer.Option(help="How much, e.g. 45.10 or $1,234.50.", show_default=False)
]
PayBalanceOption = Annotated[
    bool,
    typer.Option(
        "--balance",
        help="Pay the account balance: everything owed now, every statement and the "
        "charges since (never twice).",
    ),
]
PayStatementOption = Annotated[
    bool,
    typer.Option(
        "--statement",
        help="Pay what is unpaid on one statement: the one named after it, or the latest "
        "(never twice).",
    ),
]
PayMethodOption = Annotated[
    str | None,
    typer.Option(help="Payment method id from `payment-methods list` [default: the default one]."),
]
PayOnOption = Annotated[
    str | None, typer.Option(help="Schedule for this date (YYYY-MM-DD) instead of paying now.")
]
IfDueWithinOption = Annotated[
    str | None,
    typer.Option(
        help="Pay only if the statement (the latest unless named) is unpaid and due within "
        "this long (e.g. 5d); otherwise exit 0."
    ),
]
MaxAmountOption = Annotated[str | None, typer.Option(help="Refuse (exit 9) to pay more than this.")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the request that would be sent, and send nothing.")
]
PayKeyOption = Annotated[
    str | None,
    typer.Option(
        help="Your own key: the same key never pays twice [default: that of an unfinished "
        "earlier run of the same payment, else a new one; with --if-due-within, one per "
        "statement, amount and method]."
    ),
]


@app.command()
def pay(
    ctx: typer.Context,
    statement_id: PayStatementArg = None,
    amount: PayAmountOption = None,
    balance: PayBalanceOption = False,
    statement: PayStatementOption = False,
    method: PayMethodOption = None,
    on: PayOnOption = None,
    if_due_within: IfDueWithinOption = None,
    max_amount: MaxAmountOption = None,
    dry_run: DryRunOption = False,
    idempotency_key: PayKeyOption = None,
    yes: YesOption = False,
) -> None:
    """Pay a bill now or on a date: an amount, the account balance, or one statement.

    For cron, pays the account balance only when the latest bill is due soon, at most once:

        spectrum bill pay --balance --if-due-within 5d --max-amount 400 --yes
    """
    state = get_state(ctx)
    _check_target(amount, balance, statement, statement_id)
    cents = parse_amount(amount) if amount is not None else None
    cap = parse_amount(max_amount, option="--max-amount") if max_amount is not None else None
    window = -(-parse_duration(if_due_within) // 86400) if if_due_within is not None else None
    scheduled = parse_date(on, option="--on") if on is not None else None
    key = parse_idempotency_key(idempotency_key) if idempotency_key is not None else None
    client = state.client()
    which = (LATEST if statement_id is None else statement_id) if statement else None
    asked = {"cents": cents, "balance": balance, "statement": which, "method": method}
    asked |= {"on": scheduled, "window": window, "cap": cap, "key": key}
    purpose = _purpose(state, asked)
    # One sent before without a known outcome is sent again, the same.
    earlier = None if dry_run else _unfinished(state, purpose, asked)
    found = earlier if earlier is not None else _new_payment(state, client, asked)
    if found is None:
        return
    target, key, method = found
    _check_cap(target.cents, cap)
    if dry_run:
        body = _payment_body(target, method, scheduled)
        _print_dry_run(state, client, body, target.pays_balance, key)
        return
    if not yes:
        when = f"on {scheduled}" if scheduled else "now"
        state.confirm(
            f"Pay {_what(target.cents, target)} {when} with {method or 'the default method'}?"
        )
    _pay_once(state, client, _payment_body(target, method, scheduled), target, key, purpose)


def _new_payment(
    state: State, client: Any, asked: dict[str, Any]
) -> tuple[_Target, str | None, str | None] | None:
    """The target, idempotency key and method to pay with, or None (having said why) when
    there is nothing to do."""
    window, method, key = asked["window"], asked["method"], asked["key"]
    target = _what_to_pay(
        state,
        client,
        asked["cents"],
        balance=asked["balance"],
        statement=asked["statement"],
        window=window,
    )
    if target is None:
        return None
    if key is None and window is not None and target.guarded is not None:
        if method is not None and method == _default_method(client):
            method = None  # naming the default card is the same line as leaving it out
        key = _guard_key(state, target.guarded, target.cents, method, asked["on"])
    return target, key, method


def _payment_body(target: _Target, method: str | None, scheduled: Any) -> PaymentCreate:
    from spectrum_cli.api.billing import PaymentCreate

    return PaymentCreate(
        amount_cents=target.cents,
        method_id=method,
        statement_id=target.statement_id,
        scheduled_for=scheduled,
        **({"applies_to": "balance"} if target.pays_balance else {}),
    )


def _check_cap(cents: int, cap: int | None) -> None:
    """--max-amount: a payment over it is refused by the safety guard (exit 9)."""
    if cap is not None and cents > cap:
        raise CliError(
            f"Refusing to pay {money(cents)}: more than --max-amount {money(cap)}. "
            "Nothing was paid.",
            status=ExitStatus.GUARD,
        )


def _purpose(state: State, asked: dict[str, Any]) -> str:
    """What `bill pay` was asked, in the words of its options: a run with the same ones finds
    an unfinished earlier payment by it (see `_unfinished`)."""
    from spectrum_cli.journal import fingerprint

    return fingerprint({"command": "bill pay", "api_url": state.api_url, **asked})


def _unfinished(
    state: State, purpose: str, asked: dict[str, Any]
) -> tuple[_Target, str, str | None] | None:
    """The target, key and method of an earlier run of the same `bill pay` whose outcome is
    unknown.

    It is sent again as it was, before anything is read: when it went through, what the
    balance or statement says now ("nothing owed") is the result of it, and the rerun must
    report the earlier payment, not "nothing to do". A kept request that does not match its
    own fingerprint or what this run asks is not sent."""
    from spectrum_cli.api import routes
    from spectrum_cli.api.billing import PaymentCreate
    from spectrum_cli.cli.intents import journal_for, request_fingerprint

    intent = journal_for(state).unfinished(purpose)
    if intent is None or intent.body is None:
        return None
    try:
        body = PaymentCreate.model_validate(intent.body)
    except ValueError:  # not a body this version sends: the fingerprint still finds its key
        return None
    sent = ("POST", routes.PAYMENTS, body.model_dump(mode="json"))
    if request_fingerprint(state, sent) != intent.fingerprint or not _agrees(body, asked):
        return None
    pays_balance = body.applies_to == "balance"
    if pays_balance:
        what = "the account balance"
    elif body.statement_id:
        what = f"what was unpaid on statement {body.statement_id}"
    else:
        what = ""
    target = _Target(body.amount_cents, what, body.statement_id, pays_balance)
    return target, intent.idempotency_key, body.method_id


def _agrees(body: PaymentCreate, asked: dict[str, Any]) -> bool:
    """Whether ``body`` is a payment this `bill pay` could have sent."""
    statement = asked["statement"]
    return (
        asked["cents"] in (None, body.amount_cents)
        and (body.applies_to == "balance") == asked["balance"]
        and (statement == body.statement_id or (statement == LATEST and body.statement_id))
        and asked["method"] in (None, body.method_id)
        and body.scheduled_for == asked["on"]
    )


def _default_method(client: Any) -> str | None:
    """The id of the account's default payment method, if it has one. A guarded payment that
    names it is keyed as one that does not, so neither naming the card later nor changing the
    default card pays a statement twice."""
    return next((m.id for m in client.payment_methods.list().data if m.is_default), None)


def _guard_key(
    state: State, statement_id: str, cents: int, method: str | None, scheduled: Any
) -> str:
    """The idempotency key of a guarded payment (--if-due-within): one per profile, API,
    statement, amount, method and date, so a daily cron line pays each statement at most
    once, and every later run is answered "already done". The server scopes keys to the
    signed-in account."""
    import hashlib

    parts = [state.profile, state.api_url, statement_id, str(cents), method or "", str(scheduled)]
    return "guard-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def _pay_once(
    state: State,
    client: Any,
    body: PaymentCreate,
    target: _Target,
    key: str | None,
    purpose: str,
) -> None:
    """Send the payment through the intent journal and report it (a replay as done earlier)."""
    from spectrum_cli.api import routes
    from spectrum_cli.cli.intents import send_once
    from spectrum_cli.client import ConflictError

    summary = {"amount": money(body.amount_cents), "method": body.method_id or "default"}
    if target.statement_id or target.guarded:
        summary["statement"] = target.statement_id or target.guarded
    if target.pays_balance:
        summary["for"] = "account balance"
    if body.scheduled_for:
        summary["date"] = body.scheduled_for.isoformat()
    try:
        send_once(
            state,
            client,
            operation="payment",
            what="payment",
            request=("POST", routes.PAYMENTS, body.model_dump(mode="json")),
            summary=summary,
            send=lambda k: client.payments.create(
                body.amount_cents,
                method_id=body.method_id,
                statement_id=body.statement_id,
                scheduled_for=body.scheduled_for,
                idempotency_key=k,
                pays_balance=target.pays_balance,
            ),
            show=lambda payment, replayed: _report_payment(state, payment, target, replayed),
            key=key,
            purpose=purpose,
        )
    except ConflictError as exc:
        if exc.code in ("statement_already_paid", "balance_already_paid"):
            state.out.nothing(f"{exc.message.rstrip('.')}; nothing to do.", code=exc.code)
            return
        raise


def _report_payment(state: State, payment: Any, target: _Target, replayed: bool) -> None:
    from spectrum_cli.cli.intents import already_done

    _print_payment(state, payment)
    if replayed:
        already_done(
            state,
            f"confirmation {payment.confirmation_number}, "
            f"{_what(payment.amount_cents, target)} with {payment.method_label} "
            f"({payment.status}). Nothing was paid now.",
        )
        return
    state.out.message(_paid_message(payment, target))


@dataclass(frozen=True)
class _Target:
    """What a payment pays and how the server guards it."""

    cents: int
    purpose: str = ""  # said after the amount: "the account balance"
    statement_id: str | None = None
    pays_balance: bool = False
    guarded: str | None = None  # the statement --if-due-within checked: one guarded key each


def _check_target(
    amount: str | None, balance: bool, statement: bool, statement_id: str | None
) -> None:
    if statement_id is not None and not statement:
        raise CliError(f"A statement id ({statement_id}) goes with --statement.")
    given = sum((amount is not None, balance, statement))
    if given != 1:
        start = "Give only one of" if given else "Give"
        raise CliError(f"{start} --amount X, --balance or --statement [ID].")


def _what_to_pay(
    state: State,
    client: Any,
    cents: int | None,
    *,
    balance: bool,
    statement: str | None,
    window: int | None,
) -> _Target | None:
    """The amount and target to pay, or None (having said why) when there is nothing to do."""
    checked = None  # the statement --if-due-within checked
    if window is not None or (statement is not None and not balance):
        bill = client.statements.get(LATEST if statement is None else statement)
        if _nothing_to_pay(state, bill, window):
            return None
        checked = bill.id if window is not None else None
    if balance or checked is not None:  # a guard pays only what scheduled ones do not cover
        owed = client.payments.balance()
        late = _scheduled_late(state, client, bill) if checked and owed.scheduled_cents else 0
        if balance:
            uncovered = owed.payable_cents
        else:  # a guarded amount: what is owed less what is scheduled to arrive in time
            uncovered = owed.balance_cents - (owed.scheduled_cents - late)
        if uncovered <= 0:
            _nothing_owed(state, owed)
            return None
    if balance:
        return _Target(owed.payable_cents, "the account balance", None, True, checked)
    if cents is not None:
        return _Target(cents, guarded=checked)
    return _Target(bill.balance_cents, f"what was unpaid on statement {bill.id}", bill.id)


def _scheduled_late(state: State, client: Any, bill: StatementSummary) -> int:
    """Cents of scheduled payments dated after ``bill`` is due, said as a warning: they do
    not keep a late fee away, so a guarded `--amount` does not count them as paying it."""
    late = sum(
        p.amount_cents
        for p in client.payments.list(limit=100).data
        if p.status == "scheduled" and p.scheduled_for > bill.due_date
    )
    if late:
        state.out.warn(
            f"{money(late)} of scheduled payments is dated after statement {bill.id} is due "
            f"({bill.due_date}): a late fee may come first. `spectrum payments list` shows them."
        )
    return late


def _nothing_owed(state: State, owed: Any) -> None:
    """Say that what is owed is already paid, or covered by scheduled payments."""
    if owed.scheduled_cents > 0:
        reason = (
            f"The account balance ({money(owed.balance_cents)}) is already covered by "
            f"{money(owed.scheduled_cents)} of scheduled payments; nothing to do."
        )
    elif owed.balance_cents < 0:
        reason = (
            f"The account balance is already paid ({money(-owed.balance_cents)} of credit); "
            "nothing to do."
        )
    else:
        reason = "The account balance is already paid; nothing to do."
    state.out.nothing(
        reason, balance_cents=owed.balance_cents, scheduled_cents=owed.scheduled_cents
    )


def _what(cents: int, target: _Target) -> str:
    return f"{money(cents)}, {target.purpose}," if target.purpose else money(cents)


def _paid_message(payment: Any, target: _Target) -> str:
    """e.g. `Paid $121.18, the account balance, with Visa •••• 4242. Confirmation SPX-…`."""
    verb, after = {
        "succeeded": ("Paid", ""),
        "processing": ("Sent", " (bank payments settle in 2 business days)"),
        "scheduled": ("Scheduled", f" for {payment.scheduled_for}"),
    }.get(payment.status, (payment.status.capitalize(), ""))
    return (
        f"{verb} {_what(payment.amount_cents, target)} with {payment.method_label}{after}. "
        f"Confirmation {payment.confirmation_number}."
    )


def _nothing_to_pay(state: State, statement: StatementSummary, window: int | None) -> bool:
    if statement.balance_cents <= 0:
        state.out.nothing(
            f"Statement {statement.id} is already paid; nothing to do.",
            statement_id=statement.id,
        )
        return True
    if window is not None and statement.days_until_due > window:
        state.out.nothing(
            f"Nothing due within {window} day(s): statement {statement.id} "
            f"({money(statement.balance_cents)}) is due {statement.due_date}.",
            statement_id=statement.id,
            balance_cents=statement.balance_cents,
            due_date=statement.due_date,
        )
        return True
    return False


def _print_dry_run(
    state: State, client: Any, body: PaymentCreate, pays_balance: bool, key: str | None
) -> None:
    """The payment request as the client builds it (its headers but Authorization, its body
    bytes, its idempotency key), printed and not sent."""
    prepared = client.prepare(
        lambda: client.payments.create(
            body.amount_cents,
            method_id=body.method_id,
            statement_id=body.statement_id,
            scheduled_for=body.scheduled_for,
            idempotency_key=key,
            pays_balance=pays_balance,
        )
    )
    state.out.show(prepared.as_dict(), render=_http_message)
    fresh = "" if key else " Without --idempotency-key, each run makes a new key."
    state.out.message(f"Dry run: nothing was sent.{fresh}")


def _http_message(request: dict[str, Any]) -> str:
    """A prepared request for people, as it would go on the wire."""
    lines = [f"{request['method']} {request['url']}"]
    lines += [f"{name}: {value}" for name, value in request["headers"].items()]
    return "\n".join(lines) + "\n\n" + request.get("body", "")


PAYMENT_FIELDS: list[tuple[str, Any]] = [
    ("confirmation", lambda p: p.confirmation_number),
    ("id", lambda p: p.id),
    ("amount", lambda p: money(p.amount_cents)),
    ("status", lambda p: p.status),
    ("kind", lambda p: p.kind.replace("_", "-")),
    ("method", lambda p: p.method_label),
    ("date", lambda p: p.scheduled_for),
    ("statement", lambda p: p.statement_id),
    ("failure", lambda p: p.failure_reason),
]


def _print_payment(state: State, payment: Any) -> None:
    state.out.show(payment, PAYMENT_FIELDS)


@app.command()
def explain(
    ctx: typer.Context,
    statement_id: Annotated[
        str | None,
        typer.Argument(help="A statement id, or `latest` [default: latest].", show_default=False),
    ] = None,
    upcoming: Annotated[
        bool,
        typer.Option(
            "--upcoming", help="Predict the next statement and explain it against the latest."
        ),
    ] = False,
) -> None:
    """Say, line by line, what changed since the statement before and why.

    The changes add up exactly to the change in the total; anything they do not explain is
    shown, never hidden. -o csv and -o text give one row per changed line.
    """
    from spectrum_cli.client.insights import explain as explain_change

    state = get_state(ctx)
    if upcoming and statement_id is not None:
        raise CliError(
            f"Give a statement id or --upcoming, not both (--upcoming explains the next "
            f"statement; {statement_id} is already issued)."
        )
    client = state.client()
    current, previous = _statements_to_explain(client, statement_id, upcoming)
    result = explain_change(current, previous, client.payments.list(limit=100).data)
    if (
        upcoming
        and previous is not None
        and previous.balance_cents
        and previous.days_until_due >= 0
    ):
        result.notes.append(
            f"This assumes the {money(previous.balance_cents)} due {previous.due_date} is paid "
            "by then; a balance unpaid after its due date adds a late fee."
        )
    name = "The upcoming statement" if upcoming else f"Statement {current.id}"
    state.out.show(
        result, rows="changes", render=lambda r: _explanation_text(state, r, name, previous)
    )


def _statements_to_explain(
    client: Any, statement_id: str | None, upcoming: bool
) -> tuple[Statement, Statement | None]:
    """The statement to explain and the one before it (none before the first)."""
    if upcoming:
        return client.statements.upcoming(), client.statements.get(LATEST)
    current = client.statements.get(LATEST if statement_id is None else statement_id)
    ids = [s.id for s in client.statements.iter(page_size=100)]
    position = ids.index(current.id)
    previous = client.statements.get(ids[position + 1]) if position + 1 < len(ids) else None
    return current, previous


def _explanation_text(state: State, result: Any, name: str, previous: Statement | None) -> str:
    """The change in new charges, then each changed line and why; what the lines do not
    explain is a warning."""
    from spectrum_cli.cli.output import table

    against = f"statement {previous.id}" if previous else "nothing (the first statement)"
    sign = "+" if result.total_change_cents >= 0 else ""
    head = (
        f"{name} against {against}: new charges {money(result.total_before_cents)}"
        f" → {money(result.total_after_cents)} ({sign}{money(result.total_change_cents)})"
    )
    columns = [
        ("change", lambda c: ("+" if c.change_cents > 0 else "") + money(c.change_cents)),
        ("why", lambda c: c.reason),
    ]
    lines = table(result.changes, columns) if result.changes else "No line changed."
    if result.unexplained_cents:
        state.out.warn(
            f"{money(result.unexplained_cents)} of the change is not explained by the line items."
        )
    return "\n\n".join([head, lines, *result.notes])


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    ledger = "ledger"


@app.command()
def export(
    ctx: typer.Context,
    from_: Annotated[str | None, typer.Option("--from", help="First statement date.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last statement date.")] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", help="csv (line items), json, or an hledger/ledger journal."),
    ] = ExportFormat.csv,
    expense_account: Annotated[
        str, typer.Option(help="Journal: prefix of the expense accounts (one per line-item kind).")
    ] = "expenses:spectrum",
    liability_account: Annotated[
        str, typer.Option(help="Journal: the account the bills are owed on.")
    ] = "liabilities:spectrum",
    payment_account: Annotated[
        str, typer.Option(help="Journal: where payments come from.")
    ] = "assets:bank",
) -> None:
    """Export statements' line items (and, in a journal, the payments) for accounting.

    spectrum bill export --format ledger --from 2026-01-01 > spectrum.journal
    hledger -f spectrum.journal balance

    -o json, csv or text (or --query) print the data instead of the document: the statements
    and payments, one row per statement.
    """
    state = get_state(ctx)
    start = parse_date(from_, option="--from") if from_ else None
    end = parse_date(to, option="--to") if to else None
    if start is not None and end is not None and start > end:
        raise CliError("--from must be on or before --to.")
    statements, payments = _exported(state.client(), start, end)
    accounts = (expense_account, liability_account, payment_account)
    state.out.show(
        {"statements": statements, "payments": payments},
        rows="statements",
        render=lambda _: _export_text(fmt, statements, payments, accounts),
    )
    state.out.message(_exported_message(fmt, statements, payments))


def _exported(client: Any, start: Any, end: Any) -> tuple[list[Statement], list[Any]]:
    """The statements dated from ``start`` to ``end``, oldest first, and the payments made
    between them."""
    from spectrum_cli.client import insights_export

    summaries = [
        s
        for s in client.statements.iter(page_size=100)
        if (start is None or s.statement_date >= start) and (end is None or s.statement_date <= end)
    ]
    statements = [client.statements.get(s.id) for s in reversed(summaries)]
    return statements, insights_export.payments_between(client, start, end)


def _export_text(
    fmt: ExportFormat, statements: list[Statement], payments: list[Any], accounts: tuple
) -> str:
    from spectrum_cli.client import insights_export

    if fmt is ExportFormat.json:
        text = insights_export.to_json(statements, payments)
    elif fmt is ExportFormat.csv:
        text = insights_export.to_csv(statements)
    else:
        expenses, liability, bank = accounts
        text = insights_export.to_journal(
            statements, payments, expenses=expenses, liability=liability, bank=bank
        )
    return text.removesuffix("\n")  # the sink ends it


def _exported_message(fmt: ExportFormat, statements: list[Statement], payments: list[Any]) -> str:
    from spectrum_cli.client import insights_export

    bills = count(len(statements), "statement")
    if fmt is ExportFormat.json:
        return f"Exported {bills} and {count(len(payments), 'payment')}."
    if fmt is ExportFormat.csv:
        return f"Exported the line items of {bills}."
    paid = count(len(insights_export.journaled(payments)), "payment")
    returned = count(len(insights_export.returns(payments)), "return")
    return f"Exported {bills}, {paid} and {returned}."
