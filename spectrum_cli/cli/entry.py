"""The console-script entry point. It stays import-light: `--version` answers before Typer loads."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from spectrum_cli import __version__

        print(f"spectrum {__version__}")
        return
    from spectrum_cli.cli.main import main as run

    run()
