"""A horizontal bar chart in Unicode blocks: fits a width, reads fine without colour."""

from __future__ import annotations

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"


def bar(value: float, maximum: float, width: int) -> str:
    if maximum <= 0 or value <= 0:
        return ""
    eighths = round(value / maximum * width * 8)
    return FULL * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def bar_chart(rows: list[tuple[str, float]], *, width: int, unit: str) -> str:
    """One line per (label, value): the label, a bar scaled to the largest value, the value."""
    if not rows:
        return ""
    labels = [label for label, _ in rows]
    values = [f"{value:,.1f} {unit}" for _, value in rows]
    label_width = max(len(label) for label in labels)
    value_width = max(len(v) for v in values)
    bar_width = max(10, width - label_width - value_width - 4)
    top = max(value for _, value in rows)
    lines = []
    for (label, value), shown in zip(rows, values, strict=True):
        lines.append(
            f"{label:<{label_width}}  {bar(value, top, bar_width):<{bar_width}}  "
            f"{shown:>{value_width}}".rstrip()
        )
    return "\n".join(lines) + "\n"
