"""Routes that can answer "would you run this request?" without running it.

An idempotent replay must pass the same checks as the first request: the caller's token, its
scopes and role, and a valid body. Those checks are the route's dependencies, which FastAPI
resolves before it calls the endpoint. So the idempotency layer replays a stored answer only
after sending the request through the app with a probe set: every endpoint is wrapped to
record that it was reached (all checks passed) and to return at once instead of acting.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from fastapi.routing import APIRoute


class ReplayProbe:
    """Set for one pass through the app; ``reached`` is True when every check passed."""

    def __init__(self) -> None:
        self.reached = False


replay_probe: contextvars.ContextVar[ReplayProbe | None] = contextvars.ContextVar(
    "replay_probe", default=None
)


def _probe_reached() -> Response | None:
    probe = replay_probe.get()
    if probe is None:
        return None
    probe.reached = True
    return Response(status_code=204)


def _stop_at_probe(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def async_endpoint(*args: Any, **kwargs: Any) -> Any:
            return _probe_reached() or await endpoint(*args, **kwargs)

        return async_endpoint

    @functools.wraps(endpoint)
    def sync_endpoint(*args: Any, **kwargs: Any) -> Any:
        return _probe_reached() or endpoint(*args, **kwargs)

    return sync_endpoint


class ProbedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _stop_at_probe(endpoint), **kwargs)


def new_router(**kwargs: Any) -> APIRouter:
    """Every sandbox router is made here, so no route can skip the replay checks."""
    return APIRouter(route_class=ProbedRoute, **kwargs)
