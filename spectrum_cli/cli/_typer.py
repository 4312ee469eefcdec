"""The one factory every Typer app of the CLI is built with, and the group that maps errors."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup


class SpectrumGroup(TyperGroup):
    """Turns expected failures anywhere below into one line on stderr and an exit status."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`spectrum ... | head`): not an error of ours. Point stdout
            # at /dev/null so the interpreter's final flush does not complain either.
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:
            if hasattr(exc, "exit_code") and hasattr(exc, "show"):
                raise  # Click's own usage errors: it prints them and exits 2
            from spectrum_cli.cli.errors import report

            state = ctx.find_root().obj
            verbose = bool(getattr(state, "verbose", 0))
            stderr = getattr(state, "stderr", None)
            raise typer.Exit(report(exc, stderr, verbose)) from exc


def new_app(help: str, **kwargs: Any) -> typer.Typer:
    return typer.Typer(
        help=help,
        cls=SpectrumGroup,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,
    )
