"""The sandbox: a real implementation of the Account API on SQLite, with demo personas,
a controllable clock, an outbox for codes, and fault injection."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(db_path: str, **kwargs: object) -> FastAPI:
    """Build the sandbox ASGI app over the SQLite file at ``db_path``."""
    from spectrum_cli.sandbox.app import create_app as _create_app

    return _create_app(db_path, **kwargs)
