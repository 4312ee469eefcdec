"""Pure functions: redaction, retry timing, password rules, error classes (hypothesis)."""

from __future__ import annotations

import httpx
from hypothesis import given
from hypothesis import strategies as st

from spectrum_cli.client import _constants as C
from spectrum_cli.client._exceptions import (
    AuthenticationError,
    ConflictError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PaymentError,
    RateLimitError,
    RequestInProgressError,
    status_error_class,
)
from spectrum_cli.client._redact import REDACTED, redact_headers, redact_text
from spectrum_cli.sandbox.security import password_problems

secret_tokens = st.from_regex(r"(sat|srt|spk)_[A-Za-z0-9_\-]{20,43}", fullmatch=True)
card_numbers = st.from_regex(r"[1-9][0-9]{12,18}", fullmatch=True)


@given(token=secret_tokens, prefix=st.text(max_size=30), suffix=st.text(max_size=30))
def test_tokens_never_survive_redaction(token: str, prefix: str, suffix: str) -> None:
    assert token not in redact_text(f"{prefix} {token} {suffix}")


@given(number=card_numbers)
def test_card_and_account_numbers_never_survive_redaction(number: str) -> None:
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    for text in (f"card {number} ok", f'{{"n": "{spaced}"}}'):
        out = redact_text(text)
        assert number not in out.replace(" ", "")


@given(
    value=st.text(alphabet=st.characters(blacklist_characters='"\\'), max_size=40),
    field=st.sampled_from(["password", "new_password", "refresh_token", "code", "number"]),
)
def test_secret_json_fields_are_blanked(value: str, field: str) -> None:
    out = redact_text(f'{{"{field}": "{value}", "username": "harper"}}')
    assert f'"{field}": "{REDACTED}"' in out and '"username": "harper"' in out


def test_authorization_header_is_redacted() -> None:
    out = redact_headers({"Authorization": "Bearer sat_abcdefghijklmnop", "Accept": "json"})
    assert out == {"Authorization": REDACTED, "Accept": "json"}


@given(attempt=st.integers(min_value=0, max_value=30))
def test_backoff_is_capped_and_jittered_down_only(attempt: int) -> None:
    from spectrum_cli.client import retry_delay

    base = min(C.INITIAL_RETRY_DELAY * 2**attempt, C.MAX_RETRY_DELAY)
    assert 0.75 * base <= retry_delay(attempt, None) <= base


@given(seconds=st.integers(min_value=0, max_value=int(C.MAX_RETRY_AFTER)))
def test_retry_after_wins_within_the_cap(seconds: int) -> None:
    from spectrum_cli.client import retry_delay

    response = httpx.Response(429, headers={"Retry-After": str(seconds)})
    assert retry_delay(0, response) == seconds


@given(
    header=st.one_of(
        st.just("86400"),
        st.just("-5"),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzGMT ,:", max_size=40),
    )
)
def test_an_unreasonable_retry_after_falls_back_to_backoff(header: str) -> None:
    from spectrum_cli.client import retry_delay

    try:
        response = httpx.Response(429, headers={"Retry-After": header})
    except (UnicodeEncodeError, ValueError):
        return  # not a header value httpx would ever receive
    delay = retry_delay(0, response)
    if not header.strip().replace(".", "", 1).isdigit() or float(header) > C.MAX_RETRY_AFTER:
        assert delay <= C.INITIAL_RETRY_DELAY


def test_error_code_or_type_picks_the_class_and_status_is_the_fallback() -> None:
    assert status_error_class(400, "invalid_request") is InvalidRequestError
    assert status_error_class(402, "payment") is PaymentError
    assert status_error_class(409, "conflict") is ConflictError
    assert status_error_class(409, "conflict", "idempotency_key_in_use") is RequestInProgressError
    assert status_error_class(401, None) is AuthenticationError
    assert status_error_class(404, None) is NotFoundError
    assert status_error_class(429, None) is RateLimitError
    assert status_error_class(502, None) is InternalServerError


@given(st.text(max_size=30))
def test_password_rules_accept_exactly_the_documented_passwords(password: str) -> None:
    ok = (
        8 <= len(password) <= 20
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
        and not any(c in "/\\'\"" for c in password)
    )
    assert (password_problems(password) == []) == ok


def test_password_rules_name_each_broken_rule() -> None:
    assert password_problems("abc/") == [
        "be 8 to 20 characters long",
        "contain an upper-case letter",
        "contain a digit",
        "not contain a slash or a quote",
    ]
