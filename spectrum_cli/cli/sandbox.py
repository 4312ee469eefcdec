"""`spectrum sandbox ...`: run and steer the sandbox Account API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spectrum_cli.cli._typer import new_app

app = new_app("Run the sandbox Account API and steer it: personas, clock, outbox, faults.")


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("spectrum-cli") / "sandbox.db"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8765,
    db: Annotated[Path | None, typer.Option(help="SQLite file [default: the user data dir].")] = None,
) -> None:
    """Serve the sandbox over HTTP until interrupted.

    Point any command at it with --api-url http://HOST:PORT.
    """
    from spectrum_cli.sandbox.serve import serve as run

    run(host=host, port=port, db_path=db or default_db_path())
