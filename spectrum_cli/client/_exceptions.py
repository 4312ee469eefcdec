"""One exception tree. `status_error_class` is the only place a status, type or code picks a
class."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


class SpectrumError(Exception):
    """Base of everything the client raises."""


class InvalidIdError(SpectrumError, ValueError):
    """An id given for a path is not the shape of its resource's ids; nothing was sent."""

    def __init__(self, what: str, value: object) -> None:
        self.what, self.value = what, value
        if value == "":
            article = "An" if what[0] in "AEIOUaeiou" else "A"
            super().__init__(f"{article} {what} id is needed, not an empty string.")
        else:
            super().__init__(f"Not a valid {what} id: {shown(value)}.")


class InvalidPathError(SpectrumError, ValueError):
    """A path that does not name a resource under the client's base URL; nothing was sent."""

    def __init__(self, path: str, why: str) -> None:
        self.path, self.why = path, why
        super().__init__(f"Not an API path: {shown(path, 60)} ({why}).")


class InsecureConnectionError(SpectrumError):
    """A password or token would have gone over plain http:// to another machine; nothing
    was sent."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"Refusing to send credentials over plain http:// to {shown(host)}: "
            "use an https:// URL."
        )


def shown(value: object, limit: int = 40) -> str:
    """A value for a message: repr-escaped (no control characters) and cut to ``limit``."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    return repr(value)


class APIError(SpectrumError):
    message: str
    request_id: str | None
    status: int | None
    type: str | None
    code: str | None
    param: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.type = message, status, type
        self.code, self.param, self.request_id = code, param, request_id

    def __str__(self) -> str:
        return self.message


class APIConnectionError(APIError):
    """The service could not be reached, or the connection broke before a full reply."""

    def __init__(self, message: str = "Could not reach the Account API.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    def __init__(self, message: str = "The Account API did not answer in time.") -> None:
        super().__init__(message)


class APIResponseValidationError(APIError):
    """The server answered with a body that does not match the contract."""


class APIStatusError(APIError):
    """The server answered with an error status and the error envelope."""

    response: httpx.Response

    def __init__(self, message: str, *, response: httpx.Response, **fields: str | None) -> None:
        super().__init__(message, status=response.status_code, **fields)
        self.response = response


class InvalidRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class RequestInProgressError(ConflictError):
    """An earlier request with the same Idempotency-Key is still running (409
    `idempotency_key_in_use`): the same request sent again shortly gets its answer."""


class PaymentError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


_BY_TYPE: dict[str, type[APIStatusError]] = {
    "invalid_request": InvalidRequestError,
    "authentication": AuthenticationError,
    "permission": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "payment": PaymentError,
    "rate_limit": RateLimitError,
    "api": InternalServerError,
}
_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: PaymentError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: ConflictError,
    422: InvalidRequestError,
    429: RateLimitError,
}


_BY_CODE: dict[str, type[APIStatusError]] = {
    "idempotency_key_in_use": RequestInProgressError,
}


def status_error_class(
    status: int, type: str | None, code: str | None = None
) -> type[APIStatusError]:
    """The envelope's `code` picks a few classes of their own, then `type` wins; a body
    without either falls back to the status."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if type in _BY_TYPE:
        return _BY_TYPE[type]
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)
