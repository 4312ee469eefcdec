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
    InvalidRequestError,
    NotFoundError,
    PaymentError,
    PermissionDeniedError,
    RateLimitError,
    RequestInProgressError,
    SpectrumError,
)

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
    "InvalidRequestError",
    "NotFoundError",
    "PaymentError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestInProgressError",
    "SpectrumClient",
    "SpectrumError",
    "retry_delay",
]
