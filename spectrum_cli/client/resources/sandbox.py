from __future__ import annotations

import datetime as dt

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
    """Control routes that only the sandbox implements."""

    def personas(self) -> PersonaList:
        return self._get(routes.SANDBOX_PERSONAS, PersonaList, authenticated=False)

    def clock(self) -> ClockState:
        return self._get(routes.SANDBOX_CLOCK, ClockState, authenticated=False)

    def advance_clock(self, seconds: int) -> ClockState:
        return self._send(
            "POST",
            routes.SANDBOX_CLOCK,
            ClockState,
            ClockUpdate(advance_seconds=seconds),
            authenticated=False,
        )

    def set_clock(self, moment: dt.datetime) -> ClockState:
        return self._send(
            "POST",
            routes.SANDBOX_CLOCK,
            ClockState,
            ClockUpdate(set_to=moment),
            authenticated=False,
        )

    def outbox(self, to: str | None = None, limit: int = 20) -> OutboxList:
        return self._get(
            routes.SANDBOX_OUTBOX,
            OutboxList,
            params={"to": to, "limit": limit},
            authenticated=False,
        )

    def faults(self) -> FaultList:
        return self._get(routes.SANDBOX_FAULTS, FaultList, authenticated=False)

    def set_faults(self, faults: list[FaultRule]) -> FaultList:
        return self._send(
            "PUT", routes.SANDBOX_FAULTS, FaultList, FaultSet(faults=faults), authenticated=False
        )

    def clear_faults(self) -> None:
        self._send_no_content("DELETE", routes.SANDBOX_FAULTS, authenticated=False)

    def reset(self) -> None:
        self._send_no_content("POST", routes.SANDBOX_RESET, authenticated=False)

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
        return self._send("POST", routes.SANDBOX_OUTAGES, Outage, body, authenticated=False)

    def end_outages(self) -> None:
        self._send_no_content("DELETE", routes.SANDBOX_OUTAGES, authenticated=False)
