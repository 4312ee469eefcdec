"""The repository's own hygiene: the maintenance scripts are a package that runs as
`python -m scripts.NAME` and nothing edits sys.path to reach them, and comments say the rule
where it is used instead of pointing at a document the repository does not hold."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HANG_GUARD, REPO

SOURCES = ("scripts", "spectrum_cli", "tests", "benchmarks")
# Text that names a section of a design document kept outside the repository.
OUTSIDE_REFERENCE = "DESIGN" + " §"


def _python_files(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (REPO / top).rglob("*.py"))


def _edits_sys_path(tree: ast.Module) -> bool:
    """Whether the module calls a method of `sys.path` (insert, append, extend...)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (
                isinstance(owner, ast.Attribute)
                and owner.attr == "path"
                and isinstance(owner.value, ast.Name)
                and owner.value.id == "sys"
            ):
                return True
    return False


def test_scripts_and_tests_reach_each_other_without_editing_sys_path() -> None:
    editing = [
        p.relative_to(REPO).as_posix()
        for p in _python_files("scripts", "tests")
        if _edits_sys_path(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert editing == []


def test_the_tests_import_the_scripts_as_a_package() -> None:
    from scripts import export_openapi, gen_completions

    assert Path(export_openapi.__file__).parent == REPO / "scripts"
    assert callable(export_openapi.render) and callable(gen_completions.render)


@pytest.mark.parametrize("name", ["fault_campaign", "load"])
def test_a_script_runs_as_a_module_from_the_repository_root(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", f"scripts.{name}", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG_GUARD,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_no_comment_points_at_a_design_document_outside_the_repository() -> None:
    texts = [*_python_files(*SOURCES), REPO / "README.md", REPO / "SECURITY.md"]
    here = Path(__file__).resolve()
    referring = {
        p.relative_to(REPO).as_posix()
        for p in texts
        if p.resolve() != here and OUTSIDE_REFERENCE in p.read_text(encoding="utf-8")
    }
    assert referring == set()
