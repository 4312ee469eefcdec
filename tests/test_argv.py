"""Global options anywhere: the command line is rewritten with the root options first, read as
the parser reads it (values are never options, `--` ends the options, a root option wins over
a command's option of the same name)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from spectrum_cli.cli.argv import global_options_first
from spectrum_cli.cli.main import RootGroup

seen: dict[str, Any] = {}
tree = typer.Typer()
support = typer.Typer()
ticket = typer.Typer()
tree.add_typer(support, name="support")
support.add_typer(ticket, name="ticket")


@tree.callback(cls=RootGroup)
def root(
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
    profile: Annotated[str, typer.Option("--profile", "-p")] = "default",
    query: Annotated[str | None, typer.Option()] = None,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    no_input: Annotated[bool, typer.Option("--no-input")] = False,
) -> None:
    seen.update(root=dict(output=output, profile=profile, query=query, verbose=verbose))
    seen["root"].update(quiet=quiet, no_input=no_input)


@ticket.command()
def create(
    body: Annotated[str | None, typer.Option()] = None,
    subject: Annotated[str | None, typer.Option()] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o")] = None,
    at: Annotated[tuple[int, int] | None, typer.Option()] = None,
) -> None:
    seen["command"] = dict(body=body, subject=subject, yes=yes, output=output, at=at)


@support.command()
def faq(words: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    seen["command"] = dict(words=words)


ROOT = typer.main.get_command(tree)
CASES = [
    # (command line, rewritten)
    ("support faq", "support faq"),
    ("-o json support faq", "-o json support faq"),
    ("support faq -o json", "-o json support faq"),
    ("support faq --output=csv", "--output=csv support faq"),
    ("support faq -ojson", "-ojson support faq"),
    ("support -o json faq", "-o json support faq"),
    ("-p home support faq -p work", "-p home -p work support faq"),
    ("support faq --query data[0].id -o text", "--query data[0].id -o text support faq"),
    ("support faq -vv", "-v -v support faq"),
    ("support faq -v -q --no-input", "-v -q --no-input support faq"),
    ("support faq -vqo json", "-v -q -o json support faq"),
    ("support faq late fee -v", "-v support faq late fee"),
    # A value that looks like an option stays the value of its option.
    ("support ticket create --body -o", "support ticket create --body -o"),
    ("support ticket create --body -v -o json", "-o json support ticket create --body -v"),
    ("support ticket create --body=-q", "support ticket create --body=-q"),
    ("support ticket create --at 1 -v -q", "-q support ticket create --at 1 -v"),
    ("support ticket create -y -o json", "-o json support ticket create -y"),
    ("support ticket create -yv", "-v support ticket create -y"),
    # `--` ends the options: what follows is arguments, wherever it is.
    ("support faq -- -o json", "support faq -- -o json"),
    ("support faq -q -- -v", "-q support faq -- -v"),
    ("support ticket create --body -- -o json", "-o json support ticket create --body --"),
    # What the parser will refuse stays as it is, for the parser to say so.
    ("support faq -x -o json", "-o json support faq -x"),
    ("support faq -vx", "-v support faq -x"),
    ("nosuch -o json", "nosuch -o json"),
    # A root option without its value at the end is read alone: the parser says it needs one.
    ("support faq -o", "-o"),
    ("support faq -p", "-p"),
    ("-v support faq -q --query", "-v -q --query"),
    ("support ticket create -y -p", "-p"),
    # `-o=json` is `-ojson` (the parser alone would read the value as `=json`).
    ("support faq -o=json", "-ojson support faq"),
    ("-o=json support faq", "-ojson support faq"),
    ("support faq -vo=csv", "-v -ocsv support faq"),
    ("-h", "-h"),
    ("support faq -h -o json", "-o json support faq -h"),
]


@pytest.mark.parametrize(("line", "rewritten"), CASES)
def test_root_options_move_before_the_command_path(line: str, rewritten: str) -> None:
    assert global_options_first(ROOT, line.split()) == rewritten.split()


def run(line: str) -> dict[str, Any]:
    seen.clear()
    result = CliRunner().invoke(tree, line.split(), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("line", ["support faq -p", "support faq --query", "support faq -o"])
def test_a_trailing_root_option_without_its_value_is_a_usage_error(line: str) -> None:
    result = CliRunner().invoke(tree, line.split())
    option = line.split()[-1]
    assert result.exit_code == 2
    assert f"Option '{option}' requires an argument." in result.output


def test_a_short_option_value_after_an_equals_sign() -> None:
    assert run("support faq -o=json")["root"]["output"] == "json"
    assert run("-p=work support faq")["root"]["profile"] == "work"


def test_the_root_option_wins_over_a_command_option_of_the_same_name() -> None:
    got = run("support ticket create --subject s -o json")
    assert got["root"]["output"] == "json" and got["command"]["output"] is None


def test_values_that_look_like_options_stay_values() -> None:
    got = run("support ticket create --body -o --subject -p -v")
    assert got["command"]["body"] == "-o" and got["command"]["subject"] == "-p"
    assert got["root"]["output"] is None and got["root"]["profile"] == "default"
    assert got["root"]["verbose"] == 1
    assert run("support faq -- -o json -vv")["command"]["words"] == ["-o", "json", "-vv"]


def test_the_last_of_a_repeated_option_wins_and_counts_add_up() -> None:
    got = run("-p home -v support faq -p work -vv --query a.b")
    assert got["root"]["profile"] == "work" and got["root"]["verbose"] == 3
    assert got["root"]["query"] == "a.b"


def test_every_global_option_works_after_a_real_command(tmp_path: Path) -> None:
    """Each global option after the command, against the embedded sandbox."""
    from tests.helpers import isolated_env, spectrum

    env = isolated_env(tmp_path)
    args = ["sandbox", "personas", "--api-url", "sandbox", "--no-input", "--no-pager", "-q"]
    page = spectrum([*args, "-p", "work", "-o", "json"], env, in_process=True)
    assert page.returncode == 0, page.stderr
    assert json.loads(page.stdout)["data"][0]["username"] == "harper"
    assert page.stderr == ""  # -q: no sandbox banner
    query = spectrum([*args, "--query", "data[0].username", "-o", "text"], env, in_process=True)
    assert (query.returncode, query.stdout) == (0, "harper\n")
    verbose = spectrum([*args, "-vv", "-o", "csv"], env, in_process=True)
    assert verbose.stdout.startswith("username,") and "GET /v1/sandbox/personas" in verbose.stderr
    profile = spectrum(["config", "get", "output", "-p", "bad name"], env, in_process=True)
    assert profile.returncode == 2 and "'bad name'" in profile.stderr
