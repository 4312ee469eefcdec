"""The one output sink: data to stdout as table, json or csv; messages to stderr.

Text from the server can carry terminal control sequences (a ticket subject that retitles the
window, a message that rewrites the line above). Everything this sink writes, except JSON,
goes through `terminal_text` first; JSON escapes such characters itself and stays exact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

Column = tuple[str, Callable[[Any], Any]]

# ESC sequences (CSI, OSC and string commands up to their terminator, else ESC and one
# character), then every other C0 and C1 control but newline and tab, and DEL.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?", re.DOTALL
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` without control characters or escape sequences; newlines and tabs stay."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class TerminalWriter:
    """A text stream that strips what `terminal_text` strips from everything written to it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(terminal_text(text))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno...
        return getattr(self.stream, name)


def keyed(*keys: str) -> list[Column]:
    """Columns that read these keys of dict rows."""
    from operator import itemgetter

    return [(key, itemgetter(key)) for key in keys]


def money(cents: int | None) -> str:
    from spectrum_cli.api.money import usd

    return "" if cents is None else usd(cents)


def one_line_address(address: Any) -> str:
    """A postal address on one line: street, unit, city, "STATE ZIP"; empty parts left out."""
    parts = (address.line1, address.line2, address.city, f"{address.state} {address.zip}")
    return ", ".join(p for p in parts if p)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def revoked(sessions: int, tokens: int) -> str:
    """What a password reset or change signed out, in one line."""
    return f"Signed out {count(sessions, 'session')} and revoked {count(tokens, 'API token')}."


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


@dataclass
class Output:
    format: str
    stdout: TextIO
    stderr: TextIO
    quiet: bool = False
    color: bool = False
    query: str | None = None

    def __post_init__(self) -> None:
        # Commands also write human text to `out.stdout` directly; this covers them too.
        if self.format != "json":
            self.stdout = TerminalWriter(self.stdout)  # type: ignore[assignment]

    def data(
        self, value: Any, columns: Sequence[Column], rows: Sequence[Any] | None = None
    ) -> None:
        """Print ``value``: json gives its contract form; table and csv give ``columns`` of
        ``rows`` (default: the value itself as one row)."""
        if self.format == "json":
            json.dump(self._queried(_plain(value)), self.stdout, indent=2, ensure_ascii=False)
            self.stdout.write("\n")
            return
        items = list(rows) if rows is not None else [value]
        headers = [name for name, _ in columns]
        table = [[_cell(get(item)) for _, get in columns] for item in items]
        if self.format == "csv":
            import csv

            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows(table)
            return
        if not table:
            self.message("Nothing to show.")
            return
        from tabulate import tabulate

        self.stdout.write(
            tabulate(table, headers=headers, tablefmt="simple", disable_numparse=True) + "\n"
        )

    def _queried(self, value: Any) -> Any:
        """--query: a JMESPath expression over the JSON form, as the AWS CLI does."""
        if not self.query:
            return value
        import jmespath
        from jmespath.exceptions import JMESPathError

        from spectrum_cli.cli.errors import CliError

        try:
            return jmespath.search(self.query, value)
        except JMESPathError as exc:
            raise CliError(
                f"--query {self.query!r} is not a valid JMESPath expression: "
                f"{str(exc).splitlines()[0]}"
            ) from None

    def record(self, value: Any, fields: Sequence[Column]) -> None:
        """One object: json as is; a table shows field/value lines; csv one row."""
        if self.format == "table":
            from tabulate import tabulate

            pairs = [[name, _cell(get(value))] for name, get in fields]
            self.stdout.write(tabulate(pairs, tablefmt="plain", disable_numparse=True) + "\n")
        else:
            self.data(value, fields)

    def message(self, text: str) -> None:
        if not self.quiet:
            print(terminal_text(text), file=self.stderr)

    def warn(self, text: str) -> None:
        print(self.style(f"Warning: {terminal_text(text)}", "yellow"), file=self.stderr)

    def style(self, text: str, fg: str) -> str:
        if not self.color:
            return text
        import typer

        return typer.style(text, fg=fg)


def wants_color(stream: TextIO, env: dict[str, str]) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in env
