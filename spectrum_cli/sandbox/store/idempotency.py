"""Idempotency keys: one record per (scope, key), running until its outcome is kept."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from spectrum_cli.sandbox import clock

# The fingerprint of the request running under an Idempotency-Key. A row that remembers its
# key in the transaction that makes it (a payment) remembers this beside it.
request_fingerprint: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_fingerprint", default=None
)


@dataclass(frozen=True)
class KeyRecord:
    fingerprint: str
    state: str  # "running" | "done"
    instance: str | None  # the server process running it (instances.py)
    started_at: float | None  # real time, seconds since the epoch
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """Which server process runs a key, and since when."""

    created_at: dt.datetime  # sandbox time: the key's time to live counts from it
    instance: str
    started_at: float  # real time, seconds since the epoch


def _key_record(row: sqlite3.Row) -> KeyRecord:
    return KeyRecord(
        fingerprint=row["fingerprint"],
        state=row["state"],
        instance=row["instance"],
        started_at=row["started_at"],
        status=row["status"],
        headers=[(k, v) for k, v in json.loads(row["headers"] or "[]")],
        body=row["body"] or b"",
    )


def forget_expired(
    conn: sqlite3.Connection, *, created_before: dt.datetime, started_before: float
) -> None:
    """Drop keys older than their time to live: done ones by the sandbox clock, running ones
    only once they also started before ``started_before`` in real time."""
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ? AND "
        "(state = 'done' OR started_at IS NULL OR started_at < ?)",
        (clock.iso(created_before), started_before),
    )


def find(conn: sqlite3.Connection, *, scope: str, key: str) -> KeyRecord | None:
    row = conn.execute(
        "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?", (scope, key)
    ).fetchone()
    return None if row is None else _key_record(row)


def start(
    conn: sqlite3.Connection,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    claim: Claim,
) -> None:
    conn.execute(
        """INSERT INTO idempotency_keys
           (scope, key, fingerprint, state, created_at, instance, started_at)
           VALUES (?, ?, ?, 'running', ?, ?, ?)""",
        (scope, key, fingerprint, clock.iso(claim.created_at), claim.instance, claim.started_at),
    )


def restart(
    conn: sqlite3.Connection,
    *,
    scope: str,
    key: str,
    claim: Claim,
) -> None:
    """Hand an abandoned running key to the request that runs it again."""
    conn.execute(
        """UPDATE idempotency_keys SET created_at = ?, instance = ?, started_at = ?
           WHERE scope = ? AND key = ?""",
        (clock.iso(claim.created_at), claim.instance, claim.started_at, scope, key),
    )


def finish(
    conn: sqlite3.Connection,
    *,
    scope: str,
    key: str,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    conn.execute(
        """UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?
           WHERE scope = ? AND key = ?""",
        (status, json.dumps([list(h) for h in headers]), body, scope, key),
    )


def release(conn: sqlite3.Connection, *, scope: str, key: str) -> None:
    """Forget a key, so the same key may run its request again."""
    conn.execute("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", (scope, key))


def payment_fingerprint(conn: sqlite3.Connection, *, account_id: str, key: str) -> str | None:
    """The fingerprint of the request that made this account's payment under ``key``; None
    if there is no such payment, or it was made before payments remembered one."""
    row = conn.execute(
        "SELECT request_fingerprint FROM payments WHERE account_id = ? AND idempotency_key = ?",
        (account_id, key),
    ).fetchone()
    return None if row is None else row["request_fingerprint"]
