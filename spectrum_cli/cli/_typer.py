"""The one factory every Typer app of the CLI is built with."""

from __future__ import annotations

import typer


def new_app(help: str, **kwargs: object) -> typer.Typer:
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,  # type: ignore[arg-type]
    )
