"""Pure ASGI middleware: request ids, fault injection and idempotency keys."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import secrets
import sqlite3
import threading
import time
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spectrum_cli.api.routes import IDEMPOTENCY_REQUIRED, SECRET_FIELDS, SECRET_RESPONSES
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.db import Database
from spectrum_cli.sandbox.errors import APIError, error_response, request_id_var
from spectrum_cli.sandbox.instances import ServerInstance
from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.principals import principal_for_token
from spectrum_cli.sandbox.routing import ReplayProbe, replay_probe

IDEMPOTENCY_TTL = dt.timedelta(hours=48)
# A key is "running" while the server process that took it is alive and still runs it (see
# instances.py); a retry of a key left by a dead process, or by a request whose outcome could
# not be recorded, runs again at once (payments also remember their key, so they cannot pay
# twice). Only where the platform cannot tell whether a process is alive does a key count as
# abandoned after this much real time; the sandbox clock never counts.
ABANDONED_AFTER = dt.timedelta(seconds=60)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

log = logging.getLogger("spectrum_cli.sandbox")


class ConnectionDropped(Exception):
    """Raised after the response has started so the server closes the connection mid-reply."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{secrets.token_hex(8)}"
        request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _send_response(response: Any, scope: Scope, receive: Receive, send: Send) -> None:
    await response(scope, receive, send)


class FaultMiddleware:
    """Misbehaves on requests matching the rules stored by `PUT /v1/sandbox/faults`.

    Two instances run: `delay` sits inside the idempotency layer (a slow handler holds its key),
    the others outside it (a dropped connection loses the reply, not the stored outcome).
    """

    def __init__(self, app: ASGIApp, db: Database, kinds: frozenset[str]) -> None:
        self.app, self.db, self.kinds = app, db, kinds

    def _take_rule(self, method: str, path: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            rows = conn.execute("SELECT seq, rule FROM faults ORDER BY seq").fetchall()
        if not rows:
            return None
        for row in rows:
            rule: dict[str, Any] = json.loads(row["rule"])
            if rule["kind"] not in self.kinds:
                continue
            if rule["method"] in ("*", method) and fnmatch.fnmatchcase(path, rule["path"]):
                with self.db.write() as conn:
                    left = conn.execute(
                        "SELECT remaining FROM faults WHERE seq = ?", (row["seq"],)
                    ).fetchone()
                    if left is None:
                        continue  # another request used it up
                    if left["remaining"] is not None:
                        if left["remaining"] <= 1:
                            conn.execute("DELETE FROM faults WHERE seq = ?", (row["seq"],))
                        else:
                            conn.execute(
                                "UPDATE faults SET remaining = remaining - 1 WHERE seq = ?",
                                (row["seq"],),
                            )
                return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith("/v1/sandbox"):
            await self.app(scope, receive, send)
            return
        rule = await anyio.to_thread.run_sync(self._take_rule, scope["method"], path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        kind = rule["kind"]
        if kind == "delay":
            await anyio.sleep(rule["delay_ms"] / 1000)
            await self.app(scope, receive, send)
        elif kind == "error":
            response = error_response(
                rule["status"],
                "api",
                "injected_fault",
                "The service is temporarily unavailable; try again.",
            )
            await _send_response(response, scope, receive, send)
        elif kind == "rate_limit":
            response = error_response(
                429,
                "rate_limit",
                "rate_limited",
                "Too many requests; slow down.",
                headers={"Retry-After": str(rule["retry_after"])},
            )
            await _send_response(response, scope, receive, send)
        else:
            if kind == "drop_after":

                async def swallow(message: Message) -> None:
                    return None

                await self.app(scope, receive, swallow)
            # A started response with a body that never comes: the peer sees a broken reply.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            raise ConnectionDropped(f"{kind} fault on {scope['method']} {path}")


class IdempotencyMiddleware:
    """Idempotency-Key semantics of DESIGN §3, for every unsafe method.

    A key is scoped to the principal behind the bearer token (or to anonymous callers), so one
    user can never replay another's response. Answers that carry new secrets are never kept.
    """

    def __init__(
        self, app: ASGIApp, db: Database, keys: ServerKeys, instance: ServerInstance
    ) -> None:
        self.app, self.db, self.keys, self.instance = app, db, keys, instance
        self._running: set[tuple[str, str]] = set()  # keys this process is running now
        self._running_guard = threading.Lock()

    def _scope_for(self, authorization: str | None) -> str:
        if not authorization or not authorization.lower().startswith("bearer "):
            return "anonymous"
        with self.db.read() as conn:
            try:
                principal = principal_for_token(conn, authorization[7:].strip(), clock.now(conn))
            except APIError:
                return "anonymous"
        return f"user:{principal.user_id}"

    def _begin(self, scope_id: str, key: str, fingerprint: str) -> tuple[str, sqlite3.Row | None]:
        instance = self.instance.claim()
        with self.db.write() as conn:
            now = clock.now(conn)
            conn.execute(
                "DELETE FROM idempotency_keys WHERE created_at < ? AND "
                "(state = 'done' OR started_at IS NULL OR started_at < ?)",
                (clock.iso(now - IDEMPOTENCY_TTL), time.time() - IDEMPOTENCY_TTL.total_seconds()),
            )
            row = conn.execute(
                "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?", (scope_id, key)
            ).fetchone()
            if row is None:
                conn.execute(
                    """INSERT INTO idempotency_keys
                       (scope, key, fingerprint, state, created_at, instance, started_at)
                       VALUES (?, ?, ?, 'running', ?, ?, ?)""",
                    (scope_id, key, fingerprint, clock.iso(now), instance, time.time()),
                )
                return self._started(scope_id, key)
            if row["fingerprint"] != fingerprint:
                return "reused", row
            if row["state"] == "done":
                return "replay", row
            if not self._abandoned(scope_id, key, row):
                return "in_use", row
            conn.execute(
                """UPDATE idempotency_keys SET created_at = ?, instance = ?, started_at = ?
                   WHERE scope = ? AND key = ?""",
                (clock.iso(now), instance, time.time(), scope_id, key),
            )
            return self._started(scope_id, key)

    def _started(self, scope_id: str, key: str) -> tuple[str, None]:
        with self._running_guard:
            self._running.add((scope_id, key))
        return "new", None

    def _abandoned(self, scope_id: str, key: str, row: sqlite3.Row) -> bool:
        """Whether no live request runs this key any more: its process died, or (in this
        process) it ended without recording its outcome."""
        if row["instance"] == self.instance.id:
            with self._running_guard:
                return (scope_id, key) not in self._running
        alive = self.instance.alive(row["instance"])
        if alive is None:
            started = row["started_at"] or 0.0
            return time.time() - started > ABANDONED_AFTER.total_seconds()
        return not alive

    def _finish(
        self, scope_id: str, key: str, status: int | None, headers: list[Any], body: bytes
    ) -> None:
        """Record the outcome. If the store cannot take it (a full disk), the key is released
        rather than left running: the request is over either way."""
        try:
            self._record(scope_id, key, status, headers, body)
        except sqlite3.Error:
            log.warning("could not record an idempotent request's outcome", exc_info=True)
            try:
                with self.db.write() as conn:
                    conn.execute(
                        "DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", (scope_id, key)
                    )
            except sqlite3.Error:
                pass  # still 'running' under this process, which no longer runs it: abandoned
        finally:
            with self._running_guard:
                self._running.discard((scope_id, key))

    def _record(
        self, scope_id: str, key: str, status: int | None, headers: list[Any], body: bytes
    ) -> None:
        with self.db.write() as conn:
            # Keep only answers that reflect the request's outcome; a crash, an auth failure or
            # a rate limit did not run the request, so the same key may try again.
            if status is None or status >= 500 or status in (401, 429):
                conn.execute(
                    "DELETE FROM idempotency_keys WHERE scope = ? AND key = ?", (scope_id, key)
                )
                return
            kept = [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in headers
                if k.lower() not in (b"x-request-id", b"content-length")
            ]
            conn.execute(
                """UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?
                   WHERE scope = ? AND key = ?""",
                (status, json.dumps(kept), body, scope_id, key),
            )

    def _fingerprint(self, scope: Scope, body: bytes) -> str:
        """A keyed hash of the request with every secret field blanked: the table never holds
        anything computed from a card number, a bank account, a password or a code."""
        parts = [
            scope["method"].encode(),
            scope.get("path", "").encode(),
            scope.get("query_string", b""),
            _without_secrets(body),
        ]
        return self.keys.digest("fingerprint", b"\0".join(parts))

    async def _replay(self, row: sqlite3.Row, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the store only if the request passes the route's checks again now: the
        token may have been revoked, or be another of the user's with fewer scopes."""
        refusal: list[Message] = []

        async def hold(message: Message) -> None:
            refusal.append(message)

        probe = ReplayProbe()
        token = replay_probe.set(probe)
        try:
            await self.app(scope, receive, hold)
        finally:
            replay_probe.reset(token)
        if not probe.reached:
            for message in refusal:
                await send(message)
            return
        headers = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(row["headers"])
        ]
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": row["status"], "headers": headers})
        await send({"type": "http.response.body", "body": row["body"] or b""})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or (scope["method"], scope.get("path", "")) in SECRET_RESPONSES
        ):
            await self.app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        if key is None:
            route = (scope["method"], scope.get("path", ""))
            if route in IDEMPOTENCY_REQUIRED:
                response = error_response(
                    400,
                    "invalid_request",
                    "idempotency_key_required",
                    "This request moves money and needs an Idempotency-Key header.",
                    param="Idempotency-Key",
                )
                await _send_response(response, scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            response = error_response(
                400,
                "invalid_request",
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 characters.",
                param="Idempotency-Key",
            )
            await _send_response(response, scope, receive, send)
            return

        body = await _read_body(receive)
        if body is None:
            return  # the client went away
        fingerprint = self._fingerprint(scope, body)
        scope_id = await anyio.to_thread.run_sync(self._scope_for, _header(scope, b"authorization"))
        state, row = await anyio.to_thread.run_sync(self._begin, scope_id, key, fingerprint)
        if state == "reused":
            response = error_response(
                409,
                "conflict",
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request; use a new key.",
                param="Idempotency-Key",
            )
            await _send_response(response, scope, receive, send)
            return
        if state == "in_use":
            response = error_response(
                409,
                "conflict",
                "idempotency_key_in_use",
                "An earlier request with this Idempotency-Key is still in progress; "
                "send it again shortly.",
                param="Idempotency-Key",
                headers={"Retry-After": "1"},
            )
            await _send_response(response, scope, receive, send)
            return
        if state == "replay":
            assert row is not None
            await self._replay(row, scope, _resend(body, receive), send)
            return

        status: int | None = None
        headers_out: list[Any] = []
        body_out: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers_out
            if message["type"] == "http.response.start":
                status, headers_out = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                body_out.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _resend(body, receive), capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._finish, scope_id, key, None, [], b"")
            raise
        await anyio.to_thread.run_sync(
            self._finish, scope_id, key, status, headers_out, b"".join(body_out)
        )


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _resend(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the live channel."""
    delivered = False

    async def again() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _without_secrets(body: bytes) -> bytes:
    if not body:
        return b""
    try:
        data = json.loads(body)
    except ValueError:
        return b"\0unparseable"  # refused by validation anyway; keep nothing of it
    return json.dumps(_blank_secrets(data), sort_keys=True).encode()


def _blank_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "\0secret" if k in SECRET_FIELDS else _blank_secrets(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_blank_secrets(v) for v in value]
    return value
