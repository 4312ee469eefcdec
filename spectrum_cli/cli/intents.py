"""Money-moving requests sent through the intent journal, so that a rerun never acts twice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from spectrum_cli.cli.errors import CliError, Interrupted
from spectrum_cli.cli.status import ExitStatus

if TYPE_CHECKING:
    from spectrum_cli.cli.context import State
    from spectrum_cli.client import SpectrumClient
    from spectrum_cli.client._exceptions import APIStatusError
    from spectrum_cli.journal import Intent, Journal

T = TypeVar("T")

RERUN_IS_SAFE = (
    "Running the same command again is safe: it reuses this request's idempotency key, so it "
    "happens at most once. `spectrum payments pending` lists what is unfinished."
)


def journal_for(state: State) -> Journal:
    from spectrum_cli.journal import Journal

    return Journal(state.data_dir() / "intents" / f"{state.profile}.json")


def send_once(
    state: State,
    client: SpectrumClient,
    *,
    operation: str,
    what: str,
    request: tuple[str, str, Mapping[str, Any] | None],
    summary: Mapping[str, str],
    send: Callable[[str], T],
    show: Callable[[T, bool], None],
    key: str | None = None,
    purpose: str = "",
) -> None:
    """Send a money-moving ``request`` (method, path, body) with ``send(idempotency_key)``
    and ``show(result, replayed)`` its answer, recording it in the journal until then.

    The key is ``key`` if given, else that of an open intent for the same request, else a
    new one. An interrupt or a lost connection leaves the intent open and says the outcome
    is unknown; ``what`` names the operation in that message ("payment"). With ``purpose``
    (see `Journal.unfinished`) a body free of secrets is kept, to send it again."""
    from spectrum_cli.client import APIConnectionError

    journal = journal_for(state)
    sent = request_fingerprint(state, request)
    try:
        kept = _kept_body(request[2]) if purpose else None
        intent = journal.begin(operation, sent, summary, key, purpose=purpose, body=kept)
        _announce(state, journal, intent, what)
        _deliver(state, client, journal, intent, what, send, show)
    except APIConnectionError as exc:  # timeouts included
        raise CliError(
            f"The {what}'s outcome is unknown: {exc.message}",
            status=ExitStatus.UNREACHABLE,
            hint=RERUN_IS_SAFE,
        ) from exc
    except (Interrupted, KeyboardInterrupt) as exc:
        stop = exc if isinstance(exc, Interrupted) else Interrupted()
        raise CliError(
            f"{stop.word} while the {what} was being sent: its outcome is unknown.",
            status=stop.status,
            hint=RERUN_IS_SAFE,
        ) from None


def _kept_body(body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The body, to send it again later; None when it holds a secret (never written down)."""
    from spectrum_cli.api.routes import SECRET_FIELDS
    from spectrum_cli.journal import redacted

    return dict(body) if body and redacted(body, SECRET_FIELDS) == body else None


def _announce(state: State, journal: Journal, intent: Intent, what: str) -> None:
    """Say when the request is another run's, or an earlier run's, sent again (same key)."""
    if intent.busy:
        state.out.message(
            f"Another run is sending this {what} right now: waiting for it, then asking "
            "the server for its outcome with the same idempotency key."
        )
        journal.wait_for_other(intent)
    elif intent.reused:
        state.out.message(
            f"An earlier run did not finish sending this {what}: sending it again with the "
            "same idempotency key, so it happens at most once."
        )


def _deliver(
    state: State,
    client: SpectrumClient,
    journal: Journal,
    intent: Intent,
    what: str,
    send: Callable[[str], T],
    show: Callable[[T, bool], None],
) -> None:
    """Send with the intent's key, show the answer, then clear the intent."""
    from spectrum_cli.client import APIStatusError, RequestInProgressError

    try:
        result = send(intent.idempotency_key)
    except RequestInProgressError as exc:
        raise CliError(
            f"The {what} is still in progress on the server: its outcome is unknown.",
            status=ExitStatus.UNREACHABLE,
            hint=RERUN_IS_SAFE,
        ) from exc
    except APIStatusError as exc:
        if _definite(exc):
            journal.finish(intent)
        raise
    # The answer is shown before the intent is cleared: an interrupt in between leaves
    # it open, and the rerun is told "already done" instead of acting again.
    show(result, client.last_replayed)
    _forget(state, journal, intent)


def _forget(state: State, journal: Journal, intent: Any) -> None:
    """Clear a finished intent. It is done and shown: a journal that cannot be written now
    is a warning (exit 0), and the entry left open only makes a rerun say "already done"."""
    from spectrum_cli.fsutil import PathError
    from spectrum_cli.journal import JournalError

    try:
        journal.finish(intent)
    except (JournalError, PathError) as exc:
        state.out.warn(f"{exc} `spectrum payments pending` may list it until it is cleared.")


def settle(state: State, request: tuple[str, str, Mapping[str, Any] | None]) -> None:
    """Forget an unfinished intent for ``request`` once its outcome is known another way."""
    journal, known = journal_for(state), request_fingerprint(state, request)
    for intent in journal.pending():
        if intent.fingerprint == known:
            journal.finish(intent)


def request_fingerprint(state: State, request: tuple[str, str, Mapping[str, Any] | None]) -> str:
    from spectrum_cli.api.routes import SECRET_FIELDS
    from spectrum_cli.journal import fingerprint, redacted

    method, path, body = request
    return fingerprint(
        {
            "api_url": state.api_url,
            "method": method,
            "path": path,
            "body": redacted(body, SECRET_FIELDS),
        }
    )


def _definite(exc: APIStatusError) -> bool:
    """Whether a refusal means the request was decided (so it did not act and never will).
    401, 408 and 429 were not run (a key still in use is caught before this)."""
    status = exc.status or 0
    return 400 <= status < 500 and status not in (401, 408, 429)


def already_done(state: State, done: str) -> None:
    """How a replayed answer is reported: it happened earlier, not now."""
    state.out.message(f"Already done earlier: {done}")


def say_done(state: State, done: str, *, replayed: bool) -> None:
    """``done`` as the outcome of this run, or of an earlier one when ``replayed``."""
    if replayed:
        already_done(state, done[0].lower() + done[1:])
    else:
        state.out.message(done)
