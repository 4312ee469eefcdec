"""The intent journal: money-moving requests whose outcome is not known yet, one file per profile.

Before such a request the CLI records it (operation, fingerprint, idempotency key); a definite
answer clears it. The same request made again while its entry is open reuses the key, so a
rerun after Ctrl-C, `kill -9`, a reboot or a timeout is answered by the server as a replay and
can never act twice. Standard library only: it runs before every money-moving request.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spectrum_cli.fsutil import exclusive_lock, path_error, restrict_to_owner, write_atomic

# What the CLI sends as an Idempotency-Key, and takes from --idempotency-key.
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # 1 to 255 visible ASCII characters
# As long as the server keeps an idempotency key; judged by this machine's real clock.
TTL_SECONDS = 48 * 3600
VERSION = 1


class JournalError(Exception):
    """The journal file cannot be read; the message names it and the fix."""


@dataclass
class Intent:
    operation: str
    fingerprint: str
    idempotency_key: str
    started_at: float
    summary: dict[str, str] = field(default_factory=dict)
    # What the command asked for, before it read anything (`bill pay --balance` on this
    # profile and API): a rerun finds the entry by it even when the amount it would read now
    # has changed, because the first run went through.
    purpose: str = ""
    body: dict[str, Any] | None = None  # the request body, kept only when nothing in it is secret
    owner: str = ""  # the process sending it now (see `_process`)
    reused: bool = False  # this run found the entry open and took its key
    busy: str = ""  # ... while this other live process (its `owner`) was sending it

    def public(self) -> dict[str, Any]:
        """What `payments pending` shows: no fingerprint, nothing secret."""
        import datetime as dt

        started = dt.datetime.fromtimestamp(self.started_at, dt.UTC).isoformat(timespec="seconds")
        return {
            "operation": self.operation,
            "started_at": started,
            "idempotency_key": self.idempotency_key,
            "summary": dict(self.summary),
        }


def fingerprint(request: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``request``, which must already be free of secrets
    (see `redacted`)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def redacted(value: Any, secret_fields: frozenset[str]) -> Any:
    """``value`` with each secret field cut to its last 4 characters.

    A hash of a whole card or bank number would not protect it: the unknown digits of a card
    number are few enough to try them all against an unkeyed hash. The last 4 are what the
    API itself shows ("Visa ending 4242"), and with the other fields they tell two requests
    apart well enough to decide whether a rerun is the same request."""
    if isinstance(value, dict):
        return {
            k: _last4(v) if k in secret_fields else redacted(v, secret_fields)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redacted(v, secret_fields) for v in value]
    return value


def _last4(value: Any) -> str:
    return "" if value is None else "…" + str(value)[-4:]


class Journal:
    """``path`` holds the open intents of one profile; ``clock`` gives real seconds (tests
    replace it)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self.clock = path, clock

    def begin(
        self,
        operation: str,
        request_fingerprint: str,
        summary: Mapping[str, str],
        key: str | None = None,
        *,
        purpose: str = "",
        body: dict[str, Any] | None = None,
    ) -> Intent:
        """Record an intent and return it. An open one with the same fingerprint gives its key
        (unless ``key`` names another); otherwise ``key``, else a new one."""
        me = _process(os.getpid())
        with self._locked() as intents:
            earlier = next((i for i in intents if i.fingerprint == request_fingerprint), None)
            if earlier is not None and key in (None, earlier.idempotency_key):
                earlier.reused = True
                live = earlier.owner not in ("", me) and _running(earlier.owner)
                earlier.busy = earlier.owner if live else ""
                earlier.owner = me
                return earlier
            if earlier is not None:
                intents.remove(earlier)
            intent = Intent(
                operation=operation,
                fingerprint=request_fingerprint,
                idempotency_key=key or str(uuid.uuid4()),
                started_at=self.clock(),
                summary=dict(summary),
                purpose=purpose,
                body=body,
                owner=me,
            )
            intents.append(intent)
            return intent

    def unfinished(self, purpose: str) -> Intent | None:
        """The open intent made for ``purpose`` whose request can be sent again, if any."""
        with self._locked() as intents:
            return next((i for i in intents if purpose and i.purpose == purpose and i.body), None)

    def wait_for_other(self, intent: Intent, *, limit: float = 120.0) -> None:
        """Wait while the live process that was sending ``intent`` (``intent.busy``) runs and
        its entry is open, at most ``limit`` real seconds: its answer is then the server's to
        replay."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and _running(intent.busy):
            with self._locked() as intents:
                if not any(_same(i, intent) for i in intents):
                    return
            time.sleep(0.1)

    def finish(self, intent: Intent) -> None:
        """The request got a definite answer: forget the intent."""
        with self._locked() as intents:
            intents[:] = [i for i in intents if not _same(i, intent)]

    def pending(self) -> list[Intent]:
        """Open intents, oldest first."""
        with self._locked() as intents:
            return list(intents)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[list[Intent]]:
        """The open intents under the journal's lock; saved on the way out if they changed."""
        try:
            with exclusive_lock(self.path.with_name(f".{self.path.name}.lock")):
                restrict_to_owner(self.path.parent)  # others may not plant or read intents
                stored = self._load()
                now = self.clock()
                intents = [i for i in stored if now - i.started_at < TTL_SECONDS]
                before = [asdict(i) for i in intents]
                yield intents
                after = [asdict(i) for i in intents]
                if after != before or len(intents) != len(stored):
                    self._save(intents)
        except OSError as exc:  # the folder or lock file is not usable: a file, a directory...
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise path_error("write the intent journal", self.path, exc) from exc
            raise self._unusable(os.strerror(exc.errno) if exc.errno else str(exc)) from exc

    def _load(self) -> list[Intent]:
        try:
            if not stat.S_ISREG(self.path.stat().st_mode):  # a FIFO would hang the read
                raise self._unusable("it is not a regular file")
            restrict_to_owner(self.path)
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            return _intents(json.loads(raw))
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            why = str(exc) if isinstance(exc, _Unreadable) else "it is not valid JSON"
            raise self._unusable(why) from exc

    def _save(self, intents: list[Intent]) -> None:
        entries = [{k: v for k, v in asdict(i).items() if k not in _RUN_ONLY} for i in intents]
        data = json.dumps({"version": VERSION, "intents": entries}, indent=1)
        write_atomic(self.path, data.encode(), mode=0o600)

    def _unusable(self, why: str) -> JournalError:
        # Setting it aside would forget the keys of unfinished payments and let a rerun pay
        # twice, so money-moving commands stop until a person has looked.
        return JournalError(
            f"The intent journal {self.path} cannot be used ({why}). Check `spectrum payments "
            f"list` for payments it may hold, then move the file aside."
        )


def _same(a: Intent, b: Intent) -> bool:
    return (a.fingerprint, a.idempotency_key) == (b.fingerprint, b.idempotency_key)


_RUN_ONLY = ("reused", "busy")
_LATEST_TIME = 32503680000  # 3000-01-01, within every platform's time_t


class _Unreadable(ValueError):
    """What is wrong with a journal file, in words for its owner."""


def _intents(data: Any) -> list[Intent]:
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        raise _Unreadable("it is not an intent journal")
    if data.get("version") != VERSION:
        raise _Unreadable(f"it has version {data.get('version')!r}; this version reads {VERSION}")
    return [_intent(entry) for entry in data["intents"]]


def _intent(entry: Any) -> Intent:
    if not isinstance(entry, dict):
        raise _Unreadable("an entry is not an object")
    missing = [k for k in _REQUIRED if not isinstance(entry.get(k), _REQUIRED[k])]
    if missing:
        raise _Unreadable(f"an entry has no valid {missing[0]}")
    summary, body = entry.get("summary", {}), entry.get("body")
    if not isinstance(summary, dict) or not (body is None or isinstance(body, dict)):
        raise _Unreadable("an entry's summary or body is not an object")
    if not IDEMPOTENCY_KEY.fullmatch(entry["idempotency_key"]):
        raise _Unreadable("an entry's idempotency key is not 1 to 255 visible ASCII characters")
    started_at = entry["started_at"]
    if not 0 <= started_at <= _LATEST_TIME:  # NaN and infinities included
        raise _Unreadable("an entry has a start time out of range")
    return Intent(
        operation=entry["operation"],
        fingerprint=entry["fingerprint"],
        idempotency_key=entry["idempotency_key"],
        started_at=float(started_at),
        summary={str(k): str(v) for k, v in summary.items()},
        purpose=str(entry.get("purpose", "")),
        body=body,
        owner=str(entry.get("owner", "")),
    )


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "operation": str,
    "fingerprint": str,
    "idempotency_key": str,
    "started_at": (int, float),
}


def _process(pid: int) -> str:
    """``pid`` and its start time ("4242@123456"), so a later process that was given the same
    pid is not taken for it; the pid alone where /proc is not there."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return f"{pid}@{stat.rsplit(')', 1)[1].split()[19]}"
    except (OSError, IndexError):
        return str(pid)


def _running(owner: str) -> bool:
    """Whether the process recorded as ``owner`` still runs (see `_process`)."""
    try:
        pid = int(owner.split("@")[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass  # it runs, as another user
    return _process(pid) == owner or "@" not in owner
