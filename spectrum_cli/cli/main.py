"""Entry point: `main` owns all error handling and exit statuses; commands do the work."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spectrum_cli import __version__
from spectrum_cli.cli import sandbox
from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.status import ExitStatus

app = new_app(
    "Manage your Spectrum account from the shell: bills, payments, autopay, profile, support.\n\n"
    "With no --api-url, commands run against the built-in sandbox (demo data, no real money)."
)
app.add_typer(sandbox.app, name="sandbox")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spectrum {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Manage your Spectrum account from the shell."""


def main() -> None:
    try:
        app(prog_name="spectrum")
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(ExitStatus.INTERRUPTED)
