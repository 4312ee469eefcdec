"""Formatting integer cents for people. Standard library only: the CLI loads it at start-up."""


def usd(cents: int) -> str:
    """1234567 → $12,345.67; -5000 → -$50.00."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
