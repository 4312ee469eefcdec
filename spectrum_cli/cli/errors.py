"""One ordered table maps every expected failure to a message, a hint and an exit status."""

from __future__ import annotations

import sys
from typing import TextIO

from spectrum_cli.cli.status import ExitStatus


class CliError(Exception):
    """A failure the CLI itself detects (bad input, a refused guard)."""

    def __init__(
        self, message: str, *, status: ExitStatus = ExitStatus.USAGE, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.hint = message, status, hint


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM, raised past Click (which would turn KeyboardInterrupt into exit 1)."""

    def __init__(self, terminated: bool = False) -> None:
        super().__init__()
        self.terminated = terminated

    @property
    def status(self) -> ExitStatus:
        return ExitStatus.TERMINATED if self.terminated else ExitStatus.INTERRUPTED

    @property
    def word(self) -> str:
        return "Terminated" if self.terminated else "Interrupted"


class NeedsInput(CliError):
    """A prompt was needed where no one can answer it."""

    def __init__(self, what: str, flag: str, *, plural: bool = False) -> None:
        verb = "are" if plural else "is"
        super().__init__(f"{what} {verb} needed, and there is no terminal to ask: pass {flag}.")


_NEW_TOKEN = "Create a new one (signed in): spectrum auth token create; then set SPECTRUM_TOKEN."

_AUTH_HINTS = {
    "account_locked": "Wait 15 minutes, or reset the password: spectrum recover password",
    "invalid_credentials": "Check the username (spectrum recover username) and password.",
    "incorrect_password": "Check the current password; 5 wrong tries lock it for 15 minutes.",
    "api_token_expired": _NEW_TOKEN,
    "api_token_revoked": _NEW_TOKEN,
    "missing_scope": None,
    "sandbox_key_required": "Set SPECTRUM_SANDBOX_KEY to the admin key `spectrum sandbox serve` "
    "printed (the built-in sandbox needs none).",
}


_PERMISSION_HINTS = {
    "reauthentication_required": "Run the command again; it asks for the password first.",
    "session_required": "Sign in with `spectrum login` (unset SPECTRUM_TOKEN): an API token "
    "cannot do this.",
    "role_forbidden": "Ask the head of household or an administrator of the account.",
    "missing_scope": "Create a token with that scope: spectrum auth token create --scope ...",
}


_STORE_HINT = (
    "Start over with `spectrum sandbox reset` (the built-in sandbox), or move the file aside: "
    "a new one is made in its place."
)


_CONFLICT_HINTS = {
    "balance_changed": "A payment or charge came in meanwhile: run the command again to pay "
    "the balance as it is now.",
}


# Where each kind of id is listed, for the hint of an id that is not its shape.
_LISTED_BY = {
    "statement": "bill list",
    "payment": "payments list",
    "payment method": "payment-methods list",
    "API token": "auth token list",
    "FAQ article": "support faq search",
    "ticket": "support ticket list",
    "equipment": "equipment list",
}


def _id_hint(what: str) -> str:
    listed = _LISTED_BY.get(what)
    return f"Copy the id from `spectrum {listed}`." if listed else "Copy the id from a list."


_HTTPS_HINT = "Point --api-url at https://...; plain http:// is for 127.0.0.1, ::1 and localhost."
# A full disk passes: the same command works once there is room.
_DISK_FULL_HINT = "Free some space on that disk, then run the same command again."
_CREDENTIAL_HINT = "Sign in with `spectrum login --store file`, or set SPECTRUM_TOKEN."
_SIGN_IN_HINT = "Sign in again: spectrum login"
_ASK_HOLDER_HINT = "Ask the account's head of household or an administrator."
_IN_PROGRESS_HINT = "Run the same command again shortly; it will not act twice."
_TIMEOUT_HINT = "Try again later; -v shows each attempt."
_UNREACHABLE_HINT = "Check --api-url and the network; `spectrum sandbox serve` runs a local API."
_BUSY_HINT = "The service is busy; try again later."
_FAILED_HINT = "The service failed; try again later."
_VERSION_HINT = "The server does not speak this version of the Account API; check --api-url."


def _classify(exc: BaseException) -> tuple[ExitStatus, str | None] | None:
    """(status, hint) for an expected failure, or None for a bug. Subclasses come first."""
    from pydantic import ValidationError

    from spectrum_cli import client as c
    from spectrum_cli.config import ConfigError
    from spectrum_cli.credentials import CredentialError
    from spectrum_cli.fsutil import DiskFullError, PathError
    from spectrum_cli.journal import JournalError
    from spectrum_cli.sandbox.problems import PortUnavailable, StoreError

    code = getattr(exc, "code", None) or ""
    own_hint = getattr(exc, "hint", None)
    table: list[tuple[type[BaseException], ExitStatus, str | None]] = [
        (CliError, getattr(exc, "status", ExitStatus.USAGE), own_hint),
        (ConfigError, ExitStatus.USAGE, None),
        (JournalError, ExitStatus.USAGE, None),
        (ValidationError, ExitStatus.USAGE, None),
        (c.InvalidIdError, ExitStatus.USAGE, _id_hint(getattr(exc, "what", ""))),
        (c.InsecureConnectionError, ExitStatus.USAGE, _HTTPS_HINT),
        (DiskFullError, ExitStatus.UNREACHABLE, _DISK_FULL_HINT),
        (StoreError, ExitStatus.USAGE, own_hint or _STORE_HINT),
        (PathError, ExitStatus.USAGE, own_hint),
        (PortUnavailable, ExitStatus.USAGE, own_hint),
        (CredentialError, ExitStatus.AUTH, _CREDENTIAL_HINT),
        (c.AuthenticationError, ExitStatus.AUTH, _AUTH_HINTS.get(code, _SIGN_IN_HINT)),
        (
            c.PermissionDeniedError,
            ExitStatus.PERMISSION,
            _PERMISSION_HINTS.get(code, _ASK_HOLDER_HINT),
        ),
        (c.NotFoundError, ExitStatus.NOT_FOUND, None),
        (c.RequestInProgressError, ExitStatus.UNREACHABLE, _IN_PROGRESS_HINT),
        (c.ConflictError, ExitStatus.CONFLICT, _CONFLICT_HINTS.get(code)),
        (c.PaymentError, ExitStatus.PAYMENT, None),
        (c.InvalidRequestError, ExitStatus.USAGE, None),
        (c.APITimeoutError, ExitStatus.UNREACHABLE, _TIMEOUT_HINT),
        (c.APIConnectionError, ExitStatus.UNREACHABLE, _UNREACHABLE_HINT),
        (c.RateLimitError, ExitStatus.UNREACHABLE, _BUSY_HINT),
        (c.InternalServerError, ExitStatus.UNREACHABLE, _FAILED_HINT),
        (c.APIResponseValidationError, ExitStatus.ERROR, _VERSION_HINT),
        (c.APIStatusError, ExitStatus.ERROR, None),
    ]
    for cls, status, hint in table:
        if isinstance(exc, cls):
            return status, hint
    return None


def _validation_message(exc: BaseException) -> str | None:
    """The first problem of a pydantic ValidationError, in one line."""
    errors = getattr(exc, "errors", None)
    if not callable(errors) or not hasattr(exc, "error_count"):
        return None
    first = errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    text = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {text}" if where else text


def report(exc: BaseException, stderr: TextIO | None = None, verbose: bool = False) -> int:
    """Print one line (and a hint) for ``exc``; return its exit status."""
    from spectrum_cli.cli.output import TerminalWriter

    # The message may quote the server, or a value the user typed: no control characters.
    stderr = TerminalWriter(stderr or sys.stderr)
    try:
        found = _classify(exc)
    except Exception:
        found = None
    try:
        return _print_report(exc, found, stderr, verbose)
    except BrokenPipeError:  # nothing reads stderr: the status still tells
        from spectrum_cli.cli.output import discard

        discard(stderr)
        return ExitStatus.ERROR if found is None else int(found[0])


def _print_report(
    exc: BaseException, found: tuple[ExitStatus, str | None] | None, stderr: TextIO, verbose: bool
) -> int:
    if found is None:
        if verbose:
            import traceback

            traceback.print_exception(exc, file=stderr)
        print(f"Error: unexpected {type(exc).__name__}: {exc}", file=stderr)
        print("Hint: this is a bug in spectrum-cli; -v shows the details.", file=stderr)
        return ExitStatus.ERROR
    status, hint = found
    message = getattr(exc, "message", None) or _validation_message(exc) or str(exc)
    request_id = getattr(exc, "request_id", None)
    print(f"Error: {message}" + (f" [request {request_id}]" if request_id else ""), file=stderr)
    if hint:
        print(f"Hint: {hint}", file=stderr)
    return int(status)
