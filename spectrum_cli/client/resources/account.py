from __future__ import annotations

import datetime as dt

from spectrum_cli.api import routes
from spectrum_cli.api.account import AccountSummary, OutageList, ServiceList, UsageReport
from spectrum_cli.api.common import ServiceKind
from spectrum_cli.client.resources._base import Resource


class AccountResource(Resource):
    def summary(self) -> AccountSummary:
        """The dashboard: balance, due date, services, equipment, autopay and alerts."""
        return self._get(routes.ACCOUNT, AccountSummary)

    def services(self) -> ServiceList:
        return self._get(routes.SERVICES, ServiceList)

    def usage(
        self,
        service: ServiceKind = "internet",
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        days: int = 30,
    ) -> UsageReport:
        """Daily usage from ``start`` (or ``days`` back) to ``end`` (default today); mobile
        comes per line with the by-the-gig estimate for this cycle."""
        return self._get(
            routes.USAGE,
            UsageReport,
            params={"service": service, "start": start, "end": end, "days": days},
        )

    def outages(self) -> OutageList:
        """Outages at the service address, with the estimated restore time."""
        return self._get(routes.OUTAGES, OutageList)
