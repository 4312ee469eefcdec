"""`spectrum sandbox ...`: run and steer the sandbox Account API."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.parsing import parse_duration

app = new_app(
    "Run the sandbox Account API and steer it: personas, clock, outbox, faults, reset.\n\n"
    "These act on the API the profile targets: the built-in sandbox, or a served one with "
    "--api-url http://127.0.0.1:8765."
)
clock_app = new_app("Show or move the sandbox clock (it only moves forward).")
faults_app = new_app("Make the sandbox misbehave on purpose, to test retries.")
app.add_typer(clock_app, name="clock")
app.add_typer(faults_app, name="faults")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8765,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file [default: the built-in sandbox's, in the user data dir]."),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host that other machines can reach (prints a warning).",
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="Also answer requests for this Host name (loopback names always work).",
        ),
    ] = None,
) -> None:
    """Serve the sandbox over HTTP until interrupted.

    Point any command at it with --api-url http://HOST:PORT. It prints the sandbox admin key,
    which /v1/sandbox/* needs (the Sandbox-Key header); `spectrum sandbox` commands on this
    machine find it themselves for the default store, or take SPECTRUM_SANDBOX_KEY.
    """
    from spectrum_cli.sandbox.serve import RemoteRefused
    from spectrum_cli.sandbox.serve import serve as run

    try:
        run(
            host=host,
            port=port,
            db_path=db or get_state(ctx).sandbox_store_path(),
            allow_remote=allow_remote,
            allow_hosts=tuple(allow_host or ()),
        )
    except RemoteRefused as exc:
        raise CliError(str(exc)) from None


@app.command()
def personas(ctx: typer.Context) -> None:
    """List the demo personas with their passwords, roles and what each shows."""
    state = get_state(ctx)
    result = state.sandbox_control().personas()
    state.out.show(
        result,
        [
            ("username", lambda p: p.username),
            ("password", lambda p: p.password),
            ("role", lambda p: p.role),
            ("2fa", lambda p: p.second_factor),
            ("summary", lambda p: p.summary),
        ],
    )


def _show_clock(ctx: typer.Context, clock: object) -> None:
    get_state(ctx).out.show(
        clock, [("now", lambda c: c.now), ("offset_seconds", lambda c: c.offset_seconds)]
    )


@clock_app.command("show")
def clock_show(ctx: typer.Context) -> None:
    """Print sandbox time and its offset from real time."""
    _show_clock(ctx, get_state(ctx).sandbox_control().clock())


@clock_app.command("advance")
def clock_advance(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(help="How far: 30d, 1d12h, 2w, 90m.")],
) -> None:
    """Move sandbox time forward; statements, due dates and settlements catch up."""
    seconds = parse_duration(duration)
    _show_clock(ctx, get_state(ctx).sandbox_control().advance_clock(seconds))


@clock_app.command("set")
def clock_set(
    ctx: typer.Context,
    moment: Annotated[str, typer.Argument(help="An ISO 8601 date or time, e.g. 2027-01-15.")],
) -> None:
    """Move sandbox time forward to a moment (UTC unless an offset is given)."""
    try:
        when = dt.datetime.fromisoformat(moment)
    except ValueError:
        raise CliError(
            f"{moment!r} is not an ISO 8601 date or time, e.g. 2027-01-15T09:00."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    _show_clock(ctx, get_state(ctx).sandbox_control().set_clock(when))


@app.command()
def outbox(
    ctx: typer.Context,
    to: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help="Only messages to this address or number."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many, newest first.")] = 10,
) -> None:
    """Show the texts and emails the sandbox 'sent': sign-in and reset codes, usernames."""
    state = get_state(ctx)
    result = state.sandbox_control().outbox(to=to, limit=limit)
    state.out.show(
        result,
        [
            ("created_at", lambda m: m.created_at),
            ("channel", lambda m: m.channel),
            ("to", lambda m: m.to),
            ("code", lambda m: m.code),
            ("body", lambda m: m.body),
        ],
    )


class FaultKind(str, Enum):
    delay = "delay"
    error = "error"
    rate_limit = "rate_limit"
    drop_before = "drop_before"
    drop_after = "drop_after"


def _show_faults(ctx: typer.Context, faults: object) -> None:
    get_state(ctx).out.show(
        faults,
        [
            ("method", lambda f: f.method),
            ("path", lambda f: f.path),
            ("kind", lambda f: f.kind),
            ("status", lambda f: f.status),
            ("delay_ms", lambda f: f.delay_ms),
            ("retry_after", lambda f: f.retry_after),
            ("times", lambda f: "until cleared" if f.times is None else f.times),
        ],
    )


@faults_app.command("list")
def faults_list(ctx: typer.Context) -> None:
    """List the fault rules in force."""
    _show_faults(ctx, get_state(ctx).sandbox_control().faults())


@faults_app.command("add")
def faults_add(
    ctx: typer.Context,
    path: Annotated[str, typer.Option(help="A path glob, e.g. '/v1/payments*'.")],
    kind: Annotated[FaultKind, typer.Option(help="What goes wrong.")],
    method: Annotated[str, typer.Option(help="HTTP method, or * for any.")] = "*",
    status: Annotated[int, typer.Option(min=500, max=599, help="Status, for `error`.")] = 503,
    delay_ms: Annotated[int, typer.Option(min=0, max=60_000, help="Delay, for `delay`.")] = 0,
    retry_after: Annotated[int, typer.Option(min=0, max=3600, help="For `rate_limit`.")] = 1,
    times: Annotated[int, typer.Option(min=0, help="How many requests; 0 = until cleared.")] = 1,
) -> None:
    """Add a fault rule: the next matching requests misbehave."""
    from spectrum_cli.api.sandbox import FaultRule

    state = get_state(ctx)
    client = state.sandbox_control()
    rule = FaultRule(
        method=method.upper(),
        path=path,
        kind=kind.value,
        status=status,
        delay_ms=delay_ms,
        retry_after=retry_after,
        times=times or None,
    )
    _show_faults(ctx, client.set_faults([*client.faults().data, rule]))


@faults_app.command("clear")
def faults_clear(ctx: typer.Context) -> None:
    """Remove every fault rule."""
    state = get_state(ctx)
    state.sandbox_control().clear_faults()
    state.out.message("Fault rules cleared.")


class OutageService(str, Enum):
    internet = "internet"
    tv = "tv"
    voice = "voice"
    mobile = "mobile"


@app.command()
def outage(
    ctx: typer.Context,
    zip_code: Annotated[
        str | None, typer.Option("--zip", help="ZIP code of the service addresses.")
    ] = None,
    service: Annotated[
        list[OutageService] | None, typer.Option(help="Affected service; repeatable.")
    ] = None,
    restore_in: Annotated[str, typer.Option(help="Estimated time to restore, e.g. 3h.")] = "3h",
    end: Annotated[bool, typer.Option("--end", help="End every outage instead.")] = False,
) -> None:
    """Raise an outage at a ZIP code (or end them all with --end)."""
    state = get_state(ctx)
    client = state.sandbox_control()
    if end:
        client.end_outages()
        state.out.message("All outages ended.")
        return
    if not zip_code or not service:
        raise CliError("Give --zip and at least one --service (or --end).")
    minutes = max(1, parse_duration(restore_in) // 60)
    raised = client.raise_outage(
        zip_code,
        [s.value for s in service],
        restore_in_minutes=minutes,
    )
    state.out.message(
        f"Outage {raised.id} raised at {zip_code}; restore by "
        f"{raised.estimated_restore_at:%Y-%m-%d %H:%M} UTC."
    )


@app.command()
def reset(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase all sandbox data and seed the personas again (the clock goes back to now).

    A built-in store that cannot be opened (damaged, not a database) is replaced by a new one.
    """
    from spectrum_cli.sandbox.problems import StoreError

    state = get_state(ctx)
    if not yes:
        state.confirm("Erase all sandbox data and start over?")
    try:
        control = state.sandbox_control()
    except StoreError:
        if not state.is_sandbox:
            raise
        # The built-in store cannot be opened to be reset: start a new one in its place.
        _remove_store(state.sandbox_store_path())
        state.sandbox_control()  # makes and seeds the new store
    else:
        control.reset()
    state.out.message("Sandbox reset: personas seeded again.")


def _remove_store(db: Path) -> None:
    from spectrum_cli.fsutil import path_error

    for name in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.keys")):
        try:
            name.unlink(missing_ok=True)
        except OSError as exc:
            raise path_error("remove", name, exc, hint="Move it aside yourself.") from None
