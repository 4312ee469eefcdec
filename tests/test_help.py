"""Help that teaches: every command's --help, at a narrow and a wide terminal, keeps its examples
whole, names values with words, shows no default on counters and flags, lists commands by whole
first sentences; and the generated reference (docs/cli.md) is current."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, isolated_env, spectrum


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    import typer.main

    from spectrum_cli.cli.main import app

    found: list[tuple[tuple[str, ...], Any]] = []

    def visit(command: Any, path: tuple[str, ...]) -> None:
        found.append((path, command))
        for name, child in sorted(getattr(command, "commands", {}).items()):
            visit(child, (*path, name))

    visit(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()
COMMAND_IN_PROSE = re.compile(r"\bspectrum( [a-z][a-z-]*)+ -")  # a command line outside `code`


def _source(command: Any) -> tuple[list[str], list[str]]:
    """The command's help: the lines of its examples (indented blocks, command lines), and its
    other paragraphs."""

    def is_example(paragraph: str) -> bool:
        lines = paragraph.splitlines()
        return any(line[:1].isspace() or line.startswith(("spectrum ", "$ ")) for line in lines)

    paragraphs = inspect.cleandoc(command.help or "").split("\n\n")
    examples = [p for p in paragraphs if is_example(p)]
    lines = [line.strip() for p in examples for line in p.splitlines() if line.strip()]
    return lines, [p for p in paragraphs if not is_example(p)]


def _rows(text: str, section: str) -> list[list[str]]:
    """The rows of a section of the help (`Options:`), each as its lines."""
    rows: list[list[str]] = []
    inside = False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line == f"{section}:"
        elif inside and re.match(r"^  \S", line):
            rows.append([line.strip()])
        elif inside and rows:
            rows[-1].append(line.strip())
    return rows


def _check_examples(command: Any, text: str) -> None:
    examples, prose = _source(command)
    printed = [line.strip() for line in text.splitlines()]
    for example in examples:
        assert example in printed, f"example re-wrapped: {example!r}"
    for line in printed:
        if line.startswith(("spectrum ", "$ ")):
            assert line in examples, f"a command line cut by the wrapper: {line!r}"
    for paragraph in prose:
        unquoted = re.sub(r"`[^`]+`", "", paragraph)
        assert not COMMAND_IN_PROSE.search(unquoted), (
            f"a command line in prose, where it gets wrapped (indent it as an example or "
            f"quote it with backticks): {paragraph!r}"
        )


def _check_metavars(text: str) -> None:
    usage = text.split("\n\n")[0]
    assert not re.search(r"[<>|{}]", usage), usage
    for section in ("Options", "Arguments"):
        for row in _rows(text, section):
            names = re.split(r"\s{2,}", row[0])[0]  # the help goes on after two spaces
            for word in re.split(r"[ ,/]+", names):
                assert word.startswith("-") or re.fullmatch(
                    r"\[?[A-Z][A-Z_]*(=[A-Z][A-Z_]*)?\]?(\.\.\.)?",
                    word,  # [WORD]: optional
                ), f"metavar is not a word: {names!r}"


def _check_defaults_and_summaries(text: str) -> None:
    assert "[default: 0]" not in text
    assert not re.search(r"default: (False|True)\b", text)
    for row in _rows(text, "Commands"):
        assert "..." not in " ".join(row), f"summary cut: {row!r}"


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "spectrum" for p, _ in COMMANDS]
)
def test_help_teaches(path: tuple[str, ...], command: Any, tmp_path: Path) -> None:
    for columns in ("40", "200"):
        result = spectrum(
            [*path, "--help"], isolated_env(tmp_path, COLUMNS=columns), in_process=True
        )
        assert result.returncode == 0, result.stderr
        _check_examples(command, result.stdout)
        _check_metavars(result.stdout)
        _check_defaults_and_summaries(result.stdout)


def test_an_example_keeps_its_line_on_a_narrow_terminal(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, COLUMNS="40")
    result = spectrum(["login", "--help"], env, in_process=True)
    example = "printf '%s\\n' \"$PASSWORD\" | spectrum login --username harper --password-stdin"
    assert any(line.strip() == example for line in result.stdout.splitlines())


def test_prose_is_not_broken_inside_code_or_at_a_hyphen(tmp_path: Path) -> None:
    result = spectrum(["--help"], isolated_env(tmp_path, COLUMNS="40"), in_process=True)
    assert "`spectrum login --username harper`" in result.stdout
    assert not re.search(r"\w-\n", result.stdout)


def test_the_reference_is_current() -> None:
    from scripts.gen_reference import render

    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run python -m scripts.gen_reference"
