"""Entry point: the root app, its global options, and `main`, which owns the exit status."""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated, Any

import typer

from spectrum_cli import __version__
from spectrum_cli.cli import (
    account,
    api_cmd,
    auth,
    autopay,
    bill,
    config_cmd,
    doctor,
    outages,
    payments,
    profile,
    recover,
    sandbox,
    support,
    usage,
)
from spectrum_cli.cli._typer import SpectrumGroup, new_app
from spectrum_cli.cli.context import State
from spectrum_cli.cli.errors import Interrupted
from spectrum_cli.cli.options import OutputFormat
from spectrum_cli.cli.status import ExitStatus

app = new_app(
    "Manage your Spectrum account from the shell: bills, payments, autopay, profile, support.\n\n"
    "With no --api-url, commands run against the built-in sandbox (demo data, no real money):\n"
    "try `spectrum sandbox personas`, then `spectrum login --username harper`.\n\n"
    "Exit status: 0 ok, 1 unexpected error, 2 bad input, 3 sign-in needed or failed, "
    "4 permission denied, 5 not found, 6 conflict, 7 payment declined, 8 service unreachable, "
    "9 refused by a safety guard, 130 interrupted."
)
app.command(help=auth.login.__doc__)(auth.login)
app.command(help=auth.logout.__doc__)(auth.logout)
app.add_typer(auth.app, name="auth")
app.add_typer(recover.app, name="recover")
app.add_typer(account.app, name="account")
app.add_typer(bill.app, name="bill")
app.add_typer(payments.app, name="payments")
app.add_typer(payments.methods_app, name="payment-methods")
app.add_typer(autopay.app, name="autopay")
app.command(help=usage.usage.__doc__)(usage.usage)
app.add_typer(profile.app, name="profile")
app.command(help=outages.outages.__doc__)(outages.outages)
app.add_typer(support.app, name="support")
app.add_typer(support.equipment_app, name="equipment")
app.command(help=doctor.doctor.__doc__)(doctor.doctor)
app.add_typer(config_cmd.app, name="config")
app.add_typer(sandbox.app, name="sandbox")
app.command("api", help=api_cmd.api.__doc__)(api_cmd.api)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spectrum {__version__}")
        raise typer.Exit()


ProfileOption = Annotated[
    str,
    typer.Option("--profile", "-p", envvar="SPECTRUM_PROFILE", help="Config profile to use."),
]
GlobalOutputOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--output",
        "-o",
        envvar="SPECTRUM_OUTPUT",
        case_sensitive=False,
        help="Output format [default: the profile's, else table].",
        show_default=False,
    ),
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        envvar="SPECTRUM_API_URL",
        help="Account API base URL, or `sandbox` for the built-in "
        "one [default: the profile's, else sandbox].",
    ),
]
NoInputOption = Annotated[
    bool,
    typer.Option(
        "--no-input", help="Never prompt: fail with exit 2 instead, naming the flag to pass."
    ),
]
VerboseOption = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        help="Log requests and retries to stderr (secrets redacted).",
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only data and errors.")]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print long tables straight to the terminal, not through $PAGER "
        "(as SPECTRUM_PAGER= does).",
    ),
]
QueryOption = Annotated[
    str | None,
    typer.Option(
        help="A JMESPath expression applied to the JSON form, e.g. 'data[0].id'; "
        "printed as JSON, or with -o text a string as it is.",
        show_default=False,
    ),
]
VersionOption = Annotated[
    bool,
    typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
]


class RootGroup(SpectrumGroup):
    """The root command: its options (the global ones) may also follow the command path."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:  # shell completion reads the line as it is
            from spectrum_cli.cli.argv import global_options_first

            args = global_options_first(self, args)
        given = list(args)  # the parser consumes its list
        try:
            return super().parse_args(ctx, args)
        except typer.BadParameter as exc:
            if exc.param is None or exc.param.name != "output":
                raise
            raise self._unknown_format(ctx, given) from None

    def _unknown_format(self, ctx: Any, args: list[str]) -> Exception:
        """An -o (or SPECTRUM_OUTPUT) that is no format: one plain line, exit 2."""
        from spectrum_cli.cli.errors import CliError

        value = self.make_parser(ctx).parse_args(args=args)[0].get("output")
        name = "-o" if value is not None else "SPECTRUM_OUTPUT"  # Click read the variable
        value = os.environ.get("SPECTRUM_OUTPUT") if value is None else value
        formats = ", ".join(f.value for f in OutputFormat)
        return CliError(f"{name} must be one of {formats}, not {value!r}.")


@app.callback(cls=RootGroup)
def root(
    ctx: typer.Context,
    profile: ProfileOption = "default",
    output: GlobalOutputOption = None,
    api_url: ApiUrlOption = None,
    no_input: NoInputOption = False,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
    query: QueryOption = None,
    no_pager: NoPagerOption = False,
    version: VersionOption = False,
) -> None:
    from spectrum_cli.config import check_selected_profile

    state = State(
        profile=profile,
        output_flag=output.value if output else None,
        api_url_flag=api_url,
        no_input=no_input,
        verbose=verbose,
        quiet=quiet,
        query=query,
        no_pager=no_pager,
    )
    ctx.obj = state
    ctx.call_on_close(state.close)
    check_selected_profile(profile)
    if verbose:
        _log_to_stderr(ctx, state)


def _log_to_stderr(ctx: typer.Context, state: State) -> None:
    """-v: the client's log (requests, retries; secrets redacted) goes to stderr."""
    import logging

    from spectrum_cli.cli.output import TerminalWriter

    handler = logging.StreamHandler(TerminalWriter(state.stderr))
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger = logging.getLogger("spectrum_cli")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    ctx.call_on_close(lambda: logger.removeHandler(handler))  # one command, one handler


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted(terminated=signum == signal.SIGTERM)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app(prog_name="spectrum")
    except Interrupted as stop:
        print(f"\n{stop.word}.", file=sys.stderr)
        sys.exit(stop.status)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(ExitStatus.INTERRUPTED)
    except Exception as exc:
        from spectrum_cli.cli.errors import report

        sys.exit(report(exc, verbose="-v" in sys.argv or "--verbose" in sys.argv))
