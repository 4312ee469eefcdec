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
# character), then every other C0 and C1 control but newline and tab, DEL, and the Unicode
# bidirectional controls, which reorder how the rest of the line is shown.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?", re.DOTALL
)
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
# What JSON itself leaves raw of those (it escapes C0 only): escaped, so the value stays exact.
_RAW_IN_JSON = re.compile(f"[\\x7f-\\x9f{_BIDI}]")


def terminal_text(text: str) -> str:
    """``text`` without control characters or escape sequences; newlines and tabs stay."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def json_text(value: Any, indent: int | None = 2) -> str:
    """``value`` as JSON with no character that could act on a terminal left unescaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    """The JSON form of a value: contract models as the API sends them; a list of items is a
    page, ``{"data": [...], "has_more": false}``, as every list the CLI prints is."""
    if isinstance(value, list | tuple):
        return {"data": [_json(v) for v in value], "has_more": False}
    return _json(value)


def _json(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _local_time(value: Any) -> str:
    """A timestamp for people: local time to the minute, with its offset from UTC."""
    local = value.astimezone() if value.tzinfo else value
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def _cell(value: Any) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dt.datetime):
        return _local_time(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


# A column is right-aligned when every cell in it is an amount or a number.
_NUMERIC = re.compile(r"-?\$?[0-9][0-9,]*(\.[0-9]+)?%?")


def _alignment(table: list[list[str]], width: int) -> list[str]:
    return [
        "right"
        if any(row[i] for row in table)
        and all(_NUMERIC.fullmatch(row[i]) for row in table if row[i])
        else "left"
        for i in range(width)
    ]


def table(rows: Sequence[Any], columns: Sequence[Column]) -> str:
    """``columns`` of ``rows`` as a table for people: amounts and numbers right-aligned."""
    from tabulate import tabulate

    headers = [name for name, _ in columns]
    cells = [[_cell(get(row)) for _, get in columns] for row in rows]
    return tabulate(
        cells,
        headers=headers,
        tablefmt="simple",
        disable_numparse=True,
        colalign=_alignment(cells, len(headers)),
    )


def fields(value: Any, columns: Sequence[Column]) -> str:
    """One object for people: a field name and its value per line."""
    from tabulate import tabulate

    pairs = [[name, _cell(get(value))] for name, get in columns]
    return tabulate(pairs, tablefmt="plain", disable_numparse=True)


def _flat(record: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON object as one row: nested objects become dotted names, lists their compact JSON,
    and beside every ``*_cents`` integer its amount in dollars (``amount_cents`` → ``amount``)."""
    if not isinstance(record, dict):
        return {prefix.rstrip(".") or "value": record}
    row: dict[str, Any] = {}
    for key, value in record.items():
        name = prefix + key
        if isinstance(value, dict):
            row.update(_flat(value, name + "."))
        elif isinstance(value, list):
            row[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            row[name] = value
            if key.endswith("_cents") and key[:-6] not in record and _is_money(value):
                row[name[:-6]] = None if value is None else _dollars(value)
    return row


def _is_money(value: Any) -> bool:
    """Integer cents, or none (so the amount column is there in every row, beside them)."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _dollars(cents: int) -> str:
    """Integer cents as a decimal amount in ASCII digits: -1234 → -12.34."""
    from decimal import Decimal

    return str(Decimal(cents).scaleb(-2))


def _datum(value: Any) -> str:
    """One value in csv or text: as in JSON, but strings unquoted and null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _item_fields(value: Any, rows: str | None) -> list[str]:
    """The csv header of a contract page's (or list field's) items, known from its model even
    when the list is empty."""
    field = getattr(type(value), "model_fields", {}).get(rows or "data")
    args = getattr(field.annotation, "__args__", ()) if field is not None else ()
    return _model_columns(args[0]) if len(args) == 1 and _is_model(args[0]) else []


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and hasattr(kind, "model_fields")


def _object_model(annotation: Any) -> Any:
    """The model of a field holding one object (``Model`` or ``Model | None``), else None."""
    import typing

    if typing.get_origin(annotation) in (list, tuple, dict):
        return None
    return next((k for k in (annotation, *typing.get_args(annotation)) if _is_model(k)), None)


def _model_columns(model: Any, prefix: str = "") -> list[str]:
    """The flattened names `_flat` gives an instance of ``model``, in field order."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        inner = _object_model(info.annotation)
        if inner is not None:
            names += _model_columns(inner, f"{prefix}{name}.")
            continue
        names.append(prefix + name)
        if name.endswith("_cents") and name[:-6] not in model.model_fields:
            names.append(prefix + name[:-6])
    return names


def _records(value: Any, rows: str | None) -> list[Any]:
    """The rows of a value in csv and text: the list ``rows`` names, else a page's items, else
    the list itself, else the object as one row."""
    if isinstance(value, dict):
        items = value.get(rows or "data")
        if isinstance(items, list):
            return items
        return [value]
    if isinstance(value, list):
        return value
    return [value]


@dataclass
class Output:
    """Where a command's result goes. A command hands it the value (the contract model, or a
    small result) and at most a way to show it to people; the format, --query, paging, colour
    and "nothing to do" are decided here and nowhere else."""

    format: str
    stdout: TextIO
    stderr: TextIO
    quiet: bool = False
    color: bool = False
    query: str | None = None
    pager: Sequence[str] | None = None  # the pager command for tables on a terminal
    pager_env: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.format != "json":
            self.stdout = TerminalWriter(self.stdout)  # type: ignore[assignment]

    @property
    def for_people(self) -> bool:
        return self.format == "table" and not self.query

    def show(
        self,
        value: Any,
        columns: Sequence[Column] = (),
        *,
        rows: str | None = None,
        render: Callable[[Any], str] | None = None,
    ) -> None:
        """Print ``value``. For people: ``render(value)`` if given, else ``columns`` of a
        list's items (a page's ``data``) or of the object as field/value lines. As data: its
        JSON form (json), or its rows flattened (csv with a header, text without): the list
        named ``rows``, else a page's items, else the object."""
        if self.for_people:
            if render is not None:
                self._page(render(value))
            else:
                self._page(self._human(value, columns))
            return
        self._emit(_plain(value), rows, columns=_item_fields(value, rows))

    def _human(self, value: Any, columns: Sequence[Column]) -> str | None:
        items = value if isinstance(value, list | tuple) else getattr(value, "data", None)
        if isinstance(value, dict):
            items = value.get("data")
        if not isinstance(items, list | tuple):
            return fields(value, columns)
        if not items:
            self.message("Nothing to show.")
            return None
        return table(items, columns)

    def nothing(self, reason: str, **details: Any) -> None:
        """A command that had nothing to do says so: a line on stderr for people; for data, a
        result ``{"result": "nothing_to_do", "reason": ...}``. The exit status stays 0."""
        if self.for_people:
            self.message(reason)
            return
        self._emit({"result": "nothing_to_do", "reason": reason, **_json(details)}, None)

    def event(self, value: Any, text: str) -> None:
        """One item of a stream (a chat reply, a progress step), printed as it comes: ``text``
        for people, one JSON line per item in json, one row in csv and text."""
        if self.for_people:
            self.stdout.write(text + "\n")
        elif self.format == "json" and not self.query:
            self.stdout.write(json_text(_json(value), indent=None) + "\n")
        else:
            self._emit(_json(value), None, header=False)
        self.stdout.flush()

    def _emit(
        self, value: Any, rows: str | None, *, header: bool = True, columns: list[str] = ()
    ) -> None:
        if self.query:
            value = self._queried(value)
            rows = None
        if self.format in ("json", "table"):
            self.stdout.write(json_text(value) + "\n")
        elif self.format == "text" and self.query and not isinstance(value, dict | list):
            self.stdout.write(_datum(value) + "\n")  # a string prints raw, as jq -r does
        else:
            records = [_flat(r) for r in _records(value, rows)]
            self._rows(records, header=header, columns=[] if self.query else columns)

    def _rows(
        self, records: list[dict[str, Any]], *, header: bool, columns: Sequence[str] = ()
    ) -> None:
        # An empty list still has its header in csv, from the model of its items.
        names = list(dict.fromkeys(name for record in records for name in record)) or columns
        cells = [[_datum(record.get(name)) for name in names] for record in records]
        if self.format == "text":
            for line in cells:
                self.stdout.write("\t".join(_one_line(c) for c in line) + "\n")
            return
        import csv

        writer = csv.writer(self.stdout, lineterminator="\n")
        if header and names:
            writer.writerow(names)
        writer.writerows(cells)

    def _page(self, text: str | None) -> None:
        """Text for people, through the pager when there is one (a terminal, not turned off)."""
        if text is None:
            return
        if self.pager:
            import subprocess

            try:
                with subprocess.Popen(
                    list(self.pager), stdin=subprocess.PIPE, env=self.pager_env, text=True
                ) as pager:
                    try:
                        pager.communicate(terminal_text(text) + "\n")
                    except BrokenPipeError:  # the reader quit the pager early
                        pass
                return
            except OSError:
                pass  # no such pager: print it as it is
        self.stdout.write(text + "\n")

    def _queried(self, value: Any) -> Any:
        """--query: a JMESPath expression over the JSON form, as the AWS CLI does."""
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

    def message(self, text: str) -> None:
        if not self.quiet:
            self._tell(terminal_text(text))

    def warn(self, text: str) -> None:
        self._tell(self.style(f"Warning: {terminal_text(text)}", "yellow"))

    def _tell(self, line: str) -> None:
        """A line on stderr. When nothing reads stderr any more the command goes on: what it
        does, and its exit status, do not depend on whether its messages were read."""
        try:
            print(line, file=self.stderr, flush=True)
        except BrokenPipeError:
            discard(self.stderr)

    def style(self, text: str, fg: str) -> str:
        if not self.color:
            return text
        import typer

        return typer.style(text, fg=fg)


def _one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def discard(stream: TextIO) -> None:
    """Point a stream whose reader is gone at /dev/null, so that what is still buffered, and
    the interpreter's last flush at exit, go nowhere instead of failing (exit 120)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):  # not a file: a test's buffer
        pass


def wants_color(stream: TextIO, env: dict[str, str]) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in env
