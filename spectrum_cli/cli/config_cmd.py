"""`spectrum config`: read and edit config.toml."""

from __future__ import annotations

from typing import Annotated

import typer

from spectrum_cli.cli._typer import new_app
from spectrum_cli.cli.context import get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.output import keyed
from spectrum_cli.cli.status import ExitStatus
from spectrum_cli.config import KEYS

app = new_app("Show and change settings of the selected profile (--profile).")


@app.command()
def path(ctx: typer.Context) -> None:
    """Print the path of config.toml."""
    state = get_state(ctx)
    found = {"path": str(state.config_dir / "config.toml")}
    state.out.show(found, render=lambda found: found["path"])


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the profiles in config.toml, one per line, with each setting (empty when not set)."""
    state = get_state(ctx)
    profiles = [
        {"profile": name, **{key: values.get(key) for key in KEYS}}
        for name, values in sorted(state.config.profiles.items())
    ]
    state.out.show(profiles, keyed("profile", *KEYS))


@app.command()
def get(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help=f"One of: {', '.join(KEYS)}.")]
) -> None:
    """Print one setting of the profile; exit 5 when it is not set."""
    state = get_state(ctx)
    if key not in KEYS:
        raise CliError(f"Unknown config key {key!r}; known keys: {', '.join(KEYS)}.")
    value = state.config.get(state.profile, key)
    if value is None:
        raise CliError(
            f"{key} is not set in profile {state.profile!r}.", status=ExitStatus.NOT_FOUND
        )
    setting = {"profile": state.profile, "key": key, "value": value}
    state.out.show(setting, render=lambda setting: setting["value"])


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(KEYS)}.")],
    value: Annotated[str, typer.Argument(help="The new value.")],
) -> None:
    """Set one setting of the profile (written atomically)."""
    state = get_state(ctx)
    state.config.set(state.profile, key, value)
    state.config.save()
    state.out.message(f"Set {key} in profile {state.profile!r}.")


@app.command()
def unset(
    ctx: typer.Context, key: Annotated[str, typer.Argument(help=f"One of: {', '.join(KEYS)}.")]
) -> None:
    """Remove one setting of the profile."""
    state = get_state(ctx)
    if state.config.unset(state.profile, key):
        state.config.save()
        state.out.message(f"Removed {key} from profile {state.profile!r}.")
    else:
        state.out.nothing(
            f"{key} was not set in profile {state.profile!r}; nothing to do.",
            profile=state.profile,
            key=key,
        )
