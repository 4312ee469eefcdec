"""Serve the sandbox over HTTP with uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

from spectrum_cli.sandbox.middleware import ConnectionDropped


class _HideInjectedDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def serve(*, host: str, port: int, db_path: Path, log_level: str = "warning") -> None:
    """Bind first (so ``--port 0`` can report the port it got), then serve until interrupted."""
    import uvicorn

    from spectrum_cli.sandbox.app import create_app

    app = create_app(db_path)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())
    print(
        f"Sandbox API listening on http://{shown_host}:{actual_port} (store: {db_path})",
        file=sys.stderr,
        flush=True,
    )
    server.run(sockets=[sock])
