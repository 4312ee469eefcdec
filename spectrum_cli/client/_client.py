"""`SpectrumClient`: one request loop that owns retries, idempotency keys and token refresh."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from spectrum_cli import __version__
from spectrum_cli.api import routes
from spectrum_cli.client import _constants as C
from spectrum_cli.client._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InsecureConnectionError,
    status_error_class,
)
from spectrum_cli.client._prepared import PreparedRequest, RequestPrepared
from spectrum_cli.client._redact import redact_headers, redact_text
from spectrum_cli.client._urlpath import check_path

if TYPE_CHECKING:
    from spectrum_cli.api.auth import Session
    from spectrum_cli.client.resources.account import AccountResource
    from spectrum_cli.client.resources.auth import AuthResource
    from spectrum_cli.client.resources.autopay import AutopayResource
    from spectrum_cli.client.resources.payments import PaymentMethodsResource, PaymentsResource
    from spectrum_cli.client.resources.profile import ProfileResource
    from spectrum_cli.client.resources.recovery import RecoveryResource
    from spectrum_cli.client.resources.sandbox import SandboxResource
    from spectrum_cli.client.resources.statements import StatementsResource
    from spectrum_cli.client.resources.support import EquipmentResource, SupportResource

log = logging.getLogger("spectrum_cli.client")
M = TypeVar("M", bound=BaseModel)


def retry_delay(attempt: int, response: httpx.Response | None) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based): Retry-After first, else
    capped exponential backoff with up to 25% jitter."""
    if response is not None:
        header = response.headers.get("retry-after-ms")
        seconds: float | None = float(header) / 1000 if header and _is_number(header) else None
        header = response.headers.get("retry-after")
        if seconds is None and header:
            if _is_number(header):
                seconds = float(header)
            else:
                try:
                    seconds = email.utils.parsedate_to_datetime(header).timestamp() - time.time()
                except (TypeError, ValueError):
                    seconds = None
        if seconds is not None and 0 <= seconds <= C.MAX_RETRY_AFTER:
            return float(seconds)
    delay: float = min(C.INITIAL_RETRY_DELAY * 2**attempt, C.MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def should_retry(response: httpx.Response) -> bool:
    if response.status_code in C.RETRY_STATUSES or response.status_code >= 500:
        return True
    return response.status_code == 409 and _error_code(response) == "idempotency_key_in_use"


def _error_fields(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error_code(response: httpx.Response) -> str | None:
    code = _error_fields(response).get("code")
    return code if isinstance(code, str) else None


def _never_sent(exc: httpx.TransportError) -> bool:
    """The connection failed before the request went out, so it cannot have acted."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


def _token_expired(response: httpx.Response) -> bool:
    return response.status_code == 401 and _error_code(response) == "token_expired"


def _replayed(response: httpx.Response) -> bool:
    """Whether the server answered with its stored answer to an idempotency key used before."""
    values = response.headers.get_list(routes.IDEMPOTENT_REPLAYED_HEADER, split_commas=True)
    return "true" in (v.lower() for v in values)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: a host whose traffic never leaves this machine.

    Only the exact name ``localhost`` counts: ``x.localhost`` or ``localhost.`` may be looked
    up in DNS, which can answer with any address."""
    import ipaddress

    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reaches_network(transport: httpx.BaseTransport | None) -> bool:
    """httpx's own transport talks to the network; an in-process one (the embedded sandbox,
    a mock) never leaves the process."""
    return transport is None or isinstance(transport, httpx.HTTPTransport)


class SpectrumClient:
    """A typed client for the Account API.

    >>> with SpectrumClient("http://127.0.0.1:8765") as client:
    ...     client.auth.login("harper", password)
    ...     print(client.account.summary().balance_cents)

    Pass ``token`` for a scoped API token, or ``session`` (from a previous login) to resume;
    ``on_session`` is called with the new session whenever the refresh token rotates, and with
    ``None`` after logout, so the caller can store it. ``transport`` swaps the HTTP transport
    (the CLI uses it to run the sandbox in-process). ``sandbox_key`` is the sandbox admin key
    that ``client.sandbox`` sends (`spectrum sandbox serve` prints it).
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8765",
        *,
        token: str | None = None,
        session: Session | None = None,
        on_session: Callable[[Session | None], None] | None = None,
        shared_session: Callable[[], AbstractContextManager[Session | None]] | None = None,
        timeout: float = C.DEFAULT_TIMEOUT,
        max_retries: int = C.DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        sandbox_key: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.sandbox_key = sandbox_key
        self.session = session
        self.on_session = on_session
        self.shared_session = shared_session
        self.max_retries = max_retries
        # Whether the last successful answer was the server's stored one for an idempotency
        # key used before: the request had acted earlier, not now.
        self.last_replayed = False
        self._preparing = False  # inside `prepare`: build the next request, do not send it
        self._sleep = sleep
        # When the API token in use expires, as the server said on its last answer (an API
        # token only): (expiry, seconds left by the server's clock).
        self.token_expiry: tuple[dt.datetime, int] | None = None
        url = httpx.URL(self.base_url)
        plain_http = url.scheme == "http" and _reaches_network(transport)
        # Credentials may cross plain http only to this machine (see `_refuse_cleartext`).
        self._cleartext_remote = plain_http and not is_loopback(url.host)
        self._http = httpx.Client(
            # A proxy from the environment would carry loopback traffic off the machine.
            trust_env=not (plain_http and is_loopback(url.host)),
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=C.DEFAULT_CONNECT_TIMEOUT),
            transport=transport,
            headers={
                "User-Agent": C.USER_AGENT.format(version=__version__),
                "Accept": "application/json",
            },
        )

    # Resources are imported on first use to keep start-up light.
    @cached_property
    def auth(self) -> AuthResource:
        from spectrum_cli.client.resources.auth import AuthResource

        return AuthResource(self)

    @cached_property
    def recovery(self) -> RecoveryResource:
        from spectrum_cli.client.resources.recovery import RecoveryResource

        return RecoveryResource(self)

    @cached_property
    def account(self) -> AccountResource:
        from spectrum_cli.client.resources.account import AccountResource

        return AccountResource(self)

    @cached_property
    def statements(self) -> StatementsResource:
        from spectrum_cli.client.resources.statements import StatementsResource

        return StatementsResource(self)

    @cached_property
    def payments(self) -> PaymentsResource:
        from spectrum_cli.client.resources.payments import PaymentsResource

        return PaymentsResource(self)

    @cached_property
    def payment_methods(self) -> PaymentMethodsResource:
        from spectrum_cli.client.resources.payments import PaymentMethodsResource

        return PaymentMethodsResource(self)

    @cached_property
    def autopay(self) -> AutopayResource:
        from spectrum_cli.client.resources.autopay import AutopayResource

        return AutopayResource(self)

    @cached_property
    def profile(self) -> ProfileResource:
        from spectrum_cli.client.resources.profile import ProfileResource

        return ProfileResource(self)

    @cached_property
    def support(self) -> SupportResource:
        from spectrum_cli.client.resources.support import SupportResource

        return SupportResource(self)

    @cached_property
    def equipment(self) -> EquipmentResource:
        from spectrum_cli.client.resources.support import EquipmentResource

        return EquipmentResource(self)

    @cached_property
    def sandbox(self) -> SandboxResource:
        from spectrum_cli.client.resources.sandbox import SandboxResource

        return SandboxResource(self)

    # Credentials

    def set_session(self, session: Session | None) -> None:
        self.session = session
        if session is not None:
            self.token = None
        if self.on_session is not None:
            self.on_session(session)

    def _bearer(self) -> str | None:
        if self.session is not None:
            return self.session.access_token
        return self.token

    # The request loop

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send one logical request, retrying what is safe to retry.

        ``path`` must be a path under the base URL (`check_path`: never an absolute URL or a
        ``..`` segment, so credentials go nowhere else). The body is ``json``, or ``content``
        as given. Every non-GET request carries an idempotency key, made once here and reused
        by every retry, so a retried POST can never act twice. Requests whose answer carries
        a new secret are not replayable (the server keeps no copy): they are retried only when
        the connection failed before the request was sent. A password, code or token is never
        sent over plain http:// to another machine (InsecureConnectionError, before any I/O).
        Inside `prepare`, the request is built the same way and raised, not sent.
        """
        check_path(path)
        headers = dict(headers or {})
        replayable = (method, path) not in routes.SECRET_RESPONSES
        if method != "GET" and replayable:
            headers[routes.IDEMPOTENCY_KEY_HEADER] = idempotency_key or str(uuid.uuid4())
        params = {k: v for k, v in (params or {}).items() if v is not None}
        body = {"json": json} if content is None else {"content": content}
        build = partial(self._http.build_request, method, path, params=params, **body)
        if self._preparing:
            raise RequestPrepared(PreparedRequest.of(build(headers=headers)))
        return self._send_retrying(method, path, build, headers, replayable, authenticated)

    def _send_retrying(
        self,
        method: str,
        path: str,
        build: Callable[..., httpx.Request],
        headers: dict[str, str],
        replayable: bool,
        authenticated: bool,
    ) -> httpx.Response:
        refreshed = False
        attempt = 0
        while True:
            bearer = self._bearer() if authenticated else None
            self._refuse_cleartext(method, path, headers, bearer)
            if bearer:
                headers["Authorization"] = f"Bearer {bearer}"
            try:
                response = self._send(build(headers=headers))
            except httpx.TransportError as exc:  # timeouts included
                if attempt < self.max_retries and (replayable or _never_sent(exc)):
                    self._wait(attempt, None, method, path, f"{type(exc).__name__}: {exc}")
                    attempt += 1
                    continue
                raise self._connection_error(exc) from exc
            expired = authenticated and self.session is not None and _token_expired(response)
            if expired and not refreshed:
                self._refresh_shared()
                refreshed = True
                continue
            if response.is_success:
                self.last_replayed = _replayed(response)
                self._note_token_expiry(response)
                return response
            if should_retry(response) and attempt < self.max_retries:
                self._wait(attempt, response, method, path, f"status {response.status_code}")
                attempt += 1
                continue
            raise self._status_error(response)

    def prepare(self, call: Callable[[], object]) -> PreparedRequest:
        """The first request ``call()`` makes through this client, built by the request loop
        exactly as it would be sent (same headers, body bytes and idempotency key) but not
        sent, and without credentials. Requests made before it by others are sent as usual.

        >>> prepared = client.prepare(lambda: client.payments.create(1000, idempotency_key="k"))
        """
        self._preparing = True
        try:
            call()
        except RequestPrepared as stop:
            return stop.prepared
        finally:
            self._preparing = False
        raise RuntimeError("prepare() was given a call that makes no request")

    def _refuse_cleartext(
        self, method: str, path: str, headers: dict[str, str], bearer: str | None
    ) -> None:
        """A password, code, token or sandbox key crosses plain http only to this machine."""
        if self._cleartext_remote and (
            bearer
            or (method, path) in routes.SECRET_REQUESTS
            or routes.SANDBOX_KEY_HEADER in headers
        ):
            raise InsecureConnectionError(httpx.URL(self.base_url).host)

    def _connection_error(self, exc: httpx.TransportError) -> APIConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError()
        return APIConnectionError(
            f"Could not reach the Account API at {self.base_url} ({type(exc).__name__})."
        )

    def _note_token_expiry(self, response: httpx.Response) -> None:
        at = response.headers.get(routes.TOKEN_EXPIRES_AT_HEADER)
        left = response.headers.get(routes.TOKEN_EXPIRES_IN_HEADER)
        if at and left:
            try:
                self.token_expiry = (dt.datetime.fromisoformat(at), int(left))
            except ValueError:
                log.info("ignoring a malformed token expiry: %r, %r", at, left)

    def _refresh_shared(self) -> None:
        """Refresh, unless another process sharing the stored session already has.

        A refresh token works once, so two processes refreshing the same session would look
        like a stolen token and end it. ``shared_session`` (given by the CLI) holds a lock
        around this and returns the session as stored now.
        """
        if self.shared_session is None:
            self.auth.refresh()
            return
        with self.shared_session() as stored:
            current = self.session
            if (
                stored is not None
                and current is not None
                and stored.refresh_token != current.refresh_token
            ):
                self.session = stored  # already rotated by someone else: use theirs
            else:
                self.auth.refresh()

    def _send(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        method, path = request.method, request.url.path
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "→ %s %s headers=%s body=%s",
                method,
                path,
                redact_headers(request.headers.items()),
                redact_text(request.content.decode("utf-8", "replace"))[:2000],
            )
        response = self._http.send(request)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "← %s %s %d in %.0f ms request_id=%s%s body=%s",
                method,
                path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                response.headers.get(routes.REQUEST_ID_HEADER),
                " (replayed)" if response.headers.get(routes.IDEMPOTENT_REPLAYED_HEADER) else "",
                redact_text(_shown_body(response))[:2000],
            )
        return response

    def _wait(
        self, attempt: int, response: httpx.Response | None, method: str, path: str, why: str
    ) -> None:
        delay = retry_delay(attempt, response)
        log.info(
            "retrying %s %s in %.2fs after %s (attempt %d of %d)",
            method,
            path,
            delay,
            why,
            attempt + 2,
            self.max_retries + 1,
        )
        self._sleep(delay)

    @staticmethod
    def _status_error(response: httpx.Response) -> APIStatusError:
        fields = _error_fields(response)
        message = fields.get("message") or f"The Account API answered {response.status_code}."
        cls = status_error_class(response.status_code, fields.get("type"), fields.get("code"))
        return cls(
            str(message),
            response=response,
            type=fields.get("type"),
            code=fields.get("code"),
            param=fields.get("param"),
            request_id=fields.get("request_id") or response.headers.get(routes.REQUEST_ID_HEADER),
        )

    def parse(self, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise APIResponseValidationError(
                f"The Account API sent a reply this client does not understand "
                f"({model.__name__}: {exc.error_count()} problem(s)).",
                status=response.status_code,
                request_id=response.headers.get(routes.REQUEST_ID_HEADER),
            ) from exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpectrumClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shown_body(response: httpx.Response) -> str:
    """An answer's body for the log (redacted whole, then cut): text as it is, other bytes by
    their size."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json") or kind.startswith("text/") or not response.content:
        return response.text
    return f"({len(response.content)} bytes of {kind or 'unknown type'})"
