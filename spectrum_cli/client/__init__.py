"""The typed Python client for the Account API. It never prints and never prompts."""

from spectrum_cli.client._client import SpectrumClient, retry_delay
from spectrum_cli.client._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InsecureConnectionError,
    InternalServerError,
    InvalidIdError,
    InvalidPathError,
    InvalidRequestError,
    NotFoundError,
    PaymentError,
    PermissionDeniedError,
    RateLimitError,
    RequestInProgressError,
    SpectrumError,
)
from spectrum_cli.client._prepared import PreparedRequest
from spectrum_cli.client._urlpath import check_path

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ConflictError",
    "InsecureConnectionError",
    "InternalServerError",
    "InvalidIdError",
    "InvalidPathError",
    "InvalidRequestError",
    "NotFoundError",
    "PaymentError",
    "PermissionDeniedError",
    "PreparedRequest",
    "RateLimitError",
    "RequestInProgressError",
    "SpectrumClient",
    "SpectrumError",
    "check_path",
    "retry_delay",
]
