"""`spectrum doctor`: check the setup and say how to fix what is wrong."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import typer

from spectrum_cli import __version__
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.options import OutputOption
from spectrum_cli.cli.status import ExitStatus


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    status: int = 0  # the exit status this problem maps to


COMPLETION_PLACES = (
    ".local/share/bash-completion/completions/spectrum",
    ".config/fish/completions/spectrum.fish",
)


def _checks(state: State) -> list[Check]:
    from spectrum_cli.config import ConfigError

    checks = [Check("version", True, f"spectrum {__version__}")]
    path = state.config_dir / "config.toml"
    try:
        profiles = state.config.profiles
    except ConfigError as exc:
        checks.append(Check("config", False, str(exc), f"Fix or delete {path}.", ExitStatus.USAGE))
        return checks
    known = state.profile in profiles or state.profile == "default"
    checks.append(
        Check(
            "config",
            known,
            f"{path} ({'found' if path.exists() else 'not created yet'}); profile "
            f"{state.profile!r}",
            "" if known else f"Create it: spectrum -p {state.profile} config set api_url URL",
            ExitStatus.USAGE,
        )
    )
    checks += _api_checks(state)
    checks.append(_completion_check())
    return checks


def _api_checks(state: State) -> list[Check]:
    from spectrum_cli.client import APIError, AuthenticationError
    from spectrum_cli.credentials import CredentialError

    checks: list[Check] = []
    client = state.client(authenticated=False, sandbox_key=state.is_sandbox)
    started = time.perf_counter()
    try:
        server_clock = client.sandbox.clock() if state.is_sandbox else None
        response = client.request("GET", "/openapi.json", authenticated=False)
    except APIError as exc:
        return [
            Check(
                "api",
                False,
                f"{state.api_url}: {exc.message}",
                "Check --api-url and the network; `spectrum sandbox serve` runs a local API.",
                ExitStatus.UNREACHABLE,
            )
        ]
    latency = (time.perf_counter() - started) * 1000
    checks.append(Check("api", True, f"{state.api_url} answered in {latency:.0f} ms"))
    if server_clock is not None:
        checks.append(
            Check(
                "clock",
                True,
                f"sandbox time {server_clock.now:%Y-%m-%d %H:%M} UTC "
                f"({server_clock.offset_seconds:+d} s from real time)",
            )
        )
    elif "date" in response.headers:
        import email.utils

        skew = time.time() - email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
        checks.append(
            Check(
                "clock",
                abs(skew) < 120,
                f"local clock {skew:+.0f} s from the server",
                "Sync this machine's clock (timedatectl set-ntp true).",
                ExitStatus.ERROR,
            )
        )
    backend = state.credentials.keyring_name()
    checks.append(
        Check(
            "keyring",
            True,
            backend or "none (no Secret Service): sessions need --store file or SPECTRUM_TOKEN",
        )
    )
    try:
        credential = state.credential()
    except CredentialError as exc:
        return [*checks, Check("credentials", False, str(exc), "See the message.", ExitStatus.AUTH)]
    if credential is None:
        return [
            *checks,
            Check(
                "credentials",
                False,
                "not signed in",
                "Run `spectrum login`, or set SPECTRUM_TOKEN.",
                ExitStatus.AUTH,
            ),
        ]
    try:
        who = state.client().auth.whoami()
    except AuthenticationError as exc:
        return [
            *checks,
            Check(
                "credentials",
                False,
                f"{credential.source}: {exc.message}",
                "Sign in again: spectrum login",
                ExitStatus.AUTH,
            ),
        ]
    until = (credential.session or {}).get("refresh_expires_at") or who.expires_at
    checks.append(
        Check(
            "credentials",
            True,
            f"{who.username} via {credential.source} ({who.token_kind}), valid until {until}",
        )
    )
    return checks


def _completion_check() -> Check:
    home = Path.home()
    installed = [p for p in COMPLETION_PLACES if (home / p).exists()]
    return Check(
        "completion",
        bool(installed),
        f"installed: {installed[0]}" if installed else "not installed",
        "cp completions/spectrum.bash ~/.local/share/bash-completion/completions/"
        "spectrum (or see completions/ for zsh and fish)",
    )


def doctor(ctx: typer.Context, output: OutputOption = None) -> None:
    """Check version, config, API reachability, clock, keyring, credentials and completion.

    Exits non-zero when something needs fixing, with the fix for each problem. A missing
    completion is only advice.
    """
    state = get_state(ctx, output)
    checks = _checks(state)
    state.out.data(
        [c.__dict__ for c in checks],
        [
            ("check", lambda c: c["name"]),
            ("ok", lambda c: c["ok"]),
            ("detail", lambda c: c["detail"]),
            ("fix", lambda c: "" if c["ok"] else c["fix"]),
        ],
        rows=[c.__dict__ for c in checks],
    )
    problems = [c for c in checks if not c.ok and c.name != "completion"]
    if problems:
        raise typer.Exit(problems[0].status or ExitStatus.ERROR)
