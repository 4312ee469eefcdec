"""`spectrum outages`: service outages at the account's address."""

from __future__ import annotations

from typing import Any

import typer

from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.output import Column

_COLUMNS: list[Column] = [
    ("services", lambda o: o.services),
    ("status", lambda o: o.status),
    ("since", lambda o: o.started_at),
    ("restore by", lambda o: o.estimated_restore_at),
    ("message", lambda o: o.message),
]


def outages(ctx: typer.Context) -> None:
    """List outages at your service address with the estimated restore time."""
    state = get_state(ctx)
    result = state.client().account.outages()
    state.out.show(result, render=lambda r: _outages_text(state, r))


def _outages_text(state: State, result: Any) -> str | None:
    """The outages as a table; none is said on stderr, as an empty list is."""
    from spectrum_cli.cli.output import table

    if not result.data:
        state.out.message("No outages at your service address.")
        return None
    return table(result.data, _COLUMNS)
