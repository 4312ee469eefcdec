"""`spectrum doctor`: check the setup and say how to fix what is wrong."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from spectrum_cli import __version__
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.status import ExitStatus


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    status: int = 0  # the exit status this problem maps to

    def as_dict(self) -> dict[str, Any]:
        """A passing check has no fix and status 0, whatever it would map to on failure."""
        if self.ok:
            return {**self.__dict__, "fix": "", "status": 0}
        return dict(self.__dict__)


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
    # A profile need not be in the file: flags, the environment and defaults may be all it
    # needs. Whether it works is for the checks below to say.
    listed = "" if state.profile in profiles else " (not in the file: defaults apply)"
    checks.append(
        Check(
            "config",
            True,
            f"{path} ({'found' if path.exists() else 'not created yet'}); profile "
            f"{state.profile!r}{listed}; api_url {state.api_url}",
        )
    )
    api, answer = _api_check(state)
    checks += [api, _clock_check(state, answer), _keyring_check(state)]
    checks.append(_credentials_check(state, reachable=api.ok))
    checks.append(_completion_check())
    return checks


def _api_check(state: State) -> tuple[Check, Any]:
    """Whether the API answers, and what it answered with (the sandbox clock, or the HTTP
    response whose Date header tells the server's time), or None when it did not."""
    from spectrum_cli.client import APIError

    client = state.client(authenticated=False, sandbox_key=state.is_sandbox)
    started = time.perf_counter()
    try:
        if state.is_sandbox:
            answer: Any = client.sandbox.clock()
        else:
            answer = client.request("GET", "/openapi.json", authenticated=False)
    except APIError as exc:
        fix = "Check --api-url and the network; `spectrum sandbox serve` runs a local API."
        return Check(
            "api", False, f"{state.api_url}: {exc.message}", fix, ExitStatus.UNREACHABLE
        ), None
    latency = (time.perf_counter() - started) * 1000
    return Check("api", True, f"{state.api_url} answered in {latency:.0f} ms"), answer


def _clock_check(state: State, answer: Any) -> Check:
    import datetime as dt

    local = f"local time {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    if answer is None:
        return Check("clock", True, f"{local} (not compared: the API did not answer)")
    if state.is_sandbox:
        return Check(
            "clock",
            True,
            f"sandbox time {answer.now:%Y-%m-%d %H:%M} UTC "
            f"({answer.offset_seconds:+d} s from real time)",
        )
    if "date" not in answer.headers:
        return Check("clock", True, f"{local} (the API sent no Date to compare)")
    import email.utils

    skew = time.time() - email.utils.parsedate_to_datetime(answer.headers["date"]).timestamp()
    return Check(
        "clock",
        abs(skew) < 120,
        f"local clock {skew:+.0f} s from the server",
        "Sync this machine's clock (timedatectl set-ntp true).",
        ExitStatus.ERROR,
    )


def _keyring_check(state: State) -> Check:
    if state.credentials.configured_store(state.profile) == "file":
        where = state.credentials.file
        return Check("keyring", True, f'not used: store = "file" keeps the session in {where}')
    backend = state.credentials.keyring_name()
    return Check(
        "keyring",
        True,
        backend or "none (no Secret Service): sessions need --store file or SPECTRUM_TOKEN",
    )


def _credentials_check(state: State, *, reachable: bool) -> Check:
    from spectrum_cli.client import APIError, AuthenticationError
    from spectrum_cli.credentials import CredentialError

    try:
        credential = state.credential()
    except CredentialError as exc:
        return Check("credentials", False, str(exc), "See the message.", ExitStatus.AUTH)
    if credential is None:
        fix = "Run `spectrum login`, or set SPECTRUM_TOKEN."
        return Check("credentials", False, "not signed in", fix, ExitStatus.AUTH)
    if not reachable:
        return Check(
            "credentials",
            True,
            f"found via {credential.source} (not verified: the API did not answer)",
        )
    try:
        who = state.client().auth.whoami()
    except AuthenticationError as exc:
        fix = (
            "Create a new token: spectrum auth token create; then set SPECTRUM_TOKEN."
            if credential.source == "environment"
            else "Sign in again: spectrum login"
        )
        return Check(
            "credentials", False, f"{credential.source}: {exc.message}", fix, ExitStatus.AUTH
        )
    except APIError as exc:
        return Check("credentials", False, exc.message, "Try again later.", ExitStatus.UNREACHABLE)
    return _valid_credentials(state, credential, who)


def _valid_credentials(state: State, credential: Any, who: Any) -> Check:
    detail = f"{who.username} via {credential.source} ({who.token_kind})"
    expiry = state.token_expiry()
    if expiry is None:
        until = (credential.session or {}).get("refresh_expires_at") or who.expires_at
        return Check("credentials", True, f"{detail}, valid until {until}")
    from spectrum_cli.cli.context import days_left

    at, left = expiry  # when it is close, the command's own warning says what to do
    detail += f", expires on {at:%Y-%m-%d} ({days_left(at, left)} days left)"
    return Check("credentials", True, detail)


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


def doctor(ctx: typer.Context) -> None:
    """Check version, config, API reachability, clock, keyring, credentials and completion.

    Exits non-zero when something needs fixing, with the fix for each problem. A missing
    completion is only advice.
    """
    state = get_state(ctx)
    checks = _checks(state)
    state.out.show(
        [c.as_dict() for c in checks],
        [
            ("check", lambda c: c["name"]),
            ("ok", lambda c: c["ok"]),
            ("detail", lambda c: c["detail"]),
            ("fix", lambda c: c["fix"]),
        ],
    )
    problems = [c for c in checks if not c.ok and c.name != "completion"]
    if problems:
        raise typer.Exit(problems[0].status or ExitStatus.ERROR)
