"""`spectrum usage`: service usage statistics, charted on a terminal."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from enum import Enum
from typing import Annotated, Any

import typer

from spectrum_cli.cli.chart import bar_chart
from spectrum_cli.cli.context import State, get_state
from spectrum_cli.cli.errors import CliError
from spectrum_cli.cli.output import money
from spectrum_cli.cli.parsing import parse_date


class ServiceOption(str, Enum):
    internet = "internet"
    mobile = "mobile"
    voice = "voice"


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"


def period_of(day: dt.date, by: Period) -> str:
    if by is Period.month:
        return day.strftime("%Y-%m")
    if by is Period.week:
        return f"week of {(day - dt.timedelta(days=day.weekday())).isoformat()}"
    return day.isoformat()


WhichServiceOption = Annotated[ServiceOption, typer.Option(help="Which service.")]
DaysOption = Annotated[
    int | None,
    typer.Option(min=1, max=367, help="The N days up to --to [default: 30].", show_default=False),
]
FromOption = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last day (YYYY-MM-DD) [default: today].")
]
ByOption = Annotated[Period, typer.Option(help="Add up by day, week or month.")]
ChartOption = Annotated[
    bool | None,
    typer.Option(
        "--chart/--no-chart",
        help="Draw a bar chart above the table [default: on a terminal].",
        show_default=False,
    ),
]


def usage(
    ctx: typer.Context,
    service: WhichServiceOption = ServiceOption.internet,
    days: DaysOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    by: ByOption = Period.day,
    chart: ChartOption = None,
) -> None:
    """Usage statistics: internet data, mobile data per line (with the by-the-gig charge so
    far this cycle), voice minutes. -o json gives the raw daily series; -o csv and -o text
    one row per day (and line)."""
    state = get_state(ctx)
    start, end = _date_range(from_, to, days)
    report = state.client().account.usage(
        service.value, start=start, end=end, days=30 if days is None else days
    )
    drawn = chart if chart is not None else state.stdout.isatty()
    unit = "min" if service is ServiceOption.voice else "GB"
    state.out.show(report, rows="days", render=lambda r: _usage_text(state, r, by, unit, drawn))


def _usage_text(state: State, report: Any, by: Period, unit: str, drawn: bool) -> str:
    """The table of usage per period (and line), under a bar chart of it when ``drawn``."""
    from spectrum_cli.cli.output import table

    tenths = _tenths(report.days, by, unit)
    totals: dict[str, int] = defaultdict(int)
    for (period, _), value in tenths.items():
        totals[period] += value
    rows, columns = _table(tenths, totals, unit)
    text = table(rows, columns) if rows else "No usage in these days."
    if drawn and rows:
        width = shutil.get_terminal_size((80, 24)).columns
        bars = [(period, value / 10) for period, value in totals.items()]
        text = bar_chart(bars, width=width, unit=unit) + "\n" + text
    if report.estimated_charge_cents is not None:
        state.out.message(
            f"By-the-gig charge so far this cycle: {money(report.estimated_charge_cents)} "
            "($20 for a line's first GB, $5 for each further GB begun)."
        )
    return text


def _date_range(
    from_: str | None, to: str | None, days: int | None
) -> tuple[dt.date | None, dt.date | None]:
    end = parse_date(to, option="--to") if to else None
    start = parse_date(from_, option="--from") if from_ else None
    if start is not None and end is not None and start > end:
        raise CliError("--from must be on or before --to.")
    if start is not None and days is not None:
        raise CliError("Give --days or --from, not both: --days counts back from --to (or today).")
    return start, end


def _tenths(points: list[Any], by: Period, unit: str) -> dict[tuple[str, str], int]:
    """Each (period, line)'s usage in tenths of ``unit``.

    The table shows each figure to a tenth, and the chart adds up those same tenths, so a
    period's bar is the sum of its lines as printed."""
    exact: dict[tuple[str, str], float] = defaultdict(float)
    for point in points:
        value = point.voice_minutes if unit == "min" else (point.data_mb or 0) / 1024
        exact[(period_of(point.date, by), point.line_id or "")] += value or 0
    return {key: round(value * 10) for key, value in exact.items()}


def _table(
    tenths: dict[tuple[str, str], int], totals: dict[str, int], unit: str
) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    """Rows per period and line when the service has lines, else per period."""
    figure = (unit, lambda r: f"{r[unit]:,.1f}")
    if any(line for _, line in tenths):
        rows = [{"period": p, "line": line, unit: v / 10} for (p, line), v in tenths.items()]
        return rows, [("period", lambda r: r["period"]), ("line", lambda r: r["line"]), figure]
    rows = [{"period": p, unit: v / 10} for p, v in totals.items()]
    return rows, [("period", lambda r: r["period"]), figure]
