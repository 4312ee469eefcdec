"""Parsing what people type: durations, amounts, dates, expiry dates and long numbers.
Errors are CliError. Digits are ASCII only (`[0-9]`, never `\\d` or `str.isdigit`)."""

from __future__ import annotations

import datetime as dt
import re

from spectrum_cli.cli.errors import CliError

_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"([0-9]+)([wdhms])")


def parse_duration(text: str) -> int:
    """`30d`, `1d12h`, `90m`, `2w` → seconds."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise CliError(
            f"{text!r} is not a duration: use a number and a unit (w, d, h, m, s), "
            "e.g. 30d or 1d12h."
        )
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds > 10 * 366 * 86400:
        raise CliError(f"{text!r} is longer than ten years.")
    return seconds


_AMOUNT = re.compile(r"^\$?(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?$")
MAX_AMOUNT_CENTS = 10_000_00


def parse_amount(text: str, *, option: str = "--amount") -> int:
    """`12.34`, `$12.34`, `1,234.50` → cents. Zero, negatives, fractions of a cent, NaN and
    words are refused."""
    from decimal import Decimal

    match = _AMOUNT.match(text.strip())
    if match is None:
        raise CliError(
            f"{option} {text!r} is not an amount: write dollars and cents, e.g. "
            "12.34, $12.34 or 1,234.50."
        )
    whole = match.group("whole").replace(",", "")
    cents = int(Decimal(f"{whole}.{match.group('frac') or '0'}") * 100)
    if cents <= 0:
        raise CliError(f"{option} must be more than $0.00.")
    if cents > MAX_AMOUNT_CENTS:
        raise CliError(f"{option} {text!r} is more than the $10,000.00 a payment may be.")
    return cents


def parse_date(text: str, *, option: str) -> dt.date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"{option} {text!r} is not a date: use YYYY-MM-DD, e.g. 2027-01-15."
        ) from None


def parse_expiry(text: str) -> tuple[int, int]:
    """`MM/YY` or `MM/YYYY` → (month, year)."""
    match = re.match(r"^\s*([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})\s*$", text)
    if match is None or not 1 <= int(match.group(1)) <= 12:
        raise CliError(f"--exp {text!r} is not an expiry date: use MM/YY, e.g. 08/29.")
    year = int(match.group(2))
    return int(match.group(1)), year + 2000 if year < 100 else year


def digits_only(text: str, *, what: str) -> str:
    """Drop spaces and dashes people type in long numbers; refuse anything else."""
    from spectrum_cli.api.validation import is_digits

    compact = re.sub(r"[\s-]", "", text)
    if not is_digits(compact):
        raise CliError(f"The {what} must contain only digits (spaces and dashes are fine).")
    return compact


def parse_idempotency_key(text: str) -> str:
    """A key the user chose: 1 to 255 visible ASCII characters. An empty key is an error,
    never a cue to make a fresh one (that would pay again)."""
    if not text.strip():
        raise CliError("--idempotency-key cannot be empty: give a key, or leave the option out.")
    from spectrum_cli.journal import IDEMPOTENCY_KEY

    if not IDEMPOTENCY_KEY.fullmatch(text):
        raise CliError(
            "--idempotency-key must be 1 to 255 visible ASCII characters, without spaces."
        )
    return text
