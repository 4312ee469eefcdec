"""The output rules, checked across every command: no command writes to stdout or looks at the
format itself (read from the source); every read command's json, csv, text and --query forms;
`bill list` as CSV loaded by Python and by sqlite3; global options after the command; paging."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    HANG_GUARD,
    REPO,
    SPECTRUM,
    require_tool,
    sandbox_home,
    spectrum,
    start_spectrum,
)

CLI = REPO / "spectrum_cli" / "cli"
HARPER = ["login", "--username", "harper", "--password-stdin", "--store", "file"]
PASSWORD = "Sandbox-Harper1\n"


# The source rule: output.py is the one module that writes to stdout and knows the format.
# Outside it, only these places touch stdout, each for a reason of its own.
ALLOWED = {
    ("context.py", "State"): "where a run's stdout is picked up, to be handed to the sink",
    ("_typer.py", "SpectrumGroup.invoke"): "a closed pipe: stdout is pointed at /dev/null",
    ("_typer.py", "_stdout_closed"): "whether a broken pipe is stdout's (its reader is gone)",
    ("entry.py", "main"): "`--version` answers before anything else is loaded",
    ("main.py", "_version"): "`--version` is eager: it answers before a run's state exists",
}
ECHOES = frozenset({"echo", "secho"})


def _to_stderr(node: ast.expr | None) -> bool:
    """Whether a `file=` argument names standard error (sys.stderr, state.stderr, stderr)."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return "stderr" in name


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _names_stdout(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "stdout") or (
        isinstance(node, ast.Name) and node.id == "stdout"
    )


def _write_call(node: ast.Call) -> str | None:
    """print() or echo() that goes to stdout, by what it is called."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name == "print" and isinstance(func, ast.Name) and not _to_stderr(_keyword(node, "file")):
        return "print() to stdout"
    if name in ECHOES and (isinstance(func, ast.Name) or _module_is(func, ("typer", "click"))):
        err = _keyword(node, "err")
        if not (isinstance(err, ast.Constant) and err.value is True) and not _to_stderr(
            _keyword(node, "file")
        ):
            return f"{name}() to stdout"
    if name in ("data", "record") and isinstance(func, ast.Attribute) and _is_out(func.value):
        return f"out.{name}()"
    return None


def _module_is(func: ast.expr, names: tuple[str, ...]) -> bool:
    return isinstance(func, ast.Attribute) and getattr(func.value, "id", None) in names


def _is_out(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "out") or (
        isinstance(node, ast.Name) and node.id == "out"
    )


def _format_check(node: ast.expr) -> bool:
    """An operand that is the output format: `x.format`, `x.output_flag`, `OutputFormat.json`."""
    return isinstance(node, ast.Attribute) and (
        node.attr in ("format", "output_flag") or getattr(node.value, "id", "") == "OutputFormat"
    )


def _finding(node: ast.AST) -> str | None:
    """What a node does against the rule, if anything."""
    if isinstance(node, ast.Call):
        return _write_call(node)
    if isinstance(node, ast.Attribute):
        if node.attr == "write" and _names_stdout(node.value):
            return ".stdout.write"
        if node.attr in ("stdout", "__stdout__") and getattr(node.value, "id", "") == "sys":
            return f"sys.{node.attr}"
        if node.attr == "for_people":
            return ".for_people"
    if (
        isinstance(node, ast.ImportFrom)
        and node.module == "sys"
        and any(a.name in ("stdout", "__stdout__") for a in node.names)
    ):
        return "from sys import stdout"
    if isinstance(node, ast.Compare) and any(map(_format_check, [node.left, *node.comparators])):
        return "a check of the output format"
    if isinstance(node, ast.Match) and _format_check(node.subject):
        return "a match on the output format"
    return None


def stdout_findings(tree: ast.AST, scope: str = "") -> Iterator[tuple[str, str, int]]:
    """(enclosing function or class, what, line) of every write to stdout and every check of
    the output format under ``tree``."""
    for child in ast.iter_child_nodes(tree):
        found = _finding(child)
        if found:
            yield scope, found, child.lineno  # type: ignore[attr-defined]
        inner = scope
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = f"{scope}.{child.name}" if scope else child.name
        yield from stdout_findings(child, inner)


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.name}:{line} {what} (in {scope or 'the module'})"
        for scope, what, line in stdout_findings(tree)
        if (path.name, scope) not in ALLOWED
    ]


def _cli_modules() -> list[str]:
    return sorted(p.relative_to(CLI).as_posix() for p in CLI.rglob("*.py") if p.name != "output.py")


@pytest.mark.parametrize("module", _cli_modules())
def test_no_command_writes_to_stdout_or_checks_the_format(module: str) -> None:
    """Commands hand the sink a value; only output.py prints it and knows the format."""
    assert violations(CLI / module) == []


def test_the_stdout_check_sees_every_spelling(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sys\n"
        "from sys import stdout\n"
        "def show(state, out):\n"
        "    state.out.stdout.write('x')\n"
        "    write = out.stdout.write\n"
        "    sys.stdout.flush()\n"
        "    print('x')\n"
        "    print('x', file=state.stdout)\n"
        "    typer.echo('x')\n"
        "    click.secho('x', err=False)\n"
        "    if state.out.format == 'json': pass\n"
        "    if out.format in ('csv', 'text'): pass\n"
        "    if output is not OutputFormat.table: pass\n"
        "    if state.out.for_people: pass\n"
        "    state.out.data(x, [])\n"
        "    out.record(x, [])\n"
        "    match out.format:\n"
        "        case 'json': pass\n"
        "def fine(state, exc):\n"
        "    print('x', file=sys.stderr)\n"
        "    print('x', file=state.stderr)\n"
        "    typer.echo('x', err=True)\n"
        "    state.out.show(x, [])\n"
        "    state.out.message('x')\n"
        "    routes.PATH.format(id=1)\n"
        "    state.stdout.isatty()\n"
    )
    found = [line.split(" (")[0] for line in violations(sample)]
    assert found == [
        "sample.py:2 from sys import stdout",
        "sample.py:4 .stdout.write",
        "sample.py:5 .stdout.write",
        "sample.py:6 sys.stdout",
        "sample.py:7 print() to stdout",
        "sample.py:8 print() to stdout",
        "sample.py:9 echo() to stdout",
        "sample.py:10 secho() to stdout",
        "sample.py:11 a check of the output format",
        "sample.py:12 a check of the output format",
        "sample.py:13 a check of the output format",
        "sample.py:14 .for_people",
        "sample.py:15 out.data()",
        "sample.py:16 out.record()",
        "sample.py:17 a match on the output format",
    ]
    assert violations(sample)[3].endswith("(in show)")


# The command tree


def _root() -> Any:
    import typer

    from spectrum_cli.cli.main import app

    return typer.main.get_command(app)


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _leaves(sub, (*path, name))


GLOBAL_FLAGS = frozenset(
    {"-o", "--output", "--query", "-q", "--quiet", "-p", "--profile", "-v", "--verbose"}
    | {"--api-url", "--no-input", "--no-pager"}
)


def test_only_the_root_takes_the_global_options() -> None:
    """A command of its own `-o` would shadow the global one: there is one, anywhere."""
    own = {
        name: sorted(GLOBAL_FLAGS.intersection(flag for p in cmd.params for flag in p.opts))
        for name, cmd in _leaves(_root())
    }
    assert {name: flags for name, flags in own.items() if flags} == {}


# Every read command against the embedded sandbox as harper. A command named `list` or `show`
# must have a case here: "{payment_id}" and the like are ids the setup finds.
READS: dict[str, list[str]] = {
    "account show": [],
    "auth status": [],
    "auth token list": [],
    "autopay show": [],
    "bill explain": [],
    "bill list": [],
    "bill show": [],
    "bill show ID": ["{statement_id}"],
    "config list": [],
    "doctor": [],
    "equipment list": [],
    "outages": [],
    "payment-methods list": [],
    "payments list": [],
    "payments pending": [],
    "payments show": ["{payment_id}"],
    "profile show": [],
    "sandbox clock show": [],
    "sandbox faults list": [],
    "sandbox outbox": [],
    "sandbox personas": [],
    "support faq": ["internet"],
    "support ticket list": [],
    "support ticket show": ["{ticket_id}"],
    "usage": [],
}
# Fields whose values change from one run to the next: their form is checked, not their value.
VOLATILE = {
    "doctor": {"detail"},  # "answered in 12 ms", the time now
    "sandbox clock show": {"now"},
}
# Lists the setup leaves empty, each with its reason.
MAY_BE_EMPTY = {
    "payments pending": "only a payment whose outcome is unknown stays pending",
}
# Read commands this test cannot run, each with its reason.
NOT_RUN: dict[str, str] = {
    "support chat": "a conversation on a terminal; its lines are streamed events",
}
READ_NAMES = ("list", "show")


def _command(case: str) -> list[str]:
    return case.removesuffix(" ID").split()


def test_every_list_and_show_command_has_a_case() -> None:
    commands = {name for name, _ in _leaves(_root())}
    reads = {name for name in commands if name.split()[-1] in READ_NAMES}
    cases = {" ".join(_command(case)) for case in READS}
    assert reads - cases - set(NOT_RUN) == set(), "a read command without a case"
    assert (cases | set(NOT_RUN)) - commands == set(), "a case for no command"


def run(env: dict[str, str], *args: str, input: str | None = None) -> str:
    """`spectrum ARGS` in-process; its stdout, once it exited 0."""
    result = spectrum(list(args), env, input=input, in_process=True)
    assert result.returncode == 0, f"spectrum {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def harper(
    tmp_path_factory: pytest.TempPathFactory, template_store: Path
) -> tuple[dict[str, str], dict[str, str]]:
    """Harper signed in to the built-in sandbox, with something in every list; and the ids
    the cases need."""
    home = tmp_path_factory.mktemp("harper")
    env = sandbox_home(home, template_store)
    run(env, *HARPER, input=PASSWORD)
    run(env, "config", "set", "username", "harper")
    token = _json(env, "auth", "token", "create", "--name", "ci", "--scope", "billing:read")
    run(env, "sandbox", "faults", "add", "--path", "/v1/nowhere", "--kind", "delay")
    run(env, "recover", "username", "--email", "harper@example.com")
    run(env, "sandbox", "outage", "--zip", "43215", "--service", "internet")
    (home / "body.txt").write_text("The modem blinks orange.\n")
    ticket = [
        "--subject",
        "Modem",
        "--category",
        "technical",
        "--body-file",
        str(home / "body.txt"),
    ]
    run(env, "support", "ticket", "create", *ticket)
    ids = {
        "statement_id": _json(env, "bill", "list")["data"][-1]["id"],
        "payment_id": _json(env, "payments", "list")["data"][0]["id"],
        "ticket_id": _json(env, "support", "ticket", "list")["data"][0]["id"],
        "token": token["token"],
    }
    return env, ids


def _json(env: dict[str, str], *args: str) -> Any:
    return json.loads(run(env, "-o", "json", *args))


def _args(case: str, ids: dict[str, str]) -> list[str]:
    return _command(case) + [a.format(**ids) for a in READS[case]]


SNAKE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIMESTAMP = re.compile(
    DATE.pattern + r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _datum(value: Any) -> str:
    """A JSON value as a csv cell: strings as they are, null empty, lists as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def flatten(record: Any, prefix: str = "") -> dict[str, Any]:
    """An API object as a row: nested objects under dotted names."""
    if not isinstance(record, dict):
        return {prefix.rstrip(".") or "value": record}
    row: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            row.update(flatten(value, f"{prefix}{key}."))
        else:
            row[prefix + key] = value
    return row


def _candidates(value: Any) -> Iterator[list[Any]]:
    """The lists of rows csv may show for a JSON value: a list of it, else the object."""
    if isinstance(value, dict):
        yield from (v for v in value.values() if isinstance(v, list) and v)
    yield [value]


def _check_cell(name: str, cell: str, value: Any, row: dict[str, Any], volatile: bool) -> None:
    """One csv cell against the JSON value it stands for (its form only when ``volatile``)."""
    if volatile:
        pass
    elif name.endswith("_cents") and value is not None:
        assert re.fullmatch(r"-?[0-9]+", cell) and int(cell) == value, (name, cell)
    elif name + "_cents" in row and name not in row:  # the decimal amount beside cents
        cents = row[name + "_cents"]
        assert cell == "" if cents is None else Decimal(cell) * 100 == cents, (name, cell)
        assert cents is None or re.fullmatch(r"-?[0-9]+\.[0-9]{2}", cell), (name, cell)
    else:
        assert cell == _datum(value), (name, cell, value)
    if DATE.match(cell) and not isinstance(value, list):
        assert DATE.fullmatch(cell) or TIMESTAMP.fullmatch(cell), (name, cell)
    if name.endswith("_at") and cell:
        assert TIMESTAMP.fullmatch(cell), f"{name}={cell} is not RFC 3339 with an offset"


def check_csv(text: str, value: Any, volatile: set[str]) -> None:
    """``text`` is the csv form of the JSON ``value``: snake_case headers that are the API's
    field names, one row per item, every cell the JSON value (but ``volatile`` fields')."""
    header, *rows = list(csv.reader(io.StringIO(text))) or [[]]
    if not header:
        assert not rows and value.get("data") == [], text  # an empty page: nothing at all
        return
    assert all(SNAKE.fullmatch(name) for name in header), header
    for items in _candidates(value):
        flat = [flatten(item) for item in items]
        names = {n for row in flat for n in row}
        names |= {
            n[:-6]
            for row in flat
            for n, v in row.items()
            if n.endswith("_cents") and (v is None or _is_int(v))
        }
        if set(header) == names and len(rows) == len(flat):
            break
    else:
        pytest.fail(f"csv columns {header} are no JSON list's or object's fields")
    for cells, record in zip(rows, flat, strict=True):
        assert len(cells) == len(header)
        for name, cell in zip(header, cells, strict=True):
            _check_cell(name, cell, record.get(name), record, name in volatile)


def check_text(text: str, csv_text: str, volatile: set[str]) -> None:
    """Text is the csv rows without a header, tab-separated, one line each (``volatile``
    fields only counted)."""
    header, *rows = list(csv.reader(io.StringIO(csv_text))) or [[]]
    keep = [i for i, name in enumerate(header) if name not in volatile]
    lines = text.split("\n")
    assert lines.pop() == ""  # every line ends with a newline
    fields = [line.split("\t") for line in lines]
    assert [len(f) for f in fields] == [len(header)] * len(rows)
    one_line = [[re.sub(r"[\t\r\n]", " ", row[i]) for i in keep] for row in rows]
    assert [[f[i] for i in keep] for f in fields] == one_line


def _string_leaf(value: Any, skip: set[str], path: str = "") -> tuple[str, str] | None:
    """A JMESPath expression of the first string in ``value`` (not under a key in ``skip``),
    and the string."""
    if isinstance(value, str) and value:
        return path, value
    if isinstance(value, dict):
        keep = {k: v for k, v in value.items() if k not in skip}
        pairs = [(f'{path}."{k}"' if path else f'"{k}"', v) for k, v in keep.items()]
    elif isinstance(value, list):
        pairs = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    return next((found for p, v in pairs if (found := _string_leaf(v, skip, p))), None)


def _as_string(value: dict[str, Any], skip: set[str]) -> tuple[str, str]:
    """With no string to find: one of the object's numbers or booleans, made a string."""
    key = next(k for k, v in value.items() if isinstance(v, int) and k not in skip)
    return f'to_string("{key}")', json.dumps(value[key])


@pytest.mark.parametrize("case", sorted(READS))
def test_every_read_command_in_every_data_format(
    case: str, harper: tuple[dict[str, str], dict[str, str]]
) -> None:
    env, ids = harper
    args = _args(case, ids)
    value = json.loads(run(env, "-o", "json", *args))
    assert isinstance(value, dict), "lists are pages, never a bare array"
    if "data" in value or args[-1] == "list":
        assert set(value) == {"data", "has_more"}, set(value)
        assert isinstance(value["data"], list) and isinstance(value["has_more"], bool)
        assert value["data"] or case in MAY_BE_EMPTY, "the setup left nothing to show"
    volatile = VOLATILE.get(case, set())
    as_csv = run(env, "-o", "csv", *args)
    check_csv(as_csv, value, volatile)
    check_text(run(env, "-o", "text", *args), as_csv, volatile)
    query, string = _string_leaf(value, volatile) or _as_string(value, volatile)
    assert run(env, "-o", "text", "--query", query, *args) == string + "\n"  # raw, as jq -r


# CSV round trip


def _sqlite_rows(csv_file: Path) -> list[dict[str, str]]:
    """The rows sqlite3's own `.import` makes of a csv file, as sqlite3 prints them in JSON."""
    sqlite = require_tool("sqlite3")
    script = f".import --csv '{csv_file}' bills\n.mode json\nSELECT * FROM bills;\n"
    done = subprocess.run(
        [sqlite, "-batch", "-bail", ":memory:"],
        input=script,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return json.loads(done.stdout)


def _same_row(loaded: dict[str, str], item: dict[str, Any]) -> None:
    """A csv row as loaded (every value text) is the JSON item, field by field."""
    flat = flatten(item)
    amounts = {name[:-6] for name in flat if name.endswith("_cents")}
    assert set(flat) <= set(loaded) <= set(flat) | amounts
    for name, value in flat.items():
        if name.endswith("_cents") and value is not None:
            assert int(loaded[name]) == value and Decimal(loaded[name[:-6]]) * 100 == value
        elif isinstance(value, int) and not isinstance(value, bool):
            assert int(loaded[name]) == value
        else:
            assert loaded[name] == _datum(value), name


def test_bill_list_as_csv_loads_into_python_and_sqlite_as_the_json_rows(
    harper: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    env, _ = harper
    items = _json(env, "bill", "list")["data"]
    text = run(env, "-o", "csv", "bill", "list")
    csv_file = tmp_path / "bills.csv"
    csv_file.write_text(text, encoding="utf-8")
    by_python = list(csv.DictReader(io.StringIO(text)))
    by_sqlite = _sqlite_rows(csv_file)
    assert len(items) > 1 and len(by_python) == len(by_sqlite) == len(items)
    for python_row, sqlite_row, item in zip(by_python, by_sqlite, items, strict=True):
        _same_row(python_row, item)
        _same_row(sqlite_row, item)


# Global options after the command, as `spectrum` is run (a process: its entry point sees the
# whole command line).


def _after(args: list[str], **extra: str) -> Callable[[dict[str, str]], Any]:
    def invoke(env: dict[str, str]) -> Any:
        return spectrum(["bill", "list", *args], {**env, **extra})

    return invoke


def _first_id(env: dict[str, str]) -> str:
    return str(_json(env, "bill", "list")["data"][0]["id"])


AFTER = {
    "-o": (_after(["-o", "json"]), lambda r, env: json.loads(r.stdout)["data"][0]["id"]),
    "--query": (
        _after(["--query", "data[0].id"]),
        lambda r, env: r.stdout == json.dumps(_first_id(env)) + "\n",
    ),
    "-q": (_after(["-q", "-o", "json"]), lambda r, env: r.returncode == 0 and r.stderr == ""),
    "-v": (_after(["-v"]), lambda r, env: "spectrum_cli.client: → GET /v1/" in r.stderr),
    # harper is signed in on the default profile only
    "-p": (
        _after(["-p", "elsewhere"]),
        lambda r, env: r.returncode == 3 and "Not signed in" in r.stderr,
    ),
    "--api-url": (
        _after(["--api-url", "sandbox"], SPECTRUM_API_URL="http://127.0.0.1:9"),
        lambda r, env: r.returncode == 0,
    ),
}


@pytest.mark.parametrize("option", list(AFTER))
def test_a_global_option_after_the_command(
    option: str, harper: tuple[dict[str, str], dict[str, str]]
) -> None:
    env, _ = harper
    invoke, holds = AFTER[option]
    result = invoke(env)
    assert holds(result, env), f"{option} after the command: {result.stderr}"


def test_no_input_after_the_command_refuses_to_ask_on_a_terminal(
    harper: tuple[dict[str, str], dict[str, str]],
) -> None:
    """With a terminal on stdin the command would ask; --no-input makes it name --yes."""
    env, _ = harper
    controller, terminal = os.openpty()
    os.write(controller, b"n\n")  # typed ahead: were it asked anyway, the answer is no (exit 0)
    try:
        process = start_spectrum(["sandbox", "reset", "--no-input"], env, stdin=terminal)
        os.close(terminal)
        _, err = process.communicate(timeout=HANG_GUARD)
    finally:
        os.close(controller)
    assert process.returncode == 2 and "--yes" in err, err


# Paging: tables go through the pager on a terminal only, and never with a secret in its
# environment.

RECORDER = """#!/bin/sh
env > "$(dirname "$0")/pager-env.txt"
cat > "$(dirname "$0")/paged.txt"
"""


@pytest.fixture
def paging(
    harper: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> tuple[dict[str, str], Path]:
    """harper's environment with an API token in SPECTRUM_TOKEN and a pager that records what
    it is given and its environment beside itself."""
    env, ids = harper
    recorder = tmp_path / "pager" / "record.sh"
    recorder.parent.mkdir()
    recorder.write_text(RECORDER)
    import shlex

    pager = f"sh {shlex.quote(str(recorder))}"
    return {**env, "SPECTRUM_TOKEN": ids["token"], "SPECTRUM_PAGER": pager}, recorder.parent


def on_a_terminal(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    """`spectrum ARGS` with stdout on a pseudo-terminal: its status, what the terminal showed,
    and its stderr. Reads until every writer has closed the terminal, then waits for it."""
    import pty

    controller, terminal = pty.openpty()
    with open(tmp_path / "stderr.txt", "w+") as err:
        try:
            process = start_spectrum(args, env, stdout=terminal, stderr=err)
        finally:
            os.close(terminal)
        shown = _drain(controller)
        process.wait(HANG_GUARD)
        err.seek(0)
        return process.returncode, shown.replace("\r\n", "\n"), err.read()


def _drain(controller: int) -> str:
    chunks = []
    try:
        while chunk := os.read(controller, 65536):
            chunks.append(chunk)
    except OSError:  # EIO: the last writer closed the terminal
        pass
    finally:
        os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_table_on_a_terminal_goes_through_the_pager_without_secrets(
    paging: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, recorded = paging
    status, shown, err = on_a_terminal(["bill", "list"], env, tmp_path)
    assert status == 0, err
    first = _first_id(env)
    assert first in (recorded / "paged.txt").read_text() and first not in shown
    pager_env = (recorded / "pager-env.txt").read_text()
    assert "SPECTRUM_TOKEN" not in pager_env and env["SPECTRUM_TOKEN"] not in pager_env


def test_piped_output_is_never_paged(paging: tuple[dict[str, str], Path]) -> None:
    env, recorded = paging
    process = start_spectrum(["bill", "list"], env)
    out, err = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0, err
    assert _first_id(env) in out and not (recorded / "paged.txt").exists()


@pytest.mark.parametrize(
    ("args", "unset"),
    [
        (["--no-pager", "bill", "list"], False),
        (["bill", "list", "--no-pager"], False),
        (["bill", "list"], True),
    ],
    ids=["--no-pager", "--no-pager after the command", "SPECTRUM_PAGER="],
)
def test_the_pager_can_be_turned_off(
    args: list[str], unset: bool, paging: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, recorded = paging
    if unset:  # an empty SPECTRUM_PAGER wins over PAGER
        env = {**env, "PAGER": env["SPECTRUM_PAGER"], "SPECTRUM_PAGER": ""}
    status, shown, err = on_a_terminal(args, env, tmp_path)
    assert status == 0, err
    assert _first_id(env) in shown and not (recorded / "paged.txt").exists()


def test_text_through_the_pager_loses_its_control_sequences(tmp_path: Path) -> None:
    """Server text (a ticket subject, an alert) reaches the terminal through the pager too:
    the sink strips escape sequences there as it does on stdout."""
    import sys

    from spectrum_cli.cli.output import Output

    received = tmp_path / "paged.txt"
    record = f"import sys; open({str(received)!r}, 'w').write(sys.stdin.read())"
    out = Output(
        format="table",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        pager=[sys.executable, "-c", record],
    )
    out.show({"subject": "Hi\x1b]0;owned\x07 there\x1b[2J"}, [("subject", lambda r: r["subject"])])
    paged = received.read_text()
    assert "Hi there" in paged and "\x1b" not in paged and "\x07" not in paged


@pytest.mark.parametrize(
    ("args", "status", "prints"),
    [
        (["sandbox", "personas"], 0, True),  # its banner cannot be written: it goes on
        (["bill", "list"], 0, True),
        (["bill", "show", "st_1?x"], 2, False),
        (["-p", "nobody", "bill", "list"], 3, False),
    ],
)
def test_a_closed_stderr_changes_neither_the_work_nor_the_exit_status(
    harper: tuple[dict[str, str], dict[str, str]],
    args: list[str],
    status: int,
    prints: bool,
) -> None:
    """With nothing reading stderr (`2>&1 | true`), a command still does its work and exits
    with its own status: a closed stderr is not the closed stdout of `| head`."""
    env, _ = harper
    reader, writer = os.pipe()
    os.close(reader)  # closed before the command starts: its first message fails
    try:
        result = subprocess.run(
            [*SPECTRUM, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=writer,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert result.returncode == status
    assert bool(result.stdout.strip()) is prints


def test_json_escapes_what_could_act_on_a_terminal() -> None:
    """JSON escapes C0 controls itself; C1 controls (U+009B is a one-byte CSI) and bidi
    overrides are escaped too, so the value stays exact and the terminal untouched."""
    from spectrum_cli.cli.output import Output, terminal_text

    stdout = io.StringIO()
    subject = "Bill\u009b2J \u202eevil\u202c ok"
    Output(format="json", stdout=stdout, stderr=io.StringIO()).show({"subject": subject})
    printed = stdout.getvalue()
    assert "\u009b" not in printed and "\u202e" not in printed
    assert json.loads(printed)["subject"] == subject
    assert terminal_text(subject) == "Bill2J evil ok"


def test_an_empty_list_in_csv_still_has_its_header() -> None:
    """No rows, but the columns a reader (or sqlite's .import) needs, from the items' model:
    the same header a list with rows has."""
    from spectrum_cli.api.billing import Payment, PaymentList
    from spectrum_cli.cli.output import Output

    def csv_of(page: Any) -> list[list[str]]:
        stdout = io.StringIO()
        Output(format="csv", stdout=stdout, stderr=io.StringIO()).show(page)
        return list(csv.reader(io.StringIO(stdout.getvalue())))

    empty = csv_of(PaymentList(data=[], has_more=False))
    example = Payment.model_validate(
        {
            "id": "pay_1",
            "confirmation_number": "SPX-1",
            "statement_id": "st_1",
            "amount_cents": 100,
            "currency": "usd",
            "kind": "one_time",
            "status": "scheduled",
            "method_id": "pm_1",
            "method_label": "Visa",
            "scheduled_for": "2026-12-01",
            "created_at": "2026-11-28T00:00:00Z",
        }
    )
    header, row = csv_of(PaymentList(data=[example], has_more=False))
    assert empty == [header] and "amount_cents" in header and "amount" in header
