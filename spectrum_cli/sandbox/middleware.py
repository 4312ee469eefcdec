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
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spectrum_cli.api import routes
from spectrum_cli.api.routes import IDEMPOTENCY_REQUIRED, SECRET_FIELDS, SECRET_RESPONSES
from spectrum_cli.sandbox import clock
from spectrum_cli.sandbox.db import Database
from spectrum_cli.sandbox.errors import APIError, error_response, request_id_var
from spectrum_cli.sandbox.instances import ServerInstance
from spectrum_cli.sandbox.keys import ServerKeys
from spectrum_cli.sandbox.principals import Principal, principal_for_token
from spectrum_cli.sandbox.routing import ReplayProbe, replay_probe
from spectrum_cli.sandbox.store import idempotency
from spectrum_cli.sandbox.store import sandbox as sandbox_store

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith("/v1/sandbox"):
            await self.app(scope, receive, send)
            return
        rule = await anyio.to_thread.run_sync(self._take_rule, scope["method"], path)
        if rule is None:
            await self.app(scope, receive, send)
        elif rule["kind"] == "delay":
            await anyio.sleep(rule["delay_ms"] / 1000)
            await self.app(scope, receive, send)
        elif rule["kind"] in _INJECTED_ANSWERS:
            response = _INJECTED_ANSWERS[rule["kind"]](rule)
            await _send_response(response, scope, receive, send)
        else:
            await self._break_reply(rule["kind"], scope, receive, send)

    def _take_rule(self, method: str, path: str) -> dict[str, Any] | None:
        """The first stored rule of this instance's kinds that matches the request, used up
        by one if it is good for a number of requests."""
        with self.db.read() as conn:
            rules = sandbox_store.numbered_fault_rules(conn)
        for seq, rule in rules:
            matches = rule["method"] in ("*", method) and fnmatch.fnmatchcase(path, rule["path"])
            if rule["kind"] in self.kinds and matches and self._use_once(seq):
                return rule
        return None

    def _use_once(self, seq: int) -> bool:
        """Count one use of a rule; False if another request used it up meanwhile."""
        with self.db.write() as conn:
            return sandbox_store.use_fault_rule(conn, seq=seq)

    async def _break_reply(self, kind: str, scope: Scope, receive: Receive, send: Send) -> None:
        """`drop_after` runs the request and loses its answer, `drop_before` does not run it;
        either way a started response with a body that never comes: a broken reply."""
        if kind == "drop_after":

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        raise ConnectionDropped(f"{kind} fault on {scope['method']} {scope.get('path', '')}")


def _injected_error(rule: dict[str, Any]) -> JSONResponse:
    return error_response(
        rule["status"],
        "api",
        "injected_fault",
        "The service is temporarily unavailable; try again.",
    )


def _injected_rate_limit(rule: dict[str, Any]) -> JSONResponse:
    return error_response(
        429,
        "rate_limit",
        "rate_limited",
        "Too many requests; slow down.",
        headers={"Retry-After": str(rule["retry_after"])},
    )


_INJECTED_ANSWERS = {"error": _injected_error, "rate_limit": _injected_rate_limit}


@dataclass(frozen=True)
class _Keyed:
    """A request under an Idempotency-Key."""

    scope_id: str  # the principal behind the bearer token, or "anonymous"
    key: str
    fingerprint: str
    payer: str | None = None  # the account a payment made by the request would be on


class IdempotencyMiddleware:
    """Idempotency-Key semantics for every unsafe method: the first request with a key runs
    and its answer is kept; the same request again gets that answer; another request with
    the key, or one while the first still runs, is refused (409).

    A key is scoped to the principal behind the bearer token (or to anonymous callers), so one
    user can never replay another's response. Answers that carry new secrets are never kept.
    """

    def __init__(
        self, app: ASGIApp, db: Database, keys: ServerKeys, instance: ServerInstance
    ) -> None:
        self.app, self.db, self.keys, self.instance = app, db, keys, instance
        self._running: set[tuple[str, str]] = set()  # keys this process is running now
        self._running_guard = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _takes_keys(scope):
            await self.app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        refusal = _key_refusal(scope, key)
        if refusal is not None:
            await _send_response(refusal, scope, receive, send)
            return
        if key is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away
        request = await self._keyed(scope, key, body)
        state, record = await anyio.to_thread.run_sync(self._begin, request)
        if state == "new":
            await self._run_and_record(request, scope, _resend(body, receive), send)
        elif state == "replay":
            assert record is not None
            await self._replay(record, scope, _resend(body, receive), send)
        else:
            await _send_response(_REFUSALS[state](), scope, receive, send)

    async def _keyed(self, scope: Scope, key: str, body: bytes) -> _Keyed:
        authorization = _header(scope, b"authorization")
        principal = await anyio.to_thread.run_sync(self._principal, authorization)
        fingerprint = self._fingerprint(scope, body)
        if principal is None:
            return _Keyed("anonymous", key, fingerprint)
        pays = (scope["method"], scope.get("path", "")) == ("POST", routes.PAYMENTS)
        payer = principal.account_id if pays else None
        return _Keyed(f"user:{principal.user_id}", key, fingerprint, payer)

    def _principal(self, authorization: str | None) -> Principal | None:
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        with self.db.read() as conn:
            try:
                return principal_for_token(conn, authorization[7:].strip(), clock.now(conn))
            except APIError:
                return None

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

    def _begin(self, request: _Keyed) -> tuple[str, idempotency.KeyRecord | None]:
        """Take the key ("new"), or say why not: "replay", "reused" or "in_use"."""
        scope_id, key = request.scope_id, request.key
        instance = self.instance.claim()
        with self.db.write() as conn:
            now = clock.now(conn)
            idempotency.forget_expired(
                conn,
                created_before=now - IDEMPOTENCY_TTL,
                started_before=time.time() - IDEMPOTENCY_TTL.total_seconds(),
            )
            record = idempotency.find(conn, scope=scope_id, key=key)
            claim = idempotency.Claim(created_at=now, instance=instance, started_at=time.time())
            if record is None:
                if _paid_by_another_request(conn, request):
                    return "reused", None
                idempotency.start(
                    conn, scope=scope_id, key=key, fingerprint=request.fingerprint, claim=claim
                )
                return self._started(request)
            if record.fingerprint != request.fingerprint:
                return "reused", record
            if record.state == "done":
                return "replay", record
            if not self._abandoned(request, record):
                return "in_use", record
            idempotency.restart(conn, scope=scope_id, key=key, claim=claim)
            return self._started(request)

    def _started(self, request: _Keyed) -> tuple[str, None]:
        with self._running_guard:
            self._running.add((request.scope_id, request.key))
        return "new", None

    def _abandoned(self, request: _Keyed, record: idempotency.KeyRecord) -> bool:
        """Whether no live request runs this key any more: its process died, or (in this
        process) it ended without recording its outcome."""
        if record.instance == self.instance.id:
            with self._running_guard:
                return (request.scope_id, request.key) not in self._running
        alive = self.instance.alive(record.instance)
        if alive is None:
            started = record.started_at or 0.0
            return time.time() - started > ABANDONED_AFTER.total_seconds()
        return not alive

    async def _run_and_record(
        self, request: _Keyed, scope: Scope, receive: Receive, send: Send
    ) -> None:
        answer = _Capture(send)
        running = idempotency.request_fingerprint.set(request.fingerprint)
        try:
            await self.app(scope, receive, answer)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._finish, request, None, [], b"")
            raise
        finally:
            idempotency.request_fingerprint.reset(running)
        body = b"".join(answer.body)
        await anyio.to_thread.run_sync(self._finish, request, answer.status, answer.headers, body)

    def _finish(self, request: _Keyed, status: int | None, headers: list[Any], body: bytes) -> None:
        """Record the outcome. If the store cannot take it (a full disk), the key is released
        rather than left running: the request is over either way."""
        scope_id, key = request.scope_id, request.key
        try:
            self._record(request, status, headers, body)
        except sqlite3.Error:
            log.warning("could not record an idempotent request's outcome", exc_info=True)
            try:
                with self.db.write() as conn:
                    idempotency.release(conn, scope=scope_id, key=key)
            except sqlite3.Error:
                pass  # still 'running' under this process, which no longer runs it: abandoned
        finally:
            with self._running_guard:
                self._running.discard((scope_id, key))

    def _record(self, request: _Keyed, status: int | None, headers: list[Any], body: bytes) -> None:
        with self.db.write() as conn:
            # Keep only answers that reflect the request's outcome; a crash, an auth failure or
            # a rate limit did not run the request, so the same key may try again.
            if status is None or status >= 500 or status in (401, 429):
                idempotency.release(conn, scope=request.scope_id, key=request.key)
                return
            idempotency.finish(
                conn,
                scope=request.scope_id,
                key=request.key,
                status=status,
                headers=_kept_headers(headers),
                body=body,
            )

    async def _replay(
        self, record: idempotency.KeyRecord, scope: Scope, receive: Receive, send: Send
    ) -> None:
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
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.headers]
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": record.status, "headers": headers})
        await send({"type": "http.response.body", "body": record.body})


def _paid_by_another_request(conn: sqlite3.Connection, request: _Keyed) -> bool:
    """Whether a payment made under the key, which remembers the fingerprint of the request
    that made it, was made by a different request: then, even with the key's record lost,
    the key is refused as it would be with it. (A payment made before payments remembered
    fingerprints is left to the payments route, which compares amount and statement.)"""
    if request.payer is None:
        return False
    made_by = idempotency.payment_fingerprint(conn, account_id=request.payer, key=request.key)
    return made_by is not None and made_by != request.fingerprint


class _Capture:
    """A send that passes the response on and keeps its status, headers and body."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status: int | None = None
        self.headers: list[Any] = []
        self.body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.append(message.get("body", b""))
        await self.send(message)


def _takes_keys(scope: Scope) -> bool:
    """Unsafe methods take Idempotency-Keys, except routes whose answers carry new secrets."""
    return (
        scope["type"] == "http"
        and scope["method"] in UNSAFE_METHODS
        and (scope["method"], scope.get("path", "")) not in SECRET_RESPONSES
    )


def _key_refusal(scope: Scope, key: str | None) -> JSONResponse | None:
    """The 400 for a missing key where the route needs one, or for a key of the wrong size."""
    if key is None:
        if (scope["method"], scope.get("path", "")) not in IDEMPOTENCY_REQUIRED:
            return None
        return error_response(
            400,
            "invalid_request",
            "idempotency_key_required",
            "This request moves money and needs an Idempotency-Key header.",
            param="Idempotency-Key",
        )
    if 1 <= len(key) <= 255:
        return None
    return error_response(
        400,
        "invalid_request",
        "invalid_idempotency_key",
        "Idempotency-Key must be 1 to 255 characters.",
        param="Idempotency-Key",
    )


def _key_reused() -> JSONResponse:
    return error_response(
        409,
        "conflict",
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request; use a new key.",
        param="Idempotency-Key",
    )


def _key_in_use() -> JSONResponse:
    return error_response(
        409,
        "conflict",
        "idempotency_key_in_use",
        "An earlier request with this Idempotency-Key is still in progress; send it again shortly.",
        param="Idempotency-Key",
        headers={"Retry-After": "1"},
    )


_REFUSALS = {"reused": _key_reused, "in_use": _key_in_use}


def _kept_headers(headers: list[Any]) -> list[tuple[str, str]]:
    """The headers a replay repeats: not the first answer's request id or length."""
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in headers
        if k.lower() not in (b"x-request-id", b"content-length")
    ]


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
