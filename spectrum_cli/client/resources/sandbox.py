from __future__ import annotations

import datetime as dt
from typing import Any

from spectrum_cli.api import routes
from spectrum_cli.api.account import Outage
from spectrum_cli.api.common import ServiceKind
from spectrum_cli.api.sandbox import (
    ClockState,
    ClockUpdate,
    FaultList,
    FaultRule,
    FaultSet,
    OutageCreate,
    OutboxList,
    PersonaList,
)
from spectrum_cli.client.resources._base import Resource


class SandboxResource(Resource):
    """Control routes that only the sandbox implements. They need the client's
    ``sandbox_key``; without it only ``personas()`` answers, and without passwords."""

    def _key(self) -> dict[str, Any]:
        key = self._client.sandbox_key
        return {
            "authenticated": False,
            "headers": {routes.SANDBOX_KEY_HEADER: key} if key else None,
        }

    def personas(self) -> PersonaList:
        return self._get(routes.SANDBOX_PERSONAS, PersonaList, **self._key())

    def clock(self) -> ClockState:
        return self._get(routes.SANDBOX_CLOCK, ClockState, **self._key())

    def advance_clock(self, seconds: int) -> ClockState:
        return self._send(
            "POST",
            routes.SANDBOX_CLOCK,
            ClockState,
            ClockUpdate(advance_seconds=seconds),
            **self._key(),
        )

    def set_clock(self, moment: dt.datetime) -> ClockState:
        return self._send(
            "POST",
            routes.SANDBOX_CLOCK,
            ClockState,
            ClockUpdate(set_to=moment),
            **self._key(),
        )

    def outbox(self, to: str | None = None, limit: int = 20) -> OutboxList:
        return self._get(
            routes.SANDBOX_OUTBOX,
            OutboxList,
            params={"to": to, "limit": limit},
            **self._key(),
        )

    def faults(self) -> FaultList:
        return self._get(routes.SANDBOX_FAULTS, FaultList, **self._key())

    def set_faults(self, faults: list[FaultRule]) -> FaultList:
        return self._send(
            "PUT", routes.SANDBOX_FAULTS, FaultList, FaultSet(faults=faults), **self._key()
        )

    def clear_faults(self) -> None:
        self._send_no_content("DELETE", routes.SANDBOX_FAULTS, **self._key())

    def reset(self) -> None:
        self._send_no_content("POST", routes.SANDBOX_RESET, **self._key())

    def raise_outage(
        self,
        zip_code: str,
        services: list[ServiceKind],
        *,
        restore_in_minutes: int = 180,
        message: str | None = None,
    ) -> Outage:
        body = OutageCreate(
            zip=zip_code,
            services=services,
            restore_in_minutes=restore_in_minutes,
            **({"message": message} if message else {}),
        )
        return self._send("POST", routes.SANDBOX_OUTAGES, Outage, body, **self._key())

    def end_outages(self) -> None:
        self._send_no_content("DELETE", routes.SANDBOX_OUTAGES, **self._key())
