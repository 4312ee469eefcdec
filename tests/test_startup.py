"""Import discipline: cheap commands (--help, --version) load none of the heavy modules, which
are imported inside the functions that use them so that help and tab completion stay fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import REPO

HEAVY = (
    "httpx",
    "keyring",
    "tabulate",
    "fastapi",
    "starlette",
    "uvicorn",
    "spectrum_cli.api",
    "spectrum_cli.client",
    "spectrum_cli.sandbox",
)
# Typer itself loads pydantic to coerce a subcommand's parameters; the contract's models
# (spectrum_cli.api) must still stay out. The root --help and --version load neither.
ROOT_ONLY = ("pydantic",)

PROBE = """
import sys, runpy
sys.argv = ["spectrum", *{args!r}]
try:
    runpy.run_module("spectrum_cli", run_name="__main__")
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("\\n".join(sorted(sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["bill", "--help"],
        ["auth", "status", "--help"],
        ["sandbox", "--help"],
    ],
)
def test_cheap_commands_import_no_heavy_module(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    loaded = set(result.stderr.split())
    forbidden = HEAVY + (ROOT_ONLY if len(args) == 1 else ())
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in forbidden))
    assert heavy == []
