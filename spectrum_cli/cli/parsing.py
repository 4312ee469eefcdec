"""Parsing what people type: durations (and later amounts and dates). Errors are CliError."""

from __future__ import annotations

import re

from spectrum_cli.cli.errors import CliError

_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(\d+)([wdhms])")


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
