"""`spectrum outages`: service outages at the account's address."""

from __future__ import annotations

import typer

from spectrum_cli.cli.context import get_state
from spectrum_cli.cli.options import OutputOption


def outages(ctx: typer.Context, output: OutputOption = None) -> None:
    """List outages at your service address with the estimated restore time."""
    state = get_state(ctx, output)
    result = state.client().account.outages()
    if not result.data and state.out.format == "table":
        state.out.message("No outages at your service address.")
        return
    state.out.data(
        result,
        [
            ("services", lambda o: ", ".join(o.services)),
            ("status", lambda o: o.status),
            ("since", lambda o: f"{o.started_at:%Y-%m-%d %H:%M}"),
            ("restore by", lambda o: f"{o.estimated_restore_at:%Y-%m-%d %H:%M}"),
            ("message", lambda o: o.message),
        ],
        rows=result.data,
    )
