"""`spectrum support faq|ticket|chat` and `spectrum equipment list|restart`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError, NeedsInput
from spectrum_cli.cli.options import YesOption
from spectrum_cli.cli.output import fields
from spectrum_cli.cli.payments import unless_forbidden
from spectrum_cli.cli.status import ExitStatus

app = new_app("Help: search the FAQ, open and follow tickets, chat with the assistant.")
ticket_app = new_app("Support tickets: create, list, show the thread, reply, close.")
app.add_typer(ticket_app, name="ticket")
equipment_app = new_app("Your modem, router and receivers: list them, restart one.")


@app.command()
def faq(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(help="What to look for, e.g. `late fee`; or `show ID` to print an article."),
    ],
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many matches.")] = 5,
) -> None:
    """Search the help centre (best match first), or print an article: `support faq show ID`."""
    state = get_state(ctx)
    client = state.client(authenticated=False)
    if len(words) == 2 and words[0] == "show":
        state.out.show(client.support.faq_article(words[1]), render=_article_text)
        return
    results = client.support.search_faq(" ".join(words), limit)
    state.out.show(results, FAQ_COLUMNS)
    if results.data:  # on stderr: it never mixes with the data
        state.out.message(f"Read one with: spectrum support faq show {results.data[0].id}")


FAQ_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda h: h.id),
    ("title", lambda h: h.title),
    ("snippet", lambda h: h.snippet),
]


def _article_text(article: Any) -> str:
    return (
        f"{article.title}\n{'=' * len(article.title)}\n\n"
        f"{article.body}\n\n({article.category}, {article.id})"
    )


class Category(str, Enum):
    billing = "billing"
    technical = "technical"
    account = "account"
    other = "other"


class Status(str, Enum):
    open = "open"
    pending = "pending"
    resolved = "resolved"
    closed = "closed"


BodyFile = Annotated[
    Path | None,
    typer.Option(
        "--body-file",
        metavar="FILE",
        help="Read the message from this file ('-' for stdin) [default: stdin, or "
        "$EDITOR on a terminal].",
        dir_okay=False,
        allow_dash=True,
    ),
]


BodyOption = Annotated[
    str | None,
    typer.Option("--body", metavar="TEXT", help="The message itself (not with --body-file)."),
]


def _body(state: State, body: str | None, body_file: Path | None) -> tuple[str, Path | None]:
    """The message, and where its draft is kept when it was written in the editor."""
    edited = False
    if body is not None and body_file is not None:
        raise CliError("Give the message with --body or --body-file, not both.")
    if body is not None:
        text = body
    elif body_file is not None and str(body_file) != "-":
        text = _read_body_file(body_file)
    elif body_file is not None or not state.stdin.isatty():
        text = state.stdin.read()
    elif state.no_input:
        raise NeedsInput("The message", "--body or --body-file")
    else:
        text, edited = _edit(state), True
    if not text.strip():
        raise CliError("The message is empty; nothing was sent.")
    text = text.strip("\n")
    return text, _keep_draft(state, text) if edited else None


def _read_body_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise CliError(f"Cannot read {path}: it is not UTF-8 text.") from None


def _edit(state: State) -> str:
    """Open $VISUAL or $EDITOR (else vi) on a scratch file; lines starting with # are dropped.

    The file is read again by its name once the editor exits: editors that save by writing
    a new file and renaming it over the old one (`sed -i`, some vim settings) leave what was
    typed under the name, not in the file first opened."""
    import shlex
    import subprocess
    import tempfile

    editor = state.env.get("VISUAL") or state.env.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="spectrum-ticket-") as scratch_dir:
        scratch = Path(scratch_dir) / "message.txt"
        scratch.write_text(
            "\n# Write your message above. Lines starting with # are dropped.\n", encoding="utf-8"
        )
        started = subprocess.run(
            [*shlex.split(editor), str(scratch)], check=False, env=state.child_env()
        )
        if started.returncode != 0:
            raise CliError(f"The editor ({editor}) failed; nothing was sent.")
        try:
            written = scratch.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"Cannot read what the editor saved: {exc}") from exc
    return "\n".join(line for line in written.splitlines() if not line.startswith("#"))


def _keep_draft(state: State, text: str) -> Path | None:
    """Save a message written in the editor (0600, in the user data dir) until it is sent."""
    import datetime as dt
    import secrets

    import platformdirs

    from spectrum_cli.fsutil import write_atomic

    name = f"ticket-{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.txt"
    path = platformdirs.user_data_path("spectrum-cli") / "drafts" / name
    try:
        write_atomic(path, (text + "\n").encode("utf-8"), mode=0o600)
    except OSError as exc:
        state.out.warn(f"No draft of the message is kept ({exc.strerror}: {path.parent}).")
        return None
    return path


@contextmanager
def _sending(state: State, draft: Path | None) -> Iterator[None]:
    """Forget the draft once the message is sent; if it is not, say where the draft is."""
    try:
        yield
    except BaseException:
        if draft is not None:
            state.out.message(
                f"Your message was not sent; it is saved in {draft}. Send it again with "
                f"--body-file {draft}"
            )
        raise
    if draft is not None:
        draft.unlink(missing_ok=True)


def _ticket_text(ticket: Any) -> str:
    """A ticket for people: its line, then its thread, each message under its author and time."""
    lines = [f"{ticket.id}  {ticket.subject}  [{ticket.category}, {ticket.status}]"]
    for message in ticket.messages:
        when = fields(message, [(f"--- {message.author}", lambda m: m.created_at)])
        lines.append(f"\n{when}\n{message.body}")
    return "\n".join(lines)


@ticket_app.command("create")
def ticket_create(
    ctx: typer.Context,
    subject: Annotated[str, typer.Option(help="One line that says what it is about.")],
    category: Annotated[Category, typer.Option(help="What kind of problem.")],
    body: BodyOption = None,
    body_file: BodyFile = None,
) -> None:
    """Open a ticket. The message comes from --body, --body-file, stdin, or $EDITOR."""
    state = get_state(ctx)
    text, draft = _body(state, body, body_file)
    with _sending(state, draft):
        ticket = state.client().support.create_ticket(subject, category.value, text)
    state.out.show(ticket, render=_ticket_text)
    state.out.message(f"Ticket {ticket.id} opened; an agent usually answers within two hours.")


TICKET_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda t: t.id),
    ("subject", lambda t: t.subject),
    ("category", lambda t: t.category),
    ("status", lambda t: t.status),
    ("updated", lambda t: t.updated_at),
]


@ticket_app.command("list")
def ticket_list(
    ctx: typer.Context,
    status: Annotated[Status | None, typer.Option(help="Only tickets in this state.")] = None,
) -> None:
    """List your tickets, newest first."""
    state = get_state(ctx)
    tickets = state.client().support.tickets(status.value if status else None)
    state.out.show(tickets, TICKET_COLUMNS)


@ticket_app.command("show")
def ticket_show(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(help="A ticket id (tkt_...).")],
) -> None:
    """Show a ticket with its whole thread (as data: one row per message)."""
    state = get_state(ctx)
    state.out.show(state.client().support.ticket(ticket_id), rows="messages", render=_ticket_text)


@ticket_app.command("reply")
def ticket_reply(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(help="A ticket id (tkt_...).")],
    body: BodyOption = None,
    body_file: BodyFile = None,
) -> None:
    """Add a message to a ticket."""
    state = get_state(ctx)
    text, draft = _body(state, body, body_file)
    with _sending(state, draft):
        ticket = state.client().support.reply(ticket_id, text)
    state.out.show(ticket, render=_ticket_text)


@ticket_app.command("close")
def ticket_close(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(help="A ticket id (tkt_...).")],
    yes: YesOption = False,
) -> None:
    """Close a ticket that needs nothing more."""
    state = get_state(ctx)
    support = state.client().support
    ticket = unless_forbidden(lambda: support.ticket(ticket_id))
    if ticket is not None and ticket.status == "closed":
        state.out.nothing(f"Ticket {ticket.id} is already closed; nothing to do.", ticket=ticket)
        return
    if not yes:
        state.confirm(f"Close ticket {ticket_id}?")
    state.out.show(support.close(ticket_id), render=lambda t: _ticket_text(t).splitlines()[0])
    state.out.message(f"Ticket {ticket_id} is closed.")


@app.command()
def chat(
    ctx: typer.Context,
    message: Annotated[
        str | None, typer.Option(help="Send one message, print the answer and exit (for scripts).")
    ] = None,
) -> None:
    """Chat with the Spectrum assistant: balance, due date, outages, the FAQ.

    Type /ticket to open a ticket with the conversation attached, /quit to leave. As data,
    each answer is one JSON line (-o json) or one row (-o csv, -o text) as it comes.
    """
    state = get_state(ctx)
    if message is None and not state.interactive:
        raise NeedsInput("A chat", "--message")
    support = state.client().support
    session = support.start_chat()
    if message is None:
        _converse(state, support, session.id)
        return
    replies = [m for m in support.say(session.id, message).data if m.author != "customer"]
    for reply in replies:
        state.out.event(reply, reply.body)
    if any(r.offers_ticket for r in replies):
        state.out.message(
            "To reach a person, open a ticket: "
            'spectrum support ticket create --subject "..." --category other'
        )


def _converse(state: State, support: Any, chat_id: str) -> None:
    """The interactive chat on a terminal: each answer printed as it comes."""
    for line in support.messages(chat_id).data:
        state.out.event(line, f"agent> {line.body}")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            break
        if text.strip() == "/quit":
            break
        if not text.strip():
            continue
        sent = support.say(chat_id, text)
        mine = next(m for m in sent.data if m.author == "customer")
        # The answer is fetched by long-polling, as a human agent's would be.
        for reply in support.messages(chat_id, after=mine.id, wait=10).data:
            offer = "\nagent> Type /ticket to open one with this conversation attached."
            state.out.event(reply, f"agent> {reply.body}" + (offer if reply.offers_ticket else ""))
    state.out.message("Chat ended.")


EQUIPMENT_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda e: e.id),
    ("kind", lambda e: e.kind),
    ("model", lambda e: e.model),
    ("status", lambda e: e.status),
    ("back online", lambda e: e.back_online_at),
]


@equipment_app.command("list")
def equipment_list(ctx: typer.Context) -> None:
    """List your equipment and whether each is online."""
    state = get_state(ctx)
    state.out.show(state.client().equipment.list(), EQUIPMENT_COLUMNS)


@equipment_app.command("restart")
def equipment_restart(
    ctx: typer.Context,
    equipment_id: Annotated[str, typer.Argument(help="An id from `equipment list`.")],
    wait: Annotated[bool, typer.Option("--wait", help="Wait until it is back online.")] = False,
    timeout: Annotated[
        int, typer.Option(min=1, max=3600, help="How long --wait waits, in seconds (exit 8 after).")
    ] = 300,
) -> None:
    """Restart a device remotely; it goes `restarting`, then `online` again.

    With --wait, progress goes to stderr: dots on a terminal, elsewhere a line per change of
    state (`restarting…`, `online`); the device as it is at the end is the result.
    """
    state = get_state(ctx)
    client = state.client()
    device = client.equipment.restart(equipment_id)
    state.out.message(
        f"Restarting {device.model}; it should be back by {device.back_online_at:%H:%M:%S} UTC."
    )
    if wait:
        device = _wait_until_online(state, client, device, timeout)
        state.out.message(f"{device.model} is back online.")
    state.out.show(device, EQUIPMENT_COLUMNS)


def _wait_until_online(state: State, client: Any, device: Any, timeout: int) -> Any:
    """Poll until the device is online again, showing progress on stderr: dots on a terminal,
    else one line per change of state. Exit 8 after ``timeout`` seconds."""
    dots = state.stderr.isatty() and not state.quiet
    if not dots:
        state.out.message(f"{device.model}: {device.status}…")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
        now = next(d for d in client.equipment.list().data if d.id == device.id)
        if now.status != device.status and not dots:
            state.out.message(
                f"{now.model}: {now.status}" + ("" if now.status == "online" else "…")
            )
        device = now
        if device.status == "online":
            if dots:
                state.stderr.write("\n")
            return device
        if dots:
            state.stderr.write(".")
            state.stderr.flush()
    raise CliError(
        f"{device.model} did not come back online within {timeout} s.",
        status=ExitStatus.UNREACHABLE,
        hint="Check `spectrum outages`, or open a ticket: spectrum support ticket create",
    )
