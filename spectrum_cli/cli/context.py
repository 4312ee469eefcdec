"""Everything a command needs from its surroundings, resolved lazily, replaceable in tests."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer

from spectrum_cli.cli.errors import CliError, NeedsInput
from spectrum_cli.cli.output import Output, wants_color
from spectrum_cli.cli.status import ExitStatus
from spectrum_cli.config import DEFAULT_PROFILE, SANDBOX, Config, check_value, config_dir

if TYPE_CHECKING:
    from spectrum_cli.client import SpectrumClient
    from spectrum_cli.client.resources.sandbox import SandboxResource
    from spectrum_cli.credentials import Credential, CredentialStore

SANDBOX_BASE_URL = "http://sandbox.embedded"
SANDBOX_BANNER = "Sandbox mode: demo data, no real money. (--api-url points elsewhere.)"
TOKEN_WARNING_DAYS = 14  # SPECTRUM_TOKEN closer than this to expiring: warn on every command


@dataclass
class State:
    profile: str = DEFAULT_PROFILE
    output_flag: str | None = None
    api_url_flag: str | None = None
    no_input: bool = False
    query: str | None = None
    verbose: int = 0
    quiet: bool = False
    no_pager: bool = False
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _open_clients: list[SpectrumClient] = field(default_factory=list, repr=False)
    _told_sandbox: bool = field(default=False, repr=False)  # the banner: once per run

    # Configuration

    @cached_property
    def config_dir(self) -> Path:
        return config_dir(self.env)

    @cached_property
    def config(self) -> Config:
        return Config.load(self.config_dir)

    @cached_property
    def api_url(self) -> str:
        url = self.api_url_flag or self.config.get(self.profile, "api_url") or SANDBOX
        return check_value("api_url", url).rstrip("/")

    @property
    def is_sandbox(self) -> bool:
        return self.api_url == SANDBOX

    @cached_property
    def out(self) -> Output:
        # --query works on the JSON form: with no -o it prints JSON.
        fmt = self.output_flag or ("json" if self.query else None)
        fmt = check_value("output", fmt or self.config.get(self.profile, "output") or "table")
        if fmt == "table" and self.query:
            fmt = "json"
        return Output(
            format=fmt,
            stdout=self.stdout,
            stderr=self.stderr,
            quiet=self.quiet,
            color=wants_color(self.stderr, self.env),
            query=self.query,
            pager=self.pager() if fmt == "table" else None,
            pager_env={"LESS": "FRX", **self.child_env()},  # as git and gh: quit if it fits
        )

    def pager(self) -> list[str] | None:
        """The pager for tables: only on a terminal; SPECTRUM_PAGER, else PAGER, else
        `less -FRX` (which quits at once when the text fits); --no-pager or an empty
        SPECTRUM_PAGER turns it off."""
        import shlex

        if self.no_pager or not self.stdout.isatty():
            return None
        command = self.env.get("SPECTRUM_PAGER", self.env.get("PAGER", "less -FRX"))
        try:
            return shlex.split(command) or None
        except ValueError:
            return None

    @cached_property
    def credentials(self) -> CredentialStore:
        from spectrum_cli.credentials import CredentialStore

        return CredentialStore(self.config_dir, self.env)

    # Talking to the API

    def data_dir(self) -> Path:
        """The user data dir (the built-in sandbox store, the intent journal), 0700."""
        import platformdirs

        from spectrum_cli.fsutil import make_private_dirs, path_error, restrict_to_owner

        directory = platformdirs.user_data_path("spectrum-cli")
        try:
            make_private_dirs(directory)
            restrict_to_owner(directory)  # ours, not the user's: an older version made it 0755
        except OSError as exc:
            hint = "The built-in sandbox keeps its store there; --api-url points elsewhere."
            raise path_error("use the folder", directory, exc, hint=hint) from None
        return directory

    def sandbox_store_path(self) -> Path:
        return self.data_dir() / "sandbox.db"

    def sandbox_control(self) -> SandboxResource:
        """The sandbox's control routes, holding its admin key when this machine has it."""
        return self.client(authenticated=False, sandbox_key=True).sandbox

    def _sandbox_key(self) -> str | None:
        """SPECTRUM_SANDBOX_KEY, else the key file beside the built-in store, which is also the
        store of `spectrum sandbox serve` without --db (so a served sandbox on this machine)."""
        import httpx

        from spectrum_cli.client._client import is_loopback
        from spectrum_cli.sandbox.keys import read_admin_key

        given = self.env.get("SPECTRUM_SANDBOX_KEY", "").strip()
        if given:
            return given
        if self.is_sandbox or is_loopback(httpx.URL(self.api_url).host):
            return read_admin_key(self.sandbox_store_path())
        return None

    def client(self, *, authenticated: bool = True, sandbox_key: bool = False) -> SpectrumClient:
        """A client for the profile's API, signed in unless ``authenticated`` is False, with the
        sandbox admin key when ``sandbox_key`` is True."""
        from spectrum_cli.client import SpectrumClient

        credential = self.credential() if authenticated else None
        if authenticated and credential is None:
            raise CliError(
                "Not signed in.",
                status=ExitStatus.AUTH,
                hint="Run `spectrum login`, or set SPECTRUM_TOKEN to an API token.",
            )
        transport = None
        base_url = self.api_url
        if self.is_sandbox:
            from spectrum_cli.sandbox.embedded import embedded_transport

            if not self._told_sandbox:
                self.out.message(SANDBOX_BANNER)
                self._told_sandbox = True
            transport = embedded_transport(self.sandbox_store_path())
            base_url = SANDBOX_BASE_URL
        session = None
        if credential is not None and credential.session:
            from spectrum_cli.api.auth import Session

            session = Session.model_validate(credential.session)
        timeout = self.env.get("SPECTRUM_TIMEOUT")
        client = SpectrumClient(
            base_url,
            timeout=_seconds(timeout) if timeout else 30.0,
            token=credential.token if credential else None,
            session=session,
            on_session=(lambda s: self._keep_rotated(credential, s)) if credential else None,
            shared_session=self._shared_session if credential and credential.session else None,
            transport=transport,
            sandbox_key=self._sandbox_key() if sandbox_key else None,
        )
        self._open_clients.append(client)
        return client

    def close(self) -> None:
        self._warn_if_token_expires_soon()
        while self._open_clients:
            self._open_clients.pop().close()

    def token_expiry(self) -> tuple[Any, int] | None:
        """(expiry, seconds left) of the API token in use, as the server last said: it says so
        on every answer to an API token, so knowing costs no request."""
        said = [c.token_expiry for c in self._open_clients if c.token_expiry is not None]
        return said[-1] if said else None

    def _warn_if_token_expires_soon(self) -> None:
        """A job run from cron with SPECTRUM_TOKEN hears of the expiry on stderr (which cron
        mails) in the last TOKEN_WARNING_DAYS days, not when it stops working."""
        expiry = self.token_expiry() if self.env.get("SPECTRUM_TOKEN") else None
        if expiry is None or expiry[1] > TOKEN_WARNING_DAYS * 86400:
            return
        at, left = expiry
        when = in_days(days_left(at, left))
        self.out.warn(
            f"The API token in SPECTRUM_TOKEN expires on {at:%Y-%m-%d} ({when}). "
            "Create a new one before then: spectrum auth token create"
        )

    def credential(self) -> Credential | None:
        return self.credentials.load(self.profile, self.api_url)

    @contextmanager
    def _shared_session(self) -> Iterator[Any]:
        """Hold the profile's refresh lock and yield its session as stored now, so concurrent
        commands rotate a session once between them."""
        from spectrum_cli.api.auth import Session
        from spectrum_cli.fsutil import exclusive_lock

        with exclusive_lock(self.config_dir / f".refresh-{self.profile}.lock"):
            stored = self.credential()
            yield Session.model_validate(stored.session) if stored and stored.session else None

    def _keep_rotated(self, credential: Credential, session: Any) -> None:
        """The refresh token rotates on use; store the new one where the old one was."""
        if session is None or credential.source == "environment":
            return
        credential.session = session.model_dump(mode="json")
        self.credentials.save(
            self.profile, credential, store="keyring" if credential.source == "keyring" else "file"
        )

    # Child processes

    def child_env(self) -> dict[str, str]:
        """The environment for a program the CLI starts (the editor): ours without secrets."""
        from spectrum_cli.credentials import SECRET_ENV_VARS

        return {k: v for k, v in self.env.items() if k not in SECRET_ENV_VARS}

    # Asking the user

    @property
    def interactive(self) -> bool:
        return not self.no_input and self.stdin.isatty()

    def ask(self, what: str, flag: str, *, secret: bool = False) -> str:
        """Prompt on a terminal; elsewhere fail at once naming the flag that answers."""
        if not self.interactive:
            raise NeedsInput(what, flag)
        try:
            if secret:
                value = getpass.getpass(f"{what}: ", stream=self.stderr)
            else:
                value = typer.prompt(what, err=True)
        except (EOFError, typer.Abort):  # Ctrl-D
            self.stderr.write("\n")
            raise CliError(f"No {what.lower()} was given (end of input).") from None
        if not value.strip():
            raise CliError(f"{what} cannot be empty.")
        return value.strip() if not secret else value

    def confirm(self, question: str) -> None:
        """Ask on a terminal; elsewhere the command needs --yes."""
        if not self.interactive:
            raise NeedsInput("Confirmation", "--yes")
        try:
            agreed = typer.confirm(question, err=True)
        except typer.Abort:  # Ctrl-D: no answer is no
            agreed = False
            self.stderr.write("\n")
        if not agreed:
            self.out.message("Canceled; nothing was changed.")
            raise typer.Exit(ExitStatus.OK)

    def read_line(self, what: str) -> str:
        """One line from stdin (for --password-stdin and friends), without its newline."""
        line = self.stdin.readline()
        if not line:
            raise CliError(f"Expected {what} on standard input, got end of input.")
        value = line.rstrip("\r\n")
        if not value:
            raise CliError(f"{what} on standard input is empty.")
        return value


def days_left(at: Any, seconds: int) -> int:
    """Calendar days from the server's today to ``at``, ``seconds`` before it."""
    import datetime as dt

    return (at.date() - (at - dt.timedelta(seconds=seconds)).date()).days


def in_days(days: int) -> str:
    return "today" if days < 1 else f"in {days} day{'s' if days > 1 else ''}"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise CliError(f"SPECTRUM_TIMEOUT={text!r} must be a number of seconds from 0 to 600.")
    return value


def get_state(ctx: typer.Context, output: Any = None) -> State:
    """The run's State; a command's own ``-o`` overrides the global one."""
    state = ctx.find_root().obj
    if not isinstance(state, State):  # a sub-app invoked on its own, as in some tests
        state = State()
        ctx.find_root().obj = state
    if output is not None:
        state.output_flag = output.value
        state.__dict__.pop("out", None)
    return state
