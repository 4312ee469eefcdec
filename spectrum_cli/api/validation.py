"""Checks shared by the client and the sandbox: ASCII digits, card numbers (Luhn) and ABA
routing numbers."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def is_digits(text: str) -> bool:
    """One or more ASCII digits, nothing else. `str.isdigit`, `int` and a regex's `\\d`
    also take Arabic-Indic, fullwidth and other digits, which would let one card number pass
    for another."""
    return _DIGITS.fullmatch(text) is not None


def luhn_ok(number: str) -> bool:
    if not is_digits(number) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def aba_routing_ok(number: str) -> bool:
    if not is_digits(number) or len(number) != 9:
        return False
    d = [int(c) for c in number]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:4] == "6011" or number[:2] == "65":
        return "discover"
    prefix = int(number[:4]) if len(number) >= 4 and is_digits(number[:4]) else 0
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= prefix <= 2720:
        return "mastercard"
    return "unknown"
