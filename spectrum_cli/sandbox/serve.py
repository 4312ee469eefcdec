"""Serve the sandbox over HTTP with uvicorn."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

from spectrum_cli.api.routes import SANDBOX_KEY_HEADER
from spectrum_cli.sandbox.middleware import ConnectionDropped


class _HideInjectedDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


class RemoteRefused(Exception):
    """A non-loopback address without ``allow_remote``."""


EXPOSURE_WARNING = (
    "WARNING: the sandbox is listening on {host}, reachable from other machines. Anyone who "
    "can reach it can try the demo passwords, and anyone holding the admin key can read every "
    "reset and sign-in code in the outbox, move the clock and erase the store. Use it only "
    "on a network you trust."
)


def check_exposure(host: str, *, allow_remote: bool) -> bool:
    """True when ``host`` is reachable from elsewhere (then ``allow_remote`` must be given)."""
    from spectrum_cli.sandbox.guards import is_loopback_host

    if is_loopback_host(host):
        return False
    if not allow_remote:
        raise RemoteRefused(
            f"{host} is not a loopback address: other machines could reach the sandbox's demo "
            "accounts and its outbox of reset codes. Add --allow-remote if that is what you want."
        )
    return True


def serve(
    *,
    host: str,
    port: int,
    db_path: Path,
    log_level: str = "warning",
    allow_remote: bool = False,
    allow_hosts: tuple[str, ...] = (),
) -> None:
    """Bind first (so ``--port 0`` can report the port it got), then serve until interrupted."""
    import uvicorn

    from spectrum_cli.sandbox.app import create_app

    exposed = check_exposure(host, allow_remote=allow_remote)
    app = create_app(db_path, allowed_hosts=(*allow_hosts, host))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _bind(family, host, port)
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())
    if exposed:
        print(EXPOSURE_WARNING.format(host=host), file=sys.stderr)
    print(
        f"Sandbox admin key (the {SANDBOX_KEY_HEADER} header, or SPECTRUM_SANDBOX_KEY for "
        f"`spectrum sandbox` commands): {app.state.keys.admin}",
        file=sys.stderr,
    )
    print(
        f"Sandbox API listening on http://{shown_host}:{actual_port} (store: {db_path})",
        file=sys.stderr,
        flush=True,
    )
    server.run(sockets=[sock])


def _bind(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, or PortUnavailable saying why not."""
    import errno

    from spectrum_cli.sandbox.problems import PortUnavailable

    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"Port {port} on {host} is in use.",
                "Pass another --port (--port 0 picks a free one), or stop what is using it.",
            ) from None
        if exc.errno == errno.EACCES:
            raise PortUnavailable(
                f"Not allowed to listen on port {port} on {host}.",
                "Pass a --port above 1023 (--port 0 picks a free one).",
            ) from None
        reason = exc.strerror or str(exc)
        raise PortUnavailable(
            f"Cannot listen on {host} port {port}: {reason}.",
            "Pass a --host that is an address of this machine, such as 127.0.0.1.",
        ) from None
    return sock
