"""The sandbox app factory: `main` only wires routers, handlers and middleware."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from spectrum_cli import __version__
from spectrum_cli.api.common import ErrorResponse
from spectrum_cli.sandbox import clock, reword, seed
from spectrum_cli.sandbox.db import Database, store_errors
from spectrum_cli.sandbox.errors import install_handlers
from spectrum_cli.sandbox.guards import RequestGuard
from spectrum_cli.sandbox.instances import ServerInstance
from spectrum_cli.sandbox.keys import load_or_create
from spectrum_cli.sandbox.limits import BodyLimitMiddleware
from spectrum_cli.sandbox.middleware import (
    FaultMiddleware,
    IdempotencyMiddleware,
    RequestIdMiddleware,
)
from spectrum_cli.sandbox.routers import (
    account,
    auth,
    autopay,
    equipment,
    payment_methods,
    payments,
    profile,
    recovery,
    sandbox,
    statements,
    support,
)

SLOW_HANDLER_FAULTS = frozenset({"delay"})
NETWORK_FAULTS = frozenset({"error", "rate_limit", "drop_before", "drop_after"})

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {"model": ErrorResponse, "description": "The error envelope."},
}


def open_store(db_path: str | Path) -> Database:
    """Create or upgrade the file and seed the personas into an empty store."""
    db = Database(db_path)
    with store_errors(db_path):
        db.migrate()
        with db.write() as conn:
            if not seed.is_seeded(conn):
                seed.seed(conn, now=clock.now(conn))
    return db


def create_app(db_path: str | Path, *, allowed_hosts: Iterable[str] = ()) -> FastAPI:
    """The app over the store at ``db_path``. It answers loopback host names and
    ``allowed_hosts`` only (see guards.py)."""
    db = open_store(db_path)
    app = FastAPI(
        title="Spectrum Account API",
        version=__version__,
        description=(
            "The Account API that spectrum-cli speaks. Money is integer cents; errors use one "
            "envelope; every money-moving POST needs an Idempotency-Key."
        ),
        docs_url=None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
        # `/v1/statements/` must be an unknown route (404), not a redirect to the list.
        redirect_slashes=False,
    )
    app.state.db = db
    app.state.keys = keys = load_or_create(db_path)
    for module in (
        auth,
        recovery,
        account,
        profile,
        statements,
        payments,
        payment_methods,
        autopay,
        support,
        equipment,
        sandbox,
    ):
        app.include_router(module.router)
    install_handlers(app)
    # Added last runs first: request ids, the request guard, the body limit (before anything
    # buffers a body), then network faults, idempotency, slow handlers.
    app.add_middleware(FaultMiddleware, db=db, kinds=SLOW_HANDLER_FAULTS)
    app.add_middleware(IdempotencyMiddleware, db=db, keys=keys, instance=ServerInstance(db_path))
    app.add_middleware(FaultMiddleware, db=db, kinds=NETWORK_FAULTS)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestGuard, allowed_hosts=allowed_hosts)
    app.add_middleware(RequestIdMiddleware)
    if os.environ.get(reword.ENV) == "1":  # a test's switch: texts for people in other words
        app.add_middleware(reword.RewordMiddleware)
    _use_error_envelope_in_schema(app)
    return app


def _use_error_envelope_in_schema(app: FastAPI) -> None:
    """Validation errors answer 400 with the envelope, so drop FastAPI's 422 from the schema."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def openapi_document() -> dict[str, Any]:
    """The contract as served, for `openapi.json` at the repository root."""
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Path(tmp) / "openapi.db").openapi()
