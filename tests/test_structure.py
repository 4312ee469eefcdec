"""Layering read from the source: routers import no other router and hold no SQL (they call
the domain and the store), and no function in spectrum_cli/ is over 60 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "spectrum_cli"
ROUTERS = PACKAGE / "sandbox" / "routers"
STORE = PACKAGE / "sandbox" / "store"
ROUTER_PACKAGE = "spectrum_cli.sandbox.routers"
MAX_FUNCTION_LINES = 60
SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE")
EXECUTE_CALLS = frozenset({"execute", "executemany", "executescript"})


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _routers() -> list[Path]:
    return sorted(p for p in ROUTERS.glob("*.py") if p.name != "__init__.py")


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, lines from `def` to its last line) of every function and method."""
    for child in ast.iter_child_nodes(node):
        name = prefix
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield name, child.end_lineno - child.lineno + 1  # type: ignore[operator]
            name += "."
        yield from _functions(child, name)


def _lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name, lines in _functions(_tree(path)):
            where = f"{path.relative_to(REPO).as_posix()}::{name}"
            lengths[where] = max(lines, lengths.get(where, 0))
    return lengths


def imported_routers(tree: ast.Module) -> list[str]:
    """The routers a module imports, however it spells the import."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith(ROUTER_PACKAGE + ".")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level and module.partition(".")[0] != "spectrum_cli":
                module = ROUTER_PACKAGE + ("." + module if module else "")
            if module == ROUTER_PACKAGE:
                found += [f"{module}.{a.name}" for a in node.names]
            elif module.startswith(ROUTER_PACKAGE + "."):
                found.append(module)
    return found


def sql_in(tree: ast.Module) -> list[str]:
    """Calls of .execute/.executemany/.executescript and string constants that start a SQL
    statement, each as "line: what"."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in EXECUTE_CALLS
        ):
            found.append(f"{node.lineno}: .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split(None, 1)
            if words and words[0].upper() in SQL_VERBS:
                found.append(f"{node.lineno}: {words[0]} ...")
    return found


@pytest.mark.parametrize("name", [p.name for p in _routers()])
def test_router_imports_no_other_router(name: str) -> None:
    assert imported_routers(_tree(ROUTERS / name)) == []


@pytest.mark.parametrize("name", [p.name for p in _routers()])
def test_router_holds_no_sql(name: str) -> None:
    assert sql_in(_tree(ROUTERS / name)) == []


def positional_after_conn(tree: ast.Module) -> list[str]:
    """Public module-level functions that take a connection first and anything else by
    position."""
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and [a.arg for a in node.args.posonlyargs + node.args.args][:1] == ["conn"]
        and len(node.args.posonlyargs + node.args.args) > 1
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in STORE.glob("*.py")))
def test_store_functions_take_keywords(name: str) -> None:
    """Store functions are called as f(conn, account_id=..., ...), so two ids of the same type
    can never be passed in the wrong order."""
    assert positional_after_conn(_tree(STORE / name)) == []


def test_no_function_is_over_60_lines() -> None:
    lengths = _lengths()
    assert len(lengths) > 500  # every module was read
    assert {w: n for w, n in lengths.items() if n > MAX_FUNCTION_LINES} == {}


def test_the_checks_see_what_they_look_for() -> None:
    """Each detector finds its pattern in every spelling, so a pass above means something."""
    tree = ast.parse(
        "import spectrum_cli.sandbox.routers.auth\n"
        "from spectrum_cli.sandbox.routers import profile\n"
        "from spectrum_cli.sandbox.routers.recovery import x\n"
        "from .support import y\n"
        "from . import equipment\n"
        "from spectrum_cli.sandbox.routing import new_router\n"
    )
    assert imported_routers(tree) == [
        "spectrum_cli.sandbox.routers.auth",
        "spectrum_cli.sandbox.routers.profile",
        "spectrum_cli.sandbox.routers.recovery",
        "spectrum_cli.sandbox.routers.support",
        "spectrum_cli.sandbox.routers.equipment",
    ]
    assert positional_after_conn(
        ast.parse("def a(conn, *, b): ...\ndef b(conn, c): ...\ndef _c(conn, d): ...\n")
    ) == ["b"]
    sql = ast.parse(
        "conn.execute(q)\nc.executemany(q, r)\ndb.executescript(s)\n"
        "Q = '''\n  select 1'''\nW = 'Selection of plans'\nU = f'UPDATE t SET a = {b}'\n"
    )
    assert sorted(sql_in(sql)) == [
        "1: .execute()",
        "2: .executemany()",
        "3: .executescript()",
        "4: select ...",
        "7: UPDATE ...",
    ]
